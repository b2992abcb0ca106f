using System.Net;
using Microsoft.Extensions.Time.Testing;
using PortAtlas.Assessment;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Assessment;

public sealed class AssessorTests
{
    private static readonly string[] s_risky =
    [
        "PA-CLEARTEXT-TELNET", "PA-CLEARTEXT-FTP", "PA-FTP-ANONYMOUS", "PA-NOAUTH-REDIS", "PA-TLS-SELF-SIGNED", "PA-TLS-EXPIRED",
        "PA-TLS-WEAK-RSA-KEY", "PA-TLS-WEAK-SIGNATURE", "PA-TLS-TLS10", "PA-TLS-TLS11", "PA-TLS-SSL3",
        "PA-SSH-WEAK-KEX", "PA-SSH-WEAK-CIPHER", "PA-SSH-WEAK-MAC", "PA-SSH-WEAK-HOSTKEY", "PA-BACKDOOR-PORT",
    ];

    private static Assessor Create(AssessorOptions? options = null) =>
        new((options ?? new AssessorOptions()) with { TimeProvider = new FakeTimeProvider(LabReports.Now) });

    private static IReadOnlyList<Finding> AssessOne(PortResult port, AssessorOptions? options = null) => Create(options).Assess(port);

    [Fact]
    public void Assess_Lab_RaisesExactlyTheExpectedFindings()
    {
        var findings = Create().Assess(LabReports.Lab());
        var actual = findings.Select(f => $"{f.Port} {f.Id} {f.Severity.ToName()}").Order(StringComparer.Ordinal).ToList();
        string[] expected =
        [
            "21 PA-CLEARTEXT-FTP medium",
            "21 PA-FTP-ANONYMOUS high",
            "23 PA-CLEARTEXT-TELNET high",
            "443 PA-EOL-NGINX high",
            "443 PA-TLS-SELF-SIGNED medium",
            "6379 PA-EOL-REDIS high",
            "6379 PA-EXPOSED-DATASTORE medium",
            "6379 PA-NOAUTH-REDIS critical",
        ];
        Assert.Equal(expected, actual);
        Assert.All(findings, f => Assert.False(string.IsNullOrWhiteSpace(f.Evidence)));
    }

    [Fact]
    public void Assess_Clean_RaisesNoneOfTheRiskyFindings()
    {
        var findings = Create().Assess(LabReports.Clean());
        Assert.DoesNotContain(findings, f => s_risky.Contains(f.Id));
        Assert.DoesNotContain(findings, f => f.Severity >= RiskLevel.High);
        // Redis reachable at all remains worth a line, and nothing else.
        Assert.Equal(["PA-EXPOSED-DATASTORE"], findings.Select(f => f.Id));
    }

