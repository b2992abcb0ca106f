using PortAtlas.Registry;
using PortAtlas.Scanning;
using PortAtlas.Sanitizing;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PortAtlas.Cli.Rendering;

/// <summary>A scan for people: per host, its listed ports explained from the registry, then a summary line.</summary>
internal static class ScanTable
{
    /// <param name="console">Where to render.</param>
    /// <param name="report">The scan.</param>
    /// <param name="showReason">Add a column saying why each port has its state (--reason).</param>
    public static void Render(IAnsiConsole console, ScanReport report, bool showReason = false)
    {
        var registry = PortRegistry.Default;
        foreach (var host in report.Hosts)
        {
            var name = host.Hostname is null ? host.Address.ToString() : $"{OutsideText.Printable(host.Hostname, 255, singleLine: true)} ({host.Address})";
            var notShown = host.StateCounts
                .Where(c => c.Value > host.Ports.Count(p => p.State.ToName() == c.Key))
                .Select(c => $"{c.Value - host.Ports.Count(p => p.State.ToName() == c.Key)} {c.Key}")
                .ToList();
            console.WriteLine(Styled.Text(name, Styled.Bold).Add(notShown.Count > 0 ? $" (not shown: {string.Join(", ", notShown)})" : null, Styled.Grey));
            if (host.Ports.Count == 0)
            {
                continue;
            }
            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumn(Styled.Column("Port").RightAligned().NoWrap());
            table.AddColumn(Styled.Column("State").NoWrap());
            if (showReason)
            {
                table.AddColumn(Styled.Column("Reason").NoWrap());
            }
            table.AddColumn(Styled.Column("Service").NoWrap());
            table.AddColumn(Styled.Column("Version"));
            table.AddColumn(Styled.Column("Risk").NoWrap());
            table.AddColumn(Styled.Column("What it is"));
            foreach (var port in host.Ports)
            {
                var entry = registry.Describe(port.Port, port.Protocol);
                var service = port.Service?.Name ?? entry.Name;
                var version = string.Join(' ', new[] { port.Service?.Product, port.Service?.Version, port.Service?.ExtraInfo is null ? null : $"({port.Service.ExtraInfo})" }.Where(s => !string.IsNullOrEmpty(s)));
                var about = entry.Title is null ? entry.Description : $"{entry.Title}: {entry.Description}";
                var cells = new List<IRenderable>
                {
                    Styled.Text($"{port.Port}/{port.Protocol.ToName()}"),
                    State(port.State),
                };
                if (showReason)
                {
                    cells.Add(Styled.Text(OutsideText.Printable(port.Reason, 64, singleLine: true)));
                }
                cells.AddRange([Styled.Text(OutsideText.Printable(service, 64, singleLine: true)), Styled.Text(OutsideText.Printable(version, 200, singleLine: true)), Styled.Text(RegistryTable.Risk(entry.Risk)), Styled.Text(about)]);
                table.AddRow(cells);
            }
            console.Write(table);
            RenderFindings(console, host);
        }
        var s = report.Stats;
        var counts = string.Join(", ", s.StateCounts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Value} {c.Key}"));
        console.WriteLine(Styled.Text($"{s.HostsScanned} host(s), {s.PortsScanned} port(s) scanned in {s.Elapsed.TotalSeconds:0.00} s ({s.ScanType}): {counts}{(s.Interrupted ? " — interrupted, partial results" : "")}", Styled.Grey));
    }

    private static void RenderFindings(IAnsiConsole console, HostResult host)
    {
        var findings = host.Ports.SelectMany(p => p.Findings).OrderByDescending(f => f.Severity).ThenBy(f => f.Port).ToList();
        if (findings.Count == 0)
        {
            return;
        }
        console.WriteLine(Styled.Text("Findings", Styled.Bold).Add($" ({findings.Count})"));
        foreach (var f in findings)
        {
            console.WriteLine(Styled.Text("  ").Add(RegistryTable.Risk(f.Severity))
                .Add($" {f.Port}/{f.Protocol.ToName()} ").Add(OutsideText.Printable(f.Title, 200, singleLine: true), Styled.Bold).Add($" ({f.Id})", Styled.Grey));
            console.WriteLine(Styled.Text("    ").Add("seen:", Styled.Italic).Add($" {OutsideText.Printable(f.Evidence, 300, singleLine: true)}"));
            if (!string.IsNullOrEmpty(f.Remediation))
            {
                console.WriteLine(Styled.Text("    ").Add("fix:", Styled.Italic).Add($" {f.Remediation}"));
            }
        }
    }

    private static Paragraph State(PortState state) => state switch
    {
        PortState.Open => Styled.Text("open", Styled.BoldGreen),
        PortState.Closed => Styled.Text("closed", Styled.Red),
        PortState.Filtered => Styled.Text("filtered", Styled.Yellow),
        _ => Styled.Text(state.ToName()),
    };
}
