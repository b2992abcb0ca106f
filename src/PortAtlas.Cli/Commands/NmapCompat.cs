namespace PortAtlas.Cli.Commands;

/// <summary>
/// nmap's everyday flags on `ports scan`, with nmap's meaning: a step before parsing that rewrites nmap's spellings
/// (-oX FILE, -T4, -sn, -PS22,80, -vv ...) into PortAtlas's long options, and refuses, with one line naming an
/// alternative, the nmap flags PortAtlas does not offer. Only the `scan` command's arguments are rewritten.
/// </summary>
internal static class NmapCompat
{
    /// <summary>The result of a translation: the rewritten arguments, or the one-line reason a flag is refused.</summary>
    internal readonly record struct Translation(string[] Args, string? Error)
    {
        public bool Success => Error is null;
    }

    /// <summary>nmap flags PortAtlas does not offer, and the line it answers with. Keys ending in '*' match as prefixes.</summary>
    internal static readonly (string Flag, string Why)[] Refused =
    [
        ("-O", "OS detection is not offered (fingerprinting by stack quirks is out of scope); use --detect (-sV) for services and versions"),
        ("--osscan-limit", "OS detection is not offered; use --detect (-sV)"),
        ("--osscan-guess", "OS detection is not offered; use --detect (-sV)"),
        ("-sC", "NSE scripts are not offered; PortAtlas's assessment (on by default, with --detect) reports findings and known-exploited versions, and --rules adds your own"),
        ("--script*", "NSE scripts are not offered; the assessment (on by default, with --detect) reports findings, and --rules adds your own"),
        ("-iR", "random targets are not offered: PortAtlas scans only hosts you name"),
        ("-D", "decoys are not offered: PortAtlas sends only from your own address"),
        ("-S", "source address spoofing is not offered: PortAtlas sends only from your own address"),
        ("--spoof-mac", "MAC spoofing is not offered: PortAtlas sends only as your own machine"),
        ("-e", "choosing the interface is not offered: the kernel's route to each target decides it"),
        ("-g", "a fixed source port is not offered (firewall evasion); PortAtlas picks one per scan"),
        ("--source-port", "a fixed source port is not offered (firewall evasion); PortAtlas picks one per scan"),
        ("-f", "packet fragmentation is not offered (IDS evasion)"),
        ("--mtu", "packet fragmentation is not offered (IDS evasion)"),
        ("--data*", "custom probe payloads are not offered (--data, --data-string, --data-length); UDP probes carry protocol payloads"),
        ("--badsum", "bad checksums are not offered (firewall probing)"),
        ("--ip-options", "IP options are not offered"),
        ("--ttl", "setting the IP TTL is not offered"),
        ("-sI", "idle (zombie) scans are not offered: they send as another host; use -sS or -sT"),
        ("-b", "FTP bounce scans are not offered: they send through another host; use -sS or -sT"),
        ("-sA", "ACK scans are not offered; use -sS (SYN) or -sT (connect)"),
        ("-sW", "window scans are not offered; use -sS (SYN) or -sT (connect)"),
        ("-sM", "Maimon scans are not offered; use -sS (SYN) or -sT (connect)"),
        ("-sN", "NULL scans are not offered; use -sS (SYN) or -sT (connect)"),
        ("-sF", "FIN scans are not offered; use -sS (SYN) or -sT (connect)"),
        ("-sX", "Xmas scans are not offered; use -sS (SYN) or -sT (connect)"),
        ("--scanflags", "custom TCP flags are not offered; use -sS (SYN) or -sT (connect)"),
        ("-sO", "IP protocol scans are not offered; use -sS, -sU or -sY"),
        ("-sZ", "SCTP COOKIE ECHO scans are not offered; use -sY (SCTP INIT)"),
        ("-sL", "list scans are not offered; use -sn to see which hosts are up"),
        ("-PM", "ICMP address-mask discovery is not offered; use -PE or -PP"),
        ("-PO", "IP protocol discovery is not offered; use -PE, -PP, -PS, -PA or -PU"),
        ("-PY", "SCTP discovery is not offered; use -PE, -PP, -PS, -PA or -PU"),
        ("--traceroute", "traceroute is not offered"),
        ("--scan-delay", "a fixed delay between probes is not offered; use --max-rate (probes per second) or -T0..-T5"),
        ("--max-scan-delay", "a fixed delay between probes is not offered; use --max-rate (probes per second) or -T0..-T5"),
        ("--min-rtt-timeout", "round-trip timeouts one by one are not offered; -T0..-T5 set them (README: timing table)"),
        ("--max-rtt-timeout", "round-trip timeouts one by one are not offered; -T0..-T5 set them (README: timing table)"),
        ("--initial-rtt-timeout", "round-trip timeouts one by one are not offered; -T0..-T5 set them (README: timing table)"),
        ("--proxies", "scanning through proxies is not offered"),
        ("-oS", "\"script kiddie\" output is not offered; use -oN, -oX, -oG, -oJ or -oA"),
        ("-oM", "machine output is not offered; use -oG (grepable) or -oX (XML)"),
        ("-oH", "-oH is not an output PortAtlas offers; use -oN, -oX, -oG, -oJ or -oA"),
        ("--append-output", "appending to output files is not offered; each -o writes a new file"),
        ("--datadir", "nmap's data files are not used: PortAtlas carries its own registry and signatures"),
        ("--servicedb", "nmap's data files are not used: PortAtlas carries its own registry"),
        ("--versiondb", "nmap's data files are not used: PortAtlas carries its own signatures"),
        ("--packet-trace", "packet traces are not offered; -d prints the timing and the probe counts"),
        ("--send-eth", "choosing the sending layer is not offered"),
        ("--send-ip", "choosing the sending layer is not offered"),
        ("--resume-file", "nmap's resume files are not read; 'ports scan --resume ID' continues a saved scan"),
    ];

