using System.Buffers;
using System.Globalization;
using System.Text;
using PortAtlas.Assessment;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Reports;

/// <summary>
/// Writes a report as one self-contained HTML page to hand over: a summary (targets, times, counts), a chart of
/// findings by severity, the findings grouped by severity with evidence, why they matter and how to fix them, and
/// every host's ports with the registry's explanation. Findings come from <see cref="PortResult.Findings"/>
/// (run <see cref="Assessor.Annotate"/> first).
/// </summary>
/// <remarks>
/// The page needs nothing else: CSS is inline, the chart is inline SVG drawn here, there is no script, and a
/// Content-Security-Policy forbids loading anything. Every piece of text is HTML-escaped, banners included, and
/// characters HTML cannot carry become U+FFFD; only references that are http(s) URLs become links.
/// </remarks>
public sealed class HtmlReportWriter : ReportWriter
{
    private static readonly RiskLevel[] s_severities = [RiskLevel.Critical, RiskLevel.High, RiskLevel.Medium, RiskLevel.Low, RiskLevel.Info];

    /// <summary>A writer with the given settings, or <see cref="ReportOptions.Default"/>.</summary>
    public HtmlReportWriter(ReportOptions? options = null)
        : base(options)
    {
    }

    /// <inheritdoc />
    public override ReportFormat Format => ReportFormat.Html;

    /// <summary>The colour the page gives a severity, as CSS hex.</summary>
    public static string Colour(RiskLevel severity) => severity switch
    {
        RiskLevel.Critical => "#9c1c1c",
        RiskLevel.High => "#d9480f",
        RiskLevel.Medium => "#e8a400",
        RiskLevel.Low => "#1c6fb8",
        _ => "#6b7785",
    };

    private protected override IEnumerable<int> WriteParts(ScanReport report, IBufferWriter<byte> output)
    {
        var registry = Options.EffectiveRegistry;
        var stats = report.Stats;
        var findings = report.Hosts.SelectMany(h => h.Ports).SelectMany(p => p.Findings).ToList();
        var counts = s_severities.ToDictionary(s => s, s => findings.Count(f => f.Severity == s));
        var openPorts = report.Hosts.SelectMany(h => h.Ports).Count(p => p.State == PortState.Open);
        var (up, _, total) = NmapFacts.HostTotals(report);

        var html = new StringBuilder(16 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"generator\" content=\"PortAtlas ").Append(Escape(Options.ScannerVersion)).Append("\">\n")
            .Append("<title>PortAtlas report, ").Append(Escape(Time(stats.Started))).Append("</title>\n")
            .Append("<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n<main>\n");
        html.Append("<header><h1>PortAtlas report</h1>\n<p class=\"meta\">")
            .Append(CultureInfo.InvariantCulture, $"{total} host{(total == 1 ? "" : "s")} scanned, {up} up; ")
            .Append("started ").Append(Escape(Time(stats.Started))).Append(", finished ").Append(Escape(Time(stats.Finished)))
            .Append(CultureInfo.InvariantCulture, $" ({stats.Elapsed.TotalSeconds:0.#} s, {Escape(stats.ScanType)} scan)")
            .Append(stats.Interrupted ? "; <strong>interrupted: results are partial</strong>" : "")
            .Append("</p>\n");
        if (stats.CommandLine.Length > 0)
        {
            html.Append("<p class=\"meta\">Command: <code>").Append(Escape(Sanitizing.Secrets.MaskCredentials(stats.CommandLine))).Append("</code></p>\n");
        }
        html.Append("</header>\n");

        html.Append("<section class=\"summary\" aria-label=\"Summary\">\n<div class=\"cards\">\n");
        Card(html, "Hosts up", $"{up} / {total}", null);
        Card(html, "Open ports", openPorts.ToString(CultureInfo.InvariantCulture), null);
        Card(html, "Findings", findings.Count.ToString(CultureInfo.InvariantCulture), null);
        foreach (var severity in s_severities.Take(3))
        {
            Card(html, Capitalised(severity), counts[severity].ToString(CultureInfo.InvariantCulture), severity);
        }
        html.Append("</div>\n");
        Chart(html, counts);
        html.Append("</section>\n");
        Utf8Text.Write(output, html.ToString().AsSpan());
        html.Clear();
        yield return 0;

        html.Append("<section id=\"findings\">\n<h2>Findings</h2>\n");
        if (findings.Count == 0)
        {
            html.Append("<p class=\"none\">No findings: nothing risky was observed on the listed ports.</p>\n");
        }
        foreach (var severity in s_severities)
        {
            var group = findings.Where(f => f.Severity == severity).ToList();
            if (group.Count == 0)
            {
                continue;
            }
            html.Append("<h3 class=\"sev-heading\"><span class=\"badge sev-").Append(severity.ToName()).Append("\">")
                .Append(severity.ToName().ToUpperInvariant()).Append("</span> ")
                .Append(CultureInfo.InvariantCulture, $"{group.Count} finding{(group.Count == 1 ? "" : "s")}</h3>\n");
            foreach (var finding in group)
            {
                WriteFinding(html, finding);
            }
        }
        html.Append("</section>\n<section id=\"hosts\">\n<h2>Hosts and ports</h2>\n");
        Utf8Text.Write(output, html.ToString().AsSpan());
        html.Clear();
        yield return 0;

        foreach (var host in report.Hosts)
        {
            WriteHost(html, host, registry);
            Utf8Text.Write(output, html.ToString().AsSpan());
            html.Clear();
            yield return 0;
        }

        html.Append("</section>\n<footer>Written by PortAtlas ").Append(Escape(Options.ScannerVersion))
            .Append(". Port explanations come from the IANA registry and PortAtlas's curated notes; known-exploited data from CISA's KEV catalog. ")
            .Append("Findings rest on what the scan observed: a service that hid a weakness is not reported.</footer>\n</main>\n</body>\n</html>\n");
        Utf8Text.Write(output, html.ToString().AsSpan());
        yield return 0;
    }

