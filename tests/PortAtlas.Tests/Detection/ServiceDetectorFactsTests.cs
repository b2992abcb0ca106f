using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using PortAtlas.Assessment;
using PortAtlas.Detection;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Detection;

/// <summary>The facts detection establishes for assessment (<see cref="ServiceInfo.Facts"/>), against fake services on loopback.</summary>
public class ServiceDetectorFactsTests
{
    private static readonly DetectionOptions s_fast = FakeServerOptions.Fast;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ServiceDetector Detector(int? port = null, string? hint = null) =>
        new(null, null, port is int p && hint is not null
            ? new PortRegistry([new PortEntry { Port = p, Protocol = Transport.Tcp, Name = hint, Source = EntrySource.Curated }])
            : new PortRegistry([]));

    private static string? Fact(ServiceInfo? info, string key) => ServiceFacts.Get(info?.Facts, key);

    [Fact]
    public async Task DetectAsync_Ssh_SendsOurIdentificationAndReadsTheKexInitLists()
    {
        var kexInit = SshKexInitTests.Build(["curve25519-sha256,diffie-hellman-group1-sha1", "ssh-ed25519,ssh-dss", "aes128-ctr", "aes256-ctr,3des-cbc",
            "hmac-sha2-256", "hmac-sha2-512,hmac-md5", "none", "none", "", ""]);
        string? clientLine = null;
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"u8.ToArray(), ct);
            clientLine = Encoding.ASCII.GetString(await FakeServer.ReadUntilAsync(s, "\n"u8.ToArray(), ct));
            await s.WriteAsync(kexInit, ct);
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("OpenSSH", info?.Product);
        Assert.Equal("SSH-2.0-PortAtlas_0.1\r\n", clientLine);
        Assert.Equal("curve25519-sha256,diffie-hellman-group1-sha1", Fact(info, ServiceFacts.SshKex));
        Assert.Equal("ssh-ed25519,ssh-dss", Fact(info, ServiceFacts.SshHostKey));
        Assert.Equal("aes256-ctr,3des-cbc", Fact(info, ServiceFacts.SshCiphers));
        Assert.Equal("hmac-sha2-512,hmac-md5", Fact(info, ServiceFacts.SshMacs));
        Assert.Equal("Linux", Fact(info, ServiceFacts.OperatingSystem));
    }

    [Fact]
    public async Task DetectAsync_SshSendingKexInitWithItsIdentification_ReadsItFromTheBanner()
    {
        var capture = Wire.Fixture("22-kexinit.bin");
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync(capture, ct);
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519", Fact(info, ServiceFacts.SshHostKey));
        Assert.StartsWith("SSH-2.0-OpenSSH_9.2p1", info?.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DetectAsync_SshThatNeverSendsKexInit_KeepsTheProductWithoutSshFacts()
    {
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync("SSH-2.0-OpenSSH_9.2p1\r\n"u8.ToArray(), ct);
            // A trickle that never completes a packet: 4 bytes of a length, then silence.
            await s.WriteAsync(new byte[] { 0, 0, 4, 0 }, ct);
            await FakeServer.DrainAsync(s, ct);
        });
        var clock = new SteppingClock();

        var (info, elapsed) = await clock.RunAsync(
            () => new ServiceDetector(clock, null, new PortRegistry([])).DetectAsync(server.EndPoint, s_fast, Ct), s_fast.PortTimeout, TimeSpan.FromMilliseconds(50), Ct);

        Assert.Equal("OpenSSH", info?.Product);
        Assert.Null(Fact(info, ServiceFacts.SshKex));
        // The unfinished packet is given up on by a read timeout, not by the port's whole budget.
        Assert.InRange(elapsed, TimeSpan.Zero, s_fast.PortTimeout - TimeSpan.FromMilliseconds(50));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DetectAsync_Ftp_TriesOneAnonymousLoginAndChecksFeat(bool anonymous)
    {
        var commands = new ConcurrentQueue<string>();
        var closed = new TaskCompletionSource();
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync("220 (vsFTPd 3.0.3)\r\n"u8.ToArray(), ct);
            while (true)
            {
                var line = Encoding.ASCII.GetString(await FakeServer.ReadUntilAsync(s, "\r\n"u8.ToArray(), ct));
                if (line.Length == 0)
                {
                    closed.TrySetResult();
                    return;
                }
                commands.Enqueue(line.TrimEnd());
                var reply = line.Split(' ', '\r')[0] switch
                {
                    "FEAT" => anonymous ? "211-Features:\r\n EPSV\r\n211 End\r\n" : "211-Features:\r\n AUTH TLS\r\n211 End\r\n",
                    "USER" => "331 Please specify the password.\r\n",
                    "PASS" => anonymous ? "230 Login successful.\r\n" : "530 Login incorrect.\r\n",
                    "QUIT" => "221 Goodbye.\r\n",
                    _ => "500 Unknown command.\r\n",
                };
                await s.WriteAsync(Encoding.ASCII.GetBytes(reply), ct);
            }
        });

