namespace PortAtlas.Scanning;

/// <summary>Settings of a TCP connect scan. Every property has a default that suits both loopback and a LAN.</summary>
public sealed record ScanOptions
{
    /// <summary>The defaults.</summary>
    public static ScanOptions Default { get; } = new();

    /// <summary>Ceiling on connection attempts per second, retransmissions included; <see langword="null"/> (default) for no ceiling.</summary>
    public double? Rate { get; init; }

    /// <summary>
    /// Upper bound on retransmissions (new connection attempts) of a probe that got no answer; default 6, as nmap -T4.
    /// The engine adapts below this bound, as nmap does: a host whose ports always answered at the first attempt gets one
    /// retransmission per silent port, a host that needed the n-th retransmission to answer gets n+1. 0 disables retries.
    /// </summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>Give up on a host this long after its first probe; its undecided ports are not reported. <see langword="null"/> (default): never.</summary>
    public TimeSpan? HostTimeout { get; init; }

    /// <summary>Probe timeout before a host has given a round-trip sample; default 1 s (RFC 6298, 2.1).</summary>
    public TimeSpan InitialTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Lower bound of the adaptive probe timeout; default 100 ms (nmap -T4's min-rtt-timeout).</summary>
    public TimeSpan MinTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Upper bound of the adaptive probe timeout, backoff included; default 1.25 s (nmap -T4's max-rtt-timeout).
    /// Under heavy load the measured round trips include our own queueing; a low ceiling keeps a few silent
    /// (filtered) ports from holding the whole scan for seconds.
    /// </summary>
    public TimeSpan MaxTimeout { get; init; } = TimeSpan.FromMilliseconds(1250);

    /// <summary>
    /// Connection attempts in flight at once. <see langword="null"/> (default): derived from the open-file limit, which the
    /// scanner raises to its hard limit on Linux: the soft limit minus 64 descriptors of headroom, at most 4096.
    /// </summary>
    public int? Concurrency { get; init; }

    /// <summary>Seed of the random order over hosts × ports; <see langword="null"/> (default) for a random seed. Equal seeds give equal orders.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Probe hosts and ports in order (host by host, ports ascending) instead of at random (nmap's -r); default false.</summary>
    public bool Sequential { get; init; }

    /// <summary>
    /// The first index of the permutation over hosts × ports to probe; indices below it are skipped (default 0). With the
    /// <see cref="Seed"/>, targets and ports of an interrupted scan and its <see cref="ScanProgress.DecidedPrefix"/>, this
    /// resumes that scan where it stopped. Values beyond the number of pairs scan nothing.
    /// </summary>
    public ulong StartIndex { get; init; }

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

    internal void Validate()
    {
        if (Rate is { } rate && !(rate > 0 && double.IsFinite(rate)))
        {
            throw new ArgumentOutOfRangeException(nameof(Rate), rate, "Rate must be a positive number of probes per second.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MinTimeout, TimeSpan.Zero, nameof(MinTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTimeout, MinTimeout, nameof(MaxTimeout));
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