    private static void WriteFinding(StringBuilder html, Finding finding)
    {
        var severity = finding.Severity.ToName();
        html.Append("<article class=\"finding sev-border-").Append(severity).Append("\">\n<h4>")
            .Append(Escape(finding.Title)).Append("</h4>\n<p class=\"loc\"><span class=\"badge sev-").Append(severity).Append("\">")
            .Append(severity.ToUpperInvariant()).Append("</span> <code>").Append(Escape(finding.Location)).Append("</code> ")
            .Append("<span class=\"id\">").Append(Escape(finding.Id)).Append("</span></p>\n<dl>\n")
            .Append("<dt>Evidence</dt><dd><code class=\"evidence\">").Append(Escape(finding.Evidence)).Append("</code></dd>\n");
        if (!string.IsNullOrWhiteSpace(finding.WhyItMatters))
        {
            html.Append("<dt>Why it matters</dt><dd>").Append(Escape(finding.WhyItMatters)).Append("</dd>\n");
        }
        if (!string.IsNullOrWhiteSpace(finding.Remediation))
        {
            html.Append("<dt>Fix</dt><dd>").Append(Escape(finding.Remediation)).Append("</dd>\n");
        }
        if (finding.References.Count > 0)
        {
            html.Append("<dt>References</dt><dd class=\"refs\">");
            for (var i = 0; i < finding.References.Count; i++)
            {
                var reference = finding.References[i];
                if (i > 0)
                {
                    html.Append(' ');
                }
                if (IsLink(reference))
                {
                    html.Append("<a href=\"").Append(Escape(reference)).Append("\" rel=\"noreferrer\">").Append(Escape(reference)).Append("</a>");
                }
                else
                {
                    html.Append("<span>").Append(Escape(reference)).Append("</span>");
                }
            }
            html.Append("</dd>\n");
        }
        html.Append("</dl>\n</article>\n");
    }

