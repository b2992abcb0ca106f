using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using PortAtlas.Detection.Tls;

namespace PortAtlas.IntegrationTests.Detection;

/// <summary>
/// What <see cref="TlsScanner"/> finds a server accepts, against <c>openssl s_server</c> on loopback with chosen protocol
/// and cipher sets, checked against <c>openssl s_client</c> trying each version and each suite alone.
/// </summary>
public sealed partial class TlsEnumerationTests
{
    private static readonly TlsScanOptions s_enum = new() { EnumerateCiphers = true, ServerName = "tls.portatlas.test", HelloTimeout = TimeSpan.FromSeconds(5), Budget = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task ScanAsync_ModernServer_AcceptsExactlyWhatOpensslClientsFind()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await OpensslServer.StartAsync(["-min_protocol", "TLSv1.2", "-cipher", "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM", "-serverpref"], ct);

        var info = await TlsScanner.ScanAsync(server.Endpoint, s_enum, ct);

        Assert.Equal(["TLSv1.2", "TLSv1.3"], info.AcceptedVersions);
        await AssertSuitesMatchOpensslAsync(server, info, ct);
        Assert.True(info.ForwardSecrecy);
        Assert.Empty(info.WeakSuites);
        Assert.True(info.FallbackScsv, "OpenSSL refuses a downgraded hello carrying TLS_FALLBACK_SCSV");
        Assert.True(info.SecureRenegotiation);
        Assert.False(info.Compression);
        Assert.Contains("x25519", info.Groups);
        Assert.Contains(info.CipherSuites, l => l.Version == "TLSv1.2" && l.ServerOrder == true);
        Assert.Equal("CN=tls.portatlas.test", info.Subject);
        Assert.True(info.NameMatches);
        Assert.False(info.Trusted);
        Assert.Single(info.Chain);
        Assert.Equal(2048, info.Chain[0].KeyBits);
    }

    [Fact]
    public async Task ScanAsync_LegacyServer_FindsOldVersionsWeakSuitesAndTheDhSize()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await OpensslServer.StartAsync(
            ["-min_protocol", "TLSv1", "-max_protocol", "TLSv1.2", "-cipher", "ALL:COMPLEMENTOFALL:@SECLEVEL=0", "-dhparam", OpensslServer.DhParams1024()], ct);

        var info = await TlsScanner.ScanAsync(server.Endpoint, s_enum, ct);