        // The TLS inspection after detection opens connections of its own for the AUTH TLS offered (each sends
        // AUTH TLS); this test is about what the detection connection sends, so it is off here.
        var info = await Detector().DetectAsync(server.EndPoint, s_fast with { InspectTlsAccepted = false }, Ct);
        // The detector closes after QUIT; the fake has read everything once it sees the close.
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal("vsftpd", info?.Product);
        Assert.Equal(anonymous ? "yes" : "no", Fact(info, ServiceFacts.Anonymous));
        Assert.Equal(anonymous ? "no" : "yes", Fact(info, ServiceFacts.StartTls));
        Assert.Equal(anonymous ? null : "AUTH TLS", info?.StartTls);
        Assert.Equal(["FEAT", "USER anonymous", "PASS portatlas@", "QUIT"], commands.ToArray());
    }

    [Fact]
    public async Task DetectAsync_FtpWithGatherFactsOff_SendsNoLogin()
    {
        var commands = new ConcurrentQueue<string>();
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync("220 (vsFTPd 3.0.3)\r\n"u8.ToArray(), ct);
            var line = Encoding.ASCII.GetString(await FakeServer.ReadUntilAsync(s, "\r\n"u8.ToArray(), ct));
            commands.Enqueue(line.TrimEnd());
            await s.WriteAsync("211-Features:\r\n EPSV\r\n211 End\r\n"u8.ToArray(), ct);
            line = Encoding.ASCII.GetString(await FakeServer.ReadUntilAsync(s, "\r\n"u8.ToArray(), ct));
            if (line.Length > 0)
            {
                commands.Enqueue(line.TrimEnd());
            }
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_fast with { GatherFacts = false }, Ct);

        Assert.Equal("vsftpd", info?.Product);
        Assert.Null(Fact(info, ServiceFacts.Anonymous));
        Assert.Equal(["FEAT"], commands.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DetectAsync_MailCapabilityLists_GiveStartTlsYesOrNo(bool offered)
    {
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync("+OK Dovecot (Debian) ready.\r\n"u8.ToArray(), ct);
            await FakeServer.ReadUntilAsync(s, "\r\n"u8.ToArray(), ct);
            await s.WriteAsync(offered ? "+OK\r\nUIDL\r\nSTLS\r\n.\r\n"u8.ToArray() : "+OK\r\nUIDL\r\n.\r\n"u8.ToArray(), ct);
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("pop3", info?.Name);
        Assert.Equal(offered ? "yes" : "no", Fact(info, ServiceFacts.StartTls));
    }

    [Fact]
    public async Task DetectAsync_Pop3CapaRefused_LeavesStartTlsUnchecked()
    {
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync("+OK Dovecot (Debian) ready.\r\n"u8.ToArray(), ct);
            await FakeServer.ReadUntilAsync(s, "\r\n"u8.ToArray(), ct);
            await s.WriteAsync("-ERR Unknown command.\r\n"u8.ToArray(), ct);
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("pop3", info?.Name);
        Assert.Null(Fact(info, ServiceFacts.StartTls));
    }

    [Theory]
    [InlineData(false, "none")]
    [InlineData(true, "required")]
    public async Task DetectAsync_Redis_AuthFromTheInfoAnswer(bool password, string expected)
    {
        var answer = password
            ? "-NOAUTH Authentication required.\r\n-NOAUTH Authentication required.\r\n"u8.ToArray()
            : [.. Wire.Fixture("6379-ping.bin"), .. Wire.Fixture("6379-info.bin")];
        await using var server = new FakeServer(async (s, ct) =>
        {
            await FakeServer.ReadUntilAsync(s, "INFO server\r\n"u8.ToArray(), ct);
            await s.WriteAsync(answer, ct);
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector(server.Port, "redis").DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("redis", info?.Name);
        Assert.Equal(expected, Fact(info, ServiceFacts.Auth));
    }

    [Fact]
    public async Task DetectAsync_Memcached_StatsAnsweredMeansNoAuth()
    {
        await using var server = new FakeServer(async (s, ct) =>
        {
            await FakeServer.ReadUntilAsync(s, "version\r\n"u8.ToArray(), ct);
            await s.WriteAsync("VERSION 1.6.18\r\n"u8.ToArray(), ct);
            await FakeServer.ReadUntilAsync(s, "stats\r\n"u8.ToArray(), ct);
            await s.WriteAsync("STAT pid 7\r\nSTAT uptime 100\r\nSTAT version 1.6.18\r\nEND\r\n"u8.ToArray(), ct);
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector(server.Port, "memcache").DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("memcached", info?.Product);
        Assert.Equal("none", Fact(info, ServiceFacts.Auth));
    }

    [Theory]
    [InlineData(true, "none")]
    [InlineData(false, "required")]
    public async Task DetectAsync_MongoDb_ListDatabasesDecidesAuth(bool open, string expected)
    {
        var commands = new ConcurrentQueue<string>();
        await using var server = new FakeServer(async (s, ct) =>
        {
            while (await ReadMongoMessageAsync(s, ct) is { } message)
            {
                var text = Encoding.Latin1.GetString(message);
                commands.Enqueue(text.Contains("listDatabases", StringComparison.Ordinal) ? "listDatabases" : text.Contains("buildinfo", StringComparison.Ordinal) ? "buildinfo" : "?");
                var reply = commands.Last() switch
                {
                    "buildinfo" => Wire.Bson(("version", "7.0.12"), ("ok", 1.0)),
                    "listDatabases" when open => Wire.Bson(("totalSize", 8192.0), ("ok", 1.0)),
                    _ => Wire.Bson(("ok", 0.0), ("errmsg", "command listDatabases requires authentication"), ("codeName", "Unauthorized")),
                };
                await s.WriteAsync(Wire.MongoReply(reply), ct);
            }
        });

        var info = await Detector(server.Port, "mongodb").DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("MongoDB", info?.Product);
        Assert.Equal(expected, Fact(info, ServiceFacts.Auth));
        Assert.Equal(["buildinfo", "listDatabases"], commands.ToArray());
    }

    [Theory]
    [InlineData(200, "none")]
    [InlineData(401, "required")]
    public async Task DetectAsync_Elasticsearch_AuthFromGetRoot(int status, string expected)
    {
        var body = status == 200
            ? "{\"name\":\"node-1\",\"cluster_name\":\"lab\",\"version\":{\"number\":\"8.13.4\",\"lucene_version\":\"9.10.0\"},\"tagline\":\"You Know, for Search\"}"
            : "{\"error\":{\"type\":\"security_exception\",\"reason\":\"missing authentication credentials for REST request [/]\"},\"status\":401}";
        var head = status == 200 ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"security\" charset=\"UTF-8\"\r\n";
        await using var server = new FakeServer(async (s, ct) =>
        {
            await FakeServer.ReadUntilAsync(s, "\r\n\r\n"u8.ToArray(), ct);
            await s.WriteAsync(Encoding.ASCII.GetBytes($"{head}content-type: application/json\r\ncontent-length: {body.Length}\r\n\r\n{body}"), ct);
        });

        var info = await Detector(server.Port, "http").DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("Elasticsearch REST API", info?.Product);
        Assert.Equal(expected, Fact(info, ServiceFacts.Auth));
        Assert.Equal(status == 401 ? "basic" : null, Fact(info, ServiceFacts.HttpAuth));
    }

    [Fact]
    public async Task DetectAsync_HttpBasicChallenge_FillsSchemeAndRealm()
    {
        await using var server = new FakeServer(async (s, ct) =>
        {
            await FakeServer.ReadUntilAsync(s, "\r\n\r\n"u8.ToArray(), ct);
            await s.WriteAsync("HTTP/1.1 401 Unauthorized\r\nServer: nginx/1.22.1\r\nWWW-Authenticate: Basic realm=\"Router admin\"\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), ct);
        });

        var info = await Detector(server.Port, "http").DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("nginx", info?.Product);
        Assert.Equal("basic", Fact(info, ServiceFacts.HttpAuth));
        Assert.Equal("Router admin", Fact(info, ServiceFacts.HttpRealm));
        Assert.Null(Fact(info, ServiceFacts.Auth));
    }

    [Fact]
    public async Task DetectAsync_Vnc_ReadsTheSecurityTypesOffered()
    {
        byte[]? clientVersion = null;
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync("RFB 003.008\n"u8.ToArray(), ct);
            clientVersion = await FakeServer.ReadUntilAsync(s, "\n"u8.ToArray(), ct);
            await s.WriteAsync(new byte[] { 2, 1, 2 }, ct);
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("vnc", info?.Name);
        Assert.Equal("RFB 003.008\n"u8.ToArray(), clientVersion);
        Assert.Equal("none,vnc", Fact(info, ServiceFacts.VncSecurity));
        Assert.Equal("none", Fact(info, ServiceFacts.Auth));
    }

    [Fact]
    public async Task DetectAsync_VncWithPasswordOnly_HasNoAuthNone()
    {
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync("RFB 003.008\n"u8.ToArray(), ct);
            await FakeServer.ReadUntilAsync(s, "\n"u8.ToArray(), ct);
            await s.WriteAsync(new byte[] { 1, 2 }, ct);
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_fast, Ct);

        Assert.Equal("vnc", Fact(info, ServiceFacts.VncSecurity));
        Assert.Null(Fact(info, ServiceFacts.Auth));
    }

    [Fact]
    public async Task DetectAsync_ServiceThatMatchesNothing_HasNoFacts()
    {
        await using var server = new FakeServer(async (s, ct) =>
        {
            await s.WriteAsync("hello from something unknown\r\n"u8.ToArray(), ct);
            await FakeServer.DrainAsync(s, ct);
        });

        var info = await Detector().DetectAsync(server.EndPoint, s_fast with { MaxProbes = 0 }, Ct);

        Assert.Empty(info?.Facts ?? ServiceFacts.Empty);
    }

    /// <summary>One MongoDB wire message (int32 little-endian total length first), or null when the peer closed.</summary>
    private static async Task<byte[]?> ReadMongoMessageAsync(NetworkStream stream, CancellationToken ct)
    {
        var header = new byte[4];
        try
        {
            await stream.ReadExactlyAsync(header, ct);
        }
        catch (EndOfStreamException)
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length is < 16 or > 65536)
        {
            return null;
        }
        var message = new byte[length];
        header.CopyTo(message, 0);
        await stream.ReadExactlyAsync(message.AsMemory(4), ct);
        return message;
    }
}