    private static void WriteHost(StringBuilder html, HostResult host, PortRegistry registry)
    {
        html.Append("<div class=\"host\">\n<h3>").Append(Escape(host.Address.ToString()));
        if (!string.IsNullOrEmpty(host.Hostname))
        {
            html.Append(" <span class=\"hostname\">").Append(Escape(host.Hostname)).Append("</span>");
        }
        html.Append(" <span class=\"state\">").Append(Escape(host.State)).Append("</span></h3>\n");
        if (host.Ports.Count == 0)
        {
            html.Append("<p class=\"none\">No ports listed.</p>\n</div>\n");
            return;
        }
        html.Append("<table>\n<thead><tr><th>Port</th><th>State</th><th>Service</th><th>Product and version</th><th>What it is</th><th>Risk</th><th>Findings</th></tr></thead>\n<tbody>\n");
        foreach (var port in host.Ports)
        {
            var facts = new PortFacts(port, registry);
            var entry = facts.Entry;
            html.Append("<tr class=\"st-").Append(port.State == PortState.Open ? "open" : "other").Append("\"><td><code>")
                .Append(CultureInfo.InvariantCulture, $"{port.Port}/{port.Protocol.ToName()}").Append("</code></td><td>")
                .Append(Escape(port.State.ToName())).Append("<br><span class=\"small\">").Append(Escape(port.Reason)).Append("</span></td><td>")
                .Append(Escape(facts.ServiceName ?? "")).Append(port.Service?.Tls is not null ? " <span class=\"small\">(TLS)</span>" : "")
                .Append(facts.Probed ? "" : facts.ServiceName is null ? "" : " <span class=\"small\">(by port number)</span>")
                .Append("</td><td>").Append(Escape(facts.FullVersion)).Append("</td><td>");
            if (entry is not null)
            {
                html.Append("<strong>").Append(Escape(entry.Title ?? entry.Description)).Append("</strong>");
                if (!string.IsNullOrEmpty(entry.Title) && !string.IsNullOrEmpty(entry.Description))
                {
                    html.Append("<br>").Append(Escape(entry.Description));
                }
                if (!string.IsNullOrEmpty(entry.Notes))
                {
                    html.Append("<br><span class=\"small\">").Append(Escape(entry.Notes)).Append("</span>");
                }
            }
            html.Append("</td><td>");
            if (entry?.Risk is RiskLevel risk)
            {
                html.Append("<span class=\"badge sev-").Append(risk.ToName()).Append("\">").Append(risk.ToName()).Append("</span>");
            }
            html.Append("</td><td>");
            foreach (var finding in port.Findings)
            {
                html.Append("<span class=\"tag sev-border-").Append(finding.Severity.ToName()).Append("\">").Append(Escape(finding.Id)).Append("</span> ");
            }
            html.Append("</td></tr>\n");
        }
        html.Append("</tbody>\n</table>\n</div>\n");
    }

    private static void Card(StringBuilder html, string label, string value, RiskLevel? severity)
    {
        html.Append("<div class=\"card").Append(severity is RiskLevel s ? " sev-border-" + s.ToName() : "").Append("\"><div class=\"value\">")
            .Append(Escape(value)).Append("</div><div class=\"label\">").Append(Escape(label)).Append("</div></div>\n");
    }

