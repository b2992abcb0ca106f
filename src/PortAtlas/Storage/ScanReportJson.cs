using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text.Json;
using PortAtlas.Assessment;
using PortAtlas.Registry;
using PortAtlas.Scanning;
using PortAtlas.Targets;

namespace PortAtlas.Storage;

/// <summary>
/// The store's own JSON form of a <see cref="ScanReport"/>: every field of the model, losslessly (times in ISO 8601 with
/// their offset, round trips in ticks), so that a stored scan reads back equal to the one saved. Written with
/// <see cref="Utf8JsonWriter"/> and read with <see cref="JsonDocument"/>: no reflection, trimming- and AOT-safe.
/// </summary>
/// <remarks>
/// The document carries <c>"format": 2</c>: format 1 and a host entry's <c>"repeat"</c>, a run of plain hosts at the
/// next addresses (<see cref="HostRuns"/>); format 1 reads as before. Readers ignore members they do not know, so a newer writer's additions
/// (findings, service facts) do not break an older reader; a writer that adds a member to the model adds it here, in
/// <see cref="Write(ScanReport, IBufferWriter{byte})"/> and in <see cref="Read(ReadOnlySpan{byte})"/>, with a round-trip test.
/// This is a storage format; the report format for users is <c>PortAtlas.Reports.JsonReportWriter</c>'s.
/// </remarks>
public static class ScanReportJson
{
    /// <summary>The format version written.</summary>
    public const int FormatVersion = 2;

    private static readonly JsonDocumentOptions s_documentOptions = new() { MaxDepth = 64 };

    /// <summary>Writes <paramref name="report"/> as UTF-8 JSON to <paramref name="output"/>.</summary>
    public static void Write(ScanReport report, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new Utf8JsonWriter(output);
        Write(writer, report);
    }

