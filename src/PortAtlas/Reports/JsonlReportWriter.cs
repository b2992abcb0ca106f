using System.Buffers;
using System.Text.Json;
using PortAtlas.Scanning;

namespace PortAtlas.Reports;

/// <summary>
/// Writes JSON Lines: one object per port, <c>{"address":..,"hostname":..,"port":..,...}</c> with the port fields
/// of <see cref="JsonReportWriter"/>, then one <c>{"stats":{...}}</c> line. To write as results arrive,
/// use <see cref="JsonlWriter"/>, which produces the same lines.
/// </summary>
public sealed class JsonlReportWriter : ReportWriter
{
    /// <summary>A writer with the given settings, or <see cref="ReportOptions.Default"/>.</summary>
    public JsonlReportWriter(ReportOptions? options = null)
        : base(options)
    {
    }

    /// <inheritdoc />
    public override ReportFormat Format => ReportFormat.Jsonl;

    private protected override IEnumerable<int> WriteParts(ScanReport report, IBufferWriter<byte> output)
    {
        var registry = Options.EffectiveRegistry;
        using var json = new Utf8JsonWriter(output, JsonFields.WriterOptions(indented: false));
        foreach (var host in report.Hosts)
        {
            foreach (var port in host.Ports)
            {
                JsonlLines.WritePort(json, output, port, host.Hostname, registry);
            }
            yield return 0;
        }
        JsonlLines.WriteStats(json, output, report.Stats);
        yield return 0;
    }
}