    /// <summary>A horizontal bar per severity, scaled to the largest count, as inline SVG.</summary>
    private static void Chart(StringBuilder html, Dictionary<RiskLevel, int> counts)
    {
        const int Width = 560, Row = 30, Left = 90, BarMax = 400, Top = 28;
        var max = Math.Max(1, counts.Values.Max());
        var height = Top + (s_severities.Length * Row) + 8;
        html.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-labelledby=\"chart-title\">\n")
            .Append("<title id=\"chart-title\">Findings by severity</title>\n")
            .Append("<text x=\"0\" y=\"16\" class=\"chart-title\">Findings by severity</text>\n");
        for (var i = 0; i < s_severities.Length; i++)
        {
            var severity = s_severities[i];
            var count = counts[severity];
            var y = Top + (i * Row);
            var width = count == 0 ? 0 : Math.Max(3, (int)Math.Round(BarMax * (double)count / max));
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 10}\" y=\"{y + 16}\" text-anchor=\"end\" class=\"chart-label\">{Capitalised(severity)}</text>")
                .Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{y + 3}\" width=\"{BarMax}\" height=\"18\" rx=\"3\" fill=\"#eef1f4\"/>")
                .Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{y + 3}\" width=\"{width}\" height=\"18\" rx=\"3\" fill=\"{Colour(severity)}\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + BarMax + 10}\" y=\"{y + 16}\" class=\"chart-count\">{count}</text>\n");
        }
        html.Append("</svg>\n");
    }

    private static string Capitalised(RiskLevel severity)
    {
        var name = severity.ToName();
        return char.ToUpperInvariant(name[0]) + name[1..];
    }

    private static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    private static bool IsLink(string reference) =>
        (reference.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || reference.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        && !reference.AsSpan().ContainsAny(" \t\r\n\"'<>`");

    /// <summary>
    /// Text escaped for HTML element content and double- or single-quoted attributes: the five markup characters as
    /// entities, and control characters other than tab and line feed, lone surrogates and noncharacters U+FFFE/U+FFFF as U+FFFD.
    /// </summary>
    internal static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var escaped = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '&': escaped.Append("&amp;"); break;
                case '<': escaped.Append("&lt;"); break;
                case '>': escaped.Append("&gt;"); break;
                case '"': escaped.Append("&quot;"); break;
                case '\'': escaped.Append("&#39;"); break;
                case '\t' or '\n':
                    escaped.Append(c);
                    break;
                case < ' ' or (>= '\u007f' and <= '\u009f') or '\uFFFE' or '\uFFFF':
                    escaped.Append('\uFFFD');
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        escaped.Append(c).Append(text[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        escaped.Append('\uFFFD');
                    }
                    else
                    {
                        escaped.Append(c);
                    }
                    break;
            }
        }
        return escaped.ToString();
    }

    private const string Css = """
        :root { color-scheme: light; --ink: #1d2430; --muted: #5b6573; --line: #dde2e8; --bg: #f6f8fa; }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; }
        h1 { font-size: 28px; margin: 0 0 6px; }
        h2 { font-size: 21px; margin: 34px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
        h3 { font-size: 17px; margin: 22px 0 10px; }
        h4 { font-size: 16px; margin: 0 0 4px; }
        code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; }
        .meta { color: var(--muted); margin: 2px 0; }
        .summary { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; margin-top: 18px; }
        .cards { display: grid; grid-template-columns: repeat(3, 150px); gap: 12px; }
        .card { background: #fff; border: 1px solid var(--line); border-left-width: 5px; border-radius: 6px; padding: 10px 14px; }
        .card .value { font-size: 24px; font-weight: 650; }
        .card .label { color: var(--muted); font-size: 13px; }
        .chart { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px; }
        .chart-title { font: 600 14px system-ui, sans-serif; fill: #1d2430; }
        .chart-label, .chart-count { font: 13px system-ui, sans-serif; fill: #1d2430; }
        .badge { display: inline-block; color: #fff; border-radius: 4px; padding: 1px 7px; font-size: 12px; font-weight: 650; letter-spacing: .03em; }
        .sev-critical { background: #9c1c1c; } .sev-high { background: #d9480f; } .sev-medium { background: #e8a400; color: #1d2430; }
        .sev-low { background: #1c6fb8; } .sev-info { background: #6b7785; }
        .sev-border-critical { border-left-color: #9c1c1c !important; } .sev-border-high { border-left-color: #d9480f !important; }
        .sev-border-medium { border-left-color: #e8a400 !important; } .sev-border-low { border-left-color: #1c6fb8 !important; }
        .sev-border-info { border-left-color: #6b7785 !important; }
        .finding { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 10px 0; }
        .finding .loc { margin: 0 0 8px; color: var(--muted); }
        .finding .id { font-size: 12px; color: var(--muted); }
        .finding dl { display: grid; grid-template-columns: 130px 1fr; gap: 4px 12px; margin: 0; }
        .finding dt { font-weight: 600; color: var(--muted); }
        .finding dd { margin: 0; overflow-wrap: anywhere; }
        .evidence { white-space: pre-wrap; background: #f1f3f6; padding: 1px 5px; border-radius: 4px; }
        .refs a { color: #1c5fa8; }
        .host { margin-bottom: 18px; }
        .hostname { color: var(--muted); font-weight: 500; }
        .state { font-size: 12px; color: #fff; background: #4a7c59; border-radius: 4px; padding: 1px 7px; vertical-align: middle; }
        table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); font-size: 14px; }
        th, td { text-align: left; vertical-align: top; padding: 7px 10px; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
        th { background: #eef1f4; font-weight: 600; }
        tr.st-other td { color: var(--muted); }
        .small { font-size: 12px; color: var(--muted); }
        .tag { display: inline-block; font: 12px ui-monospace, Menlo, Consolas, monospace; border: 1px solid var(--line); border-left-width: 4px; border-radius: 3px; padding: 0 5px; margin: 1px 0; }
        .none { color: var(--muted); }
        footer { margin-top: 36px; color: var(--muted); font-size: 13px; }

        """;
}
