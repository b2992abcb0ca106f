using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace PortAtlas.Storage;

/// <summary>The output formats <see cref="ScanImporter"/> reads.</summary>
public enum ImportFormat
{
    /// <summary>Nmap XML (<c>nmap -oX</c>), PortAtlas's own XML, and masscan's (<c>masscan -oX</c>), which imitates it.</summary>
    NmapXml,
    /// <summary>masscan's JSON (<c>masscan -oJ</c>): an array of objects with <c>ip</c>, <c>timestamp</c> and <c>ports</c>.</summary>
    MasscanJson,
    /// <summary>masscan's list (<c>masscan -oL</c>): lines "open tcp 80 198.18.0.2 1700000000" between <c>#masscan</c> and <c># end</c>.</summary>
    MasscanList,
    /// <summary>RustScan's greppable output (<c>rustscan -g</c>: "198.18.0.2 -> [22,80]") or its plain "Open 198.18.0.2:22" lines.</summary>
    RustScan,
    /// <summary>naabu's JSON lines (<c>naabu -json</c>): one object per open port with <c>ip</c>, <c>port</c>, <c>protocol</c>.</summary>
    NaabuJson,
}

/// <summary>Text forms of <see cref="ImportFormat"/>.</summary>
public static class ImportFormatNames
{
    /// <summary>nmap-xml, masscan-json, masscan-list, rustscan or naabu-json.</summary>
    public static string ToName(this ImportFormat format) => format switch
    {
        ImportFormat.NmapXml => "nmap-xml",
        ImportFormat.MasscanJson => "masscan-json",
        ImportFormat.MasscanList => "masscan-list",
        ImportFormat.RustScan => "rustscan",
        _ => "naabu-json",
    };
}

/// <summary>Bounds on an imported file, so that a hostile or broken one fails with a clear message instead of exhausting memory.</summary>
public sealed record ImportLimits
{
    /// <summary>The default <see cref="MaxCharacters"/>: 1 GiB.</summary>
    public const long DefaultMaxCharacters = 1L << 30;

    /// <summary>The limits used when none are given.</summary>
    public static ImportLimits Default { get; } = new();

    /// <summary>The most characters in the document; default 1 GiB.</summary>
    public long MaxCharacters { get; init; } = DefaultMaxCharacters;

    /// <summary>The longest attribute value, text or line, in characters; default 1 Mi (an NSE script's output fits).</summary>
    public int MaxValueLength { get; init; } = 1 << 20;

    /// <summary>The deepest nesting of elements inside a host; default 64 (NSE tables nest).</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>
    /// The most XML nodes (elements, attributes, texts) in one host or run-statistics element; default 4 Mi (every port of
    /// every transport, each with service and state, fits).
    /// </summary>
    public int MaxNodesPerElement { get; init; } = 4 << 20;

    /// <summary>
    /// The most hosts in one Nmap XML document; default 65,536 (a /16). An import streams into the store in bounded
    /// memory, but <c>show</c>, <c>diff</c> and reports read a stored scan whole: past this, split the scan into files.
    /// </summary>
    public int MaxHosts { get; init; } = 1 << 16;
}

