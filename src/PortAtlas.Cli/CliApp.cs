using System.CommandLine;
using PortAtlas.Cli.Commands;

namespace PortAtlas.Cli;

/// <summary>The `ports` command line: parsing with System.CommandLine, one action per command, exit codes per the machine contract.</summary>
public static class CliApp
{
    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext cli, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var root = Build(cli);
        // nmap's flags (-oX FILE, -T4, -sn, -vv ...) become PortAtlas's options before parsing.
        var nmap = NmapCompat.Translate(args);
        if (!nmap.Success)
        {
            return cli.Fail(ExitCodes.BadInput, nmap.Error!);
        }
        var parse = root.Parse(nmap.Args);
        // --help answers even on an incomplete command line ('ports show --help' has no scan id).
        if (parse.Errors.Count > 0 && parse.Action is not ManualCommand.HelpWithExamples)
        {
            // One line naming the bad token, never a usage dump: scripts read stderr.
            return cli.Fail(ExitCodes.BadInput, parse.Errors[0].Message);
        }
        var invocation = new InvocationConfiguration
        {
            Output = cli.Out,
            Error = cli.Error,
            EnableDefaultExceptionHandler = false,
            // The scan action stops on Ctrl-C by itself and writes what it found; give it time to do so.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(10),
        };
        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
        catch (IOException ex)
        {
            return cli.Fail(ExitCodes.Failure, ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            return cli.Fail(ExitCodes.Failure, ex.Message);
        }
    }

    internal static RootCommand Build(CliContext cli)
    {
        var format = RegistryCommands.FormatOption();
        var queries = new Argument<string[]>("query")
        {
            Description = "Ports (443), port/protocol (22/udp), ranges (6665-6669) or service names (ldaps)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var root = new RootCommand("ports: look up, scan, detect and assess network ports. 'ports 443' looks up a port; 'ports scan HOST' scans.")
        {
            queries,
            format,
        };
        root.SetAction(parse =>
        {
            var texts = parse.GetValue(queries) ?? [];
            if (texts.Length == 0)
            {
                return cli.Fail(ExitCodes.BadInput, "no command or query: try 'ports 443', 'ports search vnc' or 'ports --help'");
            }
            return RegistryCommands.Lookup(cli, texts, parse.GetValue(format)!);
        });

        root.Subcommands.Add(BuildLookup(cli));
        root.Subcommands.Add(BuildSearch(cli));
        root.Subcommands.Add(BuildList(cli));
        root.Subcommands.Add(ScanCommand.Build(cli));
        root.Subcommands.Add(VulnDbCommand.Build(cli));
        root.Subcommands.Add(LocalCommand.Build(cli));
        foreach (var command in HistoryCommands.Build(cli))
        {
            root.Subcommands.Add(command);
        }
        // After every command: help, manual, version and completion read the finished tree.
        ManualCommand.AddTo(root, cli);
        VersionInfo.AddTo(root, cli);
        CompletionCommand.AddTo(root, cli);
        return root;
    }

    private static Command BuildLookup(CliContext cli)
    {
        var format = RegistryCommands.FormatOption();
        var queries = new Argument<string[]>("query")
        {
            Description = "Ports (443), port/protocol (22/udp), ranges (6665-6669) or service names (ldaps)",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("lookup", "Every registry entry for each query: IANA's rows and PortAtlas's curated notes") { queries, format };
        command.SetAction(parse => RegistryCommands.Lookup(cli, parse.GetValue(queries) ?? [], parse.GetValue(format)!));
        return command;
    }

    private static Command BuildSearch(CliContext cli)
    {
        var format = RegistryCommands.FormatOption();
        var words = new Argument<string[]>("words") { Description = "Words to find in names, titles, descriptions and notes", Arity = ArgumentArity.OneOrMore };
        var limit = new Option<int>("--limit", "-n") { Description = "Most results to print", DefaultValueFactory = _ => 25 };
        var command = new Command("search", "Ranked keyword search over the registry; exact names first") { words, format, limit };
        command.SetAction(parse => RegistryCommands.Search(cli, parse.GetValue(words) ?? [], parse.GetValue(format)!, parse.GetValue(limit)));
        return command;
    }

    private static Command BuildList(CliContext cli)
    {
        var format = RegistryCommands.FormatOption();
        var significant = new Option<bool>("--significant", "-s") { Description = "Only ports with PortAtlas's curated knowledge" };
        var category = new Option<string?>("--category", "-c") { Description = "well-known (0-1023), registered (1024-49151) or dynamic (49152-65535)" };
        var protocol = new Option<string?>("--protocol", "-P") { Description = "tcp, udp, sctp or dccp" };
        var command = new Command("list", "List registry entries by category and protocol") { significant, category, protocol, format };
        command.SetAction(parse => RegistryCommands.List(cli, parse.GetValue(significant), parse.GetValue(category), parse.GetValue(protocol), parse.GetValue(format)!));
        return command;
    }
}
