using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Globalization;
using System.Text;

namespace PortAtlas.Cli.Commands;

/// <summary>
/// The manual: `ports manpage` (hidden) writes ports(1) in roff from the command definitions, so the manual and
/// `--help` cannot drift apart; `ports help COMMAND` and `COMMAND --help` print the same examples as the manual.
/// docs/ports.1 is this command's output, checked by a test.
/// </summary>
internal static class ManualCommand
{
    /// <summary>Examples per command path ("" is the root), shared by the manual and --help.</summary>
    internal static readonly IReadOnlyDictionary<string, (string Command, string What)[]> Examples = new Dictionary<string, (string, string)[]>(StringComparer.Ordinal)
    {
        [""] =
        [
            ("ports 443", "What is port 443?"),
            ("ports ldaps 3389/tcp 6665-6669", "Several queries at once: a name, a port and protocol, a range"),
        ],
        ["lookup"] =
        [
            ("ports lookup 53/udp", "Every registry entry for DNS over UDP"),
            ("ports lookup 22 --format json", "The entries as JSON, for scripts"),
        ],
        ["search"] =
        [
            ("ports search remote desktop", "Ranked keyword search: exact names first"),
            ("ports search vnc --limit 5 --format csv", "The best five as CSV"),
        ],
        ["list"] =
        [
            ("ports list --significant", "Every port PortAtlas has curated notes on"),
            ("ports list --category well-known --protocol udp", "Well-known UDP ports"),
        ],
        ["scan"] =
        [
            ("ports scan 127.0.0.1", "The 1,000 highest-ranked TCP ports (SYN as root, connect otherwise)"),
            ("ports scan 198.18.0.0/24 -p 22,80,443 --detect", "Three ports on a /24, with service and version detection"),
            ("ports scan 198.18.0.2 -sV -T4 -oA lab", "nmap's spelling: detection, aggressive timing, lab.nmap, lab.xml and lab.gnmap"),
            ("ports scan 198.18.0.0/24 -sn -PS22,443", "Host discovery only, with TCP SYN probes to 22 and 443"),
            ("ports scan ::1 -sU -p 53,161 --reason", "UDP ports over IPv6, with the reason for each state"),
            ("ports scan --resume 12", "Continue scan 12 after Ctrl-C"),
        ],
        ["vulndb import"] =
        [
            ("ports vulndb import nvdcve-2.0-2026.json", "Build the local NVD store for version-accurate CVE findings"),
        ],
        ["local"] =
        [
            ("ports local", "Listening sockets of this machine, with process and risk"),
            ("ports local --tcp --format json", "TCP listeners as JSON"),
        ],
        ["serve"] =
        [
            ("ports serve", "The scan store as web pages and a JSON API on http://127.0.0.1:8080/"),
            ("ports serve --allow-scans --listen 127.0.0.1:9000", "Also start scans from the page, on another port"),
            ("ports serve --listen 198.18.0.1:8080 --token-file token.txt", "On another address: every request needs the token"),
        ],
        ["history"] =
        [
            ("ports history", "Saved scans, newest first"),
            ("ports history --target 198.18.0 --limit 5", "The last five scans of the lab"),
        ],
        ["show"] =
        [
            ("ports show 12", "Scan 12 as a table"),
            ("ports show 12 --format xml > scan12.xml", "Scan 12 as Nmap XML, for ndiff and other tools"),
        ],
        ["diff"] =
        [
            ("ports diff 11 12", "What changed between scans 11 and 12"),
            ("ports diff --last 198.18.0.2 --format text", "The latest two scans of a host, ndiff-style"),
        ],
        ["import"] =
        [
            ("ports import old-scan.xml", "Bring an nmap -oX file into the history"),
        ],
        ["report"] =
        [
            ("ports report 12 -o report.html", "A self-contained HTML report of scan 12"),
            ("ports report 12 -o findings.sarif", "The findings as SARIF, for code-scanning dashboards"),
        ],
        ["completion"] =
        [
            ("source <(ports completion bash)", "Completion in this bash session"),
            ("ports completion fish > ~/.config/fish/completions/ports.fish", "Completion in fish from now on"),
        ],
        ["help"] =
        [
            ("ports help scan", "The scan command's options and examples"),
        ],
    };

