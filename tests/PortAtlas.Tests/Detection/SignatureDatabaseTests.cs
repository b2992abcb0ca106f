using PortAtlas.Detection;

namespace PortAtlas.Tests.Detection;

public class SignatureDatabaseTests
{
    private static readonly SignatureDatabase s_db = SignatureDatabase.Default;

    /// <summary>Answers captured from the lab's daemons (tests/PortAtlas.Tests/Detection/Fixtures/capture-lab.py).</summary>
    public static TheoryData<string, string, string, string?, string?> LabFixtures => new()
    {
        { "21-banner.bin", "banner", "ftp", "vsftpd", "3.0.3" },
        { "22-banner.bin", "banner", "ssh", "OpenSSH", "9.2p1" },
        { "2222-banner.bin", "banner", "ssh", "OpenSSH", "9.2p1" },
        { "23-negotiated.bin", "banner", "telnet", "Linux telnetd", null },
        { "23-banner.bin", "banner", "telnet", null, null },
        { "25-banner.bin", "banner", "smtp", "Postfix smtpd", null },
        { "53-version-bind.bin", "dns-version-bind", "domain", "dnsmasq", "2.90" },
        { "80-http-get.bin", "http-get", "http", "nginx", "1.22.1" },
        { "8080-http-get.bin", "http-get", "http", "nginx", "1.22.1" },
        { "443-https-get.bin", "http-get", "http", "nginx", "1.22.1" },
        { "110-banner.bin", "banner", "pop3", "Dovecot pop3d", null },
        { "995-tls-banner.bin", "banner", "pop3", "Dovecot pop3d", null },
        { "143-banner.bin", "banner", "imap", "Dovecot imapd", null },
        { "993-tls-banner.bin", "banner", "imap", "Dovecot imapd", null },
        { "3306-banner.bin", "banner", "mysql", "MariaDB", "10.11.19" },
        { "5432-startup-v4.bin", "pg-startup", "postgresql", "PostgreSQL DB", null },
        { "5432-startup.bin", "pg-startup", "postgresql", "PostgreSQL DB", null },
        { "5432-badversion.bin", "pg-startup", "postgresql", "PostgreSQL DB", null },
        { "5432-sslrequest.bin", "pg-sslrequest", "postgresql", null, null },
        { "6379-info.bin", "redis", "redis", "Redis key-value store", "7.0.15" },
        { "6379-ping.bin", "redis", "redis", null, null },
        { "11211-version.bin", "memcached", "memcache", "memcached", "1.6.18" },
    };

    [Theory]
    [MemberData(nameof(LabFixtures))]
    public void Match_RecordedLabAnswer_NamesServiceProductAndVersion(string fixture, string probe, string service, string? product, string? version)
    {
        var match = s_db.Match(probe, Wire.Fixture(fixture));

        Assert.NotNull(match);
        Assert.Equal(service, match.Service);
        Assert.Equal(product, match.Product);
        Assert.Equal(version, match.Version);
        Assert.Equal(product is null ? MatchKind.Soft : MatchKind.Hard, match.Kind);
    }

