using System.Net;
using PortAtlas.Assessment;
using PortAtlas.Registry;
using PortAtlas.Reports;
using PortAtlas.Scanning;
using PortAtlas.Targets;

namespace PortAtlas.Tests.Reports;

/// <summary>
/// One fixed scan for every format's expected output: an IPv4 and an IPv6 host up and one host down; open, closed,
/// filtered and open|filtered ports; detected services with product, version, CPE and TLS; a registry-only service;
/// a port the registry does not know; and text that each format must escape (quotes, commas, '&lt;', '&amp;',
/// a line break, '/', non-ASCII, a leading '=').
/// A small registry of its own keeps the expected files independent of the embedded data.
/// </summary>
internal static class ReportFixture
{
    public static readonly DateTimeOffset Started = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    public static readonly PortRegistry Registry = new(
    [
        new PortEntry { Port = 22, EndPort = 22, Protocol = Transport.Tcp, Name = "ssh", Description = "The Secure Shell (SSH) Protocol", Source = EntrySource.Iana },
        new PortEntry
        {
            Port = 22, EndPort = 22, Protocol = Transport.Tcp, Name = "ssh", Source = EntrySource.Curated,
            Title = "Secure Shell (SSH)", Description = "Encrypted remote login and file transfer",
            Risk = RiskLevel.Low, Notes = "A brute-force target: allow keys only.",
        },
        new PortEntry
        {
            Port = 23, EndPort = 23, Protocol = Transport.Tcp, Name = "telnet", Source = EntrySource.Curated,
            Title = "Telnet", Description = "Clear-text remote login", Risk = RiskLevel.High,
            Notes = "Passwords cross the wire in clear; \"never\" expose it.",
        },
        new PortEntry { Port = 25, EndPort = 25, Protocol = Transport.Tcp, Name = "smtp", Description = "Simple Mail Transfer", Source = EntrySource.Iana },
        new PortEntry
        {
            Port = 443, EndPort = 443, Protocol = Transport.Tcp, Name = "https", Source = EntrySource.Curated,
            Title = "HTTPS", Description = "http protocol over TLS/SSL", Risk = RiskLevel.Low,
        },
        new PortEntry { Port = 8080, EndPort = 8080, Protocol = Transport.Tcp, Name = "http-alt", Description = "HTTP Alternate (see port 80)", Source = EntrySource.Iana },
        new PortEntry { Port = 80, EndPort = 80, Protocol = Transport.Tcp, Name = "http", Description = "World Wide Web HTTP", Source = EntrySource.Iana },
        new PortEntry { Port = 53, EndPort = 53, Protocol = Transport.Udp, Name = "domain", Description = "Domain Name Server", Source = EntrySource.Iana },
        new PortEntry
        {
            Port = 161, EndPort = 161, Protocol = Transport.Udp, Name = "snmp", Source = EntrySource.Curated,
            Title = "SNMP", Description = "Simple Network Management Protocol", Risk = RiskLevel.Medium,
            Notes = "Community strings <public> & <private> are defaults, sent in clear.",
        },
    ]);

    public static readonly ReportOptions Options = new() { Registry = Registry, ScannerVersion = "0.1.0-test" };

