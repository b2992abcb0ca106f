namespace PortAtlas.Scanning.Raw;

/// <summary>The raw-packet scan types.</summary>
public enum RawScanType
{
    /// <summary>TCP SYN ("half-open") scan: SYN-ACK open, RST closed, silence or ICMP unreachable filtered.</summary>
    Syn,
    /// <summary>UDP scan: any UDP reply open, ICMP port unreachable closed, other unreachables filtered, silence open|filtered.</summary>
    Udp,
    /// <summary>SCTP INIT scan: INIT ACK open, ABORT closed, silence or ICMP unreachable filtered.</summary>
    Sctp,
}

/// <summary>
/// The raw engine's own settings, derived from the public <see cref="ScanOptions"/> (<see cref="From"/>): one options type
/// for every engine outside, the raw engine's fine controls inside.
/// </summary>
internal sealed record RawScanOptions
{
    /// <summary>The raw engine's settings for <paramref name="options"/> and <paramref name="type"/>.</summary>
    public static RawScanOptions From(ScanOptions options, RawScanType type) => new()
    {
        ScanType = type,
        Rate = options.Rate ?? ScanOptions.DefaultRawRate,
        StartRate = options.Rate is null ? ScanOptions.DefaultRawStartRate : null,
        MinRate = options.MinRate ?? Math.Min(Default.MinRate, options.Rate ?? double.MaxValue),
        MinRetries = Math.Min(Default.MinRetries, options.MaxRetries),
        MaxRetries = options.MaxRetries,
        InitialTimeout = options.InitialTimeout,
        MinTimeout = options.MinTimeout,
        MaxTimeout = options.MaxTimeout ?? Default.MaxTimeout,
        SkipDiscovery = options.SkipDiscovery,
        VerifyOpen = options.VerifyOpen,
        PaceIcmpRateLimit = options.PaceIcmpRateLimit,
        SourcePort = options.SourcePort,
        Seed = options.Seed,
        Sequential = options.Sequential,
        Shard = options.Shard,
        DiscoveryProbes = options.DiscoveryProbes,
        TimeProvider = options.TimeProvider,
        SendThreads = SendThreadsFromEnvironment(),
        UniformHostsImplicit = options.UniformHostsImplicit,
        ReceiveRing = Environment.GetEnvironmentVariable("PORTATLAS_RX_RING") != "0",
    };

    /// <summary>Probe only this shard's part of the pairs (see <see cref="ScanOptions.Shard"/>); null for all.</summary>
    public ScanShard? Shard { get; init; }

    /// <summary>The defaults: a SYN scan.</summary>
    public static RawScanOptions Default { get; } = new();

    /// <summary>Which probes to send; default <see cref="RawScanType.Syn"/>. Ports come from the matching list of the <see cref="PortList"/>.</summary>
    public RawScanType ScanType { get; init; } = RawScanType.Syn;

    /// <summary>
    /// Ceiling on packets per second, retransmissions included; default 100 000. The engine starts at
    /// <see cref="StartRate"/> (the ceiling when unset), grows while answers keep pace (<see cref="RateController"/>) and
    /// halves its rate when it sees drops (the receive socket overflowing, the send queue full, answers falling behind the
    /// probes, or a retransmission pass answered far more often than loss alone explains); it never goes above the ceiling.
    /// </summary>
    public double Rate { get; init; } = 100_000;

    /// <summary>
    /// Rate of the first probes, packets per second; <see langword="null"/> (default) for <see cref="Rate"/>. A scan without
    /// a ceiling of the user's starts at <see cref="ScanOptions.DefaultRawStartRate"/> and finds its rate from there.
    /// </summary>
    public double? StartRate { get; init; }

    /// <summary>The floor the adaptive rate never goes below; default 100 packets per second.</summary>
    public double MinRate { get; init; } = 100;

    /// <summary>Retransmission passes always made over unanswered probes; default 1 (two probes per silent port).</summary>
    public int MinRetries { get; init; } = 1;

    /// <summary>
    /// Upper bound on retransmission passes; default 10 (as every engine's, <see cref="ScanOptions.MaxRetries"/>). Beyond <see cref="MinRetries"/> a further pass is made
    /// while retransmissions still draw new answers (evidence of loss rather than filtering); once loss has been seen, it
    /// takes two silent passes in a row to stop. A pass resends only the unanswered probes, so late passes are small.
    /// </summary>
    public int MaxRetries { get; init; } = 10;

