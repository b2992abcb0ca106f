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
    /// <summary>
    /// How sure detection is, 0 to 10 (Nmap's <c>conf</c> scale): 10 a signature named the product from the wire;
    /// 8 the protocol's structure proved the service (or an echo); 7 product and version read by a generic
    /// recogniser from a greeting shape; 5 the service from the answer's shape only; 4 a TLS tunnel whose inner
    /// service is the port's registry name; 3 the port number only. Null when not stated: readers then take 10
    /// for a service found on the wire and 3 for one named from the port number.
    /// </summary>
    public int? Confidence { get; init; }
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

    // What the server accepts, from ClientHellos of PortAtlas's own (empty or null: not checked).

    /// <summary>Every protocol version the server accepted when offered alone, oldest first (TLSv1.2, TLSv1.3 ...).</summary>
    public IReadOnlyList<string> AcceptedVersions { get; init; } = [];
    /// <summary>Accepted cipher suites per version (with <c>--tls-enum</c>), in the server's order of preference when it has one.</summary>
    public IReadOnlyList<TlsCipherList> CipherSuites { get; init; } = [];
    /// <summary>Weak suites accepted, as "TLSv1.0 TLS_RSA_WITH_RC4_128_SHA" (NULL, EXPORT, anonymous, RC4, DES/3DES).</summary>
    public IReadOnlyList<string> WeakSuites { get; init; } = [];
    /// <summary>Key-exchange groups accepted (with <c>--tls-enum</c>): x25519, secp256r1, ffdhe2048 ...</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];
    /// <summary>A suite with forward secrecy was accepted (false: only static RSA key exchange).</summary>
    public bool? ForwardSecrecy { get; init; }
    /// <summary>Size in bits of the DHE prime the server sent, when it accepted a DHE suite.</summary>
    public int? DhBits { get; init; }
    /// <summary>The server refused a downgraded hello carrying TLS_FALLBACK_SCSV (RFC 7507); null with one version only.</summary>
    public bool? FallbackScsv { get; init; }
    /// <summary>The server supports secure renegotiation (RFC 5746); null when only TLS 1.3 is accepted.</summary>
    public bool? SecureRenegotiation { get; init; }
    /// <summary>The server accepted TLS compression (CRIME).</summary>
    public bool? Compression { get; init; }
    /// <summary>The server stapled an OCSP response (RFC 6066 section 8).</summary>
    public bool? OcspStapling { get; init; }
    /// <summary>ALPN protocols the server agreed to (h2, http/1.1).</summary>
    public IReadOnlyList<string> AlpnProtocols { get; init; } = [];
    /// <summary>The certificates as the server sent them, leaf first.</summary>
    public IReadOnlyList<TlsCertificate> Chain { get; init; } = [];
    /// <summary>The name sent as SNI and checked against the certificate; null when none (an address was scanned).</summary>
    public string? ServerName { get; init; }
    /// <summary>The chain validates against the system trust store (or the given CA file).</summary>
    public bool? Trusted { get; init; }
    /// <summary>Why the chain does not validate, when it does not.</summary>
    public string? TrustProblem { get; init; }
    /// <summary>The certificate is valid for the name (or address) scanned.</summary>
    public bool? NameMatches { get; init; }
    /// <summary>Certificate Transparency SCTs came with the certificate (embedded, TLS extension or OCSP).</summary>
    public bool? CertificateTransparency { get; init; }
    /// <summary>An HTTP answer over this TLS carried Strict-Transport-Security; null when not HTTP or not checked.</summary>
    public bool? Hsts { get; init; }
}

/// <summary>The cipher suites accepted with one protocol version.</summary>
public sealed record TlsCipherList
{
    /// <summary>TLSv1.2 and the like.</summary>
    public required string Version { get; init; }
    /// <summary>True when the server chooses by its own preference (the order below is its order).</summary>
    public bool? ServerOrder { get; init; }
    /// <summary>IANA names of the suites.</summary>
    public IReadOnlyList<string> Suites { get; init; } = [];
}

/// <summary>One certificate of a chain as sent.</summary>
public sealed record TlsCertificate
{
    /// <summary>Subject distinguished name.</summary>
    public string? Subject { get; init; }
    /// <summary>Issuer distinguished name.</summary>
    public string? Issuer { get; init; }
    /// <summary>Validity end.</summary>
    public DateTimeOffset? NotAfter { get; init; }
    /// <summary>RSA, ECDSA, Ed25519 ...</summary>
    public string? KeyType { get; init; }
    /// <summary>Key size in bits.</summary>
    public int? KeyBits { get; init; }
    /// <summary>Signature algorithm, such as sha256RSA.</summary>
    public string? SignatureAlgorithm { get; init; }
    /// <summary>SHA-256 of the DER encoding, lowercase hex.</summary>
    public string? Sha256 { get; init; }
}
