using System.Text;
using PortAtlas.Cli.Rendering;
using PortAtlas.Registry;
using PortAtlas.Reports;

namespace PortAtlas.Cli.Commands;

// The look-up and the printing of registry entries: no System.CommandLine here, so the native look-up front
// (src/PortAtlas.Lookup) compiles this file as it is and prints exactly what the full CLI prints (issue 16).
internal static partial class RegistryCommands
{
    /// <summary>The look-up action shared by `ports QUERY...` and `ports lookup QUERY...`.</summary>
    internal static int Lookup(CliContext cli, IReadOnlyList<string> texts, string format)
    {
        if (texts.Count == 0)
        {
            return cli.Fail(ExitCodes.BadInput, "no query: give a port (443), port/protocol (22/udp), a range (6665-6669) or a service name (ldaps)");
        }
        if (!TryParseFormat(cli, format, out var outputFormat))
        {
            return ExitCodes.BadInput;
        }
        // Parse every query before printing anything: bad input leaves stdout empty.
        var queries = new List<PortQuery>(texts.Count);
        foreach (var text in texts)
        {
            if (!PortQuery.TryParse(text, out var query, out var error))
            {
                return cli.Fail(ExitCodes.BadInput, error);
            }
            queries.Add(query);
        }
        var registry = PortRegistry.Default;
        var found = new List<PortEntry>();
        var misses = new List<string>();
        foreach (var query in queries)
        {
            var entries = registry.Lookup(query);
            if (entries.Count == 0)
            {
                misses.Add(query.Text);
            }
            found.AddRange(entries);
        }
        if (found.Count == 0)
        {
            return cli.Fail(ExitCodes.Failure, $"nothing in the registry matches {string.Join(", ", misses.Select(m => $"'{m}'"))}");
        }
        Print(cli, outputFormat, found, showIanaDetails: queries.Count == 1 && queries[0].Range.Count == 1);
        foreach (var miss in misses)
        {
            cli.Error.WriteLine($"ports: nothing in the registry matches '{miss}'");
        }
        return ExitCodes.Success;
    }

    private static bool TryParseFormat(CliContext cli, string text, out OutputFormat format)
    {
        format = text.ToLowerInvariant() switch
        {
            "table" => OutputFormat.Table,
            "json" => OutputFormat.Json,
            "csv" => OutputFormat.Csv,
            _ => (OutputFormat)(-1),
        };
        if ((int)format < 0)
        {
            cli.Fail(ExitCodes.BadInput, $"unknown format '{text}' for this command: use table, json or csv");
            return false;
        }
        return true;
    }

    private static void Print(CliContext cli, OutputFormat format, IReadOnlyList<PortEntry> entries, bool showIanaDetails)
    {
        switch (format)
        {
            case OutputFormat.Json:
                using (var buffer = new MemoryStream())
                {
                    RegistryReport.WriteJson(buffer, entries);
                    cli.Out.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
                    cli.Out.Flush();
                }
                break;
            case OutputFormat.Csv:
                RegistryReport.WriteCsv(cli.Out, entries);
                break;
            default:
                RegistryTable.Render(cli.Console, entries, showIanaDetails);
                break;
        }
    }
}
