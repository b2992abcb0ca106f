using System.Net;

namespace PortAtlas.Model;

/// <summary>The verdict on one port of one host.</summary>
public sealed record PortResult
{
    /// <summary>The host's address.</summary>
    public required IPAddress Address { get; init; }
    /// <summary>The port number.</summary>
    public required int Port { get; init; }
    /// <summary>The transport probed.</summary>
    public Transport Protocol { get; init; } = Transport.Tcp;
    /// <summary>The state.</summary>
    public required PortState State { get; init; }
    /// <summary>Why: syn-ack, conn-refused, reset, no-response, host-unreach, port-unreach, admin-prohibited, udp-response, ...</summary>
    public required string Reason { get; init; }
    /// <summary>Round trip of the answer that decided the state, when one came.</summary>
    public TimeSpan? RoundTrip { get; init; }
    /// <summary>Service detection's result, when detection ran and found something.</summary>
    public ServiceInfo? Service { get; init; }
    /// <summary>
    /// What assessment concluded about this port (the Assessment layer), most severe first; empty until
    /// assessment runs, and empty when nothing is wrong.
    /// </summary>
    public IReadOnlyList<Finding> Findings { get; init; } = [];
    /// <summary>
    /// Scripts another scanner ran against this port (Nmap's NSE <c>script</c> elements), in its order; empty for
    /// PortAtlas's own scans, whose findings are in <see cref="Findings"/>.
    /// </summary>
    public IReadOnlyList<ScriptResult> Scripts { get; init; } = [];
}

/// <summary>What answers on a port: service, product, version, TLS.</summary>
public sealed record ServiceInfo
{
    /// <summary>Service name (http, ssh, ...).</summary>
    public required string Name { get; init; }
    /// <summary>Product, such as OpenSSH or nginx.</summary>
    public string? Product { get; init; }
    /// <summary>Version as announced.</summary>
    public string? Version { get; init; }
    /// <summary>Anything else the service told (protocol version, OS hint).</summary>
    public string? ExtraInfo { get; init; }
    /// <summary>CPE names (cpe:/a:vendor:product:version).</summary>
    public IReadOnlyList<string> Cpe { get; init; } = [];
    /// <summary>
    /// Facts detection established beyond name and version, for assessment to reason about; keys are lowercase,
    /// dotted by protocol, values plain text. Empty when none. The keys assessment reads (see
    /// <see cref="ServiceFacts"/>): <c>auth</c> (<c>none</c> when the service answered a privileged request without
    /// credentials, <c>required</c> when it refused one), <c>anonymous</c> (<c>yes</c> when anonymous login was
    /// accepted), <c>starttls</c> (<c>yes</c> or <c>no</c>: the in-protocol TLS upgrade was offered or not),
    /// <c>http.auth</c> (the WWW-Authenticate scheme, such as <c>basic</c>), <c>vnc.security</c> (the security
    /// types offered, such as <c>none,vnc</c>), <c>ssh.kex</c>, <c>ssh.hostkey</c>, <c>ssh.ciphers</c>,
    /// <c>ssh.macs</c> (comma-separated algorithm names from SSH_MSG_KEXINIT, RFC 4253 section 7.1),
    /// <c>tls.versions</c> (every protocol version accepted when offered alone, such as <c>TLSv1,TLSv1.2,TLSv1.3</c>),
    /// <c>http.realm</c> (the realm of the challenge, for evidence) and <c>os</c> (an operating system name the
    /// service revealed). A key that is absent means "not checked", never "no".
    /// </summary>
    public IReadOnlyDictionary<string, string> Facts { get; init; } = ServiceFacts.Empty;
    /// <summary>How the service was identified: "registry" (port number only), "banner", "probe", "tls".</summary>
    public string Method { get; init; } = "registry";
    /// <summary>The bytes that identified it, escaped for display.</summary>
    public string? Evidence { get; init; }
    /// <summary>TLS details when the service speaks TLS.</summary>
    public TlsInfo? Tls { get; init; }
    /// <summary>
    /// The in-protocol upgrade to TLS the service offers, when it offers one: "STARTTLS" (SMTP, IMAP), "STLS" (POP3),
    /// "AUTH TLS" (FTP), "SSLRequest" (PostgreSQL); null when none was seen or the check did not run.
    /// </summary>
    public string? StartTls { get; init; }
    /// <summary>Operating system the service revealed (Linux, Windows, Debian ...), when it did.</summary>
    public string? OperatingSystem { get; init; }
    /// <summary>Device type the service revealed (router, printer, webcam ...), when it did.</summary>
    public string? DeviceType { get; init; }
}

/// <summary>A TLS session and its certificate as seen by the scanner.</summary>
public sealed record TlsInfo
{
    /// <summary>Negotiated protocol version, such as TLSv1.3.</summary>
    public string? Protocol { get; init; }
    /// <summary>Negotiated cipher suite.</summary>
    public string? CipherSuite { get; init; }
    /// <summary>Negotiated ALPN protocol.</summary>
    public string? Alpn { get; init; }
    /// <summary>Certificate subject.</summary>
    public string? Subject { get; init; }
    /// <summary>Certificate issuer.</summary>
    public string? Issuer { get; init; }
    /// <summary>Subject alternative names.</summary>
    public IReadOnlyList<string> SubjectAlternativeNames { get; init; } = [];
    /// <summary>Validity start.</summary>
    public DateTimeOffset? NotBefore { get; init; }
    /// <summary>Validity end.</summary>
    public DateTimeOffset? NotAfter { get; init; }
    /// <summary>Key type: RSA, ECDSA, Ed25519 ...</summary>
    public string? KeyType { get; init; }
    /// <summary>Key size in bits.</summary>
    public int? KeyBits { get; init; }
    /// <summary>Signature algorithm, such as sha256RSA.</summary>
    public string? SignatureAlgorithm { get; init; }
    /// <summary>
    /// Issuer equals subject and the signature verifies with the certificate's own key; null when not checked (no
    /// certificate was seen, or an import carried too little of it to tell).
    /// </summary>
    public bool? SelfSigned { get; init; }
    /// <summary>NotAfter is in the past at scan time; null when not checked.</summary>
    public bool? Expired { get; init; }
    /// <summary>SHA-256 of the certificate's DER encoding, lowercase hex.</summary>
    public string? CertificateSha256 { get; init; }
    /// <summary>MD5 of the certificate's DER encoding, lowercase hex, when the source gave it (Nmap's ssl-cert does).</summary>
    public string? CertificateMd5 { get; init; }
}