    public static ScanReport Create()
    {
        var web = IPAddress.Parse("198.18.0.2");
        var v6 = IPAddress.Parse("2001:db8::5");
        var down = IPAddress.Parse("198.18.0.3");
        return new ScanReport
        {
            Hosts =
            [
                new HostResult
                {
                    Address = web,
                    Hostname = "web-01.example.test",
                    StateCounts = Counts(open: 5, closed: 997, filtered: 2, openFiltered: 1),
                    Ports =
                    [
                        new PortResult
                        {
                            Address = web, Port = 22, State = PortState.Open, Reason = "syn-ack", RoundTrip = TimeSpan.FromMicroseconds(420),
                            Service = new ServiceInfo
                            {
                                Name = "ssh", Product = "OpenSSH", Version = "9.2p1 Debian 2+deb12u3", ExtraInfo = "protocol 2.0",
                                Cpe = ["cpe:/a:openbsd:openssh:9.2p1", "cpe:/o:linux:linux_kernel"], Method = "probe",
                                Evidence = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", OperatingSystem = "Linux",
                                Facts = ServiceFacts.Create(
                                    KeyValuePair.Create("ssh.kex", "curve25519-sha256,diffie-hellman-group14-sha256"), KeyValuePair.Create("os", "Linux"),
                                    KeyValuePair.Create("ssh.hostkey", "rsa-sha2-512,ssh-ed25519")),
                            },
                        },
                        new PortResult { Address = web, Port = 23, State = PortState.Closed, Reason = "reset", RoundTrip = TimeSpan.FromMicroseconds(380) },
                        new PortResult { Address = web, Port = 25, State = PortState.Filtered, Reason = "no-response" },
                        new PortResult
                        {
                            Address = web, Port = 443, State = PortState.Open, Reason = "syn-ack", RoundTrip = TimeSpan.FromMicroseconds(510),
                            Service = new ServiceInfo
                            {
                                Name = "http", Product = "nginx", Version = "1.24.0", Cpe = ["cpe:/a:f5:nginx:1.24.0"], Method = "tls",
                                Tls = new TlsInfo
                                {
                                    Protocol = "TLSv1.3", CipherSuite = "TLS_AES_256_GCM_SHA384", Alpn = "h2",
                                    Subject = "CN=web-01.example.test, O=Example \"Test\" & Co",
                                    Issuer = "CN=Example CA <test>",
                                    SubjectAlternativeNames = ["DNS:web-01.example.test", "DNS:www.example.test"],
                                    NotBefore = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
                                    NotAfter = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
                                    KeyType = "RSA", KeyBits = 2048, SignatureAlgorithm = "sha256RSA", SelfSigned = false, Expired = false,
                                    CertificateSha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                                },
                                Facts = ServiceFacts.Create(KeyValuePair.Create("tls.versions", "TLSv1.3")),
                            },
                            Findings =
                            [
                                new Finding
                                {
                                    Id = "PA-TLS-EXPIRED", Title = "TLS certificate expired", Severity = RiskLevel.High,
                                    Address = web, Port = 443, Evidence = "certificate CN=web-01.example.test, O=Example \"Test\" & Co expired on 2025-01-01",
                                    WhyItMatters = "Clients refuse the connection or teach users to click through warnings.",
                                    Remediation = "Renew the certificate and automate renewal (ACME).",
                                },
                            ],
                        },
                        new PortResult
                        {
                            Address = web, Port = 8080, State = PortState.Open, Reason = "syn-ack", RoundTrip = TimeSpan.FromMicroseconds(450),
                            Service = new ServiceInfo
                            {
                                Name = "http", Product = "Acme \"Turbo\" Server, <beta> & co", Version = "2.0/rc1",
                                ExtraInfo = "line one\nline two — café ü", Method = "banner", DeviceType = "webcam",
                                Facts = ServiceFacts.Create(KeyValuePair.Create("http.auth", "basic"), KeyValuePair.Create("http.realm", "<admin> & \"ops\"")),
                            },
                            Findings =
                            [
                                new Finding
                                {
                                    Id = "PA-CLEARTEXT-HTTP-BASIC", Title = "HTTP Basic authentication over plain HTTP", Severity = RiskLevel.High,
                                    Address = web, Port = 8080, Evidence = "8080/tcp answered with WWW-Authenticate: Basic realm=\"<admin>\" & \"ops\",\nsecond line",
                                    WhyItMatters = "Anyone on the path reads the password.",
                                    Remediation = "Serve the site over HTTPS only.",
                                    References = ["https://www.rfc-editor.org/rfc/rfc7617#section-4", "CVE-0000-0000"],
                                },
                                new Finding
                                {
                                    Id = "PA-LAB-NOTE", Title = "Alternate HTTP port", Severity = RiskLevel.Info,
                                    Address = web, Port = 8080, Evidence = "=cmd|' /C calc'!A0",
                                },
                            ],
                        },
                        new PortResult { Address = web, Port = 49999, State = PortState.Open, Reason = "syn-ack", RoundTrip = TimeSpan.FromMicroseconds(400) },
                        new PortResult { Address = web, Port = 53, Protocol = Transport.Udp, State = PortState.OpenFiltered, Reason = "no-response" },
                        new PortResult
                        {
                            Address = web, Port = 161, Protocol = Transport.Udp, State = PortState.Open, Reason = "udp-response",
                            RoundTrip = TimeSpan.FromMicroseconds(900),
                        },
                    ],
                },
                new HostResult
                {
                    Address = v6,
                    Hostname = "bücher.example.test",
                    Ports =
                    [
                        new PortResult
                        {
                            Address = v6, Port = 80, State = PortState.Open, Reason = "syn-ack", RoundTrip = TimeSpan.FromMilliseconds(1.5),
                            Service = new ServiceInfo { Name = "http", Product = "=1+2", Method = "probe" },
                        },
                        new PortResult { Address = v6, Port = 3389, State = PortState.Filtered, Reason = "no-response" },
                    ],
                },
                new HostResult { Address = down, State = "down" },
            ],
            Stats = new ScanStats
            {
                Started = Started,
                Finished = Started.AddSeconds(12.345),
                ScanType = "syn",
                CommandLine = "ports scan 198.18.0.2-3 2001:db8::5 -p T:1-1000,8080,49999,U:53,161 --note \"a, b\" --format xml",
                Ports = new PortList(tcp: [.. Enumerable.Range(1, 1000), 8080, 49999], udp: [53, 161]),
                HostsScanned = 3,
                PortsScanned = 3 * 1004,
                ProbesSent = 4100,
                StateCounts = Counts(open: 6, closed: 997, filtered: 3, openFiltered: 1),
            },
        };
    }

    public static Dictionary<string, long> Counts(long open, long closed, long filtered, long openFiltered) => new()
    {
        ["open"] = open,
        ["closed"] = closed,
        ["filtered"] = filtered,
        ["open|filtered"] = openFiltered,
    };
}