    /// <summary>Adds `help`, the hidden `manpage`, and examples after every command's --help.</summary>
    public static void AddTo(RootCommand root, CliContext cli)
    {
        var words = new Argument<string[]>("command") { Description = "The command to explain, e.g. scan or 'vulndb import'", Arity = ArgumentArity.ZeroOrMore };
        var help = new Command("help", "Options and examples of a command: 'ports help scan'") { words };
        help.SetAction(parse =>
        {
            var target = parse.GetValue(words) ?? [];
            var path = target.SelectMany(w => w.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
            var result = root.Parse([.. path, "--help"]);
            if (PathOf(result.CommandResult.Command) != string.Join(' ', path))
            {
                return cli.Fail(ExitCodes.BadInput, $"no command '{string.Join(' ', target)}': try 'ports --help'");
            }
            return result.Invoke(new InvocationConfiguration { Output = cli.Out, Error = cli.Error });
        });
        var manpage = new Command("manpage", "Write the ports(1) manual page in roff on stdout") { Hidden = true };
        manpage.SetAction(_ =>
        {
            cli.Out.Write(Generate(root));
            return ExitCodes.Success;
        });
        root.Subcommands.Add(help);
        root.Subcommands.Add(manpage);
        if (root.Options.OfType<HelpOption>().FirstOrDefault() is { Action: SynchronousCommandLineAction inner } helpOption)
        {
            helpOption.Action = new HelpWithExamples(inner, cli);
        }
    }

    /// <summary>The command's path below the root: "", "scan", "vulndb import".</summary>
    internal static string PathOf(Command command)
    {
        var names = new List<string>();
        for (var c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }
        return string.Join(' ', names);
    }

    /// <summary>The usual help, then the command's examples as its last section.</summary>
    internal sealed class HelpWithExamples(SynchronousCommandLineAction inner, CliContext cli) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var code = inner.Invoke(parseResult);
            if (Examples.TryGetValue(PathOf(parseResult.CommandResult.Command), out var examples))
            {
                cli.Out.WriteLine("Examples:");
                foreach (var (command, what) in examples)
                {
                    cli.Out.WriteLine($"  {command}");
                    cli.Out.WriteLine($"      {what}");
                }
                cli.Out.WriteLine();
            }
            return code;
        }
    }

    /// <summary>ports(1) in roff (man(7) macros), from the command tree; deterministic, so it can be committed and compared.</summary>
    internal static string Generate(RootCommand root)
    {
        var m = new StringBuilder();
        var version = typeof(ManualCommand).Assembly.GetName().Version?.ToString(3) ?? "0";
        // The first line asks man to run tbl(1) for the timing table.
        m.Append("'\\\" t\n");
        m.Append(CultureInfo.InvariantCulture, $".TH PORTS 1 \"\" \"PortAtlas {version}\" \"User Commands\"\n");
        m.Append(".\\\" Generated by 'ports manpage' from the command definitions; do not edit by hand.\n");
        m.Append(".SH NAME\nports \\- look up, scan, detect and assess network ports\n");
        m.Append(".SH SYNOPSIS\n");
        m.Append(".B ports\n.I QUERY...\n.br\n");
        foreach (var command in Visible(root))
        {
            m.Append(CultureInfo.InvariantCulture, $".B ports {Escape(PathOf(command))}\n.I \"{Escape(Synopsis(command))}\"\n.br\n");
        }
        m.Append(".SH DESCRIPTION\n").Append(Escape(root.Description ?? "")).Append('\n');
        m.Append(".PP\nEvery port printed is explained from the registry: the IANA Service Name and Transport Protocol Port Number Registry and PortAtlas's own curated notes. ");
        m.Append("Scans send packets only to the hosts named on the command line; there is no default target.\n");
        WriteOptions(m, root);
        WriteExamples(m, root);
        m.Append(".SH COMMANDS\n");
        foreach (var command in Visible(root))
        {
            m.Append(".SS ").Append(Quoted(PathOf(command))).Append('\n');
            m.Append(".B ports ").Append(Escape(PathOf(command))).Append("\n.I ").Append(Quoted(Synopsis(command))).Append("\n.PP\n");
            m.Append(Escape(command.Description ?? "")).Append('\n');
            foreach (var argument in command.Arguments.Where(a => !a.Hidden))
            {
                m.Append(".TP\n.I ").Append(Escape(argument.Name.ToUpperInvariant())).Append('\n').Append(Escape(argument.Description ?? "")).Append('\n');
            }
            WriteOptions(m, command);
            WriteExamples(m, command);
        }
        m.Append(".SH NMAP FLAGS\n");
        m.Append("On\n.BR \"ports scan\" ,\nnmap's everyday flags work with nmap's meaning: ");
        m.Append(Escape("-oN/-oX/-oG/-oA FILE (and -oJ for JSON), -T0 to -T5, -v, -vv, -d, -n, -R, --reason, --open, -6, -F, -r, --min-rate, --max-rate, -sn, -PS/-PA/-PU/-PE/-PP, --version-intensity, -A, -sV, -sT, -sS, -sU, -sY, -Pn, -iL, -p."));
        m.Append("\nEach is rewritten into the long option shown above before parsing; --unprivileged is --connect.\n");
        m.Append(".PP\nAccepted with nothing to do, as PortAtlas already behaves so: ");
        m.Append(Escape("--randomize-hosts, --defeat-rst-ratelimit, --min-hostgroup N, --max-hostgroup N, --min-parallelism N, --stats-every T, --webxml, --stylesheet FILE, --privileged, --system-dns, -PR."));
        m.Append("\nAny other word spelled as an option is refused as an unknown option (exit status 2).\n");
        m.Append(".PP\nThe timing templates set the rate ceiling, retries and probe timeouts, as nmap's do; an explicit option wins:\n");
        m.Append(".TS\nl l l l l l.\ntemplate\trate/s\tretries\tinitial\tmin\tmax timeout\n");
        for (var i = 0; i < TimingTemplate.All.Length; i++)
        {
            var t = TimingTemplate.All[i];
            m.Append(CultureInfo.InvariantCulture, $"\\-T{i} {t.Name}\t{(t.Rate is { } r ? r.ToString("0.####", CultureInfo.InvariantCulture) : "adaptive")}\t{t.MaxRetries}\t{t.InitialTimeout.TotalMilliseconds} ms\t{t.MinTimeout.TotalMilliseconds} ms\t{t.MaxTimeout.TotalMilliseconds} ms\n");
        }
        m.Append(".TE\n.PP\nThese nmap flags are refused (exit status 2) with one line saying what to use instead:\n");
        foreach (var (flag, why) in NmapCompat.Refused)
        {
            m.Append(".TP\n.B ").Append(Escape(flag.TrimEnd('*'))).Append('\n').Append(Escape(why)).Append('\n');
        }
        m.Append(".SH EXIT STATUS\n.TP\n0\nSuccess.\n.TP\n1\nA runtime failure, or a query that matched nothing.\n.TP\n2\nBad input: one line on standard error names the bad token.\n");
        m.Append(".TP\n130\nInterrupted by SIGINT, after printing and writing what was found.\n.TP\n143\nTerminated by SIGTERM, likewise.\n");
        m.Append(".SH FILES\n.TP\n.I ~/.local/share/portatlas/history.db\nThe scan history (SQLite); \\fB\\-\\-db\\fR chooses another file or a PostgreSQL server.\n");
        m.Append(".SH SEE ALSO\n.BR nmap (1),\n.BR ndiff (1),\n.BR ss (8)\n");
        return m.ToString();
    }

    private static IEnumerable<Command> Visible(Command command)
    {
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            if (sub.Action is not null)
            {
                yield return sub;
            }
            foreach (var nested in Visible(sub))
            {
                yield return nested;
            }
        }
    }

    private static string Synopsis(Command command)
    {
        var parts = command.Arguments.Where(a => !a.Hidden).Select(a =>
        {
            var name = a.Name.ToUpperInvariant();
            return a.Arity.MaximumNumberOfValues > 1 ? $"{name}..." : a.Arity.MinimumNumberOfValues == 0 ? $"[{name}]" : name;
        });
        return string.Join(' ', (command.Options.Any(o => !o.Hidden) ? ["[OPTIONS]"] : Array.Empty<string>()).Concat(parts));
    }

    private static void WriteOptions(StringBuilder m, Command command)
    {
        var options = command.Options.Where(o => !o.Hidden && o is not HelpOption && o is not VersionOption).ToList();
        if (options.Count == 0)
        {
            return;
        }
        m.Append(command is RootCommand ? ".SH OPTIONS\n" : ".PP\nOptions:\n");
        foreach (var option in options)
        {
            var names = string.Join(", ", new[] { option.Name }.Concat(option.Aliases.Order(StringComparer.Ordinal)).Select(n => $"\\fB{Escape(n)}\\fR"));
            var value = option.ValueType == typeof(bool) ? "" : $" \\fI{Escape(option.HelpName ?? option.Name.TrimStart('-').ToUpperInvariant())}\\fR";
            m.Append(".TP\n").Append(names).Append(value).Append('\n').Append(Escape(option.Description ?? "")).Append('\n');
        }
    }

    private static void WriteExamples(StringBuilder m, Command command)
    {
        if (!Examples.TryGetValue(PathOf(command), out var examples))
        {
            return;
        }
        m.Append(command is RootCommand ? ".SH EXAMPLES\n" : ".PP\nExamples:\n");
        foreach (var (line, what) in examples)
        {
            m.Append(".TP\n.B ").Append(Escape(line)).Append('\n').Append(Escape(what)).Append('\n');
        }
    }

    private static string Quoted(string text) => $"\"{Escape(text)}\"";

    /// <summary>Descriptions name default paths under this user's home; the manual names them as they are for everyone.</summary>
    private static string Portable(string text)
    {
        var data = Path.GetDirectoryName(Path.GetDirectoryName(Storage.ScanStore.DefaultPath));
        if (!string.IsNullOrEmpty(data))
        {
            text = text.Replace(data, "~/.local/share", StringComparison.Ordinal);
        }
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? text : text.Replace(home + "/", "~/", StringComparison.Ordinal);
    }

    /// <summary>Escapes text for roff: backslashes, hyphens (so they render as minus signs), and a leading dot or quote.</summary>
    internal static string Escape(string text)
    {
        var escaped = Portable(text).Replace("\\", "\\e", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
        return escaped.StartsWith('.') || escaped.StartsWith('\'') ? "\\&" + escaped : escaped;
    }
}
