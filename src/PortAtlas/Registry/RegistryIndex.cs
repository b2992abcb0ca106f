using System.Runtime.InteropServices;
using System.Text;

namespace PortAtlas.Registry;

/// <summary>
/// The registry's rows and its index by port as one blob of plain arrays. For the embedded data it is computed at
/// build time (src/PortAtlas.RegistryIndexer, run by the library's build) and read in place from the program's
/// image, so a look-up by number neither reads the 1.2 MB IANA table nor allocates an index at start-up (issue 16).
/// Rows 0 to <see cref="IanaCount"/>-1 are IANA records in the CSV's order, then curated rows, one per listed
/// protocol, in the file's order. Registries built from entries use the same layout, built in memory.
/// </summary>
internal sealed class RegistryIndex
{
    // Native byte order: an index built on a machine of the other order fails the magic check and is rebuilt.
    private const int Magic = 0x58494150; // "PAIX"
    private const int Version = 1;
    private const int HeaderInts = 5;
    private const int PortSlots = PortRange.MaxPort + 2;
    private readonly ReadOnlyMemory<byte> _blob;
    // Byte offsets of the sections in the blob.
    private readonly int _startAt, _endAt, _firstAt, _lastAt, _offsetsAt, _byPortAt, _transportAt, _isIanaAt;

    private RegistryIndex(ReadOnlyMemory<byte> blob)
    {
        _blob = blob;
        var header = MemoryMarshal.Cast<byte, int>(blob.Span[..(HeaderInts * sizeof(int))]);
        Count = header[2];
        IanaCount = header[3];
        var byPortCount = header[4];
        _startAt = HeaderInts * sizeof(int);
        _endAt = _startAt + Count * sizeof(int);
        _firstAt = _endAt + Count * sizeof(int);
        _lastAt = _firstAt + Count * sizeof(int);
        _offsetsAt = _lastAt + Count * sizeof(int);
        _byPortAt = _offsetsAt + PortSlots * sizeof(int);
        _transportAt = _byPortAt + byPortCount * sizeof(int);
        _isIanaAt = _transportAt + Count;
        if (_isIanaAt + Count != blob.Length)
        {
            throw new FormatException("the registry index's length does not match its header");
        }
    }

    /// <summary>Number of rows.</summary>
    public int Count { get; }
    /// <summary>Number of IANA rows, which come first.</summary>
    public int IanaCount { get; }
    /// <summary>Where each row's record starts in its data file (0 for rows built from entries).</summary>
    public ReadOnlySpan<int> Start => Ints(_startAt, Count);
    /// <summary>Where each row's record ends, line break excluded.</summary>
    public ReadOnlySpan<int> End => Ints(_endAt, Count);
    /// <summary>First port of each row, -1 when it has none.</summary>
    public ReadOnlySpan<int> First => Ints(_firstAt, Count);
    /// <summary>Last port of each row, -1 when it has none.</summary>
    public ReadOnlySpan<int> Last => Ints(_lastAt, Count);
    /// <summary>Transport of each row as a <see cref="Model.Transport"/> value, -1 when it names none.</summary>
    public ReadOnlySpan<sbyte> Transport => MemoryMarshal.Cast<byte, sbyte>(_blob.Span.Slice(_transportAt, Count));
    /// <summary>Whether each row comes from IANA (curated and unofficial rows do not).</summary>
    public ReadOnlySpan<bool> IsIana => MemoryMarshal.Cast<byte, bool>(_blob.Span.Slice(_isIanaAt, Count));

    /// <summary>The rows covering <paramref name="port"/> (0-65535), curated and unofficial rows first.</summary>
    public ReadOnlySpan<int> RowsAt(int port)
    {
        var offsets = Ints(_offsetsAt, PortSlots);
        return Ints(_byPortAt + offsets[port] * sizeof(int), offsets[port + 1] - offsets[port]);
    }

