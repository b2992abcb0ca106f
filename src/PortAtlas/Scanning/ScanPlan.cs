using System.Diagnostics.CodeAnalysis;
using System.Net;
using PortAtlas.Assessment;
using PortAtlas.Registry;
using PortAtlas.Targets;

namespace PortAtlas.Scanning;

/// <summary>
/// A scan, parsed and checked before any packet leaves: the resolved targets, the ports, the TCP technique, the engine
/// options (seed included, so the probe order can be walked again), detection and assessment, where results go. Made by
/// <see cref="ParseAsync"/>; run by <see cref="ScanSession"/>; saved with every checkpoint (<see cref="ToJson"/>,
/// <see cref="FromJson"/>): the saved plan keeps the resolved addresses, so a resumed scan never resolves a name again.
/// </summary>
public sealed record ScanPlan
{
    /// <summary>Ports scanned when the input names none: the N ranked highest.</summary>
    public const int DefaultTopPorts = 1000;

    /// <summary>The addresses to scan, resolved and with the excludes taken out.</summary>
    public required TargetSet Targets { get; init; }

    /// <summary>The ports, by transport: TCP goes to the <see cref="TcpTechnique"/>, UDP and SCTP to their raw engines.</summary>
    public required PortList Ports { get; init; }

    /// <summary>How TCP ports are scanned: <see cref="ScanTechnique.Auto"/>, <see cref="ScanTechnique.Connect"/> or <see cref="ScanTechnique.Syn"/>.</summary>
    public ScanTechnique TcpTechnique { get; init; } = ScanTechnique.Auto;

    /// <summary>Engine settings; <see cref="ScanOptions.Seed"/> is always set.</summary>
    public required ScanOptions Options { get; init; }

    /// <summary>Identify services on open ports.</summary>
    public bool Detect { get; init; }

    /// <summary>Assess results (findings).</summary>
    public bool Assess { get; init; } = true;

    /// <summary>Assessment rule files merged over the built-in ones (checked when parsed).</summary>
    public IReadOnlyList<string> RuleFiles { get; init; } = [];

    /// <summary>The NVD store for version-accurate CVE findings; null for none.</summary>
    public string? VulnDb { get; init; }

    /// <summary>List closed and filtered ports, not only count them.</summary>
    public bool ListEveryState { get; init; }

    /// <summary>Files the results go to (checked when parsed).</summary>
    public IReadOnlyList<string> OutputPaths { get; init; } = [];

    /// <summary>The command line, for the report.</summary>
    public string CommandLine { get; init; } = "";

    /// <summary>Which hosts get their PTR name after the scan: up ones (default, as Nmap), none (<c>-n</c>) or every one (<c>-R</c>).</summary>
    public ReverseDnsMode ReverseDns { get; init; } = ReverseDnsMode.UpHosts;

    /// <summary>The DNS servers reverse lookups ask; empty for <see cref="Scanning.DnsServers"/>' default choice when the scan runs.</summary>
    public IReadOnlyList<IPEndPoint> DnsServers { get; init; } = [];

    /// <summary>The scan group of a sharded scan (<see cref="ScanOptions.Shard"/> set); null for a scan of its own.</summary>
    public string? Group { get; init; }

    /// <summary>Host × port pairs in the plan.</summary>
    public ulong PairCount => Targets.Count * (ulong)Ports.Count;

