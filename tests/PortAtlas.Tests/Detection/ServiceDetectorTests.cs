using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PortAtlas.Detection;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Detection;

/// <summary>Detection against fake services on loopback ports of the test's own.</summary>
public class ServiceDetectorTests
{
    private static readonly DetectionOptions s_fast = FakeServerOptions.Fast;

    /// <summary>How far a <see cref="SteppingClock"/> moves at a time.</summary>
    private static readonly TimeSpan s_step = TimeSpan.FromMilliseconds(50);

    /// <summary>No port hints: the random test ports must not steer probing.</summary>
    private static readonly PortRegistry s_noHints = new([]);

    private static ServiceDetector Detector(PortRegistry? registry = null, TimeProvider? time = null) => new(time, null, registry ?? s_noHints);

    private static PortRegistry Hint(int port, string name) =>
        new([new PortEntry { Port = port, Protocol = Transport.Tcp, Name = name, Source = EntrySource.Curated }]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DetectAsync_ServiceThatSpeaksFirst_IsIdentifiedFromItsBanner()
    {
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"u8.ToArray(), ct);
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.NotNull(info);
        Assert.Equal("ssh", info.Name);
        Assert.Equal("OpenSSH", info.Product);
        Assert.Equal("9.2p1", info.Version);
        Assert.Equal("banner", info.Method);
        Assert.Equal("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\\r\\n", info.Evidence);
        Assert.Equal(1, server.Accepted);
    }

    [Fact]
    public async Task DetectAsync_HttpServer_IsIdentifiedByGetWithTitleAndRedirectInExtraInfo()
    {
        await using var server = new FakeServer(async (s, ct) =>
        {
            var request = await FakeServer.ReadUntilAsync(s, "\r\n\r\n"u8.ToArray(), ct);
            if (Encoding.ASCII.GetString(request).StartsWith("GET / HTTP/1.0\r\n", StringComparison.Ordinal))
            {
                var body = "<html><head><title>Moved &amp; gone</title></head></html>";
                await s.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 301 Moved Permanently\r\nServer: nginx/1.25.4\r\nLocation: https://lab.portatlas.test/\r\nContent-Length: {body.Length}\r\n\r\n{body}"), ct);
            }
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.NotNull(info);
        Assert.Equal("http", info.Name);
        Assert.Equal("nginx", info.Product);
        Assert.Equal("1.25.4", info.Version);
        Assert.Equal("redirect: https://lab.portatlas.test/; title: Moved & gone", info.ExtraInfo);
        Assert.Equal("probe", info.Method);
    }

    [Fact]
    public async Task DetectAsync_ClosedPort_IsNull()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        listener.Stop();

        var info = await Detector().DetectAsync(endpoint, s_fast, Ct);

        Assert.Null(info);
    }

    [Fact]
    public async Task DetectAsync_SilentService_WaitsForABannerThenEndsWithinBudgetAsUnknown()
    {
        var clock = new SteppingClock();
        TimeSpan? firstProbe = null;
        await using var server = new FakeServer(async (s, ct) =>
        {
            var one = new byte[1];
            if (await s.ReadAsync(one, ct) > 0)
            {
                firstProbe ??= clock.Elapsed;
            }
            await FakeServer.DrainAsync(s, ct);
        });

        var (info, elapsed) = await clock.RunAsync(() => Detector(time: clock).DetectAsync(server.EndPoint, s_fast, Ct), s_fast.PortTimeout, s_step, Ct);

        Assert.NotNull(info);
        Assert.Equal("unknown", info.Name);
        Assert.Equal("registry", info.Method);
        Assert.Null(info.Evidence);
        // No hint: the detector listens for the whole banner wait before it speaks, and its first probe goes out before
        // that probe could have timed out.
        Assert.NotNull(firstProbe);
        Assert.InRange(firstProbe.Value, s_fast.BannerWait, s_fast.BannerWait + s_fast.ProbeTimeout);
        Assert.InRange(elapsed, s_fast.BannerWait, s_fast.PortTimeout);
    }

    [Fact]
    public async Task DetectAsync_ProbesOutlastTheBudget_EndsWhenTheBudgetRunsOut()
    {
        await using var server = new FakeServer(FakeServer.DrainAsync);
        var clock = new SteppingClock();
        // Silent: the banner wait (1 s) and the first probe's timeout (2 s) alone outlast the 2.5 s budget.
        var options = s_fast with { PortTimeout = TimeSpan.FromSeconds(2.5), ParallelProbes = 1, MaxProbes = 3 };

        var (info, elapsed) = await clock.RunAsync(() => Detector(time: clock).DetectAsync(server.EndPoint, options, Ct), options.PortTimeout, s_step, Ct);

        Assert.Equal("unknown", info?.Name);
        Assert.Equal(options.PortTimeout, elapsed);
    }

    [Fact]
    public async Task DetectAsync_SilentServiceWithPortHint_GetsRegistryName()
    {
        await using var server = new FakeServer(FakeServer.DrainAsync);

        var info = await Detector(Hint(server.Port, "redis")).DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("redis", info?.Name);
        Assert.Equal("registry", info?.Method);
    }

    [Fact]
    public async Task DetectAsync_BinaryGarbage_GivesEscapedEvidenceAndNoCrash()
    {
        var garbage = new byte[3000];
        new Random(7).NextBytes(garbage);
        garbage[0] = 0x00;
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync(garbage, ct);
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.NotNull(info);
        Assert.Equal("registry", info.Method);
        Assert.NotNull(info.Evidence);
        Assert.StartsWith("\\x00", info.Evidence, StringComparison.Ordinal);
        Assert.True(info.Evidence.Length <= s_fast.MaxEvidenceLength);
        Assert.All(info.Evidence, c => Assert.InRange(c, ' ', '~'));
    }

    [Fact]
    public async Task DetectAsync_MegabytesOfBanner_ReadsACappedAmountAndFinishes()
    {
        long sent = 0;
        await using var server = new FakeServer(async (s, ct) =>
        {
            var chunk = Encoding.ASCII.GetBytes(new string('A', 64 * 1024));
            // Bounded: at most 16 MiB, and only while the detector keeps reading.
            for (var i = 0; i < 256 && !ct.IsCancellationRequested; i++)
            {
                await s.WriteAsync(chunk, ct);
                Interlocked.Add(ref sent, chunk.Length);
            }
        });
        var clock = Stopwatch.StartNew();

        var info = await Detector().DetectAsync(server.EndPoint, s_fast with { MaxResponseBytes = 16 * 1024 }, Ct);

        Assert.NotNull(info);
        Assert.StartsWith("AAAA", info.Evidence, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, s_fast.PortTimeout + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task DetectAsync_OneByteASecond_EndsWithinBudget()
    {
        var clock = new SteppingClock();
        // The trickle runs on the same fake clock: 30 bytes over 30 s, against an 8 s budget.
        await using var server = new FakeServer(async (s, ct) =>
        {
            for (var i = 0; i < 30 && !ct.IsCancellationRequested; i++)
            {
                await s.WriteAsync("S"u8.ToArray(), ct);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, ct);
            }
        });

        var (info, elapsed) = await clock.RunAsync(() => Detector(time: clock).DetectAsync(server.EndPoint, s_fast, Ct), s_fast.PortTimeout, s_step, Ct);

        Assert.NotNull(info);
        Assert.InRange(elapsed, TimeSpan.Zero, s_fast.PortTimeout);
    }

    [Fact]
    public async Task DetectAsync_ServerThatClosesAtOnce_IsTcpWrappedNotAnError()
    {
        await using var server = new FakeServer((s, _) =>
        {
            s.Socket.LingerState = new LingerOption(true, 0);
            return Task.CompletedTask;
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("tcpwrapped", info?.Name);
    }

    [Fact]
    public async Task DetectAsync_PortTimeoutShorterThanAnyWait_ReturnsTheBestGuessInTime()
    {
        await using var server = new FakeServer(FakeServer.DrainAsync);
        var options = s_fast with { PortTimeout = TimeSpan.FromMilliseconds(300), BannerWait = TimeSpan.FromSeconds(5) };
        var clock = new SteppingClock();

        var (info, elapsed) = await clock.RunAsync(() => Detector(Hint(server.Port, "ssh"), clock).DetectAsync(server.EndPoint, options, Ct), options.PortTimeout, s_step, Ct);

        Assert.Equal("ssh", info?.Name);
        // The budget, not the 5 s banner wait, ends it.
        Assert.Equal(options.PortTimeout, elapsed);
    }

    [Fact]
    public async Task DetectAsync_CallerCancels_Throws()
    {
        await using var server = new FakeServer(FakeServer.DrainAsync);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Detector().DetectAsync(server.EndPoint, s_fast with { BannerWait = TimeSpan.FromSeconds(5) }, cts.Token));
    }

    [Fact]
    public async Task DetectAsync_TelnetNegotiation_IsRefusedUntilTheLoginPrompt()
    {
        byte[] offer = [0xFF, 0xFD, 0x18, 0xFF, 0xFD, 0x20, 0xFF, 0xFB, 0x01];
        byte[]? reply = null;
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync(offer, ct);
            var buffer = new byte[64];
            var n = await s.ReadAsync(buffer, ct);
            reply = buffer[..n];
            await s.WriteAsync("\r\nDebian GNU/Linux 12\r\nlab login: "u8.ToArray(), ct);
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("telnet", info?.Name);
        Assert.Equal("banner", info?.Method);
        Assert.Equal([0xFF, 0xFC, 0x18, 0xFF, 0xFC, 0x20, 0xFF, 0xFE, 0x01], reply);
    }

    [Theory]
    [InlineData("smtp", true)]
    [InlineData("smtp", false)]
    [InlineData("imap", true)]
    [InlineData("imap", false)]
    [InlineData("pop3", true)]
    [InlineData("pop3", false)]
    [InlineData("ftp", true)]
    [InlineData("ftp", false)]
    public async Task DetectAsync_PlainTextMailAndFtp_ReportsStartTlsWhenOffered(string protocol, bool offered)
    {
        var (banner, command, answer, expected) = protocol switch
        {
            "smtp" => ("220 mx.test ESMTP Postfix\r\n", "EHLO", offered ? "250-mx.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n" : "250-mx.test\r\n250 8BITMIME\r\n", "STARTTLS"),
            "imap" => ("* OK Dovecot ready.\r\n", "A1 CAPABILITY", offered ? "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\nA1 OK done\r\n" : "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA1 OK done\r\n", "STARTTLS"),
            "pop3" => ("+OK Dovecot ready.\r\n", "CAPA", offered ? "+OK\r\nUIDL\r\nSTLS\r\n.\r\n" : "+OK\r\nUIDL\r\n.\r\n", "STLS"),
            _ => ("220 (vsFTPd 3.0.3)\r\n", "FEAT", offered ? "211-Features:\r\n AUTH TLS\r\n PBSZ\r\n211 End\r\n" : "211-Features:\r\n EPSV\r\n211 End\r\n", "AUTH TLS"),
        };
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync(Encoding.ASCII.GetBytes(banner), ct);
            var got = Encoding.ASCII.GetString(await FakeServer.ReadUntilAsync(s, "\r\n"u8.ToArray(), ct));
            if (got.StartsWith(command, StringComparison.Ordinal))
            {
                await s.WriteAsync(Encoding.ASCII.GetBytes(answer), ct);
            }
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal(protocol, info?.Name);
        Assert.NotNull(info?.Product);
        Assert.Equal(offered ? expected : null, info?.StartTls);
    }

    [Fact]
    public async Task DetectAsync_ImapGreetingWithCapabilities_ReportsStartTlsWithoutAsking()
    {
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Dovecot (Debian) ready.\r\n"u8.ToArray(), ct);
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("Dovecot imapd", info?.Product);
        Assert.Equal("STARTTLS", info?.StartTls);
    }

    [Theory]
    [InlineData('S', "SSLRequest")]
    [InlineData('N', null)]
    public async Task DetectAsync_PostgresHint_SendsSslRequestThenStartup(char sslAnswer, string? startTls)
    {
        var error = Wire.Fixture("5432-startup-v4.bin");
        await using var server = new FakeServer(async (s, ct) =>
        {
            var buffer = new byte[256];
            var n = await s.ReadAsync(buffer, ct);
            if (n == 8 && buffer[7] == 0x2f)
            {
                await s.WriteAsync(new[] { (byte)sslAnswer }, ct);
                if (sslAnswer == 'S')
                {
                    return;
                }
                n = await s.ReadAsync(buffer, ct);
            }
            if (n > 8 && buffer[4] == 0 && buffer[5] == 4)
            {
                await s.WriteAsync(error, ct);
            }
        });

        var info = await Detector(Hint(server.Port, "postgresql")).DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("postgresql", info?.Name);
        Assert.Equal("PostgreSQL DB", info?.Product);
        Assert.Equal("protocol 3.0-3.0", info?.ExtraInfo);
        Assert.Equal(startTls, info?.StartTls);
        Assert.Equal(sslAnswer == 'S' ? "yes" : "no", ServiceFacts.Get(info?.Facts, "starttls"));
    }

    [Fact]
    public async Task DetectAsync_HttpsWithSelfSignedRsaCertificate_FillsTlsInfoAndProbesInside()
    {
        using var certificate = TestCertificates.SelfSignedRsa("lab.portatlas.test", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        await using var server = TlsHttpServer(certificate);

        var info = await Detector(Hint(server.Port, "https")).DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.NotNull(info);
        Assert.Equal("https", info.Name);
        Assert.Equal("Caddy httpd", info.Product);
        Assert.Equal("tls", info.Method);
        var tls = Assert.IsType<TlsInfo>(info.Tls);
        Assert.Equal("CN=lab.portatlas.test, O=PortAtlas tests", tls.Subject);
        Assert.Equal(tls.Subject, tls.Issuer);
        Assert.Equal(["DNS:lab.portatlas.test", "DNS:www.lab.portatlas.test", "IP:127.0.0.1"], tls.SubjectAlternativeNames);
        Assert.Equal("RSA", tls.KeyType);
        Assert.Equal(2048, tls.KeyBits);
        Assert.Equal("sha256RSA", tls.SignatureAlgorithm);
        Assert.True(tls.SelfSigned);
        Assert.False(tls.Expired);
        Assert.StartsWith("TLSv1.", tls.Protocol, StringComparison.Ordinal);
        Assert.NotNull(tls.CipherSuite);
        Assert.Equal("http/1.1", tls.Alpn);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(certificate.RawData)), tls.CertificateSha256);
        Assert.Equal(certificate.NotAfter.ToUniversalTime(), tls.NotAfter!.Value.UtcDateTime, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task DetectAsync_ExpiredCertificate_IsReportedExpired()
    {
        using var certificate = TestCertificates.SelfSignedRsa("old.portatlas.test", DateTimeOffset.UtcNow.AddYears(-3), DateTimeOffset.UtcNow.AddYears(-1));
        await using var server = TlsHttpServer(certificate);

        var info = await Detector(Hint(server.Port, "https")).DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.True(info?.Tls?.Expired);
        Assert.True(info?.Tls?.SelfSigned);
    }

    [Fact]
    public async Task DetectAsync_ExpiryIsJudgedByTheInjectedClock()
    {
        using var certificate = TestCertificates.SelfSignedRsa("soon.portatlas.test", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10));
        await using var server = TlsHttpServer(certificate);

        var info = await Detector(Hint(server.Port, "https"), new ShiftedTime(TimeSpan.FromDays(30))).DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.True(info?.Tls?.Expired);
    }

    [Fact]
    public async Task DetectAsync_EcdsaCertificate_ReportsKeyTypeAndSize()
    {
        using var certificate = TestCertificates.SelfSignedEcdsa("ec.portatlas.test");
        await using var server = TlsHttpServer(certificate);

        var info = await Detector(Hint(server.Port, "https")).DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("ECDSA", info?.Tls?.KeyType);
        Assert.Equal(256, info?.Tls?.KeyBits);
        Assert.Equal("sha256ECDSA", info?.Tls?.SignatureAlgorithm);
        Assert.True(info?.Tls?.SelfSigned);
    }

    [Fact]
    public async Task DetectAsync_CertificateFromCa_IsNotSelfSigned()
    {
        using var certificate = TestCertificates.IssuedByCa("leaf.portatlas.test");
        await using var server = TlsHttpServer(certificate);

        var info = await Detector(Hint(server.Port, "https")).DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("CN=PortAtlas Test CA", info?.Tls?.Issuer);
        Assert.False(info?.Tls?.SelfSigned);
    }

    [Fact]
    public async Task DetectAsync_SelfIssuedButSignedByAnotherKey_IsNotSelfSigned()
    {
        using var certificate = TestCertificates.SelfIssuedSignedByOtherKey("forged.portatlas.test");
        await using var server = TlsHttpServer(certificate);

        var info = await Detector(Hint(server.Port, "https")).DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.NotNull(info?.Tls);
        Assert.Equal(info.Tls.Subject, info.Tls.Issuer);
        Assert.False(info.Tls.SelfSigned);
    }

    [Fact]
    public async Task DetectAsync_TlsOnAPortWithNoHint_IsFoundByTheGeneralProbes()
    {
        using var certificate = TestCertificates.SelfSignedEcdsa("any.portatlas.test");
        await using var server = TlsHttpServer(certificate);

        var info = await Detector().DetectAsync(server.EndPoint, s_fast with { BannerWait = TimeSpan.FromMilliseconds(300) }, Ct);

        Assert.Equal("https", info?.Name);
        Assert.Equal("Caddy httpd", info?.Product);
        Assert.NotNull(info?.Tls);
    }

    [Fact]
    public async Task DetectAsync_ImapsHint_ReadsTheGreetingInsideTls()
    {
        using var certificate = TestCertificates.SelfSignedRsa("mail.portatlas.test", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10));
        await using var server = new FakeServer(async (s, ct) =>
        {
            await using var tls = new SslStream(s);
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, ct);
            await tls.WriteAsync("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Dovecot (Debian) ready.\r\n"u8.ToArray(), ct);
            await FakeServer.DrainAsync(tls, ct);
        });

        // Detection itself reads the greeting on its one TLS connection; the TLS inspection after it (hellos of its
        // own, one connection each) is another step, off here so the count below is detection's alone.
        var info = await Detector(Hint(server.Port, "imaps")).DetectAsync(server.EndPoint, s_fast with { InspectTlsAccepted = false }, Ct);

        Assert.Equal("imaps", info?.Name);
        Assert.Equal("Dovecot imapd", info?.Product);
        Assert.NotNull(info?.Tls);
        Assert.Equal(1, server.Accepted);
    }

    [Fact]
    public async Task DetectAsync_Stream_PassesOtherResultsThroughAndBoundsConcurrency()
    {
        var probe = new ConcurrencyProbe();
        var servers = new List<FakeServer>();
        for (var i = 0; i < 6; i++)
        {
            servers.Add(new FakeServer(async (s, ct) =>
            {
                // From the accepted connection to just before the banner lies within the detection of this port (it
                // connected, and cannot finish before the banner): counted over that span alone, no scheduling delay
                // after the write can make two detections in turn look like three at once.
                probe.Enter();
                try
                {
                    await Task.Delay(100, ct);
                }
                finally
                {
                    probe.Exit();
                }
                await s.WriteAsync("SSH-2.0-dropbear_2022.83\r\n"u8.ToArray(), ct);
            }));
        }
        try
        {
            var input = servers.Select(s => Result(s.Port, PortState.Open))
                .Append(Result(1, PortState.Closed))
                .Append(Result(161, PortState.Open, Transport.Udp));
            var output = new List<PortResult>();

            await foreach (var r in Detector(new PortRegistry([new PortEntry { Port = 161, Protocol = Transport.Udp, Name = "snmp", Source = EntrySource.Curated }]))
                .DetectAsync(ToAsync(input, Ct), s_fast with { MaxConcurrency = 2, BannerWait = TimeSpan.FromSeconds(3) }, Ct))
            {
                output.Add(r);
            }

            Assert.Equal(8, output.Count);
            Assert.All(output.Where(r => r.Protocol == Transport.Tcp && r.State == PortState.Open), r => Assert.Equal("Dropbear sshd", r.Service?.Product));
            Assert.Null(output.Single(r => r.Port == 1).Service);
            Assert.Equal("snmp", output.Single(r => r.Port == 161).Service?.Name);
            Assert.InRange(probe.Max, 1, 2);
        }
        finally
        {
            foreach (var s in servers)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task DetectAsync_StreamAbandonedEarly_StopsWithoutHanging()
    {
        await using var server = new FakeServer(FakeServer.DrainAsync);
        var input = Enumerable.Range(0, 50).Select(_ => Result(server.Port, PortState.Open)).Prepend(Result(1, PortState.Closed));
        // The clock never moves: every detection in flight waits for a banner for ever, so the closed port must come out
        // at once and leaving the loop must cancel the rest rather than wait for them.
        var clock = new SteppingClock();
        var first = 0;
        var run = Task.Run(async () =>
        {
            await foreach (var r in Detector(time: clock).DetectAsync(ToAsync(input, Ct), s_fast with { MaxConcurrency = 4 }, Ct))
            {
                first = r.Port;
                break;
            }
        }, Ct);

        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20), Ct)));
        await run;
        Assert.Equal(1, first);
        Assert.Equal(TimeSpan.Zero, clock.Elapsed);
    }

    private static FakeServer TlsHttpServer(X509Certificate2 certificate) => new(async (s, ct) =>
    {
        await using var tls = new SslStream(s);
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = certificate,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        }, ct);
        var request = await FakeServer.ReadUntilAsync(tls, "\r\n\r\n"u8.ToArray(), ct);
        if (request.Length > 0)
        {
            await tls.WriteAsync("HTTP/1.1 200 OK\r\nServer: Caddy\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), ct);
        }
    });

    private static PortResult Result(int port, PortState state, Transport protocol = Transport.Tcp) => new()
    {
        Address = IPAddress.Loopback,
        Port = port,
        Protocol = protocol,
        State = state,
        Reason = state == PortState.Open ? "syn-ack" : "conn-refused",
    };

    private static async IAsyncEnumerable<PortResult> ToAsync(IEnumerable<PortResult> results, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var r in results)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return r;
        }
    }

    /// <summary>The system clock moved by a fixed amount; timers stay real.</summary>
    private sealed class ShiftedTime(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }
}
