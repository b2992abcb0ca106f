namespace PortAtlas.Scanning;

/// <summary>
/// Settings of a scan, one type for every engine (TCP connect, raw SYN, UDP and SCTP). Every property has a default
/// that suits loopback, a LAN and the lab; a few apply to one engine only and say so.
/// </summary>
public sealed record ScanOptions
{
    /// <summary>The defaults.</summary>
    public static ScanOptions Default { get; } = new();

    /// <summary>
    /// The raw engines' ceiling when <see cref="Rate"/> is not set: 10 000 000 packets per second, a bound no link of
    /// these machines reaches, so in practice the rate is what link, receiver and sender sustain (the engines find it).
    /// </summary>
    public const double DefaultRawRate = 10_000_000;

    /// <summary>The raw engines' first rate when <see cref="Rate"/> is not set: 100 000 packets per second, grown or halved from there.</summary>
    public const double DefaultRawStartRate = 100_000;

    /// <summary>
    /// Ceiling on probes per second, retransmissions included; <see langword="null"/> (default) for none: the connect
    /// engine's concurrency sets its pace, and the raw engines start at <see cref="DefaultRawStartRate"/>, double their
    /// rate while answers keep pace and halve it on drops (TCP's slow start and congestion avoidance, on a rate). Every
    /// engine holds a ceiling that is set: over any 100 ms window at most 10 % above it plus one send batch; the raw
    /// engines then start at it.
    /// </summary>
    public double? Rate { get; init; }

    /// <summary>
    /// Upper bound on retransmissions of a probe that got no answer; default 10, as nmap's, for every engine; 0 to 50.
    /// Engines adapt below this bound, as nmap does: the connect engine gives a host that always answered at the first
    /// attempt one retransmission per silent port; the raw engines make further passes only while they draw new answers.
    /// </summary>
    public int MaxRetries { get; init; } = 10;

    /// <summary>Give up on a host this long after its first probe; its undecided ports are not reported. <see langword="null"/> (default): never.</summary>
    public TimeSpan? HostTimeout { get; init; }

