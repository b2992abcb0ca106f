using PortAtlas.Registry;
using Spectre.Console;

namespace PortAtlas.Cli.Rendering;

/// <summary>Registry entries as a table: curated knowledge and risk highlighted.</summary>
internal static class RegistryTable
{
    public static void Render(IAnsiConsole console, IReadOnlyList<PortEntry> entries, bool showIanaDetails)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn(new TableColumn("[bold]Port[/]").RightAligned().NoWrap());
        table.AddColumn(new TableColumn("[bold]Proto[/]").NoWrap());
        table.AddColumn(new TableColumn("[bold]Name[/]").NoWrap());
        table.AddColumn(new TableColumn("[bold]Category[/]").NoWrap());
        table.AddColumn(new TableColumn("[bold]Source[/]").NoWrap());
        table.AddColumn(new TableColumn("[bold]Risk[/]").NoWrap());
        table.AddColumn(new TableColumn("[bold]Description[/]"));
        foreach (var (e, protocols) in MergeProtocols(entries))
        {
            table.AddRow(
                new Markup(Markup.Escape(e.PortText)),
                new Markup(Markup.Escape(protocols)),
                new Markup(e.Source == EntrySource.Iana ? Markup.Escape(e.Name) : $"[bold]{Markup.Escape(e.Name)}[/]"),
                new Markup(Markup.Escape(e.Category?.ToName() ?? "")),
                new Markup(e.Source == EntrySource.Unofficial ? "[yellow]unofficial[/]" : e.Source.ToName()),
                new Markup(RiskMarkup(e.Risk)),
                new Markup(Describe(e, showIanaDetails)));
        }
        console.Write(table);
    }

    /// <summary>
    /// Rows that differ only by transport (a curated row written once for tcp and udp, IANA's twin tcp/udp
    /// assignments) print once, with their protocols joined.
    /// </summary>
    private static List<(PortEntry Entry, string Protocols)> MergeProtocols(IReadOnlyList<PortEntry> entries)
    {
        var merged = new List<(PortEntry Entry, string Protocols)>();
        foreach (var e in entries)
        {
            var protocol = e.Protocol?.ToName() ?? "";
            if (merged.Count > 0 && merged[^1].Entry with { Protocol = e.Protocol } == e)
            {
                merged[^1] = (merged[^1].Entry, $"{merged[^1].Protocols},{protocol}");
            }
            else
            {
                merged.Add((e, protocol));
            }
        }
        return merged;
    }

    public static string RiskMarkup(RiskLevel? risk) => risk switch
    {
        RiskLevel.Critical => "[bold white on red]critical[/]",
        RiskLevel.High => "[bold red]high[/]",
        RiskLevel.Medium => "[yellow]medium[/]",
        RiskLevel.Low => "[green]low[/]",
        RiskLevel.Info => "[grey]info[/]",
        _ => "",
    };

    private static string Describe(PortEntry e, bool showIanaDetails)
    {
        var text = Markup.Escape(e.Title is null ? e.Description : $"{e.Title}: {e.Description}");
        if (e.Notes is not null)
        {
            text += $"\n[italic]Why it matters:[/] {Markup.Escape(e.Notes)}";
        }
        if (e.Products is not null)
        {
            text += $"\n[italic]Products:[/] {Markup.Escape(e.Products)}";
        }
        if (e.Hardening is not null)
        {
            text += $"\n[italic]Hardening:[/] {Markup.Escape(e.Hardening)}";
        }
        if (showIanaDetails && e.Source == EntrySource.Iana)
        {
            var details = new List<string>();
            if (e.Assignee is not null) { details.Add($"assignee {e.Assignee}"); }
            if (e.Reference is not null) { details.Add(e.Reference); }
            if (e.RegistrationDate is not null) { details.Add($"registered {e.RegistrationDate}"); }
            if (e.AssignmentNotes is not null) { details.Add(e.AssignmentNotes); }
            if (details.Count > 0)
            {
                text += $"\n[grey]{Markup.Escape(string.Join("; ", details))}[/]";
            }
        }
        return text;
    }
}