    /// <summary>
    /// Parses and checks <paramref name="input"/>: target files and specs (names are resolved here, once), excludes,
    /// ports, techniques, numbers, the rule files and NVD store, and that every output path can be written. Sends
    /// nothing. A missing seed is drawn at random and kept.
    /// </summary>
    /// <param name="input">The scan as written.</param>
    /// <param name="resolver">Resolves host names; null for the system resolver.</param>
    /// <param name="cancellationToken">Cancels reading files and resolving names.</param>
    public static async Task<ScanPlanResult> ParseAsync(ScanPlanInput input, Func<string, CancellationToken, Task<IPAddress[]>>? resolver = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var techniques = input.Techniques;
        if (techniques.Contains(ScanTechnique.Syn) && techniques.Contains(ScanTechnique.Connect))
        {
            return ScanPlanResult.Fail("choose one TCP scan type: --syn or --connect", "--syn");
        }
        if (input.Rate is { } rate && !(rate > 0 && double.IsFinite(rate)))
        {
            return ScanPlanResult.Fail($"bad --rate '{rate}': give a positive number of probes per second", "--rate");
        }
        if (input.Shard is { } shard)
        {
            if (!shard.IsValid)
            {
                return ScanPlanResult.Fail($"bad --shard '{shard}': give I/N with 0 <= I < N <= {ScanShard.MaxCount}", "--shard");
            }
            if (input.Seed is null)
            {
                return ScanPlanResult.Fail("--shard needs --seed: every shard of a scan must walk the same order (give each the same seed)", "--shard");
            }
        }
        if (input.Group is not null && !ScanGroups.IsValidName(input.Group))
        {
            return ScanPlanResult.Fail($"bad --group '{input.Group}': use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit", input.Group);
        }
        if (input.MaxRetries is < 0 or > 50)
        {
            return ScanPlanResult.Fail($"bad --max-retries '{input.MaxRetries}': give 0-50", "--max-retries");
        }
        if (input.Concurrency is < 1)
        {
            return ScanPlanResult.Fail($"bad --concurrency '{input.Concurrency}': give a positive number", "--concurrency");
        }
        TimeSpan? hostTimeout = null;
        if (input.HostTimeout is not null)
        {
            if (!DurationParser.TryParse(input.HostTimeout, out var t))
            {
                return ScanPlanResult.Fail($"bad --host-timeout '{input.HostTimeout}': use e.g. 500ms, 30s, 5m", input.HostTimeout);
            }
            hostTimeout = t;
        }
        if (CheckAssessment(input.Assess ? input.RuleFiles : [], input.Assess ? input.VulnDb : null) is { } assessError)
        {
            return assessError;
        }
        foreach (var path in input.OutputPaths)
        {
            if (CheckOutputPath(path) is { } error)
            {
                return ScanPlanResult.Fail(error, path);
            }
        }
        IReadOnlyList<IPEndPoint> dnsServers = [];
        if (input.DnsServers is not null && !Scanning.DnsServers.TryParse(input.DnsServers, out dnsServers, out var badServer))
        {
            return ScanPlanResult.Fail($"bad --dns-servers '{badServer}': give addresses, A[,B], each optionally ADDR:PORT or [V6]:PORT", badServer);
        }
        var ports = ParsePorts(input, out var portError);
        if (ports is null)
        {
            return portError!;
        }

        var specs = input.Targets.Select(t => new TargetSpec(t)).ToList();
        if (input.TargetsFile is not null)
        {
            var file = await TargetSpecFile.ReadAsync(input.TargetsFile, cancellationToken).ConfigureAwait(false);
            if (!file.Success)
            {
                return ScanPlanResult.Fail(file.Error!, input.TargetsFile);
            }
            specs.AddRange(file.Specs!);
        }
        var excludes = input.Exclude.SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Select(e => new TargetSpec(e)).ToList();
        if (input.ExcludeFile is not null)
        {
            var file = await TargetSpecFile.ReadAsync(input.ExcludeFile, cancellationToken).ConfigureAwait(false);
            if (!file.Success)
            {
                return ScanPlanResult.Fail(file.Error!, input.ExcludeFile);
            }
            excludes.AddRange(file.Specs!);
        }
        if (specs.Count == 0)
        {
            return ScanPlanResult.Fail("no targets: name hosts to scan, e.g. 'ports scan 127.0.0.1' (PortAtlas has no default target)", null);
        }
        var parsed = await TargetSpecParser.ParseAsync(specs, new TargetParseOptions
        {
            Excludes = excludes,
            ResolveAll = input.ResolveAll,
            AllowHuge = input.AllowHuge,
            Resolver = resolver,
        }, cancellationToken).ConfigureAwait(false);
        if (!parsed.Success)
        {
            return ScanPlanResult.Fail(parsed.Error, parsed.Token);
        }
        if (parsed.Value.Count == 0)
        {
            return ScanPlanResult.Fail("no targets left after --exclude", null);
        }
        var tcp = techniques.Contains(ScanTechnique.Syn) ? ScanTechnique.Syn : techniques.Contains(ScanTechnique.Connect) ? ScanTechnique.Connect : ScanTechnique.Auto;
        return ScanPlanResult.Ok(new ScanPlan
        {
            Targets = parsed.Value,
            Ports = ports,
            TcpTechnique = tcp,
            Options = new ScanOptions
            {
                Rate = input.Rate,
                MaxRetries = input.MaxRetries ?? ScanOptions.Default.MaxRetries,
                HostTimeout = hostTimeout,
                Concurrency = input.Concurrency,
                // A plan always has a seed: with it, a checkpoint's position means the same probes on resume.
                Seed = input.Seed ?? (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue),
                SkipDiscovery = input.SkipDiscovery,
                Shard = input.Shard,
            },
            Detect = input.Detect,
            Assess = input.Assess,
            RuleFiles = input.RuleFiles,
            VulnDb = input.VulnDb,
            ListEveryState = input.ListEveryState,
            OutputPaths = input.OutputPaths,
            CommandLine = input.CommandLine,
            ReverseDns = input.ReverseDns,
            DnsServers = dnsServers,
            Group = input.Shard is null ? input.Group : input.Group ?? ScanGroups.DefaultName(parsed.Value, input.Seed!.Value),
        });
    }

