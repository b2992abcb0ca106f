using System.Buffers;
using System.Text.Json;
using PortAtlas.Scanning;

namespace PortAtlas.Reports;

/// <summary>
/// Writes the scan JSON of the machine contract:
/// <c>{ "hosts": [ { "address", "hostname", "state", "ports": [ ... ] } ], "stats": { ... } }</c>.
/// Each port carries <c>port</c>, <c>protocol</c>, <c>state</c>, <c>reason</c>, <c>rttMs</c>, <c>service</c>,
/// <c>serviceMethod</c>, <c>product</c>, <c>version</c>, <c>extraInfo</c>, <c>cpe</c>, <c>tls</c>, <c>registry</c>
/// and <c>findings</c>; absent values are null, absent lists empty.
/// </summary>
public sealed class JsonReportWriter : ReportWriter
{
    /// <summary>A writer with the given settings, or <see cref="ReportOptions.Default"/>.</summary>
    public JsonReportWriter(ReportOptions? options = null)
        : base(options)
    {
    }

    /// <inheritdoc />
    public override ReportFormat Format => ReportFormat.Json;

    private protected override IEnumerable<int> WriteParts(ScanReport report, IBufferWriter<byte> output)
    {
        var registry = Options.EffectiveRegistry;
        using var json = new Utf8JsonWriter(output, JsonFields.WriterOptions(Options.IndentJson));
        json.WriteStartObject();
        json.WriteStartArray("hosts"u8);
        json.Flush();
        yield return 0;
        foreach (var host in report.Hosts)
        {
            JsonFields.WriteHost(json, host, registry);
            json.Flush();
            yield return 0;
        }
        json.WriteEndArray();
        json.WritePropertyName("stats"u8);
        JsonFields.WriteStats(json, report.Stats);
        json.WriteEndObject();
        json.Flush();
        Utf8Text.Write(output, "\n"u8);
        yield return 0;
    }
}
