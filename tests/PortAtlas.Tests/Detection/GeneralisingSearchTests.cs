using System.Buffers.Binary;
using System.Net.Security;
using System.Text;
using PortAtlas.Detection;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Detection;

/// <summary>
/// The search that generalises: protocols probed on any port, echoes, caches and proxies, SOCKS, application
/// fingerprints, protocols inside TLS, generic greeting extraction, and the confidence each result states.
/// </summary>
public class GeneralisingSearchTests
{
    /// <summary>Default probe count and parallelism, short waits: what a port with no hint meets.</summary>
    private static readonly DetectionOptions s_options = FakeServerOptions.Fast with { MaxProbes = 20, PortTimeout = TimeSpan.FromSeconds(12) };

    private static readonly PortRegistry s_noHints = new([]);

    private static ServiceDetector Detector(PortRegistry? registry = null) => new(null, null, registry ?? s_noHints);

    private static PortRegistry Hint(int port, string name) =>
        new([new PortEntry { Port = port, Protocol = Transport.Tcp, Name = name, Source = EntrySource.Curated }]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DetectAsync_EchoServer_IsEchoNotTheProtocolItEchoed()
    {
        await using var server = new FakeServer(async (s, ct) =>
        {
            var buffer = new byte[4096];
            int n;
            while ((n = await s.ReadAsync(buffer, ct)) > 0)
            {
                await s.WriteAsync(buffer.AsMemory(0, n), ct);
            }
        });

        var info = await Detector(Hint(server.Port, "microsoft-ds")).DetectAsync(server.EndPoint, s_options, Ct);

        Assert.Equal("echo", info?.Name);
        Assert.Equal("probe", info?.Method);
        Assert.Equal(8, info?.Confidence);
    }

    [Fact]
    public async Task DetectAsync_DnsServerOnAHighPortWithNoHint_IsDomainWithItsProduct()
    {
        await using var server = new FakeServer(async (s, ct) =>
        {
            // A DNS-over-TCP server: a two-byte length, then the message; anything else is waited on, as real ones do.
            var length = new byte[2];
            await s.ReadExactlyAsync(length, ct);
            var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
            await s.ReadExactlyAsync(message, ct);
            if (message.Length > 20 && message[12] == 7 && message.AsSpan(13, 7).SequenceEqual("version"u8))
            {
                await s.WriteAsync(Wire.VersionBindAnswer("PowerDNS Recursor 5.0.4"), ct);
            }
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_options, Ct);

        Assert.Equal("domain", info?.Name);
        // The recursor names itself; its own signature keeps it apart from the authoritative server.
        Assert.Equal("PowerDNS Recursor", info?.Product);
        Assert.Equal("5.0.4", info?.Version);
        Assert.Equal("probe", info?.Method);
        Assert.Equal(10, info?.Confidence);
    }

    [Fact]
    public async Task DetectAsync_UnknownDnsServer_IsDomainWithTheVersionItAnnounces()
    {
        await using var server = DnsServer("Frobdns 1.2.3");

        var info = await Detector(Hint(server.Port, "domain")).DetectAsync(server.EndPoint, s_options, Ct);

        Assert.Equal("domain", info?.Name);
        Assert.Equal("Frobdns", info?.Product);
        Assert.Equal("1.2.3", info?.Version);
    }

    [Fact]
    public async Task DetectAsync_VarnishInFrontOfNginx_IsNamedAsTheCache()
    {
        await using var server = HttpServer((_, _) =>
            "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nVia: 1.1 varnish (Varnish/7.1)\r\nX-Varnish: 32770 3\r\nAge: 12\r\nContent-Length: 0\r\n\r\n");

        var info = await Detector().DetectAsync(server.EndPoint, s_options, Ct);

        Assert.Equal("http", info?.Name);
        Assert.Equal("Varnish http accelerator", info?.Product);
        Assert.Equal("7.1", info?.Version);
        Assert.Contains("server: nginx/1.22.1", info?.ExtraInfo, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DetectAsync_SquidAnsweringAPlainGet_IsHttpProxy()
    {
        await using var server = HttpServer((_, _) =>
            "HTTP/1.1 400 Bad Request\r\nServer: squid/5.7\r\nMime-Version: 1.0\r\nX-Squid-Error: ERR_INVALID_URL 0\r\nContent-Length: 0\r\n\r\n");

        var info = await Detector().DetectAsync(server.EndPoint, s_options, Ct);

        Assert.Equal("http-proxy", info?.Name);
        Assert.Equal("Squid http proxy", info?.Product);
        Assert.Equal("5.7", info?.Version);
    }

    [Fact]
    public async Task DetectAsync_ForwardProxyThatOnlyAnswersAbsoluteUris_IsHttpProxy()
    {
        await using var server = HttpServer((request, _) => request.StartsWith("GET http://", StringComparison.Ordinal)
            ? "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"proxy\"\r\nContent-Length: 0\r\n\r\n"
            : "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");

        var info = await Detector(Hint(server.Port, "http-proxy")).DetectAsync(server.EndPoint, s_options, Ct);

        Assert.Equal("http-proxy", info?.Name);
        Assert.Equal("proxy authentication required", info?.ExtraInfo);
    }

    [Fact]
    public async Task DetectAsync_Socks5ServerWithNoHint_IsSocks5()
    {
        await using var server = new FakeServer(async (s, ct) =>
        {
            var greeting = new byte[3];
            await s.ReadExactlyAsync(greeting, ct);
            if (greeting is [0x05, 0x01, 0x00])
            {
                await s.WriteAsync(new byte[] { 0x05, 0x00 }, ct);
                await FakeServer.DrainAsync(s, ct);
            }
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_options, Ct);

        Assert.Equal("socks5", info?.Name);
        Assert.Equal("no authentication required", info?.ExtraInfo);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><head><title>Grafana</title></head></html>", "Grafana", null)]
    [InlineData("HTTP/1.1 403 Forbidden\r\nServer: Jetty(10.0.13)\r\nX-Jenkins: 2.414.3\r\nContent-Length: 0\r\n\r\n", "Jenkins", "2.414.3")]
    [InlineData("HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<html><body><h3>Apache Tomcat/10.1.16</h3></body></html>", "Apache Tomcat", "10.1.16")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><head><title>Node Exporter</title></head><body>version=1.6.1</body></html>", "Prometheus node_exporter", "1.6.1")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><head><title>Blackbox Exporter</title></head><body>version=0.24.0</body></html>", "Blackbox Exporter", "0.24.0")]
    [InlineData("HTTP/1.1 204 No Content\r\nX-Acmedb-Version: 3.2.1\r\n\r\n", "Acmedb", "3.2.1")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"name\":\"Acme Registry\",\"version\":\"7.3.0\"}", "Acme Registry", "7.3.0")]
    public async Task DetectAsync_ApplicationShownByHeaderTitleOrBody_IsNamed(string response, string product, string? version)
    {
        await using var server = HttpServer((_, _) => response);

        var info = await Detector().DetectAsync(server.EndPoint, s_options, Ct);

        Assert.Equal("http", info?.Name);
        Assert.Equal(product, info?.Product);
        Assert.Equal(version, info?.Version);
    }

    [Theory]
    [InlineData("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Dovecot (Debian) ready.\r\n", "imaps", "Dovecot imapd")]
    [InlineData("+OK Dovecot (Debian) ready.\r\n", "pop3s", "Dovecot pop3d")]
    [InlineData("220 mx.portatlas.test ESMTP Postfix (Debian/GNU)\r\n", "smtps", "Postfix smtpd")]
    public async Task DetectAsync_TlsWithAGreetingInsideAndNoHint_IsTheInnerProtocolOverTls(string greeting, string name, string product)
    {
        using var certificate = TestCertificates.SelfSignedRsa("mail.portatlas.test", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10));
        await using var server = new FakeServer(async (s, ct) =>
        {
            await using var tls = new SslStream(s);
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, ct);
            await tls.WriteAsync(Encoding.ASCII.GetBytes(greeting), ct);
            await FakeServer.DrainAsync(tls, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_options with { BannerWait = TimeSpan.FromMilliseconds(300) }, Ct);

        Assert.Equal(name, info?.Name);
        Assert.Equal(product, info?.Product);
        Assert.Equal("tls", info?.Method);
        Assert.NotNull(info?.Tls);
    }

    [Fact]
    public async Task DetectAsync_UnknownFtpProduct_IsReadFromTheGreetingWithLowerConfidence()
    {
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync("220 files.portatlas.test FTP server (MyFtpd 4.2.1) ready.\r\n"u8.ToArray(), ct);
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_options, Ct);

        Assert.Equal("ftp", info?.Name);
        Assert.Equal("MyFtpd", info?.Product);
        Assert.Equal("4.2.1", info?.Version);
        Assert.Equal("banner", info?.Method);
        Assert.Equal(7, info?.Confidence);
        Assert.Equal(1, server.Accepted);
    }

    [Fact]
    public async Task DetectAsync_NothingIdentified_KeepsTheHeadOfEachAnswerAsEvidence()
    {
        // Answers every probe with a different unknown reply.
        await using var server = new FakeServer(async (s, ct) =>
        {
            var buffer = new byte[4096];
            var n = await s.ReadAsync(buffer, ct);
            if (n > 0)
            {
                await s.WriteAsync(Encoding.ASCII.GetBytes($"?? {buffer[0]:x2}\n"), ct);
            }
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_options with { MaxProbes = 4, InspectTls = false }, Ct);

        Assert.Equal("unknown", info?.Name);
        Assert.Equal("registry", info?.Method);
        Assert.Equal(0, info?.Confidence);
        Assert.StartsWith("?? 47\\n", info?.Evidence, StringComparison.Ordinal); // the answer to "GET /"
        Assert.Contains(" | ", info?.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DetectAsync_GeneralProbes_RunInParallelWithinTheLimit()
    {
        var probe = new ConcurrencyProbe();
        await using var server = new FakeServer(FakeServer.DrainAsync) { Probe = probe };

        var info = await Detector().DetectAsync(server.EndPoint, s_options with { InspectTls = false, MaxProbes = 9, ParallelProbes = 4 }, Ct);

        Assert.Equal("unknown", info?.Name);
        // The server counts a connection until it reads the client's close, so the banner wait's connection can still be
        // counted when the first four probes open: the limit seen from the server side is 4 probes plus that one.
        Assert.InRange(probe.Max, 2, 4 + 1);
        Assert.Equal(1 + 9, server.Accepted); // the banner wait's connection, then one per probe
    }

    [Fact]
    public void IsEcho_ComparesThePrefixOnly_WhenLongEnough()
    {
        Assert.True(DetectionSession.IsEcho("HELP\r\n"u8, "HELP\r\n"u8));
        Assert.True(DetectionSession.IsEcho("GET / HTTP/1.0\r\nHost: x\r\n\r\n"u8, "GET / HT"u8));
        Assert.False(DetectionSession.IsEcho("GET / HTTP/1.0\r\n"u8, "GET"u8));
        Assert.False(DetectionSession.IsEcho("HELP\r\n"u8, "-ERR unknown command 'HELP'\r\n"u8));
    }

    private static FakeServer DnsServer(string version) => new(async (s, ct) =>
    {
        var length = new byte[2];
        await s.ReadExactlyAsync(length, ct);
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
        await s.ReadExactlyAsync(message, ct);
        await s.WriteAsync(Wire.VersionBindAnswer(version), ct);
        await FakeServer.DrainAsync(s, ct);
    });

    /// <summary>An HTTP server answering each request (first line, whole request) with the given text.</summary>
    private static FakeServer HttpServer(Func<string, string, string> respond) => new(async (s, ct) =>
    {
        var request = Encoding.Latin1.GetString(await FakeServer.ReadUntilAsync(s, "\r\n\r\n"u8.ToArray(), ct));
        if (request.StartsWith("GET ", StringComparison.Ordinal))
        {
            await s.WriteAsync(Encoding.Latin1.GetBytes(respond(request, request)), ct);
        }
    });
}
