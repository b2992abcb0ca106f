using System.Buffers;
using PortAtlas.Registry;
using PortAtlas.Scanning;
using PortAtlas.Sanitizing;

namespace PortAtlas.Reports;

/// <summary>
/// Writes one row per port under the header
/// <c>address,hostname,port,protocol,state,reason,service,product,version,extra_info,cpe,risk,findings</c>.
/// Fields holding a comma, a double quote, a carriage return or a line feed are quoted, with quotes doubled, and
/// lines end with CRLF, as RFC 4180 section 2 specifies. <c>service</c> falls back to the registry's name,
/// <c>cpe</c> joins several names with spaces, <c>risk</c> is the registry's, <c>findings</c> joins the ids of the
/// port's assessment findings with spaces, most severe first (the findings themselves are in the JSON, SARIF and
/// HTML reports). Hosts without listed ports have no row. Every column that can carry outside text (all but address,
/// port, protocol, state and risk) has control characters escaped and, with <see cref="ReportOptions.GuardCsvFormulas"/>,
/// a leading apostrophe when it would start a spreadsheet formula.
/// </summary>
public sealed class CsvReportWriter : ReportWriter
{
    /// <summary>The header line, without its line end.</summary>
    public const string Header = "address,hostname,port,protocol,state,reason,service,product,version,extra_info,cpe,risk,findings";

    /// <summary>A writer with the given settings, or <see cref="ReportOptions.Default"/>.</summary>
    public CsvReportWriter(ReportOptions? options = null)
        : base(options)
    {
    }

    /// <inheritdoc />
    public override ReportFormat Format => ReportFormat.Csv;

    private protected override IEnumerable<int> WriteParts(ScanReport report, IBufferWriter<byte> output)
    {
        var registry = Options.EffectiveRegistry;
        var guard = Options.GuardCsvFormulas;
        Utf8Text.Write(output, Header.AsSpan());
        Utf8Text.Write(output, "\r\n"u8);
        yield return 0;
        foreach (var host in report.Hosts)
        {
            foreach (var port in host.Ports)
            {
                var facts = new PortFacts(port, registry);
                var service = port.Service;
                WriteField(output, host.Address.ToString(), false);
                Comma(output);
                WriteField(output, host.Hostname, guard);
                Comma(output);
                Utf8Text.Write(output, port.Port);
                Comma(output);
                WriteField(output, port.Protocol.ToName(), false);
                Comma(output);
                WriteField(output, port.State.ToName(), false);
                Comma(output);
                WriteField(output, port.Reason, guard);
                Comma(output);
                WriteField(output, facts.ServiceName, guard);
                Comma(output);
                WriteField(output, service?.Product, guard);
                Comma(output);
                WriteField(output, service?.Version, guard);
                Comma(output);
                WriteField(output, service?.ExtraInfo, guard);
                Comma(output);
                WriteField(output, service is null ? null : string.Join(' ', service.Cpe), guard);
                Comma(output);
                WriteField(output, facts.Entry?.Risk?.ToName(), false);
                Comma(output);
                WriteField(output, string.Join(' ', port.Findings.Select(f => f.Id)), guard);
                Utf8Text.Write(output, "\r\n"u8);
            }
            yield return 0;
        }
    }

    private static void Comma(IBufferWriter<byte> output) => Utf8Text.Write(output, ","u8);

    private static void WriteField(IBufferWriter<byte> output, string? value, bool guardFormula)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        // Outside text: control characters escaped (a CSV is also read on terminals), formulas disarmed.
        var text = OutsideText.Printable(value).AsSpan();
        var guarded = guardFormula && OutsideText.StartsFormula(value[0]);
        if (text.IndexOfAny(",\"\r\n") < 0)
        {
            if (guarded)
            {
                Utf8Text.Write(output, "'"u8);
            }
            Utf8Text.Write(output, text);
            return;
        }
        Utf8Text.Write(output, "\""u8);
        if (guarded)
        {
            Utf8Text.Write(output, "'"u8);
        }
        while (true)
        {
            var quote = text.IndexOf('"');
            if (quote < 0)
            {
                Utf8Text.Write(output, text);
                break;
            }
            Utf8Text.Write(output, text[..(quote + 1)]);
            Utf8Text.Write(output, "\""u8);
            text = text[(quote + 1)..];
        }
        Utf8Text.Write(output, "\""u8);
    }
}