    /// <summary>Wait after a pass before the first round-trip sample; default 1 s (RFC 6298, 2.1).</summary>
    public TimeSpan InitialTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Lower bound of the adaptive wait after a pass; default 100 ms.</summary>
    public TimeSpan MinTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Upper bound of the adaptive wait after a pass; default 10 s.</summary>
    public TimeSpan MaxTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Scan every target without first checking that it is up (nmap's -Pn); default false. A single target is never pinged.</summary>
    public bool SkipDiscovery { get; init; }

    /// <summary>
    /// The host discovery probes (nmap's -PE, -PP, -PS, -PA, -PU); <see langword="null"/> (default) for ICMP echo and
    /// timestamp, TCP SYN to 443, TCP ACK to 80 and UDP to 40125. ARP is added on attached Ethernet segments either way.
    /// </summary>
    public IReadOnlyList<DiscoveryProbe>? DiscoveryProbes { get; init; }

    /// <summary>Probe hosts and ports in order instead of at random (nmap's -r); default false.</summary>
    public bool Sequential { get; init; }

    /// <summary>
    /// SYN scans: probe <see cref="CanaryPorts"/> random high ports per host alongside the real ones; a host that answers
    /// SYN-ACK on most of them answers SYN-ACK everywhere (a SYN proxy, tarpit or redirect-all rule). It is reported once in
    /// <see cref="RawScanStats.SynAckEverywhereHosts"/> and its open ports are confirmed with a full TCP connect (an open port
    /// must accept and not reset the connection) before being reported open. Default true.
    /// </summary>
    public bool VerifyOpen { get; init; } = true;

    /// <summary>Number of canary ports per host; default 3 (two must answer SYN-ACK to flag the host). 1 to 16.</summary>
    public int CanaryPorts { get; init; } = 3;

    /// <summary>
    /// UDP scans: when a host's ICMP port-unreachable messages are rate limited (Linux sends about one per second per
    /// peer after a burst of six by default), re-probe its unanswered ports under that limit, learned from the answers
    /// (burst and interval), so closed ports are reported closed rather than open|filtered. Slow by nature;
    /// <see cref="RawScanStats.IcmpPacingTime"/> says how slow. Default true.
    /// </summary>
    public bool PaceIcmpRateLimit { get; init; } = true;

    /// <summary>
    /// The interval assumed for a rate-limited host until one is learned from its answers; default 1.05 s (Linux's
    /// net.ipv4.icmp_ratelimit is 1 s). A host whose answers stop for three intervals while it is still probed is done.
    /// </summary>
    public TimeSpan IcmpRateLimitInterval { get; init; } = TimeSpan.FromMilliseconds(1050);

    /// <summary>Source port of the probes; default random in 40000-59999 for each scan. Canary probes use the next port.</summary>
    public int? SourcePort { get; init; }

    /// <summary>Seed of the probe order and cookie key; <see langword="null"/> (default) for random (a fixed seed makes cookies predictable: tests only).</summary>
    public ulong? Seed { get; init; }

    /// <summary>The clock for timeouts, rate and statistics; default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Packets per sendmmsg system call; default 64. For measurements (1 sends one packet per call).</summary>
    internal int SendBatchSize { get; init; } = RawSender.DefaultBatchSize;

    /// <summary>
    /// PORTATLAS_SEND_THREADS=N: the send threads of a large first pass, for side-by-side measurements of the parallel
    /// pass (bench/compare-rate.sh); 0 or unset chooses by cores.
    /// </summary>
    internal static int SendThreadsFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable("PORTATLAS_SEND_THREADS"), out var n) && n is >= 0 and <= RawScanEngine.MaxSendThreads ? n : 0;

    /// <summary>Threads that send a large first pass; 0 (default) one a core up to four, 1 a single thread (<see cref="RawScanEngine.SendThreadsFor"/>).</summary>
    internal int SendThreads { get; init; }

    /// <summary>Whether the packet socket asks the kernel not to copy our own outgoing packets to it; for measurements.</summary>
    internal bool IgnoreOutgoing { get; init; }

    /// <summary>See <see cref="ScanOptions.UniformHostsImplicit"/>; TCP SYN sweeps only.</summary>
    internal bool UniformHostsImplicit { get; init; }

    /// <summary>
    /// Whether replies are read through a TPACKET_V3 receive ring (default) rather than recvmmsg; PORTATLAS_RX_RING=0
    /// turns it off for side-by-side measurements. Either way recvmmsg is used where the kernel refuses the ring.
    /// </summary>
    internal bool ReceiveRing { get; init; } = true;

    internal void Validate()
    {
        if (!(Rate > 0 && double.IsFinite(Rate)))
        {
            throw new ArgumentOutOfRangeException(nameof(Rate), Rate, "Rate must be a positive number of packets per second.");
        }
        if (!(MinRate > 0 && MinRate <= Rate))
        {
            throw new ArgumentOutOfRangeException(nameof(MinRate), MinRate, "MinRate must be positive and at most Rate.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(MinRetries, nameof(MinRetries));
        ArgumentOutOfRangeException.ThrowIfNegative(SendThreads, nameof(SendThreads));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetries, MinRetries, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxRetries, 50, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MinTimeout, TimeSpan.Zero, nameof(MinTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTimeout, MinTimeout, nameof(MaxTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(InitialTimeout, TimeSpan.Zero, nameof(InitialTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(CanaryPorts, 1, nameof(CanaryPorts));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(CanaryPorts, 16, nameof(CanaryPorts));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(IcmpRateLimitInterval, TimeSpan.Zero, nameof(IcmpRateLimitInterval));
        if (DiscoveryProbes is { } probes)
        {
            foreach (var probe in probes)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(probe.Port, nameof(DiscoveryProbes));
                ArgumentOutOfRangeException.ThrowIfGreaterThan(probe.Port, 65535, nameof(DiscoveryProbes));
            }
        }
        if (SourcePort is { } port)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(port, 1, nameof(SourcePort));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65534, nameof(SourcePort));
        }
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