    /// <summary>Answers written from protocol documents and vendors' published banners, for products the lab does not run.</summary>
    public static TheoryData<byte[], string, string, string?, string?> WrittenAnswers => new()
    {
        { Wire.Latin1("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n"), "banner", "ssh", "OpenSSH", "8.9p1" },
        { Wire.Latin1("SSH-2.0-OpenSSH_9.6\r\n"), "banner", "ssh", "OpenSSH", "9.6" },
        { Wire.Latin1("SSH-2.0-dropbear_2022.83\r\n"), "banner", "ssh", "Dropbear sshd", "2022.83" },
        { Wire.Latin1("SSH-2.0-OpenSSH_for_Windows_8.1\r\n"), "banner", "ssh", "OpenSSH for Windows", "8.1" },
        { Wire.Latin1("SSH-2.0-libssh_0.9.6\r\n"), "banner", "ssh", "libssh", "0.9.6" },
        { Wire.Latin1("SSH-1.99-Cisco-1.25\r\n"), "banner", "ssh", "Cisco SSH", "1.25" },
        { Wire.Latin1("SSH-2.0-SomethingNew\r\n"), "banner", "ssh", null, null },
        { Wire.Latin1("220 ProFTPD 1.3.8 Server (Debian) [::ffff:198.18.0.2]\r\n"), "banner", "ftp", "ProFTPD", "1.3.8" },
        { Wire.Latin1("220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n220-You are user number 1 of 50 allowed.\r\n"), "banner", "ftp", "Pure-FTPd", null },
        { Wire.Latin1("220-FileZilla Server 1.7.0\r\n220 Please visit https://filezilla-project.org/\r\n"), "banner", "ftp", "FileZilla ftpd", "1.7.0" },
        { Wire.Latin1("220 Microsoft FTP Service\r\n"), "banner", "ftp", "Microsoft ftpd", null },
        { Wire.Latin1("220 mail.example.test ESMTP Exim 4.96 Thu, 26 Nov 2026 06:00:00 +0000\r\n"), "banner", "smtp", "Exim smtpd", "4.96" },
        { Wire.Latin1("220 mx.example.test ESMTP Sendmail 8.17.1.9/8.17.1.9; Thu, 26 Nov 2026 06:00:00 GMT\r\n"), "banner", "smtp", "Sendmail", "8.17.1.9" },
        { Wire.Latin1("220 EX01.corp.example.test Microsoft ESMTP MAIL Service ready at Thu, 26 Nov 2026 06:00:00 +0000\r\n"), "banner", "smtp", "Microsoft Exchange smtpd", null },
        { Wire.Latin1("220 mx ESMTP OpenSMTPD\r\n"), "banner", "smtp", "OpenSMTPD", null },
        { Wire.Latin1("+OK Hello there.\r\n"), "banner", "pop3", "Courier pop3d", null },
        { Wire.Latin1("+OK mail.example.test Cyrus POP3 v3.6.1 server ready <1@mail>\r\n"), "banner", "pop3", "Cyrus pop3d", "3.6.1" },
        { Wire.Latin1("* OK [CAPABILITY IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE ACL ACL2=UNION STARTTLS ENABLE UTF8=ACCEPT] Courier-IMAP ready. Copyright 1998-2018 Double Precision, Inc.\r\n"), "banner", "imap", "Courier Imapd", null },
        { Wire.Latin1("* OK [CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE] mail.example.test Cyrus IMAP 3.6.1 server ready\r\n"), "banner", "imap", "Cyrus imapd", "3.6.1" },
        { Wire.Latin1("* OK The Microsoft Exchange IMAP4 service is ready.\r\n"), "banner", "imap", "Microsoft Exchange imapd", null },
        { Wire.Latin1("RFB 003.008\n"), "banner", "vnc", "VNC", null },
        { Wire.Latin1("RFB 003.889\n"), "banner", "vnc", "Apple remote desktop vnc", null },
        { Wire.MySqlHandshake("8.0.36"), "banner", "mysql", "MySQL", "8.0.36" },
        { Wire.MySqlHandshake("5.7.44-log"), "banner", "mysql", "MySQL", "5.7.44" },
        { Wire.MySqlHandshake("11.4.2-MariaDB"), "banner", "mysql", "MariaDB", "11.4.2" },
        { Wire.Latin1("HTTP/1.1 200 OK\r\nDate: Thu, 26 Nov 2026 06:00:00 GMT\r\nServer: Apache/2.4.62 (Debian)\r\nContent-Length: 0\r\n\r\n"), "http-get", "http", "Apache httpd", "2.4.62" },
        { Wire.Latin1("HTTP/1.1 404 Not Found\r\nServer: lighttpd/1.4.69\r\n\r\n"), "http-get", "http", "lighttpd", "1.4.69" },
        { Wire.Latin1("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nServer: Microsoft-IIS/10.0\r\nX-Powered-By: ASP.NET\r\n\r\n"), "http-get", "http", "Microsoft IIS httpd", "10.0" },
        { Wire.Latin1("HTTP/1.1 308 Permanent Redirect\r\nLocation: https://example.test/\r\nServer: Caddy\r\n\r\n"), "http-get", "http", "Caddy httpd", null },
        { Wire.Latin1("HTTP/1.1 200 OK\r\nServer: openresty/1.25.3.1\r\n\r\n"), "http-get", "http", "OpenResty web app server", "1.25.3.1" },
        { Wire.Latin1("HTTP/1.1 200 OK\r\nServer: Kestrel\r\n\r\n"), "http-get", "http", "Microsoft Kestrel httpd", null },
        { Wire.Latin1("HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\n\r\n"), "http-get", "http", "SimpleHTTPServer", "0.6" },
        { Wire.Latin1("HTTP/1.1 200 OK\r\nServer: MyOwnServer/3.1\r\n\r\n"), "http-get", "http", "MyOwnServer", "3.1" },
        { Wire.Latin1("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), "http-get", "http", null, null },
        { Wire.Latin1("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\n  \"name\" : \"node-1\",\n  \"cluster_name\" : \"docker-cluster\",\n  \"cluster_uuid\" : \"x\",\n  \"version\" : {\n    \"number\" : \"8.15.0\",\n    \"build_flavor\" : \"default\",\n    \"lucene_version\" : \"9.11.1\"\n  },\n  \"tagline\" : \"You Know, for Search\"\n}\n"), "http-get", "http", "Elasticsearch REST API", "8.15.0" },
        { Wire.Latin1("HTTP/1.1 200 OK\r\nApi-Version: 1.45\r\nContent-Type: application/json\r\nServer: Docker/26.1.4 (linux)\r\n\r\n{\"Platform\":{\"Name\":\"Docker Engine - Community\"},\"Components\":[{\"Name\":\"Engine\",\"Version\":\"26.1.4\"}],\"Version\":\"26.1.4\",\"ApiVersion\":\"1.45\",\"MinAPIVersion\":\"1.24\",\"GitCommit\":\"de5c9cf\",\"GoVersion\":\"go1.21.11\",\"Os\":\"linux\",\"Arch\":\"amd64\"}\n"), "http-version", "http", "Docker Engine API", "26.1.4" },
        { Wire.Latin1("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\n  \"major\": \"1\",\n  \"minor\": \"30\",\n  \"gitVersion\": \"v1.30.2\",\n  \"gitCommit\": \"39683505\",\n  \"platform\": \"linux/amd64\"\n}"), "http-version", "http", "Kubernetes API server", "1.30.2" },
        { Wire.VersionBindAnswer("9.18.28-1~deb12u2-Debian"), "dns-version-bind", "domain", "ISC BIND", "9.18.28" },
        { Wire.VersionBindAnswer("unbound 1.17.1"), "dns-version-bind", "domain", "Unbound", "1.17.1" },
        { Wire.VersionBindAnswer("PowerDNS Recursor 4.8.4"), "dns-version-bind", "domain", "PowerDNS Recursor", "4.8.4" },
        { Wire.Latin1("-NOAUTH Authentication required.\r\n"), "redis", "redis", "Redis key-value store", null },
        { Wire.Latin1("+PONG\r\n$40\r\n# Server\r\nredis_version:7.2.4\r\nvalkey_version:8.0.1\r\n\r\n"), "redis", "redis", "Valkey", "8.0.1" },
        { Wire.MongoReply(Wire.Bson(("version", "7.0.12"), ("gitVersion", "b6513ce0781db6818e24619e8a461eae90bc94fc"), ("ok", 1.0))), "mongodb", "mongodb", "MongoDB", "7.0.12" },
        { Wire.LdapRootDseEntry("objectClass", "top", "OpenLDAProotDSE"), "ldap-rootdse", "ldap", "OpenLDAP", null },
        { Wire.LdapRootDseEntry("vendorVersion", "389-Directory/2.3.4 B2023.191.0000"), "ldap-rootdse", "ldap", "389 Directory Server", "2.3.4" },
        { Wire.LdapRootDseEntry("domainControllerFunctionality", "7"), "ldap-rootdse", "ldap", "Microsoft Windows Active Directory LDAP", null },
        { Wire.LdapRootDseEntry("namingContexts", "dc=example,dc=test"), "ldap-rootdse", "ldap", null, null },
        { Wire.Smb2NegotiateResponse("`\x28\x06\x06+\x06\x01\x05\x05\x02\xa0\x1e0\x1c\xa0\x1a0\x18\x06\nnot_defined_in_RFC4178@please_ignore"), "smb-negotiate", "microsoft-ds", "Samba smbd", null },
        { [0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00, 0x02, 0x1f, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00], "rdp", "ms-wbt-server", null, null },
        { [0x20, 0x02, 0x00, 0x00], "mqtt", "mqtt", null, null },
        { [0x20, 0x02, 0x00, 0x05], "mqtt", "mqtt", null, null },
        { Wire.AmqpConnectionStart(("cluster_name", "rabbit@mq1"), ("copyright", "Copyright (c) 2007-2024 Broadcom Inc"), ("platform", "Erlang/OTP 26.2.5"), ("product", "RabbitMQ"), ("version", "3.13.6")), "amqp", "amqp", "RabbitMQ", "3.13.6" },
    };

    [Theory]
    [MemberData(nameof(WrittenAnswers))]
    [MemberData(nameof(SignatureBreadthTests.Answers), MemberType = typeof(SignatureBreadthTests))]
    public void Match_AnswerWrittenFromTheProtocol_NamesServiceProductAndVersion(byte[] answer, string probe, string service, string? product, string? version)
    {
        var match = s_db.Match(probe, answer);

        Assert.NotNull(match);
        Assert.Equal(service, match.Service);
        Assert.Equal(product, match.Product);
        Assert.Equal(version, match.Version);
    }

    [Fact]
    public void Match_OpenSshOnDebian_FillsInfoOsAndCpe()
    {
        var match = s_db.Match("banner", Wire.Fixture("22-banner.bin"))!;

        Assert.Equal("Debian 2+deb12u10; protocol 2.0", match.ExtraInfo);
        Assert.Equal("Linux", match.OperatingSystem);
        Assert.Equal(["cpe:/a:openbsd:openssh:9.2p1", "cpe:/o:linux:linux_kernel"], match.Cpe);
    }

    [Fact]
    public void Match_AmqpWithPlatform_PutsPlatformInInfo()
    {
        var match = s_db.Match("amqp", Wire.AmqpConnectionStart(("platform", "Erlang/OTP 26.2.5"), ("product", "RabbitMQ"), ("version", "3.13.6")))!;

        Assert.Equal("AMQP 0-9; Erlang/OTP 26.2.5", match.ExtraInfo);
        Assert.Equal(["cpe:/a:vmware:rabbitmq:3.13.6"], match.Cpe);
    }

    [Fact]
    public void Match_AnswerOfAnotherProbe_IsNotMatchedByProbeSpecificLines()
    {
        Assert.Null(s_db.Match("banner", Wire.Fixture("11211-version.bin")));
        Assert.Null(s_db.Match("redis", Wire.Fixture("80-http-get.bin")));
    }

    [Fact]
    public void Match_EmptyOrGarbage_IsNull()
    {
        Assert.Null(s_db.Match("banner", []));
        var garbage = new byte[4096];
        new Random(42).NextBytes(garbage);
        foreach (var probe in (string[])["banner", "http-get", "redis", "mongodb", "ldap-rootdse", "amqp", "pg-startup"])
        {
            var match = s_db.Match(probe, garbage);
            Assert.True(match is null || match.Kind == MatchKind.Soft, $"{probe} hard-matched garbage at line {match?.Signature.Line}");
        }
    }

    [Fact]
    public void Match_HugeHostileAnswer_FinishesQuickly()
    {
        // 64 KiB of header-like lines with no end: patterns must not run away on it.
        var answer = Wire.Latin1("HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Repeat("X-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", 1800)));
        var started = System.Diagnostics.Stopwatch.StartNew();

        var match = s_db.Match("http-get", answer);

        Assert.Equal("http", match?.Service);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");
    }

    [Fact]
    public void LoadEmbedded_EveryLineParses_AndCoversTheRequiredServices()
    {
        var result = SignatureDatabase.Parse(ReadEmbedded());

        Assert.Empty(result.Errors);
        var services = result.Database.Signatures.Select(s => s.Service).ToHashSet();
        foreach (var required in (string[])["ssh", "http", "ftp", "smtp", "pop3", "imap", "domain", "redis", "memcache", "postgresql", "mysql", "mongodb", "ms-wbt-server", "vnc", "telnet", "ldap", "microsoft-ds", "mqtt", "amqp"])
        {
            Assert.Contains(required, services);
        }
        Assert.True(result.Database.Signatures.Count >= 100);
    }

    [Fact]
    public void Parse_BadLines_AreReportedByNumberAndSkipped()
    {
        var text = "# comment\n\nbanner\thard\tssh\t^SSH-\tX\t-\t-\t-\t-\t-\nbanner\tmaybe\tssh\t^SSH-\t-\t-\t-\t-\t-\t-\nbanner\thard\tssh\t(unclosed\t-\t-\t-\t-\t-\t-\nbanner\thard\tssh\n";

        var result = SignatureDatabase.Parse(text);

        Assert.Single(result.Database.Signatures);
        Assert.Equal(3, result.Errors.Count);
        Assert.StartsWith("line 4:", result.Errors[0], StringComparison.Ordinal);
        Assert.StartsWith("line 5:", result.Errors[1], StringComparison.Ordinal);
        Assert.StartsWith("line 6:", result.Errors[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Match_TemplateWithEmptyGroup_DropsDanglingSeparatorAndCpeColon()
    {
        var db = SignatureDatabase.Parse("banner\thard\tx\t^X(\\d*)-(\\w*)\tP\t$1\t$2; tail\t-\t-\tcpe:/a:v:p:$1\n").Database;

        var match = db.Match("banner", Wire.Latin1("X-"))!;

        Assert.Null(match.Version);
        Assert.Equal("tail", match.ExtraInfo);
        Assert.Equal(["cpe:/a:v:p"], match.Cpe);
    }

    private static string ReadEmbedded()
    {
        using var stream = typeof(SignatureDatabase).Assembly.GetManifestResourceStream("PortAtlas.data.service-signatures.tsv")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