    private ReadOnlySpan<int> Ints(int at, int count) => MemoryMarshal.Cast<byte, int>(_blob.Span.Slice(at, count * sizeof(int)));

    /// <summary>
    /// The index in <paramref name="blob"/>, read in place; when it was written by another version or on a machine
    /// of the other byte order, the index computed now from the data files it describes.
    /// </summary>
    public static RegistryIndex Open(ReadOnlyMemory<byte> blob, ReadOnlySpan<byte> ianaCsv, ReadOnlySpan<byte> curatedTsv)
    {
        var header = blob.Length >= HeaderInts * sizeof(int) ? MemoryMarshal.Cast<byte, int>(blob.Span[..(HeaderInts * sizeof(int))]) : default;
        return header.Length == HeaderInts && header[0] == Magic && header[1] == Version
            ? new RegistryIndex(blob)
            : new RegistryIndex(Build(ianaCsv, curatedTsv));
    }

    /// <summary>The index of rows built from entries (no data files: every <see cref="Start"/> and <see cref="End"/> is 0).</summary>
    public static RegistryIndex ForRows(int[] first, int[] last, sbyte[] transport, bool[] isIana) =>
        new(Write(0, new int[first.Length], new int[first.Length], first, last, transport, isIana));

    /// <summary>Computes the index of the IANA CSV and the curated TSV (their bytes as compiled in).</summary>
    /// <exception cref="FormatException">A record whose port, transport or protocol is malformed, or an unterminated quote.</exception>
    public static byte[] Build(ReadOnlySpan<byte> ianaCsv, ReadOnlySpan<byte> curatedTsv)
    {
        var start = new List<int>(16_000);
        var end = new List<int>(16_000);
        var first = new List<int>(16_000);
        var last = new List<int>(16_000);
        var transport = new List<sbyte>(16_000);
        ScanIana(ianaCsv, start, end, first, last, transport);
        var ianaCount = start.Count;
        ScanCurated(curatedTsv, start, end, first, last, transport);
        var isIana = new bool[start.Count];
        Array.Fill(isIana, true, 0, ianaCount);
        return Write(ianaCount, [.. start], [.. end], [.. first], [.. last], [.. transport], isIana);
    }

    private static byte[] Write(int ianaCount, int[] start, int[] end, int[] first, int[] last, sbyte[] transport, bool[] isIana)
    {
        var count = first.Length;
        var offsets = new int[PortSlots];
        for (var row = 0; row < count; row++)
        {
            for (var p = first[row]; p >= 0 && p <= last[row]; p++)
            {
                offsets[p + 1]++;
            }
        }
        for (var p = 1; p < offsets.Length; p++)
        {
            offsets[p] += offsets[p - 1];
        }
        var byPort = new int[offsets[^1]];
        var fill = (int[])offsets.Clone();
        // Two passes place curated knowledge ahead of IANA rows at each port.
        foreach (var curatedPass in (ReadOnlySpan<bool>)[true, false])
        {
            for (var row = 0; row < count; row++)
            {
                if (isIana[row] != curatedPass)
                {
                    for (var p = first[row]; p >= 0 && p <= last[row]; p++)
                    {
                        byPort[fill[p]++] = row;
                    }
                }
            }
        }
        using var blob = new MemoryStream();
        blob.Write(MemoryMarshal.AsBytes((ReadOnlySpan<int>)[Magic, Version, count, ianaCount, byPort.Length]));
        foreach (var ints in (int[][])[start, end, first, last, offsets, byPort])
        {
            blob.Write(MemoryMarshal.AsBytes(ints.AsSpan()));
        }
        blob.Write(MemoryMarshal.AsBytes(transport.AsSpan()));
        blob.Write(MemoryMarshal.AsBytes(isIana.AsSpan()));
        return blob.ToArray();
    }

