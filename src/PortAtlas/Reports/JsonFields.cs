using System.Text.Encodings.Web;
using System.Text.Json;
using PortAtlas.Assessment;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Reports;

/// <summary>
/// The JSON shapes shared by the JSON and JSON Lines writers, written by hand with <see cref="Utf8JsonWriter"/>
/// so that Native AOT needs no reflection. Absent values are written as null and absent lists as [], never omitted.
/// </summary>
internal static class JsonFields
{
    public static JsonWriterOptions WriterOptions(bool indented) => new()
    {
        Indented = indented,
        NewLine = "\n",
        // Reports go to files and pipes, not into HTML: keep non-ASCII, '<' and '&' readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The host object of the JSON document: address, hostname, state, ports.</summary>
    public static void WriteHost(Utf8JsonWriter json, HostResult host, PortRegistry registry)
    {
        json.WriteStartObject();
        json.WriteString("address"u8, host.Address.ToString());
        WriteText(json, "hostname"u8, host.Hostname);
        json.WriteString("state"u8, host.State);
        json.WriteStartArray("ports"u8);
        foreach (var port in host.Ports)
        {
            json.WriteStartObject();
            WritePortFields(json, port, registry);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The properties of one port, inside an object the caller opened.</summary>
    public static void WritePortFields(Utf8JsonWriter json, PortResult port, PortRegistry registry)
    {
        var facts = new PortFacts(port, registry);
        var service = port.Service;
        json.WriteNumber("port"u8, port.Port);
        json.WriteString("protocol"u8, port.Protocol.ToName());
        json.WriteString("state"u8, port.State.ToName());
        WriteText(json, "reason"u8, port.Reason);
        if (port.RoundTrip is TimeSpan rtt)
        {
            json.WriteNumber("rttMs"u8, Math.Round(rtt.TotalMilliseconds, 3));
        }
        else
        {
            json.WriteNull("rttMs"u8);
        }
        WriteText(json, "service"u8, facts.ServiceName);
        WriteText(json, "serviceMethod"u8, facts.ServiceMethod);
        if (facts.ServiceName is null)
        {
            json.WriteNull("confidence"u8);
        }
        else
        {
            json.WriteNumber("confidence"u8, facts.Confidence);
        }
        // The bytes that identified the service, escaped: the evidence behind the name and version.
        WriteText(json, "evidence"u8, service?.Evidence);
        WriteText(json, "product"u8, service?.Product);
        WriteText(json, "version"u8, service?.Version);
        WriteText(json, "extraInfo"u8, service?.ExtraInfo);
        json.WriteStartArray("cpe"u8);
        foreach (var cpe in service?.Cpe ?? [])
        {
            json.WriteStringValue(cpe);
        }
        json.WriteEndArray();
        WriteText(json, "startTls"u8, service?.StartTls);
        WriteText(json, "operatingSystem"u8, service?.OperatingSystem);
        WriteText(json, "deviceType"u8, service?.DeviceType);
        json.WritePropertyName("tls"u8);
        WriteTls(json, service?.Tls);
        // Keys in ordinal order, so that equal scans give equal files.
        json.WriteStartObject("facts"u8);
        foreach (var (key, value) in (service?.Facts ?? ServiceFacts.Empty).OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            json.WriteString(key, value);
        }
        json.WriteEndObject();
        json.WritePropertyName("registry"u8);
        WriteRegistry(json, facts.Entry);
        json.WriteStartArray("findings"u8);
        foreach (var finding in port.Findings)
        {
            WriteFinding(json, finding, withLocation: false);
        }
        json.WriteEndArray();
    }

    /// <summary>
    /// One finding as an object: id, title, severity, evidence, whyItMatters, remediation, references; with
    /// <paramref name="withLocation"/>, address, port and protocol first.
    /// </summary>
    public static void WriteFinding(Utf8JsonWriter json, Finding finding, bool withLocation)
    {
        json.WriteStartObject();
        if (withLocation)
        {
            json.WriteString("address"u8, finding.Address.ToString());
            json.WriteNumber("port"u8, finding.Port);
            json.WriteString("protocol"u8, finding.Protocol.ToName());
        }
        json.WriteString("id"u8, finding.Id);
        json.WriteString("title"u8, finding.Title);
        json.WriteString("severity"u8, finding.Severity.ToName());
        json.WriteString("evidence"u8, finding.Evidence);
        WriteText(json, "whyItMatters"u8, finding.WhyItMatters);
        WriteText(json, "remediation"u8, finding.Remediation);
        json.WriteStartArray("references"u8);
        foreach (var reference in finding.References)
        {
            json.WriteStringValue(reference);
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The stats object, as a value (the caller wrote its property name).</summary>
    public static void WriteStats(Utf8JsonWriter json, ScanStats stats)
    {
        json.WriteStartObject();
        json.WriteString("started"u8, stats.Started);
        json.WriteString("finished"u8, stats.Finished);
        json.WriteNumber("elapsedSeconds"u8, Math.Round(stats.Elapsed.TotalSeconds, 3));
        json.WriteString("scanType"u8, stats.ScanType);
        json.WriteString("commandLine"u8, Sanitizing.Secrets.MaskCredentials(stats.CommandLine));
        json.WriteNumber("hostsScanned"u8, stats.HostsScanned);
        json.WriteNumber("portsScanned"u8, stats.PortsScanned);
        json.WriteNumber("probesSent"u8, stats.ProbesSent);
        json.WriteStartObject("states"u8);
        foreach (var (state, count) in OrderedStates(stats.StateCounts))
        {
            json.WriteNumber(state, count);
        }
        json.WriteEndObject();
        json.WriteBoolean("interrupted"u8, stats.Interrupted);
        json.WriteEndObject();
    }

    private static void WriteTls(Utf8JsonWriter json, TlsInfo? tls)
    {
        if (tls is null)
        {
            json.WriteNullValue();
            return;
        }
        json.WriteStartObject();
        WriteText(json, "protocol"u8, tls.Protocol);
        WriteText(json, "cipherSuite"u8, tls.CipherSuite);
        WriteText(json, "alpn"u8, tls.Alpn);
        WriteText(json, "subject"u8, tls.Subject);
        WriteText(json, "issuer"u8, tls.Issuer);
        json.WriteStartArray("subjectAlternativeNames"u8);
        foreach (var name in tls.SubjectAlternativeNames)
        {
            json.WriteStringValue(name);
        }
        json.WriteEndArray();
        WriteTime(json, "notBefore"u8, tls.NotBefore);
        WriteTime(json, "notAfter"u8, tls.NotAfter);
        WriteText(json, "keyType"u8, tls.KeyType);
        if (tls.KeyBits is int bits)
        {
            json.WriteNumber("keyBits"u8, bits);
        }
        else
        {
            json.WriteNull("keyBits"u8);
        }
        WriteText(json, "signatureAlgorithm"u8, tls.SignatureAlgorithm);
        // Null when not checked: an import without certificate data must not claim "not self-signed".
        WriteFlag(json, "selfSigned"u8, tls.SelfSigned);
        WriteFlag(json, "expired"u8, tls.Expired);
        WriteText(json, "certificateSha256"u8, tls.CertificateSha256);
        TlsAcceptedJson.Write(json, tls);
        json.WriteEndObject();
    }

    private static void WriteFlag(Utf8JsonWriter json, ReadOnlySpan<byte> name, bool? value)
    {
        if (value is bool flag)
        {
            json.WriteBoolean(name, flag);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteRegistry(Utf8JsonWriter json, PortEntry? entry)
    {
        if (entry is null)
        {
            json.WriteNullValue();
            return;
        }
        json.WriteStartObject();
        WriteText(json, "name"u8, entry.Name);
        WriteText(json, "title"u8, entry.Title);
        WriteText(json, "description"u8, entry.Description);
        WriteText(json, "risk"u8, entry.Risk?.ToName());
        WriteText(json, "notes"u8, entry.Notes);
        json.WriteEndObject();
    }

    /// <summary>Known states in <see cref="PortState"/> order, then any others in ordinal order: output is stable.</summary>
    private static IEnumerable<KeyValuePair<string, long>> OrderedStates(IReadOnlyDictionary<string, long> counts) =>
        counts.OrderBy(pair => PortStateNames.TryParse(pair.Key, out var state) ? (int)state : int.MaxValue)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal);

    private static void WriteText(Utf8JsonWriter json, ReadOnlySpan<byte> name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteTime(Utf8JsonWriter json, ReadOnlySpan<byte> name, DateTimeOffset? value)
    {
        if (value is DateTimeOffset time)
        {
            json.WriteString(name, time);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