    /// <summary>The report as UTF-8 JSON bytes.</summary>
    public static byte[] ToUtf8Bytes(ScanReport report)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        Write(report, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The report as a JSON string.</summary>
    public static string ToJson(ScanReport report) => System.Text.Encoding.UTF8.GetString(ToUtf8Bytes(report));

    /// <summary>Writes <paramref name="report"/> as one JSON object with <paramref name="writer"/>.</summary>
    public static void Write(Utf8JsonWriter writer, ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(report);
        writer.WriteStartObject();
        writer.WriteNumber("format"u8, FormatVersion);
        WriteStats(writer, report.Stats);
        writer.WriteStartArray("hosts"u8);
        var runs = new HostRuns.Writer(writer);
        foreach (var host in report.Hosts)
        {
            runs.Add(host);
        }
        runs.Flush();
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>Reads a report written by <see cref="Write(ScanReport, IBufferWriter{byte})"/>.</summary>
    /// <exception cref="FormatException">The text is not such a document.</exception>
    public static ScanReport Read(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 64 });
            using var document = JsonDocument.ParseValue(ref reader);
            return Read(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Not a stored scan report: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a report from its JSON text.</summary>
    /// <exception cref="FormatException">The text is not such a document.</exception>
    public static ScanReport Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, s_documentOptions);
            return Read(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Not a stored scan report: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a report from a parsed JSON object.</summary>
    /// <exception cref="FormatException">The element is not such a document.</exception>
    public static ScanReport Read(JsonElement root)
    {
        try
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("A stored scan report is a JSON object.");
            }
            if (root.TryGetProperty("format"u8, out var format) && format.GetInt32() > FormatVersion)
            {
                throw new FormatException($"Stored scan report format {format.GetInt32()} is newer than this PortAtlas reads ({FormatVersion}).");
            }
            var hosts = new List<(HostResult Host, long Repeat)>();
            var runs = false;
            if (root.TryGetProperty("hosts"u8, out var hostsElement))
            {
                foreach (var host in hostsElement.EnumerateArray())
                {
                    var repeat = Int64(host, "repeat"u8);
                    runs |= repeat != 0;
                    hosts.Add((ReadHost(host), repeat));
                }
            }
            return new ScanReport
            {
                Hosts = runs ? new HostRuns.List(hosts) : [.. hosts.Select(h => h.Host)],
                Stats = root.TryGetProperty("stats"u8, out var stats) ? ReadStats(stats) : new ScanStats(),
            };
        }
        catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException or ArgumentException or OverflowException)
        {
            throw new FormatException($"Not a stored scan report: {ex.Message}", ex);
        }
    }

    private static void WriteStats(Utf8JsonWriter writer, ScanStats stats)
    {
        writer.WriteStartObject("stats"u8);
        writer.WriteString("started"u8, stats.Started);
        writer.WriteString("finished"u8, stats.Finished);
        writer.WriteString("scanType"u8, stats.ScanType);
        writer.WriteString("commandLine"u8, Sanitizing.Secrets.MaskCredentials(stats.CommandLine));
        if (stats.Ports is { } ports)
        {
            writer.WriteString("ports"u8, PortSpecParser.Format(ports));
        }
        writer.WriteNumber("hostsScanned"u8, stats.HostsScanned);
        writer.WriteNumber("portsScanned"u8, stats.PortsScanned);
        writer.WriteNumber("probesSent"u8, stats.ProbesSent);
        WriteCounts(writer, "stateCounts"u8, stats.StateCounts);
        writer.WriteBoolean("interrupted"u8, stats.Interrupted);
        WriteOptional(writer, "scanner"u8, stats.Scanner);
        WriteOptional(writer, "scannerVersion"u8, stats.ScannerVersion);
        writer.WriteEndObject();
    }

    private static ScanStats ReadStats(JsonElement stats)
    {
        PortList? ports = null;
        if (String(stats, "ports"u8) is { } spec)
        {
            // An empty list formats as "", which the parser refuses: it is still a list, of nothing.
            ports = spec.Length == 0 ? new PortList() : PortSpecParser.Parse(spec) is { Value: { } parsed } ? parsed : throw new FormatException($"Bad port list '{spec}'.");
        }
        return new ScanStats
        {
            Started = stats.TryGetProperty("started"u8, out var started) ? started.GetDateTimeOffset() : default,
            Finished = stats.TryGetProperty("finished"u8, out var finished) ? finished.GetDateTimeOffset() : default,
            ScanType = String(stats, "scanType"u8) ?? "connect",
            CommandLine = String(stats, "commandLine"u8) ?? "",
            Ports = ports,
            HostsScanned = Int64(stats, "hostsScanned"u8),
            PortsScanned = Int64(stats, "portsScanned"u8),
            ProbesSent = Int64(stats, "probesSent"u8),
            StateCounts = ReadCounts(stats, "stateCounts"u8),
            Interrupted = stats.TryGetProperty("interrupted"u8, out var interrupted) && interrupted.GetBoolean(),
            Scanner = String(stats, "scanner"u8),
            ScannerVersion = String(stats, "scannerVersion"u8),
        };
    }

    /// <summary>Writes one host; <paramref name="repeat"/> &gt; 0 makes it the first of a run (<see cref="HostRuns"/>).</summary>
    internal static void WriteHost(Utf8JsonWriter writer, HostResult host, long repeat = 0)
    {
        writer.WriteStartObject();
        writer.WriteString("address"u8, host.Address.ToString());
        if (host.Hostname is not null)
        {
            writer.WriteString("hostname"u8, host.Hostname);
        }
        writer.WriteString("state"u8, host.State);
        WriteOptional(writer, "stateReason"u8, host.StateReason);
        WriteCounts(writer, "stateCounts"u8, host.StateCounts);
        writer.WriteStartArray("ports"u8);
        foreach (var port in host.Ports)
        {
            WritePort(writer, port);
        }
        writer.WriteEndArray();
        if (host.Hostnames.Count > 0)
        {
            writer.WriteStartArray("hostnames"u8);
            foreach (var name in host.Hostnames)
            {
                writer.WriteStartObject();
                writer.WriteString("name"u8, name.Name);
                writer.WriteString("type"u8, name.Type);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        WriteOptional(writer, "macAddress"u8, host.MacAddress);
        WriteOptional(writer, "macVendor"u8, host.MacVendor);
        if (host.OsMatches.Count > 0)
        {
            writer.WriteStartArray("osMatches"u8);
            foreach (var match in host.OsMatches)
            {
                writer.WriteStartObject();
                writer.WriteString("name"u8, match.Name);
                writer.WriteNumber("accuracy"u8, match.Accuracy);
                writer.WriteStartArray("classes"u8);
                foreach (var c in match.Classes)
                {
                    writer.WriteStartObject();
                    WriteOptional(writer, "type"u8, c.Type);
                    WriteOptional(writer, "vendor"u8, c.Vendor);
                    WriteOptional(writer, "family"u8, c.Family);
                    WriteOptional(writer, "generation"u8, c.Generation);
                    writer.WriteNumber("accuracy"u8, c.Accuracy);
                    WriteStrings(writer, "cpe"u8, c.Cpe);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        WriteScripts(writer, host.Scripts);
        if (host.Protocols.Count > 0)
        {
            writer.WriteStartArray("protocols"u8);
            foreach (var protocol in host.Protocols)
            {
                writer.WriteStartObject();
                writer.WriteNumber("number"u8, protocol.Number);
                writer.WriteString("state"u8, protocol.State.ToName());
                writer.WriteString("reason"u8, protocol.Reason);
                WriteOptional(writer, "name"u8, protocol.Name);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        if (host.Started is { } hostStarted)
        {
            writer.WriteString("started"u8, hostStarted);
        }
        if (host.Finished is { } hostFinished)
        {
            writer.WriteString("finished"u8, hostFinished);
        }
        if (repeat > 0)
        {
            writer.WriteNumber("repeat"u8, repeat);
        }
        writer.WriteEndObject();
    }

    internal static HostResult ReadHost(JsonElement host)
    {
        var ports = new List<PortResult>();
        if (host.TryGetProperty("ports"u8, out var portsElement))
        {
            foreach (var port in portsElement.EnumerateArray())
            {
                ports.Add(ReadPort(port));
            }
        }
        var address = ParseAddress(String(host, "address"u8));
        return new HostResult
        {
            Address = address,
            Hostname = String(host, "hostname"u8),
            State = String(host, "state"u8) ?? "up",
            StateReason = String(host, "stateReason"u8),
            Ports = ports,
            StateCounts = ReadCounts(host, "stateCounts"u8),
            Hostnames = Objects(host, "hostnames"u8, n => new HostName(String(n, "name"u8) ?? "", String(n, "type"u8) ?? "")),
            MacAddress = String(host, "macAddress"u8),
            MacVendor = String(host, "macVendor"u8),
            OsMatches = Objects(host, "osMatches"u8, m => new OsMatch
            {
                Name = String(m, "name"u8) ?? "",
                Accuracy = (int)Int64(m, "accuracy"u8),
                Classes = Objects(m, "classes"u8, c => new OsClass
                {
                    Type = String(c, "type"u8),
                    Vendor = String(c, "vendor"u8),
                    Family = String(c, "family"u8),
                    Generation = String(c, "generation"u8),
                    Accuracy = (int)Int64(c, "accuracy"u8),
                    Cpe = Strings(c, "cpe"u8),
                }),
            }),
            Scripts = ReadScripts(host),
            Protocols = Objects(host, "protocols"u8, p =>
            {
                var state = String(p, "state"u8) ?? "";
                return new ProtocolResult
                {
                    Address = address,
                    Number = (int)Int64(p, "number"u8),
                    State = PortStateNames.TryParse(state, out var s) ? s : throw new FormatException($"Bad protocol state '{state}'."),
                    Reason = String(p, "reason"u8) ?? "",
                    Name = String(p, "name"u8),
                };
            }),
            Started = host.TryGetProperty("started"u8, out var started) ? started.GetDateTimeOffset() : null,
            Finished = host.TryGetProperty("finished"u8, out var finished) ? finished.GetDateTimeOffset() : null,
        };
    }

    private static void WritePort(Utf8JsonWriter writer, PortResult port)
    {
        writer.WriteStartObject();
        writer.WriteString("address"u8, port.Address.ToString());
        writer.WriteNumber("port"u8, port.Port);
        writer.WriteString("protocol"u8, port.Protocol.ToName());
        writer.WriteString("state"u8, port.State.ToName());
        writer.WriteString("reason"u8, port.Reason);
        if (port.RoundTrip is { } roundTrip)
        {
            writer.WriteNumber("roundTripTicks"u8, roundTrip.Ticks);
        }
        if (port.Service is { } service)
        {
            WriteService(writer, service);
        }
        if (port.Findings.Count > 0)
        {
            writer.WriteStartArray("findings"u8);
            foreach (var finding in port.Findings)
            {
                writer.WriteStartObject();
                writer.WriteString("id"u8, finding.Id);
                writer.WriteString("title"u8, finding.Title);
                writer.WriteString("severity"u8, finding.Severity.ToName());
                writer.WriteString("evidence"u8, finding.Evidence);
                WriteOptional(writer, "whyItMatters"u8, finding.WhyItMatters);
                WriteOptional(writer, "remediation"u8, finding.Remediation);
                WriteOptional(writer, "origin"u8, finding.Origin);
                WriteStrings(writer, "references"u8, finding.References);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        WriteScripts(writer, port.Scripts);
        writer.WriteEndObject();
    }

    private static void WriteScripts(Utf8JsonWriter writer, IReadOnlyList<ScriptResult> scripts)
    {
        if (scripts.Count == 0)
        {
            return;
        }
        writer.WriteStartArray("scripts"u8);
        foreach (var script in scripts)
        {
            writer.WriteStartObject();
            writer.WriteString("id"u8, script.Id);
            writer.WriteString("output"u8, script.Output);
            if (script.Elements.Count > 0)
            {
                // An array of pairs, not an object: keys may repeat and their order is the script's.
                writer.WriteStartArray("elements"u8);
                foreach (var (key, value) in script.Elements)
                {
                    writer.WriteStartArray();
                    writer.WriteStringValue(key);
                    writer.WriteStringValue(value);
                    writer.WriteEndArray();
                }
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static ScriptResult[] ReadScripts(JsonElement parent) => Objects(parent, "scripts"u8, s => new ScriptResult
    {
        Id = String(s, "id"u8) ?? "",
        Output = String(s, "output"u8) ?? "",
        Elements = s.TryGetProperty("elements"u8, out var elements) && elements.ValueKind == JsonValueKind.Array
            ? [.. elements.EnumerateArray().Select(ReadElement)]
            : [],
    });

    private static KeyValuePair<string, string> ReadElement(JsonElement pair) =>
        pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2
            ? new(pair[0].GetString() ?? "", pair[1].GetString() ?? "")
            : throw new FormatException($"Bad script element {Sanitizing.OutsideText.Excerpt(pair.GetRawText())}: a [key, value] pair is expected.");

    private static T[] Objects<T>(JsonElement parent, ReadOnlySpan<byte> name, Func<JsonElement, T> read) =>
        parent.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray().Select(read)]
            : [];

    private static Finding[] ReadFindings(JsonElement port, IPAddress address, int number, Transport protocol)
    {
        if (!port.TryGetProperty("findings"u8, out var findings))
        {
            return [];
        }
        var list = new List<Finding>();
        foreach (var f in findings.EnumerateArray())
        {
            var severity = String(f, "severity"u8) ?? "";
            list.Add(new Finding
            {
                Id = String(f, "id"u8) ?? "",
                Title = String(f, "title"u8) ?? "",
                Severity = RegistryNames.TryParseRisk(severity, out var risk) ? risk : throw new FormatException($"Bad severity '{severity}'."),
                Address = address,
                Port = number,
                Protocol = protocol,
                Evidence = String(f, "evidence"u8) ?? "",
                WhyItMatters = String(f, "whyItMatters"u8),
                Remediation = String(f, "remediation"u8),
                Origin = String(f, "origin"u8),
                References = Strings(f, "references"u8),
            });
        }
        return [.. list];
    }

    private static PortResult ReadPort(JsonElement port)
    {
        var protocolText = String(port, "protocol"u8) ?? "tcp";
        var stateText = String(port, "state"u8) ?? "";
        var address = ParseAddress(String(port, "address"u8));
        var number = port.GetProperty("port"u8).GetInt32();
        var protocol = TransportNames.TryParse(protocolText, out var p) ? p : throw new FormatException($"Bad protocol '{protocolText}'.");
        return new PortResult
        {
            Address = address,
            Port = number,
            Protocol = protocol,
            Findings = ReadFindings(port, address, number, protocol),
            State = PortStateNames.TryParse(stateText, out var state) ? state : throw new FormatException($"Bad port state '{stateText}'."),
            Reason = String(port, "reason"u8) ?? "",
            RoundTrip = port.TryGetProperty("roundTripTicks"u8, out var ticks) ? TimeSpan.FromTicks(ticks.GetInt64()) : null,
            Service = port.TryGetProperty("service"u8, out var service) ? ReadService(service) : null,
            Scripts = ReadScripts(port),
        };
    }

    private static void WriteService(Utf8JsonWriter writer, ServiceInfo service)
    {
        writer.WriteStartObject("service"u8);
        writer.WriteString("name"u8, service.Name);
        WriteOptional(writer, "product"u8, service.Product);
        WriteOptional(writer, "version"u8, service.Version);
        WriteOptional(writer, "extraInfo"u8, service.ExtraInfo);
        WriteStrings(writer, "cpe"u8, service.Cpe);
        writer.WriteString("method"u8, service.Method);
        WriteOptional(writer, "evidence"u8, service.Evidence);
        WriteOptional(writer, "startTls"u8, service.StartTls);
        WriteOptional(writer, "operatingSystem"u8, service.OperatingSystem);
        WriteOptional(writer, "deviceType"u8, service.DeviceType);
        if (service.Facts.Count > 0)
        {
            writer.WriteStartObject("facts"u8);
            foreach (var (key, value) in service.Facts)
            {
                writer.WriteString(key, value);
            }
            writer.WriteEndObject();
        }
        if (service.Tls is { } tls)
        {
            writer.WriteStartObject("tls"u8);
            WriteOptional(writer, "protocol"u8, tls.Protocol);
            WriteOptional(writer, "cipherSuite"u8, tls.CipherSuite);
            WriteOptional(writer, "alpn"u8, tls.Alpn);
            WriteOptional(writer, "subject"u8, tls.Subject);
            WriteOptional(writer, "issuer"u8, tls.Issuer);
            WriteStrings(writer, "subjectAlternativeNames"u8, tls.SubjectAlternativeNames);
            if (tls.NotBefore is { } notBefore)
            {
                writer.WriteString("notBefore"u8, notBefore);
            }
            if (tls.NotAfter is { } notAfter)
            {
                writer.WriteString("notAfter"u8, notAfter);
            }
            WriteOptional(writer, "keyType"u8, tls.KeyType);
            if (tls.KeyBits is { } keyBits)
            {
                writer.WriteNumber("keyBits"u8, keyBits);
            }
            WriteOptional(writer, "signatureAlgorithm"u8, tls.SignatureAlgorithm);
            if (tls.SelfSigned is bool selfSigned)
            {
                writer.WriteBoolean("selfSigned"u8, selfSigned);
            }
            if (tls.Expired is bool expired)
            {
                writer.WriteBoolean("expired"u8, expired);
            }
            WriteOptional(writer, "certificateSha256"u8, tls.CertificateSha256);
            WriteOptional(writer, "certificateMd5"u8, tls.CertificateMd5);
            PortAtlas.Reports.TlsAcceptedJson.Write(writer, tls);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    private static ServiceInfo ReadService(JsonElement service)
    {
        TlsInfo? tls = null;
        if (service.TryGetProperty("tls"u8, out var t))
        {
            tls = new TlsInfo
            {
                Protocol = String(t, "protocol"u8),
                CipherSuite = String(t, "cipherSuite"u8),
                Alpn = String(t, "alpn"u8),
                Subject = String(t, "subject"u8),
                Issuer = String(t, "issuer"u8),
                SubjectAlternativeNames = Strings(t, "subjectAlternativeNames"u8),
                NotBefore = t.TryGetProperty("notBefore"u8, out var notBefore) ? notBefore.GetDateTimeOffset() : null,
                NotAfter = t.TryGetProperty("notAfter"u8, out var notAfter) ? notAfter.GetDateTimeOffset() : null,
                KeyType = String(t, "keyType"u8),
                KeyBits = t.TryGetProperty("keyBits"u8, out var keyBits) ? keyBits.GetInt32() : null,
                SignatureAlgorithm = String(t, "signatureAlgorithm"u8),
                SelfSigned = t.TryGetProperty("selfSigned"u8, out var selfSigned) && selfSigned.ValueKind is JsonValueKind.True or JsonValueKind.False ? selfSigned.GetBoolean() : null,
                Expired = t.TryGetProperty("expired"u8, out var expired) && expired.ValueKind is JsonValueKind.True or JsonValueKind.False ? expired.GetBoolean() : null,
                CertificateSha256 = String(t, "certificateSha256"u8),
                CertificateMd5 = String(t, "certificateMd5"u8),
            };
            tls = PortAtlas.Reports.TlsAcceptedJson.Read(t, tls);
        }
        return new ServiceInfo
        {
            Name = String(service, "name"u8) ?? "",
            Product = String(service, "product"u8),
            Version = String(service, "version"u8),
            ExtraInfo = String(service, "extraInfo"u8),
            Cpe = Strings(service, "cpe"u8),
            Method = String(service, "method"u8) ?? "registry",
            Evidence = String(service, "evidence"u8),
            StartTls = String(service, "startTls"u8),
            OperatingSystem = String(service, "operatingSystem"u8),
            DeviceType = String(service, "deviceType"u8),
            Facts = service.TryGetProperty("facts"u8, out var facts)
                ? facts.EnumerateObject().ToDictionary(f => f.Name, f => f.Value.GetString() ?? "", StringComparer.Ordinal)
                : new Dictionary<string, string>(),
            Tls = tls,
        };
    }

    internal static void WriteCounts(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyDictionary<string, long> counts)
    {
        writer.WriteStartObject(name);
        // Sorted: equal reports give equal bytes whatever the dictionary's order.
        foreach (var (state, count) in counts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            writer.WriteNumber(state, count);
        }
        writer.WriteEndObject();
    }

    internal static Dictionary<string, long> ReadCounts(JsonElement parent, ReadOnlySpan<byte> name)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (parent.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                counts[property.Name] = property.Value.ValueKind == JsonValueKind.Number
                    ? WholeNumber(property.Value, name)
                    : throw new FormatException($"Bad count of '{Sanitizing.OutsideText.Excerpt(property.Name)}': not a number.");
            }
        }
        return counts;
    }

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteStrings(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }

    internal static string? String(JsonElement parent, ReadOnlySpan<byte> name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static long Int64(JsonElement parent, ReadOnlySpan<byte> name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? WholeNumber(value, name) : 0;

    // A number that is not a whole 64-bit one (1.5, 1e3, 2^63) names its field rather than failing as "an invalid format".
    private static long WholeNumber(JsonElement value, ReadOnlySpan<byte> name) => value.TryGetInt64(out var number)
        ? number
        : throw new FormatException($"Bad \"{System.Text.Encoding.UTF8.GetString(name)}\" {Sanitizing.OutsideText.Excerpt(value.GetRawText())}: not a whole number of at most 64 bits.");

    private static string[] Strings(JsonElement parent, ReadOnlySpan<byte> name) =>
        parent.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray().Select(e => e.GetString() ?? "")]
            : [];

    private static IPAddress ParseAddress(string? text) =>
        text is not null && IPAddress.TryParse(text, out var address) ? address : throw new FormatException($"Bad address '{text}'.");

    internal static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