/// <summary>An imported report, the format it was read as, and what was clamped or left out on the way.</summary>
public sealed record ImportResult
{
    /// <summary>The report.</summary>
    public required ScanReport Report { get; init; }
    /// <summary>The format the content was read as.</summary>
    public required ImportFormat Format { get; init; }
    /// <summary>One line per thing that was clamped or left out; empty when the import is whole.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// Reads the output of Nmap, masscan, RustScan and naabu into a <see cref="ScanReport"/>, telling the format from the
/// content, never from the file's name: a document whose first element is <c>nmaprun</c> is Nmap XML (masscan's XML
/// included), a JSON array of objects with <c>ip</c> and <c>ports</c> is masscan's, JSON objects one per line with
/// <c>ip</c> and <c>port</c> are naabu's, lines starting <c>#masscan</c> or "open tcp" are masscan's list, and lines
/// "ADDRESS -> [PORTS]" or "Open ADDRESS:PORT" are RustScan's.
/// </summary>
/// <remarks>
/// masscan, RustScan and naabu report open ports only; their reports carry those, each host up, and
/// <see cref="ScanStats.Scanner"/> naming the tool. Addresses are grouped into hosts in first-seen order, each port once.
/// </remarks>
public static class ScanImporter
{
    /// <summary>Reads <paramref name="stream"/>, whose format is sniffed from its first bytes.</summary>
    /// <param name="stream">The content; read to its end.</param>
    /// <param name="limits">Bounds on the input; <see cref="ImportLimits.Default"/> when null.</param>
    /// <exception cref="FormatException">The content is none of the formats, or is broken or past a limit; the message says where.</exception>
    public static ImportResult Import(Stream stream, ImportLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= ImportLimits.Default;
        var content = OpenContent(stream, out var format);
        return format switch
        {
            ImportFormat.NmapXml => NmapXmlImporter.Import(content, limits),
            ImportFormat.MasscanJson => ReadMasscanJson(content, limits),
            ImportFormat.NaabuJson => ReadLines(content, limits, ImportFormat.NaabuJson),
            ImportFormat.MasscanList => ReadLines(content, limits, ImportFormat.MasscanList),
            _ => ReadLines(content, limits, ImportFormat.RustScan),
        };
    }

    /// <summary>Sniffs the format from the first bytes; returns a stream of the whole content, those bytes included.</summary>
    /// <exception cref="FormatException">It is none of the formats.</exception>
    internal static Stream OpenContent(Stream stream, out ImportFormat format)
    {
        var buffered = stream.CanSeek ? stream : new BufferedStream(stream, 1 << 16);
        var head = new byte[4096];
        var start = buffered.CanSeek ? buffered.Position : 0;
        var read = 0;
        while (read < head.Length && buffered.Read(head, read, head.Length - read) is var n and > 0)
        {
            read += n;
        }
        format = Sniff(head.AsSpan(0, read));
        if (buffered.CanSeek)
        {
            buffered.Position = start;
            return buffered;
        }
        return new ConcatenatedStream(head.AsMemory(0, read), buffered);
    }

    /// <summary>The format of content that starts with <paramref name="head"/>.</summary>
    /// <exception cref="FormatException">It is none of the formats.</exception>
    public static ImportFormat Sniff(ReadOnlySpan<byte> head)
    {
        var text = Encoding.UTF8.GetString(head).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (text.StartsWith('<'))
        {
            return ImportFormat.NmapXml;
        }
        if (text.StartsWith('['))
        {
            return ImportFormat.MasscanJson;
        }
        if (text.StartsWith('{'))
        {
            return ImportFormat.NaabuJson;
        }
        var firstLine = text.Split('\n', 2)[0].Trim();
        if (firstLine.StartsWith("#masscan", StringComparison.Ordinal)
            || firstLine.StartsWith("open ", StringComparison.Ordinal) || firstLine.StartsWith("banner ", StringComparison.Ordinal))
        {
            return ImportFormat.MasscanList;
        }
        // RustScan prints a banner and log lines before its results: any line of the head in its forms will do.
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.Trim();
            var arrow = trimmed.IndexOf(" -> [", StringComparison.Ordinal);
            var colon = trimmed.LastIndexOf(':');
            if ((arrow > 0 && IPAddress.TryParse(trimmed[..arrow], out _))
                || (trimmed.StartsWith("Open ", StringComparison.Ordinal) && colon > 5 && IPAddress.TryParse(trimmed[5..colon].Trim('[', ']'), out _)))
            {
                return ImportFormat.RustScan;
            }
        }
        throw new FormatException("not a format PortAtlas imports: expected Nmap or masscan XML, masscan JSON or list, RustScan or naabu JSON output");
    }

