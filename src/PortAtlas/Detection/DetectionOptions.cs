namespace PortAtlas.Detection;

/// <summary>Settings of service and version detection. Every wait is an upper bound: data that arrives sooner ends it.</summary>
public sealed record DetectionOptions
{
    /// <summary>The settings used when none are given.</summary>
    public static DetectionOptions Default { get; } = new();

    /// <summary>Ports detected at once by the streaming overload. Default 32; 1 to 1024.</summary>
    public int MaxConcurrency { get; init; } = 32;

    /// <summary>Time to establish one TCP connection. Default 3 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Longest wait for a service that speaks first (SSH, FTP, SMTP, POP3, IMAP, MySQL, telnet, VNC) on a port
    /// whose registry name says it speaks first, or on a port with no hint. Default 2 s.
    /// On ports whose registry name says the client speaks first (HTTP, Redis, TLS ...), the wait is shortened to
    /// a few round trips (<see cref="ShortBannerWait"/> at most), so a banner on a surprising port is still seen.
    /// </summary>
    public TimeSpan BannerWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Upper bound of the shortened banner wait on client-first ports. Default 500 ms.</summary>
    public TimeSpan ShortBannerWait { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait for the first byte of an answer to a probe. Default 2.5 s.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(2.5);

    /// <summary>
    /// Once an answer has begun, reading stops when it is complete by its protocol's framing, when the peer closes,
    /// or after this much silence (raised to twice the connect round trip on slow links). Default 200 ms.
    /// </summary>
    public TimeSpan IdleGap { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Time for a TLS handshake. Default 3 s.</summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Total budget for one port, all connections and probes included; when it runs out, the best guess so far
    /// is the result. Default 12 s.
    /// </summary>
    public TimeSpan PortTimeout { get; init; } = TimeSpan.FromSeconds(12);

    /// <summary>Most bytes kept from one answer; the rest is read and dropped or the reading stops. Default 16 KiB; 256 B to 64 KiB.</summary>
    public int MaxResponseBytes { get; init; } = 16 * 1024;

    /// <summary>
    /// Most probes sent to one port after the banner wait, TLS handshakes included. Default 20: the general probes
    /// (each protocol on any port) are bounded by this and by <see cref="PortTimeout"/>.
    /// </summary>
    public int MaxProbes { get; init; } = 20;

    /// <summary>
    /// General probes sent at once, each on its own connection, once the hinted ones and TLS and HTTP found nothing.
    /// Default 4; 1 sends them one after another.
    /// </summary>
    public int ParallelProbes { get; init; } = 4;

    /// <summary>Try a TLS handshake and, when it succeeds, fill <see cref="ServiceInfo.Tls"/> and probe inside. Default true.</summary>
    public bool InspectTls { get; init; } = true;

    /// <summary>
    /// Ask services that can upgrade to TLS (SMTP, IMAP, POP3, FTP, PostgreSQL) whether they offer it, and report the
    /// command in <see cref="ServiceInfo.StartTls"/>. Default true.
    /// </summary>
    public bool CheckStartTls { get; init; } = true;

    /// <summary>
    /// Establish the facts assessment reads (<see cref="ServiceInfo.Facts"/>) with one short exchange after
    /// the service is known, as nmap's default scripts do: SSH KEXINIT algorithms, one FTP anonymous login attempt
    /// (USER anonymous), memcached "stats", MongoDB "listDatabases", VNC security types; and read the facts the
    /// identifying answer carries (HTTP challenges, Redis and Elasticsearch access). The <c>starttls</c>, <c>os</c>
    /// and <c>tls.versions</c> facts come with <see cref="CheckStartTls"/> and detection itself. Default true.
    /// </summary>
    public bool GatherFacts { get; init; } = true;

    /// <summary>Most characters of <see cref="ServiceInfo.Evidence"/>. Default 160.</summary>
    public int MaxEvidenceLength { get; init; } = 160;

    /// <summary>
    /// On TLS services and services offering STARTTLS (SMTP, IMAP, POP3, FTP, LDAP, PostgreSQL, MySQL, XMPP), find what the
    /// server accepts with ClientHellos of our own: versions, weak suite classes, forward secrecy, DH size, fallback
    /// protection, renegotiation, compression, OCSP stapling, ALPN, and the chain validated. Default true.
    /// </summary>
    public bool InspectTlsAccepted { get; init; } = true;

    /// <summary>Also enumerate every accepted cipher suite per version and every key-exchange group (<c>--tls-enum</c>). Default false.</summary>
    public bool EnumerateTls { get; init; }

    /// <summary>Name to send as SNI and to match the certificate against (<c>--sni</c>, or the name the user scanned); null for none.</summary>
    public string? ServerName { get; init; }

    /// <summary>Trust anchors for chain validation (<c>--ca-file</c>); null uses the system trust store.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection? TrustAnchors { get; init; }

    /// <summary>Name the service of UDP results that carry a reply from the registry (no UDP probes are sent). Default true.</summary>
    public bool NameUdpFromRegistry { get; init; } = true;

    /// <summary>Throws when a value is out of range.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrency, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxConcurrency, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxResponseBytes, 256);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxResponseBytes, 64 * 1024);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxProbes);
        ArgumentOutOfRangeException.ThrowIfLessThan(ParallelProbes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ParallelProbes, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEvidenceLength, 16);
        foreach (var t in (ReadOnlySpan<TimeSpan>)[ConnectTimeout, BannerWait, ShortBannerWait, ProbeTimeout, IdleGap, TlsHandshakeTimeout, PortTimeout])
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(t, TimeSpan.Zero);
        }
    }
}