    [Fact]
    public void Assess_Telnet_ExplainsWithTheRegistrysNotes()
    {
        var finding = Assert.Single(AssessOne(LabReports.Open(23)));
        var entry = PortRegistry.Default.Explain(23, Transport.Tcp)!;
        Assert.Equal(entry.Notes, finding.WhyItMatters);
        Assert.Contains("23/tcp open", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("by registry", finding.Evidence, StringComparison.Ordinal);
        Assert.Equal("198.18.0.2:23/tcp", finding.Location);
    }

    [Theory]
    [InlineData(PortState.Closed)]
    [InlineData(PortState.Filtered)]
    [InlineData(PortState.OpenFiltered)]
    public void Assess_PortNotOpen_RaisesNothing(PortState state)
    {
        var port = LabReports.Open(23) with { State = state, Reason = "reset" };
        Assert.Empty(AssessOne(port));
        Assert.Empty(AssessOne(LabReports.Open(31337) with { State = state }));
    }

    [Fact]
    public void Assess_RedisWithoutAuthFact_IsOnlyExposed()
    {
        var findings = AssessOne(LabReports.Open(6379));
        Assert.Equal(["PA-EXPOSED-DATASTORE"], findings.Select(f => f.Id));
    }

    [Theory]
    [InlineData("memcached", 11211, "PA-NOAUTH-MEMCACHED")]
    [InlineData("mongodb", 27017, "PA-NOAUTH-MONGODB")]
    [InlineData("elasticsearch", 9200, "PA-NOAUTH-ELASTICSEARCH")]
    public void Assess_DataStoreAnsweringWithoutAuth_IsFound(string name, int port, string id)
    {
        var service = new ServiceInfo { Name = name, Method = "probe", Facts = LabReports.Facts((ServiceFacts.Auth, "none")) };
        Assert.Contains(AssessOne(LabReports.Open(port, service)), f => f.Id == id);
        var guarded = service with { Facts = LabReports.Facts((ServiceFacts.Auth, "required")) };
        Assert.DoesNotContain(AssessOne(LabReports.Open(port, guarded)), f => f.Id == id);
    }

    [Fact]
    public void Assess_ElasticsearchAsHttpProduct_IsFound()
    {
        var service = new ServiceInfo { Name = "http", Product = "Elasticsearch REST API", Version = "7.17.9", Method = "probe", Facts = LabReports.Facts((ServiceFacts.Auth, "none")) };
        Assert.Contains(AssessOne(LabReports.Open(9200, service)), f => f.Id == "PA-NOAUTH-ELASTICSEARCH");
    }

    [Theory]
    [InlineData("pop3", 110, "PA-CLEARTEXT-POP3")]
    [InlineData("imap", 143, "PA-CLEARTEXT-IMAP")]
    public void Assess_MailWithoutStartTls_NeedsTheCapabilityFact(string name, int port, string id)
    {
        var unknown = new ServiceInfo { Name = name, Product = "Dovecot", Method = "banner" };
        Assert.DoesNotContain(AssessOne(LabReports.Open(port, unknown)), f => f.Id == id);
        var offered = unknown with { Facts = LabReports.Facts((ServiceFacts.StartTls, "yes")) };
        Assert.DoesNotContain(AssessOne(LabReports.Open(port, offered)), f => f.Id == id);
        var missing = unknown with { Facts = LabReports.Facts((ServiceFacts.StartTls, "no")) };
        Assert.Contains(AssessOne(LabReports.Open(port, missing)), f => f.Id == id);
    }

    [Fact]
    public void Assess_FtpOfferingAuthTls_IsNotCleartext()
    {
        var service = new ServiceInfo { Name = "ftp", Product = "vsftpd", Method = "banner", Facts = LabReports.Facts((ServiceFacts.StartTls, "yes")) };
        Assert.DoesNotContain(AssessOne(LabReports.Open(21, service)), f => f.Id == "PA-CLEARTEXT-FTP");
    }

    [Fact]
    public void Assess_BasicAuthOverPlainHttp_IsFoundAndOverTlsIsNot()
    {
        var plain = new ServiceInfo
        {
            Name = "http", Product = "Apache httpd", Version = "2.4.62", Method = "probe",
            Facts = LabReports.Facts((ServiceFacts.HttpAuth, "basic"), (ServiceFacts.HttpRealm, "admin area")),
        };
        var finding = Assert.Single(AssessOne(LabReports.Open(8080, plain)), f => f.Id == "PA-CLEARTEXT-HTTP-BASIC");
        Assert.Contains("realm=admin area", finding.Evidence, StringComparison.Ordinal);
        var tls = plain with { Tls = LabReports.Certificate() };
        Assert.DoesNotContain(AssessOne(LabReports.Open(8443, tls)), f => f.Id == "PA-CLEARTEXT-HTTP-BASIC");
    }

    [Fact]
    public void Assess_VncWithSecurityTypeNone_IsCritical()
    {
        var service = new ServiceInfo { Name = "vnc", Product = "TightVNC", Method = "probe", Facts = LabReports.Facts((ServiceFacts.VncSecurity, "none,vnc")) };
        var findings = AssessOne(LabReports.Open(5900, service));
        Assert.Equal("PA-NOAUTH-VNC", findings[0].Id);
        Assert.Equal(RiskLevel.Critical, findings[0].Severity);
        Assert.Contains(findings, f => f.Id == "PA-REMOTE-ADMIN-VNC");
        var password = service with { Facts = LabReports.Facts((ServiceFacts.VncSecurity, "vnc")) };
        Assert.DoesNotContain(AssessOne(LabReports.Open(5900, password)), f => f.Id == "PA-NOAUTH-VNC");
    }

    [Theory]
    [InlineData(3389, "PA-REMOTE-ADMIN-RDP")]
    [InlineData(445, "PA-REMOTE-ADMIN-SMB")]
    [InlineData(139, "PA-REMOTE-ADMIN-NETBIOS")]
    [InlineData(5985, "PA-REMOTE-ADMIN-WINRM")]
    [InlineData(5900, "PA-REMOTE-ADMIN-VNC")]
    public void Assess_RemoteAdministrationPort_IsFound(int port, string id) =>
        Assert.Contains(AssessOne(LabReports.Open(port)), f => f.Id == id);

    [Theory]
    [InlineData(31337)]
    [InlineData(12345)]
    [InlineData(27374)]
    public void Assess_TrojanPortOpen_IsCritical(int port)
    {
        var finding = Assert.Single(AssessOne(LabReports.Open(port)), f => f.Id == "PA-BACKDOOR-PORT");
        Assert.Equal(RiskLevel.Critical, finding.Severity);
        Assert.Contains(PortRegistry.Default.Explain(port, Transport.Tcp)!.Title!, finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Assess_TrojanPortRunningAnIdentifiedService_IsNotABackdoor()
    {
        var web = new ServiceInfo { Name = "http", Product = "nginx", Version = "1.26.2", Method = "probe" };
        Assert.DoesNotContain(AssessOne(LabReports.Open(12345, web)), f => f.Id == "PA-BACKDOOR-PORT");
    }

    [Fact]
    public void Assess_UnofficialCriticalPortThatIsNoTrojan_IsNotABackdoor() =>
        Assert.DoesNotContain(AssessOne(LabReports.Open(4505)), f => f.Id == "PA-BACKDOOR-PORT");

    [Theory]
    [InlineData("SSLv3", "PA-TLS-SSL3")]
    [InlineData("TLSv1", "PA-TLS-TLS10")]
    [InlineData("TLSv1.0", "PA-TLS-TLS10")]
    [InlineData("TLSv1.1", "PA-TLS-TLS11")]
    public void Assess_OldTlsProtocol_IsFound(string protocol, string id)
    {
        var service = new ServiceInfo { Name = "http", Method = "tls", Tls = LabReports.Certificate(protocol: protocol) };
        var findings = AssessOne(LabReports.Open(443, service));
        Assert.Equal([id], findings.Select(f => f.Id));
        Assert.Contains(protocol, findings[0].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Assess_ModernServerAcceptingTls10WhenAsked_IsFoundFromTheVersionsFact()
    {
        var service = new ServiceInfo
        {
            Name = "http", Method = "tls", Tls = LabReports.Certificate(),
            Facts = LabReports.Facts((ServiceFacts.TlsVersions, "TLSv1,TLSv1.2,TLSv1.3")),
        };
        var finding = Assert.Single(AssessOne(LabReports.Open(443, service)));
        Assert.Equal("PA-TLS-TLS10", finding.Id);
        Assert.Contains("accepted TLSv1", finding.Evidence, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RSA", 1024, "sha256RSA", "PA-TLS-WEAK-RSA-KEY")]
    [InlineData("ECDSA", 192, "sha256ECDSA", "PA-TLS-WEAK-EC-KEY")]
    [InlineData("RSA", 2048, "sha1RSA", "PA-TLS-WEAK-SIGNATURE")]
    [InlineData("RSA", 2048, "md5WithRSAEncryption", "PA-TLS-WEAK-SIGNATURE")]
    [InlineData("RSA", 2048, "ecdsa-with-SHA1", "PA-TLS-WEAK-SIGNATURE")]
    public void Assess_WeakCertificate_IsFound(string keyType, int bits, string signature, string id)
    {
        var service = new ServiceInfo { Name = "http", Method = "tls", Tls = LabReports.Certificate(keyType: keyType, bits: bits, signature: signature) };
        Assert.Equal([id], AssessOne(LabReports.Open(443, service)).Select(f => f.Id));
    }

    [Theory]
    [InlineData("RSA", 2048, "sha256RSA")]
    [InlineData("RSA", 4096, "sha512WithRSAEncryption")]
    [InlineData("ECDSA", 256, "ecdsa-with-SHA256")]
    [InlineData("Ed25519", 256, "ed25519")]
    public void Assess_StrongCertificate_IsClean(string keyType, int bits, string signature)
    {
        var service = new ServiceInfo { Name = "http", Method = "tls", Tls = LabReports.Certificate(keyType: keyType, bits: bits, signature: signature) };
        Assert.Empty(AssessOne(LabReports.Open(443, service)));
    }

    [Fact]
    public void Assess_CertificateExpiry_FollowsTheInjectedClock()
    {
        var notAfter = LabReports.Now.AddDays(10);
        var service = new ServiceInfo { Name = "http", Method = "tls", Tls = LabReports.Certificate(notAfter: notAfter) };
        var time = new FakeTimeProvider(LabReports.Now);
        var assessor = new Assessor(new AssessorOptions { TimeProvider = time });
        Assert.Empty(assessor.Assess(LabReports.Open(443, service)));
        time.Advance(TimeSpan.FromDays(11));
        var finding = Assert.Single(assessor.Assess(LabReports.Open(443, service)));
        Assert.Equal("PA-TLS-EXPIRED", finding.Id);
        Assert.Contains(notAfter.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Assess_WeakSshAlgorithms_NameWhatWasOffered()
    {
        var ssh = LabReports.ModernSsh() with
        {
            Facts = LabReports.Facts(
                (ServiceFacts.SshKex, "curve25519-sha256,diffie-hellman-group1-sha1,diffie-hellman-group-exchange-sha1"),
                (ServiceFacts.SshHostKey, "ssh-ed25519,ssh-dss"),
                (ServiceFacts.SshCiphers, "aes128-ctr,3des-cbc,arcfour"),
                (ServiceFacts.SshMacs, "hmac-sha2-256,hmac-md5")),
        };
        var findings = AssessOne(LabReports.Open(22, ssh)).ToDictionary(f => f.Id);
        Assert.Contains("diffie-hellman-group1-sha1, diffie-hellman-group-exchange-sha1", findings["PA-SSH-WEAK-KEX"].Evidence, StringComparison.Ordinal);
        Assert.Contains("ssh-dss", findings["PA-SSH-WEAK-HOSTKEY"].Evidence, StringComparison.Ordinal);
        Assert.Contains("3des-cbc, arcfour", findings["PA-SSH-WEAK-CIPHER"].Evidence, StringComparison.Ordinal);
        Assert.Contains("hmac-md5", findings["PA-SSH-WEAK-MAC"].Evidence, StringComparison.Ordinal);
        Assert.Equal(4, findings.Count);
    }

    [Fact]
    public void Assess_SshWithoutAlgorithmFacts_RaisesNothing()
    {
        var ssh = LabReports.ModernSsh() with { Facts = ServiceFacts.Empty };
        Assert.Empty(AssessOne(LabReports.Open(22, ssh)));
    }

    [Fact]
    public void Assess_ProductInKev_WithoutNvdData_SaysVersionNotCheckedAtLowerSeverity()
    {
        var apache = new ServiceInfo { Name = "http", Product = "Apache httpd", Version = "2.4.49", Method = "probe", Cpe = ["cpe:/a:apache:http_server:2.4.49"] };
        var findings = AssessOne(LabReports.Open(80, apache));
        var kev = Assert.Single(findings, f => f.Id == "PA-KEV-CVE-2021-41773");
        Assert.Equal(RiskLevel.Medium, kev.Severity);
        Assert.Contains("product listed, version not checked", kev.Title, StringComparison.Ordinal);
        Assert.Contains("matched by CISA KEV only", kev.Evidence, StringComparison.Ordinal);
        Assert.Contains("CVE-2021-41773", kev.References);
        Assert.Contains("Known ransomware campaign use", kev.WhyItMatters, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(kev.Remediation));
    }

    [Fact]
    public void Assess_ProductNameWithoutCpe_IsMatchedThroughTheAliasTable()
    {
        var iis = new ServiceInfo { Name = "http", Product = "Microsoft IIS httpd", Version = "6.0", Method = "probe" };
        var findings = AssessOne(LabReports.Open(80, iis));
        Assert.Contains(findings, f => f.Id == "PA-KEV-CVE-2017-7269");
        Assert.Contains(findings, f => f.Id == "PA-EOL-INTERNET-INFORMATION-SERVICES");
    }

    [Fact]
    public void Assess_KnownExploitedCanBeTurnedOff()
    {
        var apache = new ServiceInfo { Name = "http", Product = "Apache httpd", Version = "2.4.49", Method = "probe" };
        Assert.DoesNotContain(AssessOne(LabReports.Open(80, apache), new AssessorOptions { UseKnownExploited = false }), f => f.Id.StartsWith("PA-KEV-", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Apache httpd", "2.2.34", "PA-EOL-HTTP-SERVER", RiskLevel.High)]
    [InlineData("PHP", "7.4.33", "PA-EOL-PHP", RiskLevel.High)]
    [InlineData("PHP", "8.1.31", "PA-EOL-PHP", RiskLevel.High)]
    [InlineData("PostgreSQL DB", "12.22", "PA-EOL-POSTGRESQL", RiskLevel.High)]
    [InlineData("MySQL", "5.7.44", "PA-EOL-MYSQL", RiskLevel.High)]
    [InlineData("Redis key-value store", "5.0.7", "PA-EOL-REDIS", RiskLevel.High)]
    [InlineData("OpenSSL", "1.0.2k", "PA-EOL-OPENSSL", RiskLevel.High)]
    [InlineData("nginx", "1.18.0 Ubuntu", "PA-EOL-NGINX", RiskLevel.Medium)]
    [InlineData("MariaDB", "10.4.34-MariaDB", "PA-EOL-MARIADB", RiskLevel.High)]
    // Issue 15: branches that were missing and so reported as supported.
    [InlineData("OpenSSL", "3.0.13", "PA-EOL-OPENSSL", RiskLevel.High)]
    [InlineData("OpenSSL", "3.1.4", "PA-EOL-OPENSSL", RiskLevel.High)]
    [InlineData("OpenSSL", "3.2.1", "PA-EOL-OPENSSL", RiskLevel.High)]
    [InlineData("OpenSSL", "3.3.2", "PA-EOL-OPENSSL", RiskLevel.High)]
    [InlineData("nginx", "1.22.1", "PA-EOL-NGINX", RiskLevel.High)]
    [InlineData("nginx", "1.24.0", "PA-EOL-NGINX", RiskLevel.High)]
    [InlineData("nginx", "1.27.3", "PA-EOL-NGINX", RiskLevel.High)]
    [InlineData("MySQL", "8.0.36", "PA-EOL-MYSQL", RiskLevel.High)]
    [InlineData("MariaDB", "10.6.18-MariaDB", "PA-EOL-MARIADB", RiskLevel.High)]
    [InlineData("MariaDB", "11.2.4-MariaDB", "PA-EOL-MARIADB", RiskLevel.High)]
    [InlineData("Microsoft IIS httpd", "8.0", "PA-EOL-INTERNET-INFORMATION-SERVICES", RiskLevel.High)]
    [InlineData("Microsoft IIS httpd", "8.5", "PA-EOL-INTERNET-INFORMATION-SERVICES", RiskLevel.High)]
    [InlineData("Redis key-value store", "6.0.16", "PA-EOL-REDIS", RiskLevel.High)]
    [InlineData("Redis key-value store", "7.0.15", "PA-EOL-REDIS", RiskLevel.High)]
    public void Assess_VersionPastVendorSupport_IsFound(string product, string version, string id, RiskLevel severity)
    {
        var service = new ServiceInfo { Name = "x", Product = product, Version = version, Method = "probe" };
        var finding = Assert.Single(AssessOne(LabReports.Open(8000, service)), f => f.Id == id);
        Assert.Equal(severity, finding.Severity);
        Assert.Contains(version, finding.Evidence, StringComparison.Ordinal);
        Assert.StartsWith("https://", finding.References[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Apache httpd", "2.4.62")]
    [InlineData("PHP", "8.3.14")]
    [InlineData("PostgreSQL DB", "16.6")]
    [InlineData("nginx", "1.30.0")]
    [InlineData("Redis key-value store", "7.4.2")]
    [InlineData("Redis key-value store", "6.2.14")]
    [InlineData("OpenSSL", "3.5.1")]
    [InlineData("MySQL", "8.4.3")]
    [InlineData("OpenSSH", "9.2p1")]
    [InlineData("MariaDB", "10.11.6-MariaDB")]
    [InlineData("PHP", "")]
    public void Assess_SupportedOrUnknownVersion_IsNotEndOfLife(string product, string version)
    {
        var service = new ServiceInfo { Name = "x", Product = product, Version = version, Method = "probe" };
        Assert.DoesNotContain(AssessOne(LabReports.Open(8000, service)), f => f.Id.StartsWith("PA-EOL-", StringComparison.Ordinal));
    }

    [Fact]
    public void Assess_EndOfLifeDate_FollowsTheClock()
    {
        var php81 = new ServiceInfo { Name = "http", Product = "PHP", Version = "8.1.2", Method = "probe" };
        var before = new AssessorOptions { TimeProvider = new FakeTimeProvider(new DateTimeOffset(2025, 12, 30, 0, 0, 0, TimeSpan.Zero)) };
        Assert.DoesNotContain(new Assessor(before).Assess(LabReports.Open(80, php81)), f => f.Id == "PA-EOL-PHP");
    }

    [Fact]
    public void Assess_WindowsServer2008Fact_IsEndOfLife()
    {
        var smb = new ServiceInfo { Name = "microsoft-ds", Method = "probe", Facts = LabReports.Facts((ServiceFacts.OperatingSystem, "Windows Server 2008 R2 Standard 7601 Service Pack 1")) };
        Assert.Contains(AssessOne(LabReports.Open(445, smb)), f => f.Id == "PA-EOL-WINDOWS-2008");
    }

    [Fact]
    public void Assess_UserRules_MergeWithBuiltIns()
    {
        var user = AssessmentRules.Load(new StringReader(
            "PA-CLEARTEXT-TELNET\toff\n" +
            "PA-LAB-HTTP-ALT\tlow\tHTTP on an alternate port {port}\tservice ~ ^http; port = 8080|8000\tsaw {product} on {port}\n"));
        var options = new AssessorOptions { Rules = AssessmentRules.BuiltIn.Merge(user) };
        Assert.Empty(AssessOne(LabReports.Open(23), options));
        var finding = Assert.Single(AssessOne(LabReports.Open(8080, new ServiceInfo { Name = "http", Product = "Jetty", Method = "probe" }), options));
        Assert.Equal("PA-LAB-HTTP-ALT", finding.Id);
        Assert.Equal("HTTP on an alternate port 8080", finding.Title);
        Assert.Equal("saw Jetty on 8080", finding.Evidence);
    }

    [Fact]
    public void Annotate_FillsEveryPortsFindings()
    {
        var annotated = Create().Annotate(LabReports.Lab());
        var ports = annotated.Hosts[0].Ports.ToDictionary(p => p.Port);
        Assert.Empty(ports[22].Findings);
        Assert.Equal("PA-NOAUTH-REDIS", ports[6379].Findings[0].Id);
        Assert.Equal(["PA-FTP-ANONYMOUS", "PA-CLEARTEXT-FTP"], ports[21].Findings.Select(f => f.Id));
    }

    [Fact]
    public void AnnotateWhereHostMatters_AssessesNamedHostsAndOtherStates_AndPassesTheRestAsTheyAre()
    {
        var user = AssessmentRules.Load(new StringReader(
            "PA-LAB-NAMED\tlow\tA named host on {port}\thostname ~ ^db\\.\t{hostname}\n" +
            "PA-LAB-CLOSED\tinfo\tClosed {port}\tstate = closed; port = 5432\t{port}\n"));
        var assessor = Create(new AssessorOptions { Rules = AssessmentRules.BuiltIn.Merge(user) });
        PortResult Port(string address, int number, PortState state) => new() { Address = IPAddress.Parse(address), Port = number, State = state, Reason = "syn-ack" };
        var plain = new HostResult { Address = IPAddress.Parse("198.18.1.1"), State = "up", Ports = [Port("198.18.1.1", 5432, PortState.Open)] };
        var named = new HostResult { Address = IPAddress.Parse("198.18.1.2"), Hostname = "db.example", State = "up", Ports = [Port("198.18.1.2", 5432, PortState.Open)] };
        var closed = new HostResult { Address = IPAddress.Parse("198.18.1.3"), State = "up", Ports = [Port("198.18.1.3", 5432, PortState.Closed)] };

        var hosts = assessor.AnnotateWhereHostMatters(new ScanReport { Hosts = [plain, named, closed], Stats = new ScanStats() }).Hosts;

        // The open port of a host without a name was assessed as it came: it passes as it is.
        Assert.Same(plain, hosts[0]);
        Assert.Contains(hosts[1].Ports[0].Findings, f => f.Id == "PA-LAB-NAMED" && f.Evidence == "db.example");
        Assert.Equal(["PA-LAB-CLOSED"], hosts[2].Ports[0].Findings.Select(f => f.Id));
        Assert.Equal(assessor.Annotate(new ScanReport { Hosts = [named, closed], Stats = new ScanStats() }).Hosts, hosts.Skip(1), new HostFindingsComparer());
    }

    private sealed class HostFindingsComparer : IEqualityComparer<HostResult>
    {
        public bool Equals(HostResult? x, HostResult? y) =>
            x!.Ports.Select(p => string.Join(',', p.Findings.Select(f => f.Id))).SequenceEqual(y!.Ports.Select(p => string.Join(',', p.Findings.Select(f => f.Id))));

        public int GetHashCode(HostResult obj) => obj.Ports.Count;
    }

    [Fact]
    public void Assess_HostileFacts_NeverThrow()
    {
        var hostile = new string(Enumerable.Range(0, 2000).Select(i => (char)(i % 0xD800)).ToArray());
        var service = new ServiceInfo
        {
            Name = hostile, Product = hostile, Version = hostile, ExtraInfo = hostile, Evidence = hostile, Method = hostile,
            Cpe = [hostile, "cpe:/a::", "cpe:2.3:a:\\:x:y", "cpe:/"],
            Facts = LabReports.Facts((ServiceFacts.Auth, hostile), (ServiceFacts.SshKex, hostile), (ServiceFacts.OperatingSystem, hostile)),
            Tls = new TlsInfo { Protocol = hostile, KeyType = hostile, SignatureAlgorithm = hostile, Subject = hostile },
        };
        _ = AssessOne(LabReports.Open(6379, service));
    }

    [Fact]
    public void Assess_TheDocumentedExampleRule_Works()
    {
        // The example of docs/assessment.md.
        var user = AssessmentRules.Load(new StringReader(
            "PA-LAB-OLD-OPENSSH\thigh\tOpenSSH older than 8.0 on {port}\tproduct ~ ^OpenSSH$; version < 8.0\t{product} {version} on {port}/{protocol}\t-\tUpgrade OpenSSH.\thttps://www.openssh.com/releasenotes.html\n" +
            "PA-CLEARTEXT-TELNET\toff\n"));
        var options = new AssessorOptions { Rules = AssessmentRules.BuiltIn.Merge(user) };
        var old = new ServiceInfo { Name = "ssh", Product = "OpenSSH", Version = "7.4", Method = "banner" };
        var finding = Assert.Single(AssessOne(LabReports.Open(22, old), options));
        Assert.Equal(("PA-LAB-OLD-OPENSSH", "OpenSSH older than 8.0 on 22", "OpenSSH 7.4 on 22/tcp"), (finding.Id, finding.Title, finding.Evidence));
        Assert.Equal(PortRegistry.Default.Explain(22, Transport.Tcp)!.Notes, finding.WhyItMatters);
        Assert.Empty(AssessOne(LabReports.Open(22, old with { Version = "9.2p1" }), options));
        Assert.Empty(AssessOne(LabReports.Open(23), options));
    }
}