    /// <summary>nmap's timing template names, -T0 to -T5.</summary>
    internal static readonly string[] TimingNames = ["paranoid", "sneaky", "polite", "normal", "aggressive", "insane"];

    private static readonly HashSet<string> s_formats = new(StringComparer.OrdinalIgnoreCase)
    {
        "table", "json", "jsonl", "ndjson", "csv", "xml", "nmap-xml", "grep", "gnmap", "grepable", "sarif", "html",
    };

    /// <summary>nmap flags that take no argument and are accepted with nothing to do (PortAtlas already behaves so).</summary>
    private static readonly HashSet<string> s_noOps = new(StringComparer.Ordinal)
    {
        "-PR",                // ARP discovery is automatic on attached Ethernet segments.
        "--system-dns",       // target names resolve through the system's resolver; PTR lookups ask the servers directly.
        "--noninteractive",
        "--no-stylesheet",
        "--privileged",       // raw sockets are used whenever permitted.
        "--randomize-hosts",  // hosts and ports are already probed in a random order (-r for sequential).
        "--defeat-rst-ratelimit", // a port whose reset a rate limit withheld is re-probed, never reported open.
        "--webxml",           // the XML carries no stylesheet reference to choose.
    };

    /// <summary>
    /// nmap flags that take a value and are accepted with nothing to do: host groups (every host is scanned in one
    /// window, with memory bounded by the engine), parallelism floors (the engines adapt), status lines (a terminal shows
    /// a progress bar; -v prints open ports as they come) and the stylesheet.
    /// </summary>
    private static readonly HashSet<string> s_noOpsWithValue = new(StringComparer.Ordinal)
    {
        "--min-hostgroup", "--max-hostgroup", "--min-parallelism", "--stats-every", "--stylesheet",
    };

