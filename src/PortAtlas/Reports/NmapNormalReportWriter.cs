using System.Globalization;
using System.Text;
using PortAtlas.Sanitizing;
using PortAtlas.Scanning;

namespace PortAtlas.Reports;

/// <summary>
/// Writes Nmap's "normal" output (<c>nmap -oN</c>, the <c>.nmap</c> file of <c>-oA</c>): a header comment, per host
/// <c>Nmap scan report for NAME (ADDRESS)</c>, <c>Host is up (0.00012s latency).</c>, the ports not shown
/// (<c>Not shown: 997 closed tcp ports (conn-refused)</c>), the <c>PORT STATE SERVICE [REASON] [VERSION]</c> table
/// with Nmap's column rule (each column as wide as its widest cell, one space apart, the last unpadded), findings as
/// script-style lines under their port, MAC and service-info lines where known, and the <c>#  done at</c> trailer.
/// </summary>
/// <remarks>
/// Written from the layout of Nmap's own output (7.93), not from its code. Text from the network (banners, names) has
/// control and bidirectional characters replaced, so every record stays on its line.
/// </remarks>
public sealed class NmapNormalReportWriter
{
    /// <summary>A writer with the given settings, or <see cref="ReportOptions.Default"/>.</summary>
    public NmapNormalReportWriter(ReportOptions? options = null) => Options = options ?? ReportOptions.Default;

    /// <summary>The report settings (registry for service names, scanner version for the header).</summary>
    public ReportOptions Options { get; }

    /// <summary>Adds a REASON column, as Nmap's <c>--reason</c>.</summary>
    public bool ShowReason { get; init; }

