using System.CommandLine;
using System.CommandLine.Completions;
using System.Text.RegularExpressions;
using PortAtlas.Registry;
using PortAtlas.Storage;

namespace PortAtlas.Cli.Commands;

/// <summary>
/// Shell completion: `ports completion SHELL` prints a script for bash, zsh, fish or PowerShell, which asks the hidden
/// `ports __complete CWORD -- WORDS...` for the candidates: commands, options, formats, saved scan ids and service names,
/// all taken from the command definitions (System.CommandLine's completion sources) rather than a list kept by hand.
/// </summary>
internal static partial class CompletionCommand
{
    /// <summary>The shells a script is written for.</summary>
    internal static readonly string[] Shells = ["bash", "zsh", "fish", "powershell"];

    /// <summary>Adds the `completion` command and the hidden `__complete` command to <paramref name="root"/>, and completion sources to its options and arguments.</summary>
    public static void AddTo(RootCommand root, CliContext cli)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh, fish or powershell" };
        shell.AcceptOnlyFromAmong(Shells);
        var completion = new Command("completion", "Print the shell completion script for bash, zsh, fish or powershell") { shell };
        completion.SetAction(parse =>
        {
            cli.Out.Write(Script(parse.GetValue(shell)!));
            return ExitCodes.Success;
        });