    private static ImportResult ReadMasscanJson(Stream stream, ImportLimits limits)
    {
        var builder = new Builder("masscan", ImportFormat.MasscanJson);
        using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true);
        var json = ReadBounded(text, limits);
        // masscan 1.0 ended the array with ",\n]" and put a {"finished": 1} object last: tolerate both.
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"masscan JSON is broken at line {(ex.LineNumber ?? 0) + 1}: {ex.Message.Split(". ")[0]}", ex);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("masscan JSON is an array of objects");
            }
            var index = 0;
            foreach (var record in document.RootElement.EnumerateArray())
            {
                index++;
                if (record.ValueKind != JsonValueKind.Object || !record.TryGetProperty("ip"u8, out var ip))
                {
                    continue;
                }
                var address = builder.Address(Text(ip), $"record {index}");
                var time = record.TryGetProperty("timestamp"u8, out var ts) ? UnixTime(Text(ts)) : null;
                if (!record.TryGetProperty("ports"u8, out var ports) || ports.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }
                foreach (var port in ports.EnumerateArray())
                {
                    var number = port.TryGetProperty("port"u8, out var p) ? Number(p) : -1;
                    var protocol = port.TryGetProperty("proto"u8, out var proto) ? Text(proto) : "tcp";
                    var status = port.TryGetProperty("status"u8, out var st) ? Text(st) : "open";
                    var reason = port.TryGetProperty("reason"u8, out var r) ? Text(r) : null;
                    if (port.TryGetProperty("service"u8, out var service) && service.ValueKind == JsonValueKind.Object)
                    {
                        builder.Banner(address, number, protocol ?? "tcp", service.TryGetProperty("name"u8, out var name) ? Text(name) : null,
                            service.TryGetProperty("banner"u8, out var banner) ? Text(banner) : null, time, $"record {index}");
                        continue;
                    }
                    builder.Port(address, number, protocol ?? "tcp", status ?? "open", reason, time, $"record {index}");
                }
            }
        }
        return builder.Build();
    }

    // A JSON value as the text a field would hold: a string as it is, null as null, anything else as its JSON text (which
    // the field's own check then refuses by name), never the exception JsonElement throws for the wrong kind.
    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        _ => value.GetRawText(),
    };

    // A JSON number that fits an int, else -1 (refused later as a port number).
    private static int Number(JsonElement value) => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : -1;

    private static ImportResult ReadLines(Stream stream, ImportLimits limits, ImportFormat format)
    {
        var builder = new Builder(format switch { ImportFormat.NaabuJson => "naabu", ImportFormat.MasscanList => "masscan", _ => "rustscan" }, format);
        using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true);
        long characters = 0;
        var number = 0;
        while (ReadLine(text, limits, ref characters) is { } line)
        {
            number++;
            var where = string.Create(CultureInfo.InvariantCulture, $"line {number}");
            line = line.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            switch (format)
            {
                case ImportFormat.NaabuJson:
                    ReadNaabu(builder, line, where);
                    break;
                case ImportFormat.MasscanList:
                    ReadMasscanLine(builder, line, where);
                    break;
                default:
                    ReadRustScan(builder, line, where);
                    break;
            }
        }
        return builder.Build();
    }

    private static void ReadNaabu(Builder builder, string line, string where)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"naabu JSON is broken at {where}: {ex.Message.Split(". ")[0]}", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ip"u8, out var ip))
            {
                throw new FormatException($"naabu JSON at {where} has no \"ip\"");
            }
            var address = builder.Address(Text(ip), where);
            // naabu 2.x writes "port": 80 and "protocol": "tcp"; some versions nest {"Port": 80, "Protocol": 0, "TLS": false}.
            var number = -1;
            var protocol = root.TryGetProperty("protocol"u8, out var proto) && proto.ValueKind == JsonValueKind.String ? proto.GetString() ?? "tcp" : "tcp";
            var tls = root.TryGetProperty("tls"u8, out var t) && t.ValueKind == JsonValueKind.True;
            if (root.TryGetProperty("port"u8, out var port))
            {
                if (port.ValueKind == JsonValueKind.Number && port.TryGetInt32(out var value))
                {
                    number = value;
                }
                else if (port.ValueKind == JsonValueKind.Object && port.TryGetProperty("Port"u8, out var inner) && Number(inner) is var innerValue and >= 0)
                {
                    number = innerValue;
                    tls |= port.TryGetProperty("TLS"u8, out var innerTls) && innerTls.ValueKind == JsonValueKind.True;
                    if (port.TryGetProperty("Protocol"u8, out var innerProtocol) && innerProtocol.ValueKind == JsonValueKind.Number)
                    {
                        protocol = Number(innerProtocol) == 1 ? "udp" : "tcp";
                    }
                }
            }
            var time = root.TryGetProperty("timestamp"u8, out var ts) && ts.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(ts.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : (DateTimeOffset?)null;
            builder.Port(address, number, protocol, "open", null, time, where, tls);
            if (root.TryGetProperty("host"u8, out var host) && host.ValueKind == JsonValueKind.String && host.GetString() is { Length: > 0 } name && name != Text(ip))
            {
                builder.Name(address, name);
            }
        }
    }

    private static void ReadMasscanLine(Builder builder, string line, string where)
    {
        if (line.StartsWith('#'))
        {
            return;
        }
        // open PROTOCOL PORT ADDRESS TIMESTAMP, or banner PROTOCOL PORT ADDRESS TIMESTAMP SERVICE TEXT...
        var parts = line.Split(' ', 7, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            throw new FormatException($"masscan list at {where}: expected 'open PROTOCOL PORT ADDRESS TIME', got '{NmapXmlImporter.Truncate(line)}'");
        }
        var address = builder.Address(parts[3], where);
        var time = parts.Length > 4 ? UnixTime(parts[4]) : null;
        if (parts[0] == "banner")
        {
            builder.Banner(address, number, parts[1], parts.Length > 5 ? parts[5] : null, parts.Length > 6 ? parts[6] : null, time, where);
        }
        else
        {
            builder.Port(address, number, parts[1], parts[0], null, time, where);
        }
    }

    private static void ReadRustScan(Builder builder, string line, string where)
    {
        var arrow = line.IndexOf(" -> [", StringComparison.Ordinal);
        if (arrow > 0 && line.EndsWith(']'))
        {
            var address = builder.Address(line[..arrow].Trim(), where);
            foreach (var port in line[(arrow + 5)..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                builder.Port(address, int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1, "tcp", "open", "syn-ack", null, where);
            }
            return;
        }
        if (line.StartsWith("Open ", StringComparison.Ordinal))
        {
            var endpoint = line[5..].Trim();
            var colon = endpoint.LastIndexOf(':');
            if (colon > 0 && int.TryParse(endpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                var address = builder.Address(endpoint[..colon].Trim('[', ']'), where);
                builder.Port(address, number, "tcp", "open", "syn-ack", null, where);
                return;
            }
        }
        // RustScan prints its banner and Nmap's text around these lines: those are not results, and are passed over.
    }

    private static string ReadBounded(TextReader reader, ImportLimits limits)
    {
        var builder = new StringBuilder();
        var buffer = new char[1 << 16];
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (builder.Length + (long)n > limits.MaxCharacters)
            {
                throw new FormatException($"the file is longer than {limits.MaxCharacters} characters");
            }
            builder.Append(buffer, 0, n);
        }
        return builder.ToString();
    }

    private static string? ReadLine(TextReader reader, ImportLimits limits, ref long characters)
    {
        var line = new StringBuilder();
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (++characters > limits.MaxCharacters)
            {
                throw new FormatException($"the file is longer than {limits.MaxCharacters} characters");
            }
            if (c == '\n')
            {
                return line.ToString();
            }
            if (line.Length >= limits.MaxValueLength)
            {
                throw new FormatException($"a line is longer than {limits.MaxValueLength} characters");
            }
            line.Append((char)c);
        }
        return line.Length > 0 ? line.ToString() : null;
    }

    private static DateTimeOffset? UnixTime(string? seconds) =>
        long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is > 0 and < 253402300800
            ? DateTimeOffset.FromUnixTimeSeconds(value)
            : null;

    /// <summary>Collects open ports per address, in first-seen order, each port once.</summary>
    private sealed class Builder(string scanner, ImportFormat format)
    {
        private readonly Dictionary<IPAddress, (List<HostName> Names, Dictionary<(Transport, int), PortResult> Ports)> _hosts = [];
        private readonly List<IPAddress> _order = [];
        private readonly List<string> _warnings = [];
        private DateTimeOffset? _first;
        private DateTimeOffset? _last;

        public IPAddress Address(string? text, string where)
        {
            if (!IPAddress.TryParse(text, out var address))
            {
                throw new FormatException($"{scanner} output at {where}: '{NmapXmlImporter.Truncate(text ?? "")}' is not an IP address");
            }
            if (!_hosts.ContainsKey(address))
            {
                _hosts[address] = ([], []);
                _order.Add(address);
            }
            return address;
        }

        public void Name(IPAddress address, string name)
        {
            var names = _hosts[address].Names;
            if (!names.Any(n => n.Name == name))
            {
                names.Add(new HostName(name, "user"));
            }
        }

        public void Port(IPAddress address, int number, string protocol, string status, string? reason, DateTimeOffset? time, string where, bool tls = false)
        {
            Stamp(time);
            if (number is < 0 or > 65535)
            {
                throw new FormatException($"{scanner} output at {where}: a port that is not 0 to 65535");
            }
            if (!TransportNames.TryParse(protocol, out var transport))
            {
                _warnings.Add($"{where}: port {number} of protocol '{NmapXmlImporter.Truncate(protocol)}' is left out");
                return;
            }
            if (!PortStateNames.TryParse(status, out var state))
            {
                _warnings.Add($"{where}: port {number}/{protocol} in state '{NmapXmlImporter.Truncate(status)}' is left out");
                return;
            }
            var ports = _hosts[address].Ports;
            var existing = ports.GetValueOrDefault((transport, number));
            ports[(transport, number)] = new PortResult
            {
                Address = address,
                Port = number,
                Protocol = transport,
                State = state,
                Reason = reason ?? (transport == Transport.Tcp ? "syn-ack" : "udp-response"),
                Service = existing?.Service ?? (tls ? new ServiceInfo { Name = "", Method = "registry", Tls = new TlsInfo() } : null),
            };
        }

        /// <summary>masscan's banner records: a service name and the text the service sent.</summary>
        public void Banner(IPAddress address, int number, string protocol, string? service, string? banner, DateTimeOffset? time, string where)
        {
            Stamp(time);
            if (number is < 0 or > 65535 || !TransportNames.TryParse(protocol, out var transport))
            {
                throw new FormatException($"{scanner} output at {where}: a banner for a bad port or protocol");
            }
            var ports = _hosts[address].Ports;
            var port = ports.GetValueOrDefault((transport, number)) ?? new PortResult { Address = address, Port = number, Protocol = transport, State = PortState.Open, Reason = "syn-ack" };
            var evidence = port.Service?.Evidence is { } earlier ? $"{earlier}\n{service}: {banner}" : $"{service}: {banner}";
            ports[(transport, number)] = port with
            {
                Service = new ServiceInfo { Name = port.Service?.Name is { Length: > 0 } name ? name : service ?? "", Method = "banner", Evidence = evidence },
            };
        }

        private void Stamp(DateTimeOffset? time)
        {
            if (time is { } t)
            {
                _first = _first is null || t < _first ? t : _first;
                _last = _last is null || t > _last ? t : _last;
            }
        }

        public ImportResult Build()
        {
            var hosts = _order.Select(address =>
            {
                var (names, ports) = _hosts[address];
                var list = ports.Values.OrderBy(p => p.Protocol).ThenBy(p => p.Port).ToList();
                return new HostResult
                {
                    Address = address,
                    Hostname = names.FirstOrDefault()?.Name,
                    Hostnames = names,
                    State = "up",
                    Ports = list,
                    StateCounts = list.GroupBy(p => p.State.ToName()).ToDictionary(g => g.Key, g => (long)g.Count()),
                };
            }).ToList();
            var counts = new Dictionary<string, long>();
            foreach (var host in hosts)
            {
                foreach (var (state, count) in host.StateCounts)
                {
                    counts[state] = counts.GetValueOrDefault(state) + count;
                }
            }
            var report = new ScanReport
            {
                Hosts = hosts,
                Stats = new ScanStats
                {
                    Started = _first ?? default,
                    Finished = _last ?? _first ?? default,
                    ScanType = scanner == "masscan" ? "syn" : "connect",
                    CommandLine = "",
                    Scanner = scanner,
                    HostsScanned = hosts.Count,
                    PortsScanned = counts.Values.Sum(),
                    StateCounts = counts,
                },
            };
            return new ImportResult { Report = report, Format = format, Warnings = _warnings };
        }
    }

    /// <summary>The bytes already read to sniff the format, then the rest of a stream that cannot seek.</summary>
    private sealed class ConcatenatedStream(ReadOnlyMemory<byte> head, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _head = head;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (!_head.IsEmpty)
            {
                var n = Math.Min(buffer.Length, _head.Length);
                _head.Span[..n].CopyTo(buffer);
                _head = _head[n..];
                return n;
            }
            return rest.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>What the store and reports need from an import beyond the report itself.</summary>
public static class ImportedScans
{
    /// <summary>The most addresses listed as an import's targets when its command line names none.</summary>
    public const int MaxListedTargets = 16;

    /// <summary>
    /// The report with findings computed from its facts by <paramref name="assessor"/>, each marked with its
    /// <see cref="Finding.Origin"/> (<c>import:nmap</c> ...), so that an import's reports, diffs and SARIF are as complete as
    /// a PortAtlas scan's. Findings the file already carried (PortAtlas's own XML) are kept as they are.
    /// </summary>
    public static ScanReport Assess(ScanReport report, Assessment.Assessor assessor)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(assessor);
        var origin = $"import:{report.Stats.Scanner ?? "nmap"}";
        return report with { Hosts = [.. report.Hosts.Select(host => AssessHost(host, assessor, origin))] };
    }

    /// <summary>One host with its findings computed, each marked with <paramref name="origin"/>; ports that carry findings are kept.</summary>
    internal static HostResult AssessHost(HostResult host, Assessment.Assessor assessor, string origin) => host with
    {
        Ports = [.. host.Ports.Select(port => port.Findings.Count > 0 ? port : port with
        {
            Findings = [.. assessor.Assess(port, host).Select(f => f with { Origin = origin })],
        })],
    };

    /// <summary>
    /// The target specs to store for an imported report: the targets of its command line when it has one (Nmap's args),
    /// else its addresses, at most <see cref="MaxListedTargets"/> of them and a note of how many more.
    /// </summary>
    public static IReadOnlyList<string> Targets(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (NmapXmlImporter.TargetsOf(report.Stats.CommandLine) is { Count: > 0 } given)
        {
            return given;
        }
        var addresses = report.Hosts.Select(h => h.Address.ToString()).ToList();
        if (addresses.Count <= MaxListedTargets)
        {
            return addresses;
        }
        return [.. addresses.Take(MaxListedTargets), string.Create(CultureInfo.InvariantCulture, $"(+{addresses.Count - MaxListedTargets} more)")];
    }
}