    /// <summary>Indexes IANA's CSV (12 fields; quoted fields may hold commas, doubled quotes and bare LFs).</summary>
    private static void ScanIana(ReadOnlySpan<byte> span, List<int> start, List<int> end, List<int> first, List<int> last, List<sbyte> transport)
    {
        var position = SkipRecord(span, 0); // header
        while (position < span.Length)
        {
            var recordStart = position;
            position = SkipRecord(span, position);
            var record = span[recordStart..position].TrimEnd("\r\n"u8);
            if (record.IsEmpty)
            {
                continue;
            }
            var number = start.Count + 1;
            // Name, port and transport are never quoted in IANA's rendering.
            var fields = Encoding.UTF8.GetString(record).Split(',', 4);
            if (fields.Length < 3)
            {
                throw new FormatException($"IANA record {number} is not a CSV record");
            }
            var range = new PortRange(-1, -1);
            if (fields[1].Length > 0 && !PortRange.TryParse(fields[1], out range))
            {
                throw new FormatException($"IANA record {number} has a bad port '{fields[1]}'");
            }
            sbyte t = -1;
            if (fields[2].Length > 0)
            {
                t = TransportNames.TryParse(fields[2], out var parsed) && fields[2] == parsed.ToName()
                    ? (sbyte)parsed
                    : throw new FormatException($"IANA record {number} has a bad transport");
            }
            start.Add(recordStart);
            end.Add(recordStart + record.Length);
            first.Add(range.First);
            last.Add(range.Last);
            transport.Add(t);
        }
    }

    /// <summary>The offset just past the record that starts at <paramref name="position"/>, its line break included.</summary>
    private static int SkipRecord(ReadOnlySpan<byte> data, int position)
    {
        var quoted = false;
        while (position < data.Length)
        {
            var rest = data[position..];
            var next = quoted ? rest.IndexOf((byte)'"') : rest.IndexOfAny((byte)'"', (byte)'\n');
            if (next < 0)
            {
                if (quoted)
                {
                    throw new FormatException($"unterminated quoted field at offset {position}");
                }
                return data.Length;
            }
            position += next + 1;
            if (rest[next] == (byte)'"')
            {
                // A doubled quote inside a quoted field toggles twice: no special case needed.
                quoted = !quoted;
            }
            else
            {
                return position;
            }
        }
        return position;
    }

    /// <summary>
    /// Indexes the curated TSV as <c>CsvReader.ReadTsvRecord</c> reads it (blank and '#' lines skipped, the first
    /// record a header): a row per record and listed protocol. The other fields are checked when a row is decoded.
    /// </summary>
    private static void ScanCurated(ReadOnlySpan<byte> span, List<int> start, List<int> end, List<int> first, List<int> last, List<sbyte> transport)
    {
        var header = true;
        var position = 0;
        while (position < span.Length)
        {
            var lineStart = position;
            var length = span[position..].IndexOf((byte)'\n');
            position = length < 0 ? span.Length : position + length + 1;
            var line = span[lineStart..(length < 0 ? span.Length : lineStart + length)].TrimEnd((byte)'\r');
            if (line.IsEmpty || line[0] == (byte)'#')
            {
                continue;
            }
            var fields = Encoding.UTF8.GetString(line).Split('\t', StringSplitOptions.TrimEntries);
            if (header)
            {
                header = false;
                if (fields.Length != 11 || fields[0] != "port")
                {
                    throw new FormatException("the curated file does not start with its header row");
                }
                continue;
            }
            if (fields.Length < 2 || !PortRange.TryParse(fields[0], out var range))
            {
                throw new FormatException($"curated row has a bad port '{fields[0]}'");
            }
            foreach (var protocol in fields[1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!TransportNames.TryParse(protocol, out var parsed))
                {
                    throw new FormatException($"curated row for '{fields[0]}' has a bad protocol '{protocol}'");
                }
                start.Add(lineStart);
                end.Add(lineStart + line.Length);
                first.Add(range.First);
                last.Add(range.Last);
                transport.Add((sbyte)parsed);
            }
        }
    }
}
