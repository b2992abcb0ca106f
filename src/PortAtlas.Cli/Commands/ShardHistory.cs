using System.Globalization;
using System.Text;
using System.Text.Json;
using PortAtlas.Cli.Rendering;
using PortAtlas.Reports;
using PortAtlas.Storage;
using Spectre.Console;

namespace PortAtlas.Cli.Commands;

/// <summary>How `ports history` shows scan groups: one line per group, then each shard's state and progress.</summary>
internal static class ShardHistory
{
    /// <summary>A group's state in a word: done, running, interrupted, or partial (some shards never started).</summary>
    public static string StateOf(ScanGroupSummary group) =>
        group.IsComplete ? "done"
        : group.Shards.Any(s => s.State == ShardStatus.Running) ? "running"
        : group.Shards.Any(s => s.State == ShardStatus.Interrupted) ? "interrupted"
        : "partial";

    public static void WriteTable(IAnsiConsole console, IReadOnlyList<ScanGroupSummary> groups)
    {
        if (groups.Count == 0)
        {
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).Title("Scan groups (sharded scans; 'ports show NAME')");
        foreach (var column in new[] { "Group / shard", "Created / updated", "State", "Decided", "Scan" })
        {
            table.AddColumn(column);
        }
        foreach (var g in groups)
        {
            var done = g.Shards.Count(s => s.State == ShardStatus.Done);
            table.AddRow(
                Styled.Text(g.Name),
                Styled.Text(g.Created.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                Styled.Text($"{StateOf(g)}: {done}/{g.ShardCount} shards done"),
                Styled.Text($"{g.Shards.Sum(s => s.Decided)} of {g.Shards.Sum(s => s.Total)}"),
                Styled.Text(HistoryCommands.SummariseTargets(g.Targets)));
            foreach (var s in g.Shards)
            {
                table.AddRow(
                    Styled.Text($"  shard {s.Index}/{g.ShardCount}"),
                    Styled.Text(s.Updated.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                    Styled.Text(s.State),
                    Styled.Text($"{s.Decided} of {s.Total}"),
                    Styled.Text(s.ScanId is { } id ? id.ToString(CultureInfo.InvariantCulture) : s.CheckpointId is { } c ? $"checkpoint {c}" : ""));
            }
        }
        console.Write(table);
    }

    public static void WriteJson(Utf8JsonWriter json, IReadOnlyList<ScanGroupSummary> groups)
    {
        foreach (var g in groups)
        {
            json.WriteStartObject();
            json.WriteString("group", g.Name);
            json.WriteString("created", g.Created);
            json.WriteString("state", StateOf(g));
            json.WriteNumber("shardCount", g.ShardCount);
            json.WriteStartArray("targets");
            foreach (var t in g.Targets.Take(HistoryCommands.MaxListedTargets))
            {
                json.WriteStringValue(t);
            }
            json.WriteEndArray();
            json.WriteNumber("targetCount", g.Targets.Count);
            json.WriteStartArray("shards");
            foreach (var s in g.Shards)
            {
                json.WriteStartObject();
                json.WriteNumber("index", s.Index);
                json.WriteString("state", s.State);
                json.WriteNumber("decided", s.Decided);
                json.WriteNumber("total", s.Total);
                if (s.ScanId is { } id)
                {
                    json.WriteNumber("scanId", id);
                }
                if (s.CheckpointId is { } c)
                {
                    json.WriteNumber("checkpointId", c);
                }
                json.WriteString("updated", s.Updated);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
    }

    public static void WriteCsv(TextWriter output, IReadOnlyList<ScanGroupSummary> groups)
    {
        foreach (var g in groups)
        {
            var line = new StringBuilder();
            RegistryReport.AppendCsv(line, g.Name).Append(',').Append(g.Created.ToString("O", CultureInfo.InvariantCulture)).Append(',');
            RegistryReport.AppendCsv(line, $"group of {g.ShardCount}").Append(',');
            RegistryReport.AppendCsv(line, HistoryCommands.SummariseTargets(g.Targets)).Append(',');
            line.Append(CultureInfo.InvariantCulture, $",{g.Shards.Sum(s => s.Decided)},,{(g.IsComplete ? "false" : "true")}\n");
            output.Write(line);
        }
    }
}
