using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using PortAtlas.Assessment;
using PortAtlas.Registry;
using PortAtlas.Reports;
using PortAtlas.Scanning;

namespace PortAtlas.IntegrationTests.Assessment;

/// <summary>
/// Renders the HTML report in headless Chromium: the page must draw (a non-trivial screenshot) and its text must hold
/// the findings. Chromium opens only the local file, with networking features off. With PORTATLAS_UPDATE_DOCS=1 the
/// page and its screenshot are also saved as docs/report-example.html and docs/report-screenshot.png.
/// </summary>
public sealed class HtmlReportScreenshotTests : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 26, 9, 30, 0, TimeSpan.Zero);

    private readonly string _directory = Directory.CreateTempSubdirectory("portatlas-html-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Chromium_RendersTheLabReport_WithEveryFinding()
    {
        var chromium = FindChromium() ?? throw SkipException("chromium is not installed (apt-get install chromium)");
        var report = new Assessor(new AssessorOptions { TimeProvider = new FixedTime(s_now) }).Annotate(LabReport());
        var findings = report.Hosts.SelectMany(h => h.Ports).SelectMany(p => p.Findings).ToList();
        Assert.Contains(findings, f => f.Id == "PA-NOAUTH-REDIS");
        Assert.Contains(findings, f => f.Id == "PA-BACKDOOR-PORT");
        Assert.Contains(findings, f => f.Id == "PA-TLS-EXPIRED");

        var html = Path.Combine(_directory, "report.html");
        await new HtmlReportWriter().WriteToFileAsync(report, html, TestContext.Current.CancellationToken);
        var png = Path.Combine(_directory, "report.png");
        var profile = Directory.CreateTempSubdirectory("portatlas-chromium-").FullName;
        try
        {
            var (shotExit, _, shotError) = await RunAsync(chromium, [.. Flags(profile), $"--screenshot={png}", "--window-size=1280,2000", new Uri(html).AbsoluteUri]);
            Assert.True(shotExit == 0 && File.Exists(png), $"chromium exited {shotExit}: {shotError}");
            var bytes = await File.ReadAllBytesAsync(png, TestContext.Current.CancellationToken);
            Assert.True(bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']), "not a PNG");
            // A blank 1280x2000 page compresses to a few kilobytes; a drawn report is far larger.
            Assert.True(bytes.Length > 60_000, $"screenshot is only {bytes.Length} bytes");

            var (domExit, dom, domError) = await RunAsync(chromium, [.. Flags(profile), "--dump-dom", new Uri(html).AbsoluteUri]);
            Assert.True(domExit == 0, $"chromium exited {domExit}: {domError}");
            foreach (var finding in findings)
            {
                Assert.Contains(finding.Id, dom, StringComparison.Ordinal);
            }
            Assert.Contains("Redis 7.0.15 on 6379/tcp answered INFO without credentials", dom, StringComparison.Ordinal);
            Assert.Contains("Findings by severity", dom, StringComparison.Ordinal);
            // The hostile banner arrives as text, never as markup.
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", dom, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>alert(1)", dom, StringComparison.Ordinal);

            if (Environment.GetEnvironmentVariable("PORTATLAS_UPDATE_DOCS") == "1")
            {
                var docs = Path.Combine(RepositoryRoot(), "docs");
                Directory.CreateDirectory(docs);
                File.Copy(html, Path.Combine(docs, "report-example.html"), overwrite: true);
                File.Copy(png, Path.Combine(docs, "report-screenshot.png"), overwrite: true);
            }
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    /// <summary>Headless, sandbox off (the tests run as root), and every background network feature off.</summary>
    private static string[] Flags(string profile) =>
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions", "--hide-scrollbars",
        $"--user-data-dir={profile}",
    ];

    /// <summary>A lab-like host: FTP with anonymous login, SSH, telnet, nginx with a self-signed and an expired certificate, Redis without auth, a trojan port.</summary>
    internal static ScanReport LabReport()
    {
        var lab = IPAddress.Parse("198.18.0.2");
        var db = IPAddress.Parse("198.18.0.3");
        PortResult Open(IPAddress address, int port, ServiceInfo? service = null) =>
            new() { Address = address, Port = port, State = PortState.Open, Reason = "syn-ack", RoundTrip = TimeSpan.FromMicroseconds(300 + port % 200), Service = service };
        static IReadOnlyDictionary<string, string> Facts(params (string Key, string Value)[] facts) =>
            ServiceFacts.Create([.. facts.Select(f => new KeyValuePair<string, string>(f.Key, f.Value))]);
        TlsInfo Certificate(bool selfSigned, DateTimeOffset notAfter) => new()
        {
            Protocol = "TLSv1.3", CipherSuite = "TLS_AES_256_GCM_SHA384", Alpn = "http/1.1",
            Subject = "CN=web.lab.test", Issuer = selfSigned ? "CN=web.lab.test" : "CN=Lab Test CA, O=PortAtlas Lab",
            SubjectAlternativeNames = ["DNS:web.lab.test"], NotBefore = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), NotAfter = notAfter,
            KeyType = "RSA", KeyBits = 2048, SignatureAlgorithm = "sha256RSA", SelfSigned = selfSigned,
        };
        return new ScanReport
        {
            Hosts =
            [
                new HostResult
                {
                    Address = lab, Hostname = "web.lab.test",
                    StateCounts = new Dictionary<string, long> { ["open"] = 7, ["closed"] = 993 },
                    Ports =
                    [
                        Open(lab, 21, new ServiceInfo { Name = "ftp", Product = "vsftpd", Version = "3.0.3", Method = "banner", Cpe = ["cpe:/a:beasts:vsftpd:3.0.3"], Facts = Facts((ServiceFacts.Anonymous, "yes")) }),
                        Open(lab, 22, new ServiceInfo
                        {
                            Name = "ssh", Product = "OpenSSH", Version = "9.2p1 Debian 2+deb12u3", ExtraInfo = "protocol 2.0", Method = "probe",
                            Cpe = ["cpe:/a:openbsd:openssh:9.2p1"],
                            Facts = Facts((ServiceFacts.SshKex, "curve25519-sha256,sntrup761x25519-sha512@openssh.com"), (ServiceFacts.SshCiphers, "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com")),
                        }),
                        Open(lab, 23),
                        Open(lab, 80, new ServiceInfo { Name = "http", Product = "nginx", Version = "1.22.1", Method = "probe", ExtraInfo = "<script>alert(1)</script>", Cpe = ["cpe:/a:f5:nginx:1.22.1"] }),
                        Open(lab, 443, new ServiceInfo { Name = "http", Product = "nginx", Version = "1.22.1", Method = "tls", Cpe = ["cpe:/a:f5:nginx:1.22.1"], Tls = Certificate(true, s_now.AddYears(1)) }),
                        Open(lab, 8443, new ServiceInfo { Name = "http", Product = "nginx", Version = "1.22.1", Method = "tls", Cpe = ["cpe:/a:f5:nginx:1.22.1"], Tls = Certificate(false, new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero)) }),
                        Open(lab, 31337),
                    ],
                },
                new HostResult
                {
                    Address = db, Hostname = "db.lab.test",
                    Ports =
                    [
                        Open(db, 22, new ServiceInfo { Name = "ssh", Product = "OpenSSH", Version = "9.2p1 Debian 2+deb12u3", Method = "probe", Cpe = ["cpe:/a:openbsd:openssh:9.2p1"] }),
                        Open(db, 6379, new ServiceInfo { Name = "redis", Product = "Redis key-value store", Version = "7.0.15", Method = "probe", Cpe = ["cpe:/a:redis:redis:7.0.15"], Facts = Facts((ServiceFacts.Auth, "none")) }),
                        new PortResult { Address = db, Port = 5432, State = PortState.Filtered, Reason = "no-response" },
                    ],
                },
            ],
            Stats = new ScanStats
            {
                Started = s_now.AddSeconds(-42), Finished = s_now, ScanType = "connect",
                CommandLine = "ports scan 198.18.0.2-3 --top-ports 1000 --detect --format html -o report.html",
                HostsScanned = 2, PortsScanned = 2000, ProbesSent = 2010,
            },
        };
    }

    private static string? FindChromium()
    {
        foreach (var name in (string[])["chromium", "chromium-browser", "google-chrome"])
        {
            foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static Exception SkipException(string reason)
    {
        Assert.Skip(reason);
        return new InvalidOperationException(reason);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await error);
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