        Assert.Equal(["TLSv1.0", "TLSv1.1", "TLSv1.2"], info.AcceptedVersions);
        await AssertSuitesMatchOpensslAsync(server, info, ct);
        Assert.Contains(info.WeakSuites, s => s.Contains("_NULL_", StringComparison.Ordinal));
        Assert.Contains(info.WeakSuites, s => s.Contains("_anon_", StringComparison.Ordinal));
        Assert.Equal(1024, info.DhBits);
        Assert.True(info.FallbackScsv);
    }

    [Fact]
    public async Task ScanAsync_Tls13Only_ReadsTheCertificateThroughARealHandshake()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await OpensslServer.StartAsync(["-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"], ct);

        var info = await TlsScanner.ScanAsync(server.Endpoint, s_enum, ct);

        Assert.Equal(["TLSv1.3"], info.AcceptedVersions);
        var suites = Assert.Single(info.CipherSuites);
        Assert.Equal(["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"], suites.Suites.Order());
        Assert.Equal("CN=tls.portatlas.test", info.Subject);
        Assert.Null(info.SecureRenegotiation);
        Assert.Null(info.FallbackScsv);
    }

    [Fact]
    public async Task ScanAsync_CaFileGiven_ValidatesTheChainAndFlagsANameMismatch()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await OpensslServer.StartAsync(["-min_protocol", "TLSv1.2"], ct);
        using var anchor = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(server.CertificatePath);

        var info = await TlsScanner.ScanAsync(server.Endpoint, s_enum with { EnumerateCiphers = false, TrustAnchors = [anchor], ServerName = "other.portatlas.test" }, ct);

        Assert.True(info.Trusted, info.TrustProblem);
        Assert.False(info.NameMatches);
        Assert.Equal("other.portatlas.test", info.ServerName);
    }

    [Fact]
    public async Task ScanAsync_PlainTextService_AcceptsNothingAndDoesNotThrow()
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        var serve = Task.Run(async () =>
        {
            for (var i = 0; i < 64; i++)
            {
                using var client = await listener.AcceptTcpClientAsync(ct);
                await client.GetStream().WriteAsync("220 plain text here\r\n"u8.ToArray(), ct);
            }
        }, ct);

        var info = await TlsScanner.ScanAsync(endpoint, new TlsScanOptions { HelloTimeout = TimeSpan.FromSeconds(2) }, ct);

        Assert.Empty(info.AcceptedVersions);
        listener.Stop();
    }

    /// <summary>Every suite s_client gets accepted (tried alone, per version) is in our enumeration, and nothing more.</summary>
    private static async Task AssertSuitesMatchOpensslAsync(OpensslServer server, PortAtlas.Model.TlsInfo info, CancellationToken ct)
    {
        var known = TlsCipherSuite.All.Select(s => s.Name).ToHashSet();
        foreach (var version in info.AcceptedVersions)
        {
            var expected = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var (iana, openssl) in await OpensslCiphersAsync(version, ct))
            {
                // PSK and SRP suites need a client secret no scanner has; every other suite OpenSSL accepts must be one we offer.
                if (!iana.Contains("PSK", StringComparison.Ordinal) && !iana.Contains("SRP", StringComparison.Ordinal) && await server.ClientAcceptsAsync(version, openssl, ct))
                {
                    expected.Add(iana);
                }
            }
            Assert.True(expected.IsSubsetOf(known), $"{version}: suites OpenSSL accepted that PortAtlas does not offer: {string.Join(' ', expected.Except(known))}");
            var ours = new SortedSet<string>(info.CipherSuites.SingleOrDefault(l => l.Version == version)?.Suites ?? [], StringComparer.Ordinal);
            Assert.True(expected.SetEquals(ours), $"{version}: openssl s_client accepted [{string.Join(' ', expected)}], we found [{string.Join(' ', ours)}]");
        }
    }

    /// <summary>The suites this OpenSSL can offer for a version: (IANA name, OpenSSL name).</summary>
    private static async Task<List<(string Iana, string Openssl)>> OpensslCiphersAsync(string version, CancellationToken ct)
    {
        var flag = version switch { "TLSv1.0" => "-tls1", "TLSv1.1" => "-tls1_1", "TLSv1.2" => "-tls1_2", _ => "-tls1_3" };
        var (_, output) = await OpensslServer.RunAsync(["ciphers", "-stdname", "-s", flag, "ALL:COMPLEMENTOFALL:@SECLEVEL=0"], ct);
        var list = new List<(string, string)>();
        foreach (Match m in CipherLine().Matches(output))
        {
            list.Add((m.Groups[1].Value, m.Groups[2].Value));
        }
        return list;
    }

    [GeneratedRegex(@"^(TLS_\S+)\s+-\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex CipherLine();

    /// <summary>An openssl s_server on a free loopback port with a fresh self-signed certificate for tls.portatlas.test.</summary>
    private sealed class OpensslServer : IAsyncDisposable
    {
        private static readonly string s_dir = Directory.CreateTempSubdirectory("pa-tls-").FullName;
        private static readonly Lazy<string> s_dh1024 = new(() =>
        {
            var path = Path.Combine(s_dir, "dh1024.pem");
            RunAsync(["dhparam", "-out", path, "1024"], CancellationToken.None).GetAwaiter().GetResult();
            return path;
        });
        private readonly Process _process;

        private OpensslServer(Process process, IPEndPoint endpoint)
        {
            _process = process;
            Endpoint = endpoint;
        }

        public IPEndPoint Endpoint { get; }

        public string CertificatePath => Path.Combine(s_dir, "cert.pem");

        public static string DhParams1024() => s_dh1024.Value;

        public static async Task<OpensslServer> StartAsync(string[] arguments, CancellationToken ct)
        {
            var cert = Path.Combine(s_dir, "cert.pem");
            var key = Path.Combine(s_dir, "key.pem");
            if (!File.Exists(cert))
            {
                await RunAsync(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=tls.portatlas.test",
                    "-days", "20", "-addext", "subjectAltName=DNS:tls.portatlas.test", "-addext", "basicConstraints=critical,CA:TRUE"], ct);
            }
            for (var attempt = 0; ; attempt++)
            {
                var port = FreePort();
                var start = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var a in (string[])["s_server", "-accept", $"127.0.0.1:{port}", "-cert", cert, "-key", key, "-www", "-quiet", .. arguments])
                {
                    start.ArgumentList.Add(a);
                }
                var process = Process.Start(start)!;
                _ = process.StandardOutput.ReadToEndAsync(ct);
                _ = process.StandardError.ReadToEndAsync(ct);
                var endpoint = new IPEndPoint(IPAddress.Loopback, port);
                for (var i = 0; i < 100 && !process.HasExited; i++)
                {
                    try
                    {
                        using var probe = new TcpClient();
                        await probe.ConnectAsync(endpoint, ct);
                        return new OpensslServer(process, endpoint);
                    }
                    catch (SocketException)
                    {
                        await Task.Delay(50, ct);
                    }
                }
                process.Kill();
                Assert.True(attempt < 3, "openssl s_server did not start: openssl " + string.Join(' ', start.ArgumentList));
            }
        }

        public async Task<bool> ClientAcceptsAsync(string version, string suite, CancellationToken ct)
        {
            string[] choose = version == "TLSv1.3" ? ["-tls1_3", "-ciphersuites", suite] : [version switch { "TLSv1.0" => "-tls1", "TLSv1.1" => "-tls1_1", _ => "-tls1_2" }, "-cipher", suite + ":@SECLEVEL=0"];
            var (_, output) = await RunAsync(["s_client", "-connect", $"127.0.0.1:{Endpoint.Port}", "-servername", "tls.portatlas.test", .. choose], ct);
            return output.Contains("Cipher is " + suite, StringComparison.Ordinal) || output.Contains("Cipher    : " + suite, StringComparison.Ordinal);
        }

        public static Task<(int Exit, string Output)> RunAsync(string[] arguments, CancellationToken ct) =>
            Openssl.RunAsync(arguments, TimeSpan.FromSeconds(60), ct);

        private static int FreePort()
        {
            using var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return ((IPEndPoint)l.LocalEndpoint).Port;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }
    }
}
