using PortAtlas.Registry;
using PortAtlas.Scanning;
using PortAtlas.Sanitizing;
using Spectre.Console;

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
            console.MarkupLine($"[bold]{Markup.Escape(name)}[/]" + (notShown.Count > 0 ? $" [grey](not shown: {Markup.Escape(string.Join(", ", notShown))})[/]" : ""));
            if (host.Ports.Count == 0)
            {
                continue;
            }
            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumn(new TableColumn("[bold]Port[/]").RightAligned().NoWrap());
            table.AddColumn(new TableColumn("[bold]State[/]").NoWrap());
            if (showReason)
            {
                table.AddColumn(new TableColumn("[bold]Reason[/]").NoWrap());
            }
            table.AddColumn(new TableColumn("[bold]Service[/]").NoWrap());
            table.AddColumn(new TableColumn("[bold]Version[/]"));
            table.AddColumn(new TableColumn("[bold]Risk[/]").NoWrap());
            table.AddColumn(new TableColumn("[bold]What it is[/]"));
            foreach (var port in host.Ports)
            {
                var entry = registry.Describe(port.Port, port.Protocol);
                var service = port.Service?.Name ?? entry.Name;
                var version = string.Join(' ', new[] { port.Service?.Product, port.Service?.Version, port.Service?.ExtraInfo is null ? null : $"({port.Service.ExtraInfo})" }.Where(s => !string.IsNullOrEmpty(s)));
                var about = entry.Title is null ? entry.Description : $"{entry.Title}: {entry.Description}";
                var cells = new List<string>
                {
                    Markup.Escape($"{port.Port}/{port.Protocol.ToName()}"),
                    StateMarkup(port.State),
                };
                if (showReason)
                {
                    cells.Add(Markup.Escape(OutsideText.Printable(port.Reason, 64, singleLine: true)!));
                }
                cells.AddRange([Markup.Escape(OutsideText.Printable(service, 64, singleLine: true)!), Markup.Escape(OutsideText.Printable(version, 200, singleLine: true)!), RegistryTable.RiskMarkup(entry.Risk), Markup.Escape(about)]);
                table.AddRow([.. cells]);
            }
            console.Write(table);
            RenderFindings(console, host);
        }
        var s = report.Stats;
        var counts = string.Join(", ", s.StateCounts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Value} {c.Key}"));
        console.MarkupLine($"[grey]{s.HostsScanned} host(s), {s.PortsScanned} port(s) scanned in {s.Elapsed.TotalSeconds:0.00} s ({s.ScanType}): {Markup.Escape(counts)}{(s.Interrupted ? " — interrupted, partial results" : "")}[/]");
    }

    private static void RenderFindings(IAnsiConsole console, HostResult host)
    {
        var findings = host.Ports.SelectMany(p => p.Findings).OrderByDescending(f => f.Severity).ThenBy(f => f.Port).ToList();
        if (findings.Count == 0)
        {
            return;
        }
        console.MarkupLine($"[bold]Findings[/] ({findings.Count})");
        foreach (var f in findings)
        {
            console.MarkupLine($"  {RegistryTable.RiskMarkup(f.Severity)} {Markup.Escape($"{f.Port}/{f.Protocol.ToName()}")} [bold]{Markup.Escape(OutsideText.Printable(f.Title, 200, singleLine: true)!)}[/] [grey]({Markup.Escape(f.Id)})[/]");
            console.MarkupLine($"    [italic]seen:[/] {Markup.Escape(OutsideText.Printable(f.Evidence, 300, singleLine: true)!)}");
            if (!string.IsNullOrEmpty(f.Remediation))
            {
                console.MarkupLine($"    [italic]fix:[/] {Markup.Escape(f.Remediation)}");
            }
        }
    }

    private static string StateMarkup(PortState state) => state switch
    {
        PortState.Open => "[bold green]open[/]",
        PortState.Closed => "[red]closed[/]",
        PortState.Filtered => "[yellow]filtered[/]",
        _ => Markup.Escape(state.ToName()),
    };
}
