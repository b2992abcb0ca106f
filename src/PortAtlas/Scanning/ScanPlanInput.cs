namespace PortAtlas.Scanning;

/// <summary>The ways to scan a port.</summary>
public enum ScanTechnique
{
    /// <summary>TCP: a SYN scan when raw sockets are permitted, a connect scan otherwise.</summary>
    Auto,
    /// <summary>TCP connect scan (no privileges needed).</summary>
    Connect,
    /// <summary>TCP SYN ("half-open") scan with raw packets.</summary>
    Syn,
    /// <summary>UDP scan with protocol payloads (raw packets).</summary>
    Udp,
    /// <summary>SCTP INIT scan (raw packets).</summary>
    Sctp,
}

/// <summary>
/// A scan as a user writes it: texts and numbers, unchecked. <see cref="ScanPlan.ParseAsync"/> turns it into a
/// <see cref="ScanPlan"/> or an error that names the bad token.
/// </summary>
public sealed record ScanPlanInput
{
    /// <summary>Target specs: addresses, names, CIDR blocks, ranges.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>A file of target specs (one or more a line, # comments); null for none.</summary>
    public string? TargetsFile { get; init; }

    /// <summary>Specs never to scan (same syntax; commas separate several in one string).</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>A file of specs to exclude; null for none.</summary>
    public string? ExcludeFile { get; init; }

    /// <summary>Scan every address a name resolves to, not only the first.</summary>
    public bool ResolveAll { get; init; }

    /// <summary>Allow more than 2^24 addresses.</summary>
    public bool AllowHuge { get; init; }

    /// <summary>Port spec (<c>22,80,443</c>, <c>1-1024</c>, <c>-</c>, <c>T:80,U:53</c>, <c>http,ssh</c>); null for the top ports.</summary>
    public string? Ports { get; init; }

    /// <summary>Ports never to scan (same syntax).</summary>
    public string? ExcludePorts { get; init; }

    /// <summary>The N highest-ranked ports; default <see cref="ScanPlan.DefaultTopPorts"/> when <see cref="Ports"/> is null.</summary>
    public int? TopPorts { get; init; }

    /// <summary>Techniques asked for; empty for <see cref="ScanTechnique.Auto"/> over TCP.</summary>
    public IReadOnlyList<ScanTechnique> Techniques { get; init; } = [];

    /// <summary>Most probes per second; null for each engine's default.</summary>
    public double? Rate { get; init; }

    /// <summary>Retransmissions of an unanswered probe, 0-50; null for the default (6).</summary>
    public int? MaxRetries { get; init; }

    /// <summary>Give up on a host after this long (<c>500ms</c>, <c>30s</c>, <c>5m</c>); null for never.</summary>
    public string? HostTimeout { get; init; }

    /// <summary>Most connects in flight; null for the default from the open-file limit.</summary>
    public int? Concurrency { get; init; }

    /// <summary>Seed of the probe order; null for a random one (drawn once, and kept by the plan).</summary>
    public ulong? Seed { get; init; }

    /// <summary>Scan only this shard of the plan (<see cref="ScanShard"/>, counted from 0); null for all of it. Needs <see cref="Seed"/>.</summary>
    public ScanShard? Shard { get; init; }

    /// <summary>The scan group the shards of one plan are stored under; null derives one from the targets and seed (<see cref="ScanGroups.DefaultName"/>).</summary>
    public string? Group { get; init; }

    /// <summary>Raw scans of a range: treat every host as up.</summary>
    public bool SkipDiscovery { get; init; }

    /// <summary>Identify service, product and version on open ports.</summary>
    public bool Detect { get; init; }

    /// <summary>Assess the results (findings); default true.</summary>
    public bool Assess { get; init; } = true;

    /// <summary>Assessment rule files of the user's, merged over the built-in rules.</summary>
    public IReadOnlyList<string> RuleFiles { get; init; } = [];

    /// <summary>An NVD store (<c>ports vulndb import</c>); null for none.</summary>
    public string? VulnDb { get; init; }

    /// <summary>List closed and filtered ports too, not only their count.</summary>
    public bool ListEveryState { get; init; }

    /// <summary>Files the results will be written to: each is checked before any packet (its directory exists, it is not a directory, it can be written).</summary>
    public IReadOnlyList<string> OutputPaths { get; init; } = [];

    /// <summary>The command line, for the report.</summary>
    public string CommandLine { get; init; } = "";

    /// <summary>Which hosts get their PTR name: up ones (default, as Nmap), none (<c>-n</c>) or all (<c>-R</c>).</summary>
    public ReverseDnsMode ReverseDns { get; init; } = ReverseDnsMode.UpHosts;

    /// <summary>DNS servers for reverse lookups, <c>A[,B...]</c> (Nmap's <c>--dns-servers</c>); null for <see cref="Scanning.DnsServers"/>' default.</summary>
    public string? DnsServers { get; init; }
}
