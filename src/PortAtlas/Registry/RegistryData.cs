using System.Globalization;
using System.Reflection;

namespace PortAtlas.Registry;

/// <summary>Reads the registry's data files, compiled into the assembly as resources.</summary>
internal static class RegistryData
{
    internal const string IanaResource = "PortAtlas.data.iana-service-names-port-numbers.csv";
    internal const string CuratedResource = "PortAtlas.data.curated-ports.tsv";
    /// <summary>The <see cref="RegistryIndex"/> of the two files above, written by the build.</summary>
    internal const string IndexResource = "PortAtlas.data.registry-index.bin";

    /// <summary>The text of an embedded resource, or null when the assembly lacks it.</summary>
    internal static string? ReadResource(string name) =>
        ReadResourceBytes(name) is { } bytes ? System.Text.Encoding.UTF8.GetString(TrimBom(bytes.Span)) : null;

    private static ReadOnlySpan<byte> TrimBom(ReadOnlySpan<byte> bytes) => bytes.StartsWith("\uFEFF"u8) ? bytes[3..] : bytes;

    /// <summary>
    /// An embedded resource's bytes, or null when the assembly lacks it. Resources compiled into the program are
    /// mapped memory that lives as long as the process: they are read in place, not copied (a megabyte copy was a
    /// quarter of what `ports 443` cost, issue 16).
    /// </summary>
    internal static unsafe ReadOnlyMemory<byte>? ReadResourceBytes(string name)
    {
        using var stream = typeof(RegistryData).Assembly.GetManifestResourceStream(name);
        if (stream is null)
        {
            return null;
        }
        if (stream is UnmanagedMemoryStream mapped)
        {
            return new MappedMemory(mapped.PositionPointer, checked((int)mapped.Length)).Memory;
        }
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Memory over bytes the runtime keeps for the process's lifetime (an embedded resource).</summary>
    private sealed unsafe class MappedMemory(byte* pointer, int length) : System.Buffers.MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => new(pointer, length);

        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    /// <summary>
    /// An entry from IANA's 12 CSV fields: Service Name, Port Number, Transport Protocol, Description, Assignee,
    /// Contact, Registration Date, Modification Date, Reference, Service Code, Unauthorized Use Reported,
    /// Assignment Notes. Port and transport come already parsed (-1 when absent).
    /// </summary>
    internal static PortEntry IanaEntry(List<string> fields, int first, int last, int transport) => new()
    {
        Name = fields[0],
        Port = first < 0 ? null : first,
        EndPort = first < 0 ? null : last,
        Protocol = transport < 0 ? null : (Transport)transport,
        Description = fields[3],
        Source = EntrySource.Iana,
        Assignee = NullIfEmpty(fields[4]),
        Contact = NullIfEmpty(fields[5]),
        RegistrationDate = NullIfEmpty(fields[6]),
        ModificationDate = NullIfEmpty(fields[7]),
        Reference = NullIfEmpty(fields[8]),
        ServiceCode = NullIfEmpty(fields[9]),
        UnauthorizedUseReported = NullIfEmpty(fields[10]),
        AssignmentNotes = NullIfEmpty(fields[11]),
    };

    /// <summary>
    /// The entry of one curated record (a line of the file, without its line break) for one of its
    /// protocols. The file is tab-separated with a header row
    /// port, protocols, name, title, source, risk, exposure, description, why, products, hardening.
    /// </summary>
    internal static PortEntry CuratedEntry(ReadOnlySpan<byte> record, Transport transport)
    {
        var fields = new List<string>(11);
        new CsvReader(System.Text.Encoding.UTF8.GetString(record)).ReadTsvRecord(fields);
        var entries = new List<PortEntry>(2);
        AddCurated(fields, entries);
        return entries.Find(e => e.Protocol == transport)
            ?? throw new FormatException($"curated row for '{fields[0]}' does not list {transport.ToName()}");
    }

    /// <summary>Adds the entries of one curated record, one per listed protocol.</summary>
    private static void AddCurated(List<string> fields, List<PortEntry> entries)
    {
        var where = fields.Count > 0 ? fields[0] : "?";
        if (fields.Count != 11)
        {
            throw new FormatException($"curated row for '{where}' has {fields.Count} fields, not 11");
        }
        if (!PortRange.TryParse(fields[0], out var range))
        {
            throw new FormatException($"curated row has a bad port '{fields[0]}'");
        }
        if (!RegistryNames.TryParseRisk(fields[5], out var risk))
        {
            throw new FormatException($"curated row for '{where}' has a bad risk '{fields[5]}'");
        }
        if (!int.TryParse(fields[6], NumberStyles.None, CultureInfo.InvariantCulture, out var exposure) || exposure > 100)
        {
            throw new FormatException($"curated row for '{where}' has a bad exposure '{fields[6]}'");
        }
        var source = fields[4] switch
        {
            "curated" => EntrySource.Curated,
            "unofficial" => EntrySource.Unofficial,
            _ => throw new FormatException($"curated row for '{where}' has a bad source '{fields[4]}'"),
        };
        foreach (var protocol in fields[1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TransportNames.TryParse(protocol, out var transport))
            {
                throw new FormatException($"curated row for '{where}' has a bad protocol '{protocol}'");
            }
            entries.Add(new PortEntry
            {
                Port = range.First,
                EndPort = range.Last,
                Protocol = transport,
                Name = fields[2],
                Title = fields[3],
                Source = source,
                Risk = risk,
                Exposure = exposure,
                Description = fields[7],
                Notes = fields[8],
                Products = fields[9],
                Hardening = fields[10],
            });
        }
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    internal static Assembly Assembly => typeof(RegistryData).Assembly;
}