    /// <summary>Rewrites the arguments of `ports scan` (everything after the word "scan"); arguments of other commands pass unchanged.</summary>
    public static Translation Translate(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] != "scan")
        {
            return new Translation(args, null);
        }
        var result = new List<string>(args.Length + 4) { "scan" };
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                result.AddRange(args[i..]);
                break;
            }
            string? Next()
            {
                return i + 1 < args.Length ? args[++i] : null;
            }
            // -f is PortAtlas's --format when a format follows, and nmap's fragmentation (refused) otherwise.
            if (arg == "-f" && i + 1 < args.Length && s_formats.Contains(args[i + 1]))
            {
                result.Add(arg);
                result.Add(Next()!);
                continue;
            }
            var error = TranslateOne(arg, Next, result);
            if (error is not null)
            {
                return new Translation([], error);
            }
        }
        return new Translation([.. result], null);
    }

    private static string? TranslateOne(string arg, Func<string?> next, List<string> result)
    {
        if (!arg.StartsWith('-') || arg == "-")
        {
            result.Add(arg);
            return null;
        }
        if (s_noOps.Contains(arg))
        {
            return null;
        }
        var name = arg.Split('=', 2)[0];
        if (s_noOpsWithValue.Contains(name))
        {
            return name.Length < arg.Length || next() is { Length: > 0 } value && value[0] != '-' ? null : $"{arg} needs a value";
        }
        if (FindRefusal(arg) is { } why)
        {
            return $"{arg}: {why}";
        }

        // Output: -oN/-oX/-oG/-oJ FILE (or attached: -oXscan.xml), -oA BASE; "-" is stdout.
        if (arg.Length >= 3 && arg.StartsWith("-o", StringComparison.Ordinal) && "NXGJA".Contains(arg[2], StringComparison.Ordinal)
            && (arg.Length == 3 || !arg.StartsWith("--", StringComparison.Ordinal)))
        {
            var kind = arg[2];
            var file = arg.Length > 3 ? arg[3..] : next();
            if (string.IsNullOrEmpty(file))
            {
                return $"{arg[..3]} needs a file name";
            }
            var format = kind switch { 'N' => "normal", 'X' => "xml", 'G' => "grep", 'J' => "json", _ => "all" };
            if (file == "-")
            {
                if (kind == 'A')
                {
                    return "-oA needs a base name, not '-'";
                }
                result.Add("--format");
                result.Add(kind == 'N' ? "table" : format);
                return null;
            }
            if (kind == 'A')
            {
                result.AddRange(["--save", $"normal={file}.nmap", "--save", $"xml={file}.xml", "--save", $"grep={file}.gnmap"]);
            }
            else
            {
                result.AddRange(["--save", $"{format}={file}"]);
            }
            return null;
        }

        // Timing: -T4, -T 4, -Taggressive, -T aggressive.
        if (arg.StartsWith("-T", StringComparison.Ordinal) && !arg.StartsWith("--", StringComparison.Ordinal))
        {
            var value = arg.Length > 2 ? arg[2..] : next();
            var level = value is null ? -1 : Array.IndexOf(TimingNames, value.ToLowerInvariant());
            if (level < 0 && value is { Length: 1 } && value[0] is >= '0' and <= '5')
            {
                level = value[0] - '0';
            }
            if (level < 0)
            {
                return $"bad timing '{(arg.Length > 2 ? arg : $"{arg} {value}")}': use -T0 to -T5 (or paranoid, sneaky, polite, normal, aggressive, insane)";
            }
            result.AddRange(["--timing", level.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            return null;
        }

        // Verbosity and debugging: -v, -vv, -v3, -d, -dd, -d2.
        if (arg.Length >= 2 && arg[0] == '-' && arg[1] is 'v' or 'd' && !arg.StartsWith("--", StringComparison.Ordinal))
        {
            var letter = arg[1];
            var rest = arg[2..];
            int level;
            if (rest.All(c => c == letter))
            {
                level = rest.Length + 1;
            }
            else if (rest.Length == 1 && char.IsAsciiDigit(rest[0]))
            {
                level = rest[0] - '0';
            }
            else
            {
                result.Add(arg);
                return null;
            }
            if (level > 0)
            {
                result.AddRange([letter == 'v' ? "--verbose" : "--debug", level.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }
            return null;
        }

        // Scan types, possibly combined (-sSV): S, T, U, Y, V, and n (ping only).
        if (arg.StartsWith("-s", StringComparison.Ordinal) && arg.Length > 2 && !arg.StartsWith("--", StringComparison.Ordinal))
        {
            foreach (var c in arg[2..])
            {
                var single = $"-s{c}";
                if (FindRefusal(single) is { } refused)
                {
                    return $"{single}: {refused}";
                }
                switch (c)
                {
                    case 'S': result.Add("--syn"); break;
                    case 'T': result.Add("--connect"); break;
                    case 'U': result.Add("--udp"); break;
                    case 'Y': result.Add("--sctp"); break;
                    case 'V': result.Add("--detect"); break;
                    case 'n': case 'P': result.Add("--ping-only"); break;
                    default: return $"{single}: not an nmap scan type PortAtlas offers; use -sS, -sT, -sU, -sY, -sV or -sn";
                }
            }
            return null;
        }

        // Discovery probes: -PE, -PP, -PS[ports], -PA[ports], -PU[ports]; -Pn is --skip-discovery.
        if (arg.StartsWith("-P", StringComparison.Ordinal) && arg.Length >= 3 && !arg.StartsWith("--", StringComparison.Ordinal))
        {
            var ports = arg[3..];
            switch (arg[2])
            {
                case 'n' or 'N' when arg.Length == 3: result.Add("--skip-discovery"); return null;
                case 'E' when arg.Length == 3: result.AddRange(["--discovery", "icmp-echo"]); return null;
                case 'P' when arg.Length == 3: result.AddRange(["--discovery", "icmp-timestamp"]); return null;
                case 'S': result.AddRange(["--discovery", $"tcp-syn:{(ports.Length == 0 ? "80" : ports)}"]); return null;
                case 'A': result.AddRange(["--discovery", $"tcp-ack:{(ports.Length == 0 ? "80" : ports)}"]); return null;
                case 'U': result.AddRange(["--discovery", $"udp:{(ports.Length == 0 ? "40125" : ports)}"]); return null;
                default: return $"{arg}: not a discovery probe PortAtlas offers; use -PE, -PP, -PS, -PA, -PU or -Pn";
            }
        }

        switch (arg)
        {
            case "-A":
                // nmap's -A is -O -sV -sC --traceroute; PortAtlas's share of that is detection, and assessment is always on.
                result.Add("--detect");
                return null;
            case "-F":
                result.AddRange(["--top-ports", "100"]);
                return null;
            case "-r":
                result.Add("--sequential");
                return null;
            case "-R":
                result.Add("--reverse-dns");
                return null;
            case "-n":
                result.Add("--no-reverse-dns");
                return null;
            case "-6":
                result.Add("--ipv6");
                return null;
            case "-PN":
                result.Add("--skip-discovery");
                return null;
            case "--unprivileged":
                // nmap's "assume no raw socket privileges": a connect scan.
                result.Add("--connect");
                return null;
            case "--max-rate":
                result.Add("--rate");
                return null;
            case "--excludefile":
                result.Add("--exclude-file");
                return null;
            case "--max-parallelism":
                result.Add("--concurrency");
                return null;
            case "--version-light":
                result.AddRange(["--version-intensity", "2"]);
                return null;
            case "--version-all":
                result.AddRange(["--version-intensity", "9"]);
                return null;
            case "-p-":
                result.AddRange(["--ports", "-"]);
                return null;
        }
        // -p22,80 and -p 22,80 are both nmap; System.CommandLine wants the value apart.
        if (arg.StartsWith("-p", StringComparison.Ordinal) && arg.Length > 2 && !arg.StartsWith("--", StringComparison.Ordinal))
        {
            result.AddRange(["--ports", arg[2..]]);
            return null;
        }
        result.Add(arg);
        return null;
    }

    private static string? FindRefusal(string arg)
    {
        var name = arg.Split('=', 2)[0];
        foreach (var (flag, why) in Refused)
        {
            if (flag.EndsWith('*') ? name.StartsWith(flag[..^1], StringComparison.Ordinal) : name == flag)
            {
                return why;
            }
        }
        return null;
    }
}