        var cword = new Argument<int>("cword") { Description = "Index in WORDS of the word being completed" };
        var words = new Argument<string[]>("words") { Description = "The command line's words, the program's name first", Arity = ArgumentArity.ZeroOrMore };
        var complete = new Command("__complete", "Completion candidates, one a line (used by the completion scripts)") { cword, words };
        complete.Hidden = true;
        complete.SetAction(parse =>
        {
            foreach (var candidate in Candidates(root, parse.GetValue(words) ?? [], parse.GetValue(cword)))
            {
                cli.Out.WriteLine(candidate);
            }
            return ExitCodes.Success;
        });
        root.Subcommands.Add(completion);
        root.Subcommands.Add(complete);
        AttachSources(root);
    }

    /// <summary>The candidates for word <paramref name="cword"/> of <paramref name="words"/> (words[0] is the program).</summary>
    internal static IEnumerable<string> Candidates(RootCommand root, IReadOnlyList<string> words, int cword)
    {
        if (cword < 1)
        {
            return [];
        }
        var current = cword < words.Count ? words[cword] : "";
        var parse = root.Parse([.. words.Skip(1).Take(cword - 1), current]);
        IEnumerable<CompletionItem> items;
        try
        {
            // An empty word right after an option that takes a value completes that value; the parser would take
            // the empty word as the value and offer the next option instead.
            var previous = cword >= 2 && cword - 1 < words.Count ? words[cword - 1] : null;
            var option = current.Length == 0 && previous is not null ? FindOption(parse.CommandResult.Command, previous) : null;
            if (option is { Arity.MaximumNumberOfValues: > 0 } && option.ValueType != typeof(bool))
            {
                items = option.GetCompletions(parse.GetCompletionContext());
            }
            else if (current.Length > 0)
            {
                // A partial word completes at the end of the line; parsed from an array, the parser would treat it as whole.
                var line = string.Join(' ', words.Skip(1).Take(cword).Select(Quote));
                items = root.Parse(line).GetCompletions(line.Length);
            }
            else
            {
                items = parse.GetCompletions();
            }
        }
        catch (InvalidOperationException)
        {
            // System.CommandLine 2.0.0 throws on some incomplete lines; no candidates beats a stack trace in a shell.
            return [];
        }
        // Commands and options before values: "s" offers scan, search and show before service names.
        return items
            .OrderBy(c => c.Kind == "Keyword" ? 0 : 1)
            .Select(c => c.Label)
            .Where(l => l.StartsWith(current, StringComparison.Ordinal) && !l.StartsWith("__", StringComparison.Ordinal) && !l.StartsWith('/') && l != "-?")
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private static string Quote(string word) => word.Contains(' ', StringComparison.Ordinal) ? $"\"{word}\"" : word;

    private static Option? FindOption(Command? command, string name)
    {
        for (var c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            if (c.Options.FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name)) is { } option)
            {
                return option;
            }
        }
        return null;
    }

    /// <summary>Completion sources for the values of options and arguments, matched by name across the whole tree.</summary>
    private static void AttachSources(Command command)
    {
        foreach (var option in command.Options)
        {
            switch (option.Name)
            {
                case "--format" or "--output-format":
                    var formats = FormatWord().Matches(option.Description ?? "").Select(m => m.Value).Distinct().ToArray();
                    option.CompletionSources.Add(formats);
                    break;
                case "--save":
                    option.CompletionSources.Add([.. NmapOptions.SaveFormats.Select(f => f + "=")]);
                    break;
                case "--timing":
                    option.CompletionSources.Add(["0", "1", "2", "3", "4", "5"]);
                    break;
                case "--discovery":
                    option.CompletionSources.Add(["icmp-echo", "icmp-timestamp", "tcp-syn:", "tcp-ack:", "udp:"]);
                    break;
                case "--category":
                    option.CompletionSources.Add(["well-known", "registered", "dynamic"]);
                    break;
                case "--protocol":
                    option.CompletionSources.Add(["tcp", "udp", "sctp", "dccp"]);
                    break;
                case "--ports" or "--exclude-ports":
                    option.CompletionSources.Add(ServiceNames);
                    break;
            }
        }
        foreach (var argument in command.Arguments)
        {
            switch (argument.Name)
            {
                case "id" or "scans" or "scan":
                    argument.CompletionSources.Add(ScanIds);
                    break;
                case "query":
                    argument.CompletionSources.Add(ServiceNames);
                    break;
            }
        }
        foreach (var sub in command.Subcommands)
        {
            AttachSources(sub);
        }
    }

    private static IEnumerable<CompletionItem> ServiceNames(CompletionContext context)
    {
        var word = context.WordToComplete;
        // A port list completes its last element: "22,ht" offers "22,http".
        var comma = word.LastIndexOf(',');
        var prefix = comma < 0 ? "" : word[..(comma + 1)];
        var stem = word[(comma + 1)..];
        if (stem.Length == 0 || char.IsAsciiDigit(stem[0]))
        {
            return [];
        }
        return PortRegistry.Default.Entries
            .Select(e => e.Name)
            .Where(n => n.Length > 0 && n.StartsWith(stem, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)
            .Take(200)
            .Select(n => new CompletionItem(prefix + n));
    }

    private static IEnumerable<CompletionItem> ScanIds(CompletionContext context)
    {
        // Only an existing history is read: completing must not create one.
        var tokens = context.ParseResult.Tokens;
        var at = tokens.ToList().FindIndex(t => t.Value == "--db");
        var db = at >= 0 && at + 1 < tokens.Count ? tokens[at + 1].Value : null;
        if (string.IsNullOrEmpty(db) && !File.Exists(ScanStore.DefaultPath))
        {
            return [];
        }
        try
        {
            var store = ScanStore.Open(db);
            try
            {
                var scans = store.ListAsync(null, CancellationToken.None).GetAwaiter().GetResult();
                return [.. scans.Select(s => new CompletionItem(s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), detail: s.ScanType))];
            }
            finally
            {
                store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or System.Data.Common.DbException)
        {
            // A broken or locked history offers no ids rather than an error in the middle of a command line.
            return [];
        }
    }

    [GeneratedRegex(@"\b(table|text|jsonl|json|csv|xml|grep|sarif|html)\b")]
    private static partial Regex FormatWord();

    /// <summary>The completion script for <paramref name="shell"/>.</summary>
    internal static string Script(string shell) => shell switch
    {
        "bash" => """
            # ports completion for bash: source <(ports completion bash), or save as /usr/share/bash-completion/completions/ports
            _ports() {
                local IFS=$'\n'
                COMPREPLY=( $(ports __complete "$COMP_CWORD" -- "${COMP_WORDS[@]}" 2>/dev/null) )
            }
            complete -o default -o nosort -F _ports ports

            """,
        "zsh" => """
            #compdef ports
            # ports completion for zsh: source <(ports completion zsh), or save as _ports in a directory of $fpath
            _ports() {
                local -a candidates
                candidates=("${(@f)$(ports __complete $((CURRENT - 1)) -- "${words[@]}" 2>/dev/null)}")
                compadd -Q -- "${candidates[@]}"
            }
            if [[ "${funcstack[1]}" == "_ports" ]]; then _ports "$@"; else compdef _ports ports; fi

            """,
        "fish" => """
            # ports completion for fish: ports completion fish | source, or save as ~/.config/fish/completions/ports.fish
            function __ports_complete
                set -l words (commandline -opc) (commandline -ct)
                ports __complete (math (count $words) - 1) -- $words 2>/dev/null
            end
            complete -c ports -f -a '(__ports_complete)'

            """,
        _ => """
            # ports completion for PowerShell: ports completion powershell | Out-String | Invoke-Expression
            Register-ArgumentCompleter -Native -CommandName ports -ScriptBlock {
                param($wordToComplete, $commandAst, $cursorPosition)
                $words = @($commandAst.CommandElements | ForEach-Object { $_.ToString() })
                if ($wordToComplete -eq '') { $words += '' }
                $cword = $words.Count - 1
                & ports __complete $cword -- @words 2>$null | ForEach-Object {
                    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                }
            }

            """,
    };
}