    /// <summary>The plan as JSON: every field, the targets as resolved address ranges with their host names.</summary>
    public string ToJson() => ScanPlanJson.Write(this);

    /// <summary>A plan from <see cref="ToJson"/>'s JSON, exactly as saved; nothing is resolved again.</summary>
    public static ScanPlanResult FromJson(string json) => ScanPlanJson.Read(json);

    /// <summary>The rule files and NVD store can be read; an error naming the file otherwise.</summary>
    private static ScanPlanResult? CheckAssessment(IReadOnlyList<string> ruleFiles, string? vulnDb)
    {
        foreach (var path in ruleFiles)
        {
            if (!File.Exists(path))
            {
                return ScanPlanResult.Fail($"rules file '{path}' does not exist", path);
            }
            if (AssessmentRules.ReadFileText(path) is not { } text)
            {
                return ScanPlanResult.Fail(AssessmentRules.TooLarge(path), path);
            }
            var parsed = AssessmentRules.Parse(new StringReader(text), path);
            if (parsed.Errors.Count > 0)
            {
                return ScanPlanResult.Fail(parsed.Errors[0], path);
            }
        }
        if (vulnDb is not null && !File.Exists(vulnDb))
        {
            return ScanPlanResult.Fail($"NVD store '{vulnDb}' does not exist: make it with 'ports vulndb import FILE --vulndb {vulnDb}'", vulnDb);
        }
        return null;
    }

    /// <summary>
    /// Why <paramref name="path"/> cannot take a report, or null when it can: its directory must exist, it must not be a
    /// directory, and a file must be creatable there (probed with a file deleted on close; an existing file is opened for
    /// writing without being changed).
    /// </summary>
    public static string? CheckOutputPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "empty output path";
        }
        try
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                return $"cannot write '{path}': it is a directory";
            }
            var directory = Path.GetDirectoryName(full);
            if (directory is null || !Directory.Exists(directory))
            {
                return $"cannot write '{path}': directory '{directory}' does not exist";
            }
            if (File.Exists(full))
            {
                using var existing = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            }
            else
            {
                var probe = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.probe");
                using var created = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return $"cannot write '{path}': {ex.Message}";
        }
    }

    private static PortList? ParsePorts(ScanPlanInput input, out ScanPlanResult? error)
    {
        error = null;
        if (input.TopPorts is not null && input.Ports is not null)
        {
            error = ScanPlanResult.Fail("give either -p or --top-ports, not both", "--top-ports");
            return null;
        }
        if (input.TopPorts is < 1 or > PortRange.MaxPort)
        {
            error = ScanPlanResult.Fail($"bad --top-ports '{input.TopPorts}': give 1-65535", input.TopPorts.ToString());
            return null;
        }
        var techniques = input.Techniques;
        var transports = new List<Transport>();
        if (techniques.Contains(ScanTechnique.Connect) || techniques.Contains(ScanTechnique.Syn) || techniques.Contains(ScanTechnique.Auto)
            || !(techniques.Contains(ScanTechnique.Udp) || techniques.Contains(ScanTechnique.Sctp)))
        {
            transports.Add(Transport.Tcp);
        }
        if (techniques.Contains(ScanTechnique.Udp))
        {
            transports.Add(Transport.Udp);
        }
        if (techniques.Contains(ScanTechnique.Sctp))
        {
            transports.Add(Transport.Sctp);
        }
        var options = new PortParseOptions { Exclude = input.ExcludePorts, DefaultTransports = transports };
        var parsed = input.Ports is not null
            ? PortSpecParser.Parse(input.Ports, options)
            : PortSpecParser.Top(input.TopPorts ?? DefaultTopPorts, options);
        if (!parsed.Success)
        {
            error = ScanPlanResult.Fail(parsed.Error, parsed.Token);
            return null;
        }
        if (parsed.Value.Count == 0)
        {
            error = ScanPlanResult.Fail("no ports left to scan after --exclude-ports", input.ExcludePorts);
            return null;
        }
        return parsed.Value;
    }
}

/// <summary>The outcome of parsing a scan: a plan, or an error that names the bad token.</summary>
public sealed record ScanPlanResult
{
    private ScanPlanResult()
    {
    }

    /// <summary>True when <see cref="Plan"/> holds the plan; false when <see cref="Error"/> says why not.</summary>
    [MemberNotNullWhen(true, nameof(Plan))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Success => Plan is not null;

    /// <summary>The plan, or null on failure.</summary>
    public ScanPlan? Plan { get; private init; }

    /// <summary>A one-line message naming the bad token; null on success.</summary>
    public string? Error { get; private init; }

    /// <summary>The input the error is about (a spec, a path, an option), when one is to blame.</summary>
    public string? Token { get; private init; }

    internal static ScanPlanResult Ok(ScanPlan plan) => new() { Plan = plan };

    internal static ScanPlanResult Fail(string error, string? token) => new() { Error = error, Token = token };
}