    /// <summary>Probe timeout before a host has given a round-trip sample; default 1 s (RFC 6298, 2.1).</summary>
    public TimeSpan InitialTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Lower bound of the adaptive probe timeout; default 100 ms (nmap -T4's min-rtt-timeout).</summary>
    public TimeSpan MinTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Upper bound of the adaptive timeout; <see langword="null"/> (default) for each engine's own: 1.25 s per connect
    /// probe, backoff included (nmap -T4's max-rtt-timeout: under load the measured round trips include our own queueing,
    /// and a low ceiling keeps a few silent ports from holding the scan), and 10 s of waiting after a raw pass.
    /// </summary>
    public TimeSpan? MaxTimeout { get; init; }

    /// <summary>Raw scans: scan every target without first checking that it is up (nmap's -Pn); default false. A single target is never pinged.</summary>
    public bool SkipDiscovery { get; init; }

    /// <summary>
    /// SYN scans: probe a few random high canary ports per host beside the real ones; a host that answers SYN-ACK on most of
    /// them answers SYN-ACK everywhere, and its open ports are confirmed with a full connect. Default true.
    /// </summary>
    public bool VerifyOpen { get; init; } = true;

    /// <summary>
    /// UDP scans: re-probe, one at a time, the silent ports of a host whose ICMP port-unreachables are rate limited, so
    /// closed ports are reported closed rather than open|filtered. Slow by nature. Default true.
    /// </summary>
    public bool PaceIcmpRateLimit { get; init; } = true;

    /// <summary>Raw scans: source port of the probes; default random in 40000-59999 for each scan.</summary>
    public int? SourcePort { get; init; }

    /// <summary>
    /// Connection attempts in flight at once. <see langword="null"/> (default): derived from the open-file limit, which the
    /// scanner raises to its hard limit on Linux: the soft limit minus 64 descriptors of headroom, at most 4096.
    /// </summary>
    public int? Concurrency { get; init; }

    /// <summary>Seed of the random order over hosts × ports; <see langword="null"/> (default) for a random seed. Equal seeds give equal orders.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Probe hosts and ports in order (host by host, ports ascending) instead of at random (nmap's -r); default false.</summary>
    public bool Sequential { get; init; }

    /// <summary>Raw scans: a floor under the adaptive send rate, in packets per second (nmap's --min-rate); null for the engine's own.</summary>
    public double? MinRate { get; init; }

    /// <summary>Raw scans: the host-discovery probes to send (nmap's -PE/-PP/-PS/-PA/-PU); null for the defaults.</summary>
    public IReadOnlyList<Raw.DiscoveryProbe>? DiscoveryProbes { get; init; }

    /// <summary>
    /// The first index of the permutation over hosts × ports to probe; indices below it are skipped (default 0). With the
    /// <see cref="Seed"/>, targets and ports of an interrupted scan and its <see cref="ScanProgress.DecidedPrefix"/>, this
    /// resumes that scan where it stopped. Values beyond the number of pairs scan nothing.
    /// </summary>
    public ulong StartIndex { get; init; }

    /// <summary>
    /// Probe only this shard's part of the permutation (<see cref="ScanShard"/>); null (default) for all of it. Needs
    /// <see cref="Seed"/>: shards agree on the order only through it. <see cref="StartIndex"/> then lies inside the shard's range.
    /// </summary>
    public ScanShard? Shard { get; init; }

    /// <summary>Whether <see cref="PortScanner.RunAsync"/> keeps closed ports in the report (they are always counted); default false. <see cref="PortScanner.ScanAsync"/> streams every state.</summary>
    public bool ReportClosed { get; init; }

    /// <summary>Whether <see cref="PortScanner.RunAsync"/> keeps filtered ports in the report (they are always counted); default false. <see cref="PortScanner.ScanAsync"/> streams every state.</summary>
    public bool ReportFiltered { get; init; }

    /// <summary>Close open connections with a reset (SO_LINGER 0) instead of a FIN handshake, leaving no TIME_WAIT behind; default true.</summary>
    public bool ResetOpenConnections { get; init; } = true;

    /// <summary>The clock for timeouts, rate and statistics; default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Which sending mechanism to use; tests pin one, everyone else gets the best the platform has.</summary>
    internal ConnectMechanism Mechanism { get; init; }

    /// <summary>
    /// Whether a raw engine hands over the hosts that answered nothing, or a reset on every port, as
    /// <see cref="UniformHosts"/> rather than a result per port; the session asks when its report would list no port of
    /// such a host (issue 17).
    /// </summary>
    internal bool UniformHostsImplicit { get; init; }

    /// <summary>The connect engine's ceiling of the probe timeout.</summary>
    internal TimeSpan ConnectMaxTimeout => MaxTimeout ?? TimeSpan.FromMilliseconds(1250);

    internal void Validate()
    {
        if (Rate is { } rate && !(rate > 0 && double.IsFinite(rate)))
        {
            throw new ArgumentOutOfRangeException(nameof(Rate), rate, "Rate must be a positive number of probes per second.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxRetries, 50, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MinTimeout, TimeSpan.Zero, nameof(MinTimeout));
        if (MaxTimeout is { } maxTimeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(maxTimeout, MinTimeout, nameof(MaxTimeout));
        }
        if (SourcePort is { } port)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(port, 1, nameof(SourcePort));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65534, nameof(SourcePort));
        }
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(InitialTimeout, TimeSpan.Zero, nameof(InitialTimeout));
        if (HostTimeout is { } hostTimeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(hostTimeout, TimeSpan.Zero, nameof(HostTimeout));
        }
        if (Concurrency is { } concurrency)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1, nameof(Concurrency));
        }
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (Shard is { } shard && (!shard.IsValid || Seed is null))
        {
            throw new ArgumentException(Seed is null ? "A shard needs the Seed: shards agree on the order only through it." : $"Bad shard {shard}.", nameof(Shard));
        }
        if (StartIndex > 0 && Seed is null)
        {
            throw new ArgumentException("StartIndex needs the Seed of the scan being resumed: without it the order differs.", nameof(StartIndex));
        }
    }

    internal int ResolveConcurrency()
    {
        if (Concurrency is { } concurrency)
        {
            return concurrency;
        }
        var limit = FileDescriptorLimit.RaiseSoftLimit();
        return Math.Clamp(limit - 64, 16, 4096);
    }
}

/// <summary>The ways the connect engine can send.</summary>
internal enum ConnectMechanism
{
    /// <summary>epoll on Linux x86-64, sockets elsewhere.</summary>
    Auto,
    /// <summary><see cref="System.Net.Sockets.Socket"/> with pooled <see cref="System.Net.Sockets.SocketAsyncEventArgs"/>.</summary>
    Sockets,
    /// <summary>Raw non-blocking sockets in epoll event loops (Linux x86-64).</summary>
    Epoll,
}
