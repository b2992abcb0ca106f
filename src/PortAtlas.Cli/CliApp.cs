using System.CommandLine;
using System.CommandLine.Parsing;
using PortAtlas.Cli.Commands;
using PortAtlas.Sanitizing;


namespace PortAtlas.Cli;

/// <summary>The `ports` command line: parsing with System.CommandLine, one action per command, exit codes per the machine contract.</summary>
public static class CliApp
{
    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext cli, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cli);
        if (QuickLookup.TryParse(args, out var texts, out var quickFormat))
        {
            // 'ports 443' and friends: no command tree, no signal handlers, nothing but the registry (issue 16).
            return RegistryCommands.Lookup(cli, texts, quickFormat);
        }
        return await RunParsedAsync(args, cli, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The full path: nmap flags translated, the command tree parsed, the command run under signal handlers.</summary>
    internal static async Task<int> RunParsedAsync(string[] args, CliContext cli, CancellationToken cancellationToken)
    {
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
            return cli.Fail(ExitCodes.BadInput, OptionParsers.Humanize(parse.Errors[0].Message));
        }
        if (UnknownOption(parse) is { } unknown)
        {
            var command = parse.CommandResult.Command == root ? "" : $" {parse.CommandResult.Command.Name}";
            return cli.Fail(ExitCodes.BadInput, $"unknown option '{OutsideText.Excerpt(unknown, 64)}': 'ports help{command}' lists the options");
        }
        var invocation = new InvocationConfiguration
        {
            Output = cli.Out,
            Error = cli.Error,
            EnableDefaultExceptionHandler = false,
            // Signals are ours (TerminationSignals): the scan stops on them by itself and writes what it found.
            ProcessTerminationTimeout = null,
        };
        using var signals = new TerminationSignals(cancellationToken);
        try
        {
            var code = await parse.InvokeAsync(invocation, signals.Token).ConfigureAwait(false);
            return signals.Signalled && code == ExitCodes.Interrupted ? signals.ExitCode : code;
        }
        catch (OperationCanceledException)
        {
            return signals.ExitCode;
        }
        catch (Exception ex)
        {
            // Whatever escaped a command: one line, never a stack trace (set PORTATLAS_DEBUG=1 to see it).
            var (code, message) = CliErrors.Describe(ex);
            if (Environment.GetEnvironmentVariable("PORTATLAS_DEBUG") is { Length: > 0 })
            {
                cli.Error.WriteLine(ex.ToString());
            }
            return cli.Fail(code, message);
        }
    }

    /// <summary>
    /// An argument spelled as an option that no command defines (--fast, -Z): the parser would take it for a target or
    /// a query and the error would name the wrong thing. Values that start with a digit (-p -1000) and anything after
    /// "--" are arguments.
    /// </summary>
    private static string? UnknownOption(ParseResult parse)
    {
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                return null;
            }
            if (token.Type == TokenType.Argument && token.Value.Length > 1 && token.Value[0] == '-' && !char.IsAsciiDigit(token.Value[1]))
            {
                return token.Value;
            }
        }
        return null;
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
        root.Subcommands.Add(RegistryCommands.BuildList(cli));
        root.Subcommands.Add(ScanCommand.Build(cli));
        root.Subcommands.Add(VulnDbCommand.Build(cli));
        root.Subcommands.Add(LocalCommand.Build(cli));
        root.Subcommands.Add(ServeCommand.Build(cli));
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
        var limit = new Option<int>("--limit", "-n") { Description = "Most results to print (1 to 100,000)", DefaultValueFactory = _ => 25, CustomParser = OptionParsers.Int(1, 100_000, "results") };
        var command = new Command("search", "Ranked keyword search over the registry; exact names first") { words, format, limit };
        command.SetAction(parse => RegistryCommands.Search(cli, parse.GetValue(words) ?? [], parse.GetValue(format)!, parse.GetValue(limit)));
        return command;
    }
}