    /// <summary>Writes <paramref name="report"/> to <paramref name="writer"/>, lines ending in '\n'.</summary>
    public void Write(ScanReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        var stats = report.Stats;
        var registry = Options.EffectiveRegistry;
        Line(writer, $"# PortAtlas {Clean(Options.ScannerVersion)} scan initiated {NmapFacts.CTime(stats.Started)} as: {Clean(Secrets.MaskCredentials(stats.CommandLine))}");
        var detected = false;
        foreach (var host in report.Hosts)
        {
            var name = host.Hostname is { Length: > 0 } hostname ? $"{Clean(hostname)} ({host.Address})" : host.Address.ToString();
            if (NmapFacts.HostState(host) == "down")
            {
                Line(writer, $"Nmap scan report for {name} [host down]");
                Line(writer, "");
                continue;
            }
            Line(writer, $"Nmap scan report for {name}");
            Line(writer, NmapFacts.IsUp(host) ? $"Host is up{Latency(host)}." : "Host state unknown.");
            var hidden = Hidden(host, report);
            if (host.Ports.Count == 0)
            {
                var total = NmapFacts.ExtraPorts(host, report).Sum(e => e.Count);
                if (total > 0)
                {
                    Line(writer, string.Create(CultureInfo.InvariantCulture, $"All {total} scanned ports on {name} are in ignored states."));
                }
                if (hidden is not null)
                {
                    Line(writer, hidden);
                }
                Line(writer, "");
                continue;
            }
            Line(writer, hidden ?? "");
            detected |= WriteTable(writer, host, registry);
            if (host.MacAddress is { Length: > 0 } mac)
            {
                Line(writer, $"MAC Address: {Clean(mac)} ({(host.MacVendor is { Length: > 0 } vendor ? Clean(vendor) : "Unknown")})");
            }
            if (ServiceInfoLine(host) is { } info)
            {
                Line(writer, info);
            }
            Line(writer, "");
        }
        if (detected)
        {
            Line(writer, "Service detection performed.");
        }
        var elapsed = stats.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture);
        Line(writer, $"# PortAtlas done at {NmapFacts.CTime(stats.Finished)} -- {NmapFacts.HostSummary(report)} scanned in {elapsed} seconds");
    }

    /// <summary>Writes <paramref name="report"/> to a new file at <paramref name="path"/> (UTF-8, no byte-order mark).</summary>
    public async Task WriteToFileAsync(ScanReport report, string path, CancellationToken cancellationToken = default)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        Write(report, text);
        await File.WriteAllTextAsync(path, text.ToString(), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The table; true when a port carries detection results (a VERSION column was written).</summary>
    private bool WriteTable(TextWriter writer, HostResult host, Registry.PortRegistry registry)
    {
        var rows = new List<string[]>(host.Ports.Count);
        var findings = new List<List<string>>(host.Ports.Count);
        var anyVersion = false;
        foreach (var result in host.Ports)
        {
            var facts = new PortFacts(result, registry);
            var service = facts.ServiceName is { Length: > 0 } s ? Clean(s) : "unknown";
            if (result.Service?.Tls is not null)
            {
                service = $"ssl/{service}";
            }
            var version = Clean(facts.FullVersion);
            anyVersion |= facts.Probed;
            var row = new List<string> { $"{result.Port}/{result.Protocol.ToName()}", result.State.ToName(), service };
            if (ShowReason)
            {
                row.Add(string.IsNullOrEmpty(result.Reason) ? "unknown" : Clean(result.Reason));
            }
            row.Add(version);
            rows.Add([.. row]);
            findings.Add([.. result.Findings.Select(f => $"{f.Id}: {f.Severity.ToName()}: {Clean(f.Title)}")]);
        }
        var header = new List<string> { "PORT", "STATE", "SERVICE" };
        if (ShowReason)
        {
            header.Add("REASON");
        }
        header.Add("VERSION");
        // Without detection there is no VERSION column, as in Nmap without -sV.
        var columns = anyVersion ? header.Count : header.Count - 1;
        var widths = new int[columns];
        for (var c = 0; c < columns; c++)
        {
            widths[c] = Math.Max(header[c].Length, rows.Max(r => r[c].Length));
        }
        Line(writer, Row(header, widths, columns));
        for (var i = 0; i < rows.Count; i++)
        {
            Line(writer, Row(rows[i], widths, columns));
            // Findings read as Nmap's script output under the port: "| id: text", the last with "|_".
            for (var f = 0; f < findings[i].Count; f++)
            {
                Line(writer, $"{(f == findings[i].Count - 1 ? "|_" : "| ")}{findings[i][f]}");
            }
        }
        return anyVersion;
    }

    private static string Row(IReadOnlyList<string> cells, int[] widths, int columns)
    {
        var line = new StringBuilder();
        for (var c = 0; c < columns; c++)
        {
            line.Append(cells[c]);
            if (c < columns - 1)
            {
                line.Append(' ', widths[c] - cells[c].Length + 1);
            }
        }
        return line.ToString().TrimEnd();
    }

    /// <summary>"Not shown: 997 closed tcp ports (conn-refused), 2 filtered tcp ports (no-response)", or null when every port is listed.</summary>
    private static string? Hidden(HostResult host, ScanReport report)
    {
        var extra = NmapFacts.ExtraPorts(host, report);
        if (extra.Count == 0)
        {
            return null;
        }
        // The counts are kept per state, not per transport: the transport is named when the scan had only one.
        var ports = report.Stats.Ports;
        var transports = ports is null ? [] : new[] { (ports.Tcp.Count, "tcp"), (ports.Udp.Count, "udp"), (ports.Sctp.Count, "sctp") }.Where(t => t.Item1 > 0).ToArray();
        var proto = transports.Length == 1 ? $" {transports[0].Item2}" : "";
        var connect = report.Stats.ScanType.Contains("connect", StringComparison.Ordinal);
        var parts = extra.Select(e =>
        {
            // Reasons of unlisted ports are not kept: the usual one for the state and scan type, as Nmap would give.
            var reason = e.State switch
            {
                "closed" => proto == " udp" ? "port-unreach" : connect ? "conn-refused" : "reset",
                "filtered" or "open|filtered" => "no-response",
                _ => null,
            };
            var plural = e.Count == 1 ? "port" : "ports";
            return string.Create(CultureInfo.InvariantCulture, $"{e.Count} {e.State}{proto} {plural}{(reason is null ? "" : $" ({reason})")}");
        });
        return $"Not shown: {string.Join(", ", parts)}";
    }

    /// <summary>" (0.00012s latency)" from the ports' round trips, as Nmap prints it; empty when none was measured.</summary>
    private static string Latency(HostResult host)
    {
        var rtts = host.Ports.Where(p => p.RoundTrip is not null).Select(p => p.RoundTrip!.Value.TotalSeconds).ToList();
        if (rtts.Count == 0)
        {
            return "";
        }
        // The quickest answer: on a busy machine the slower ones measure the machine, not the path.
        var seconds = rtts.Min();
        // Nmap keeps two significant digits: 0.00011s, 0.0020s, 0.15s.
        return string.Create(CultureInfo.InvariantCulture, $" ({FormatLatency(seconds)}s latency)");
    }

    internal static string FormatLatency(double seconds)
    {
        if (seconds <= 0)
        {
            return "0.000";
        }
        var decimals = Math.Clamp(1 - (int)Math.Floor(Math.Log10(seconds)), 2, 9);
        return seconds.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>"Service Info: Host: x; OSs: Unix, Linux; Device: router; CPE: cpe:/o:linux:linux_kernel", or null.</summary>
    private static string? ServiceInfoLine(HostResult host)
    {
        var services = host.Ports.Select(p => p.Service).OfType<ServiceInfo>().ToList();
        var hosts = services.Select(s => s.Facts.GetValueOrDefault("hostname")).OfType<string>().Where(h => h.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var oses = services.Select(s => s.OperatingSystem).OfType<string>().Where(o => o.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var devices = services.Select(s => s.DeviceType).OfType<string>().Where(d => d.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var cpes = services.SelectMany(s => s.Cpe).Where(c => c.StartsWith("cpe:/o:", StringComparison.Ordinal) || c.StartsWith("cpe:/h:", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        var parts = new List<string>();
        if (hosts.Count > 0)
        {
            parts.Add($"{(hosts.Count == 1 ? "Host" : "Hosts")}: {Clean(string.Join(", ", hosts))}");
        }
        if (oses.Count > 0)
        {
            parts.Add($"{(oses.Count == 1 ? "OS" : "OSs")}: {Clean(string.Join(", ", oses))}");
        }
        if (devices.Count > 0)
        {
            parts.Add($"{(devices.Count == 1 ? "Device" : "Devices")}: {Clean(string.Join(", ", devices))}");
        }
        if (cpes.Count > 0)
        {
            parts.Add($"CPE: {Clean(string.Join(", ", cpes))}");
        }
        return parts.Count == 0 ? null : $"Service Info: {string.Join("; ", parts)}";
    }

    private static void Line(TextWriter writer, string line)
    {
        writer.Write(line);
        writer.Write('\n');
    }

    /// <summary>Control and bidirectional characters would break a record or mislead a terminal: they become spaces.</summary>
    private static string Clean(string? text)
    {
        text ??= "";
        if (!OutsideText.NeedsEscaping(text) && !text.AsSpan().ContainsAnyInRange('\0', '\u001f'))
        {
            return text;
        }
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) || OutsideText.IsUnsafe(source[i]) ? ' ' : source[i];
            }
        });
    }
}
