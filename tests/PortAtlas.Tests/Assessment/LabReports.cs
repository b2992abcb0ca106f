using System.Net;
using PortAtlas.Assessment;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Assessment;

/// <summary>Constructed scans resembling the lab's services, and a clean counterpart.</summary>
internal static class LabReports
{
    public static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public static readonly IPAddress LabAddress = IPAddress.Parse("198.18.0.2");

    public static IReadOnlyDictionary<string, string> Facts(params (string Key, string Value)[] facts) =>
        ServiceFacts.Create([.. facts.Select(f => new KeyValuePair<string, string>(f.Key, f.Value))]);

    public static PortResult Open(int port, ServiceInfo? service = null, Transport protocol = Transport.Tcp) =>
        new() { Address = LabAddress, Port = port, Protocol = protocol, State = PortState.Open, Reason = "syn-ack", Service = service };

    public static ServiceInfo ModernSsh() => new()
    {
        Name = "ssh", Product = "OpenSSH", Version = "9.2p1 Debian 2+deb12u3", ExtraInfo = "protocol 2.0", Method = "probe",
        Cpe = ["cpe:/a:openbsd:openssh:9.2p1", "cpe:/o:linux:linux_kernel"],
        Evidence = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
        Facts = Facts(
            (ServiceFacts.SshKex, "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,kex-strict-s-v00@openssh.com"),
            (ServiceFacts.SshHostKey, "rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519"),
            (ServiceFacts.SshCiphers, "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com"),
            (ServiceFacts.SshMacs, "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com")),
    };

    public static TlsInfo Certificate(bool selfSigned = false, DateTimeOffset? notAfter = null, string keyType = "RSA", int bits = 2048, string signature = "sha256RSA", string protocol = "TLSv1.3") => new()
    {
        Protocol = protocol, CipherSuite = "TLS_AES_256_GCM_SHA384", Alpn = "http/1.1",
        Subject = "CN=web.lab.test", Issuer = selfSigned ? "CN=web.lab.test" : "CN=Lab Test CA, O=PortAtlas Lab",
        SubjectAlternativeNames = ["DNS:web.lab.test"],
        NotBefore = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
        NotAfter = notAfter ?? new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero),
        KeyType = keyType, KeyBits = bits, SignatureAlgorithm = signature, SelfSigned = selfSigned,
    };

    /// <summary>The lab: vsftpd with anonymous login, OpenSSH 9.2p1, telnet by port number, nginx over a self-signed certificate, Redis without auth.</summary>
    public static ScanReport Lab() => Report(
        Open(21, new ServiceInfo
        {
            Name = "ftp", Product = "vsftpd", Version = "3.0.3", Method = "banner", Cpe = ["cpe:/a:beasts:vsftpd:3.0.3"],
            Evidence = "220 (vsFTPd 3.0.3)", Facts = Facts((ServiceFacts.Anonymous, "yes")),
        }),
        Open(22, ModernSsh()),
        Open(23),
        Open(443, new ServiceInfo
        {
            Name = "http", Product = "nginx", Version = "1.22.1", Method = "tls", Cpe = ["cpe:/a:f5:nginx:1.22.1"],
            Tls = Certificate(selfSigned: true),
        }),
        Open(6379, new ServiceInfo
        {
            Name = "redis", Product = "Redis key-value store", Version = "7.0.15", Method = "probe", Cpe = ["cpe:/a:redis:redis:7.0.15"],
            Facts = Facts((ServiceFacts.Auth, "none")),
        }));

    /// <summary>The same kind of host done right: modern SSH, HTTPS with a CA-signed RSA-2048 SHA-256 certificate, Redis with a password.</summary>
    public static ScanReport Clean() => Report(
        Open(22, ModernSsh()),
        Open(443, new ServiceInfo
        {
            Name = "http", Product = "nginx", Version = "1.30.0", Method = "tls", Cpe = ["cpe:/a:f5:nginx:1.30.0"],
            Tls = Certificate(),
        }),
        Open(6379, new ServiceInfo
        {
            Name = "redis", Product = "Redis key-value store", Version = "7.2.6", Method = "probe", Cpe = ["cpe:/a:redis:redis:7.2.6"],
            Facts = Facts((ServiceFacts.Auth, "required")),
        }));

    public static ScanReport Report(params PortResult[] ports) => new()
    {
        Hosts = [new HostResult { Address = LabAddress, Hostname = "lab.test", Ports = ports }],
        Stats = new ScanStats { Started = Now.AddMinutes(-1), Finished = Now, ScanType = "connect", CommandLine = "ports scan 198.18.0.2 --detect", HostsScanned = 1 },
    };
}
