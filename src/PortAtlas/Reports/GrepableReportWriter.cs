using System.Buffers;
using System.Globalization;
using System.Text;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Reports;

/// <summary>
/// Writes Nmap's grepable output (<c>nmap -oG</c>): a comment line, per host a <c>Status</c> line and, when it has
/// listed ports, a <c>Ports</c> line such as
/// <c>Host: 198.18.0.2 (name)\tPorts: 22/open/tcp//ssh//OpenSSH 9.2p1/\tIgnored State: closed (997)</c>,
/// then one comment line per assessment finding (<c># Finding: 198.18.0.2 23/tcp high PA-CLEARTEXT-TELNET: title -- evidence</c>),
/// then a closing comment line.
/// </summary>
/// <remarks>
/// Each port is <c>port/state/protocol/owner/service/rpc/version/</c>; as Nmap does, '/' inside the service and
/// version fields becomes '|' (so <c>ssl|http</c> over TLS). Tabs, line breaks and other control characters from
/// a banner become spaces so that every record stays on one line; commas are kept, as Nmap keeps them.
/// </remarks>
public sealed class GrepableReportWriter : ReportWriter
{
    /// <summary>A writer with the given settings, or <see cref="ReportOptions.Default"/>.</summary>
    public GrepableReportWriter(ReportOptions? options = null)
        : base(options)
    {
    }

    /// <inheritdoc />
    public override ReportFormat Format => ReportFormat.Grep;

    private protected override IEnumerable<int> WriteParts(ScanReport report, IBufferWriter<byte> output)
    {
        var stats = report.Stats;
        var registry = Options.EffectiveRegistry;
        WriteLine(output, $"# PortAtlas {Clean(Options.ScannerVersion)} scan initiated {NmapFacts.CTime(stats.Started)} as: {Clean(Sanitizing.Secrets.MaskCredentials(stats.CommandLine))}");
        yield return 0;

        foreach (var host in report.Hosts)
        {
            var prefix = $"Host: {host.Address} ({Clean(host.Hostname ?? "")})";
            var status = NmapFacts.HostState(host) switch
            {
                "up" => "Up",
                "down" => "Down",
                _ => "Unknown",
            };
            WriteLine(output, $"{prefix}\tStatus: {status}");
            if (host.Ports.Count > 0)
            {
                var line = new StringBuilder(prefix).Append("\tPorts: ");
                for (var i = 0; i < host.Ports.Count; i++)
                {
                    var facts = new PortFacts(host.Ports[i], registry);
                    var port = facts.Result;
                    if (i > 0)
                    {
                        line.Append(", ");
                    }
                    var service = facts.ServiceName is null ? "" : port.Service?.Tls is null ? facts.ServiceName : $"ssl/{facts.ServiceName}";
                    line.Append(CultureInfo.InvariantCulture, $"{port.Port}/{port.State.ToName()}/{port.Protocol.ToName()}//")
                        .Append(Field(service)).Append("//").Append(Field(facts.FullVersion)).Append('/');
                }
                var extra = NmapFacts.ExtraPorts(host, report);
                if (extra.Count > 0)
                {
                    line.Append(CultureInfo.InvariantCulture, $"\tIgnored State: {extra[0].State} ({extra[0].Count})");
                }
                WriteLine(output, line.ToString());
                // Nmap's grepable format has no field for findings: comment lines keep greppers and parsers unaffected.
                foreach (var port in host.Ports)
                {
                    foreach (var finding in port.Findings)
                    {
                        WriteLine(output, $"# Finding: {host.Address} {port.Port}/{port.Protocol.ToName()} {finding.Severity.ToName()} {finding.Id}: {Clean(finding.Title)} -- {Clean(finding.Evidence)}");
                    }
                }
            }
            yield return 0;
        }

        var elapsed = stats.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture);
        WriteLine(output, $"# PortAtlas done at {NmapFacts.CTime(stats.Finished)} -- {NmapFacts.HostSummary(report)} scanned in {elapsed} seconds");
        yield return 0;
    }

    private static void WriteLine(IBufferWriter<byte> output, string line)
    {
        Utf8Text.Write(output, line.AsSpan());
        Utf8Text.Write(output, "\n"u8);
    }

    /// <summary>A service or version field: '/' would split the record, so it becomes '|', as in Nmap.</summary>
    private static string Field(string text) => Clean(text).Replace('/', '|');

    /// <summary>Control characters would break the line or the tab-separated sections: they become spaces.</summary>
    private static string Clean(string text)
    {
        if (!Sanitizing.OutsideText.NeedsEscaping(text) && !text.AsSpan().ContainsAnyInRange('\0', '\u001f'))
        {
            return text;
        }
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) || Sanitizing.OutsideText.IsUnsafe(source[i]) ? ' ' : source[i];
            }
        });
    }
}
