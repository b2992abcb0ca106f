using System.CommandLine;
using System.Text;
using PortAtlas.Cli.Rendering;
using PortAtlas.Registry;
using PortAtlas.Reports;
using Spectre.Console;

namespace PortAtlas.Cli.Commands;

/// <summary>lookup, search and list: the offline registry.</summary>
internal static partial class RegistryCommands
{
    internal static readonly string[] Formats = ["table", "json", "csv"];

    internal static Option<string> FormatOption() => new("--format", "-f")
    {
        Description = "Output format: table, json or csv",
        DefaultValueFactory = _ => "table",
        HelpName = "table|json|csv",
    };

    internal static int Search(CliContext cli, IReadOnlyList<string> words, string format, int limit)
    {
        var text = string.Join(' ', words).Trim();
        if (text.Length == 0)
        {
            return cli.Fail(ExitCodes.BadInput, "empty search: give one or more words, e.g. 'ports search remote desktop'");
        }
        if (limit < 1)
        {
            return cli.Fail(ExitCodes.BadInput, $"bad --limit '{limit}': give a positive number");
        }
        if (!TryParseFormat(cli, format, out var outputFormat))
        {
            return ExitCodes.BadInput;
        }
        var found = PortRegistry.Default.Search(text, limit);
        if (found.Count == 0)
        {
            return cli.Fail(ExitCodes.Failure, $"nothing in the registry matches '{text}'");
        }
        Print(cli, outputFormat, found, showIanaDetails: false);
        return ExitCodes.Success;
    }

    /// <summary>`ports list`: registry entries by category and protocol, or with --top N the default port ranking.</summary>
    internal static Command BuildList(CliContext cli)
    {
        var format = FormatOption();
        var significant = new Option<bool>("--significant", "-s") { Description = "Only ports with PortAtlas's curated knowledge" };
        var category = new Option<string?>("--category", "-c") { Description = "well-known (0-1023), registered (1024-49151) or dynamic (49152-65535)" };
        var protocol = new Option<string?>("--protocol", "-P") { Description = "tcp, udp, sctp or dccp" };
        var top = new Option<int?>("--top") { Description = "The N ports --top-ports scans, best first, with each port's score and reason (tcp unless --protocol udp)" };
        var command = new Command("list", "List registry entries by category and protocol, or the default port ranking") { significant, category, protocol, top, format };
        command.SetAction(parse => parse.GetValue(top) is not int n
            ? List(cli, parse.GetValue(significant), parse.GetValue(category), parse.GetValue(protocol), parse.GetValue(format)!)
            : parse.GetValue(significant) || parse.GetValue(category) is not null
                ? cli.Fail(ExitCodes.BadInput, "--top lists the ranking: it does not combine with --significant or --category")
                : Top(cli, n, parse.GetValue(protocol), parse.GetValue(format)!));
        return command;
    }

