using PortAtlas.Registry;
using Spectre.Console;

namespace PortAtlas.Cli.Rendering;

/// <summary>Registry entries as a table: curated knowledge and risk highlighted.</summary>
internal static class RegistryTable
{
    public static void Render(IAnsiConsole console, IReadOnlyList<PortEntry> entries, bool showIanaDetails)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn(Styled.Column("Port").RightAligned().NoWrap());
        table.AddColumn(Styled.Column("Proto").NoWrap());
        table.AddColumn(Styled.Column("Name").NoWrap());
        table.AddColumn(Styled.Column("Category").NoWrap());
        table.AddColumn(Styled.Column("Source").NoWrap());
        table.AddColumn(Styled.Column("Risk").NoWrap());
        table.AddColumn(Styled.Column("Description"));
        foreach (var (e, protocols) in MergeProtocols(entries))
        {
            table.AddRow(
                Styled.Text(e.PortText),
                Styled.Text(protocols),
                Styled.Text(e.Name, e.Source == EntrySource.Iana ? Style.Plain : Styled.Bold),
                Styled.Text(e.Category?.ToName()),
                e.Source == EntrySource.Unofficial ? Styled.Text("unofficial", Styled.Yellow) : Styled.Text(e.Source.ToName()),
                Styled.Text(Risk(e.Risk)),
                Describe(e, showIanaDetails));
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

    /// <summary>A risk level in its colour; empty for none.</summary>
    public static (string Text, Style? Style) Risk(RiskLevel? risk) => risk switch
    {
        RiskLevel.Critical => ("critical", Styled.Alarm),
        RiskLevel.High => ("high", Styled.BoldRed),
        RiskLevel.Medium => ("medium", Styled.Yellow),
        RiskLevel.Low => ("low", Styled.Green),
        RiskLevel.Info => ("info", Styled.Grey),
        _ => ("", Style.Plain),
    };

    private static Paragraph Describe(PortEntry e, bool showIanaDetails)
    {
        var text = Styled.Text(e.Title is null ? e.Description : $"{e.Title}: {e.Description}");
        if (e.Notes is not null)
        {
            text.Add("\n").Add("Why it matters:", Styled.Italic).Add($" {e.Notes}");
        }
        if (e.Products is not null)
        {
            text.Add("\n").Add("Products:", Styled.Italic).Add($" {e.Products}");
        }
        if (e.Hardening is not null)
        {
            text.Add("\n").Add("Hardening:", Styled.Italic).Add($" {e.Hardening}");
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
                text.Add("\n").Add(string.Join("; ", details), Styled.Grey);
            }
        }
        return text;
    }
}