    /// <summary>`ports list --top N`: the ports --top-ports N scans, in rank order, with score and reason.</summary>
    internal static int Top(CliContext cli, int count, string? protocol, string format)
    {
        if (count is < 1 or > PortRange.MaxPort)
        {
            return cli.Fail(ExitCodes.BadInput, $"bad --top '{count}': give 1-65535");
        }
        var transport = Transport.Tcp;
        if (protocol is not null && (!TransportNames.TryParse(protocol, out transport) || transport is not (Transport.Tcp or Transport.Udp)))
        {
            return cli.Fail(ExitCodes.BadInput, $"bad --protocol '{protocol}' for --top: the ranking covers tcp and udp");
        }
        if (!TryParseFormat(cli, format, out var outputFormat))
        {
            return ExitCodes.BadInput;
        }
        var registry = PortRegistry.Default;
        var ranking = PortRanking.Default.For(transport).ToDictionary(r => r.Port);
        var rows = new List<(int Rank, int Port, int? Score, string Name, string Reason)>();
        foreach (var port in registry.TopPorts(transport, count))
        {
            var name = "";
            foreach (var entry in registry.AtPort(port))
            {
                if (entry.Protocol == transport && entry.Name.Length > 0)
                {
                    name = entry.Name;
                    break;
                }
            }
            // Past the ranking file, --top-ports falls back to curated and IANA order: no score, the registry's reason.
            rows.Add(ranking.TryGetValue(port, out var ranked)
                ? (rows.Count + 1, port, ranked.Score, name, ranked.Reason)
                : (rows.Count + 1, port, null, name, "IANA-assigned, after the ranking"));
        }
        var protocolName = transport.ToName();
        switch (outputFormat)
        {
            case OutputFormat.Json:
                using (var buffer = new MemoryStream())
                {
                    using (var json = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions
                    {
                        Indented = true,
                        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
                    }))
                    {
                        json.WriteStartArray();
                        foreach (var row in rows)
                        {
                            json.WriteStartObject();
                            json.WriteNumber("rank", row.Rank);
                            json.WriteNumber("port", row.Port);
                            json.WriteString("protocol", protocolName);
                            if (row.Score is int score)
                            {
                                json.WriteNumber("score", score);
                            }
                            else
                            {
                                json.WriteNull("score");
                            }
                            json.WriteString("name", row.Name);
                            json.WriteString("reason", row.Reason);
                            json.WriteEndObject();
                        }
                        json.WriteEndArray();
                    }
                    cli.Out.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
                    cli.Out.WriteLine();
                    cli.Out.Flush();
                }
                break;
            case OutputFormat.Csv:
                cli.Out.Write("rank,port,protocol,score,name,reason\n");
                foreach (var row in rows)
                {
                    var line = new StringBuilder().Append(row.Rank).Append(',').Append(row.Port).Append(',').Append(protocolName).Append(',')
                        .Append(row.Score?.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(',');
                    RegistryReport.AppendCsv(line, row.Name).Append(',');
                    RegistryReport.AppendCsv(line, row.Reason).Append('\n');
                    cli.Out.Write(line);
                }
                cli.Out.Flush();
                break;
            default:
                var table = new Table().Border(TableBorder.Rounded);
                table.AddColumn(Styled.Column("Rank").RightAligned().NoWrap());
                table.AddColumn(Styled.Column("Port").RightAligned().NoWrap());
                table.AddColumn(Styled.Column("Proto").NoWrap());
                table.AddColumn(Styled.Column("Score").RightAligned().NoWrap());
                table.AddColumn(Styled.Column("Name").NoWrap());
                table.AddColumn(Styled.Column("Reason"));
                foreach (var row in rows)
                {
                    table.AddRow(
                        Styled.Text(row.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                        Styled.Text(row.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                        Styled.Text(protocolName),
                        Styled.Text(row.Score?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                        Styled.Text(row.Name),
                        Styled.Text(row.Reason));
                }
                cli.Console.Write(table);
                break;
        }
        return ExitCodes.Success;
    }

    internal static int List(CliContext cli, bool significant, string? category, string? protocol, string format)
    {
        PortCategory? cat = null;
        if (category is not null)
        {
            if (!PortCategories.TryParse(category, out var c))
            {
                return cli.Fail(ExitCodes.BadInput, $"unknown category '{category}': use well-known, registered or dynamic");
            }
            cat = c;
        }
        Transport? transport = null;
        if (protocol is not null)
        {
            if (!TransportNames.TryParse(protocol, out var t))
            {
                return cli.Fail(ExitCodes.BadInput, $"unknown protocol '{protocol}': use tcp, udp, sctp or dccp");
            }
            transport = t;
        }
        if (!TryParseFormat(cli, format, out var outputFormat))
        {
            return ExitCodes.BadInput;
        }
        var found = PortRegistry.Default.List(significant, cat, transport).ToList();
        if (found.Count == 0)
        {
            // IANA assigns nothing in 49152-65535 (RFC 6335, section 6): say so rather than print nothing.
            var why = cat == PortCategory.Dynamic ? ": ports 49152-65535 are dynamic, never assigned by IANA, and PortAtlas knows no notable use of them here" : "";
            return cli.Fail(ExitCodes.Failure, $"no registry entry matches these filters{why}");
        }
        Print(cli, outputFormat, found, showIanaDetails: false);
        return ExitCodes.Success;
    }
}
