using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using PortAtlas.Cli;
using PortAtlas.Detection.Tls;
using PortAtlas.IntegrationTests.Lab;

namespace PortAtlas.IntegrationTests.Detection;

/// <summary>
/// TLS behind every STARTTLS protocol against real daemons (tests/lab/tls.sh, namespace pa-tls, 198.18.5.2): postfix,
/// vsftpd, slapd, PostgreSQL, MariaDB, Prosody and Dovecot, plus nginx with a modern and a legacy configuration. What
/// <c>ports scan --detect</c> reports and what <see cref="TlsScanner"/> enumerates are checked against the lab's CA and
/// against <c>openssl s_client -starttls PROTO</c> trying each version and each suite alone.
/// </summary>
public sealed partial class TlsLabTests
{
    private static readonly IPAddress s_host = IPAddress.Parse("198.18.5.2");
    private const string ServerName = "tls.portatlas.test";

    // Scans are saved by default: keep the tests' history out of the user's.
    static TlsLabTests() => Environment.SetEnvironmentVariable("XDG_DATA_HOME", Directory.CreateTempSubdirectory("pa-history-").FullName);

    /// <summary>Port, the name s_client's -starttls knows it by ("tls" for TLS from the first byte), our service name.</summary>
    public static TheoryData<int, string, string> Ports => new()
    {
        { 25, "smtp", "smtp" },
        { 21, "ftp", "ftp" },
        { 389, "ldap", "ldap" },
        { 5432, "postgres", "postgresql" },
        { 3306, "mysql", "mysql" },
        { 5222, "xmpp", "xmpp-client" },
        { 143, "imap", "imap" },
        { 110, "pop3", "pop3" },
        { 443, "tls", "https" },
        { 8443, "tls", "https" },
    };

    [Theory]
    [MemberData(nameof(Ports))]
    public async Task Detect_RealDaemon_UpgradesAndReportsTheCertificateOfTheLabCa(int port, string starttls, string service)
    {
        var ca = RequireTlsLab(port);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await CliApp.RunAsync(
            ["scan", s_host.ToString(), "-p", port.ToString(CultureInfo.InvariantCulture), "--connect", "--detect", "--sni", ServerName, "--ca-file", ca, "--format", "json", "--no-save"],
            CliContext.ForWriters(output, error), TestContext.Current.CancellationToken);

        Assert.True(code == 0, error.ToString());
        using var json = JsonDocument.Parse(output.ToString());
        var found = json.RootElement.GetProperty("hosts")[0].GetProperty("ports")[0];
        Assert.True(found.TryGetProperty("tls", out var tls) && tls.ValueKind == JsonValueKind.Object, $"{port} ({starttls}): no TLS reported: {found}");
        if (starttls != "tls")
        {
            Assert.Equal(service, found.GetProperty("service").GetString());
        }
        Assert.Equal(["CN=" + ServerName, "O=PortAtlas lab"], Rdns(tls.GetProperty("subject").GetString()));
        Assert.Equal(["CN=PortAtlas TLS lab CA", "O=PortAtlas lab"], Rdns(tls.GetProperty("issuer").GetString()));
        Assert.True(tls.GetProperty("trusted").GetBoolean(), $"{port}: chain not validated against {ca}: {tls}");
        Assert.True(tls.GetProperty("nameMatches").GetBoolean());
        var versions = tls.GetProperty("acceptedVersions").EnumerateArray().Select(v => v.GetString()!).ToList();
        Assert.Equal(await OpensslVersionsAsync(port, starttls, TestContext.Current.CancellationToken), versions);
    }

    [Theory]
    [MemberData(nameof(Ports))]
    public async Task Enumerate_RealDaemon_AcceptsExactlyWhatOpensslClientsFind(int port, string starttls, string service)
    {
        RequireTlsLab(port);
        var ct = TestContext.Current.CancellationToken;
        var options = new TlsScanOptions
        {
            ServerName = ServerName,
            StartTls = starttls == "tls" ? null : service,
            EnumerateCiphers = true,
            Budget = TimeSpan.FromSeconds(60),
        };

        var info = await TlsScanner.ScanAsync(new IPEndPoint(s_host, port), options, ct);

        Assert.Equal(await OpensslVersionsAsync(port, starttls, ct), info.AcceptedVersions);
        var known = TlsCipherSuite.All.Select(s => s.Name).ToHashSet();
        foreach (var version in info.AcceptedVersions)
        {
            var candidates = (await OpensslCiphersAsync(version, ct))
                .Where(c => !c.Iana.Contains("PSK", StringComparison.Ordinal) && !c.Iana.Contains("SRP", StringComparison.Ordinal)).ToList();
            var accepted = await Task.WhenAll(candidates.Select(c => ClientAcceptsAsync(port, starttls, version, c.Openssl, ct)));
            var expected = new SortedSet<string>(candidates.Where((_, i) => accepted[i]).Select(c => c.Iana), StringComparer.Ordinal);
            var ours = new SortedSet<string>(info.CipherSuites.SingleOrDefault(l => l.Version == version)?.Suites ?? [], StringComparer.Ordinal);
            if (port == 389)
            {
                // slapd's GnuTLS chooses DHE suites (its ServerHello names them; nmap's ssl-enum-ciphers lists them too), but
                // OpenSSL's client ends those handshakes with decode_error: s_client cannot judge them, so they are left out.
                ours.RemoveWhere(s => s.StartsWith("TLS_DHE_", StringComparison.Ordinal) && !expected.Contains(s));
            }
            Assert.True(expected.IsSubsetOf(known), $"{port} {version}: suites OpenSSL accepted that PortAtlas does not offer: {string.Join(' ', expected.Except(known))}");
            Assert.True(expected.SetEquals(ours), $"{port} ({starttls}) {version}: openssl s_client accepted [{string.Join(' ', expected)}], we found [{string.Join(' ', ours)}]");
        }
    }

    [Fact]
    public async Task Enumerate_LegacyNginx_FindsWeakSuitesAndTheSmallDhGroupWithinAFewSeconds()
    {
        RequireTlsLab(8443);
        var ct = TestContext.Current.CancellationToken;
        var watch = Stopwatch.StartNew();

        var info = await TlsScanner.ScanAsync(new IPEndPoint(s_host, 8443), new TlsScanOptions { ServerName = ServerName, EnumerateCiphers = true }, ct);

        watch.Stop();
        Assert.Equal(["TLSv1.0", "TLSv1.1", "TLSv1.2"], info.AcceptedVersions);
        Assert.Contains(info.WeakSuites, s => s.Contains("_anon_", StringComparison.Ordinal));
        Assert.Equal(1024, info.DhBits);
        Assert.True(info.CipherSuites.Sum(l => l.Suites.Count) > 80, "ALL:@SECLEVEL=0 with an RSA key carries over eighty suites over three versions");
        // Bounded cost (issue 20): the full enumeration of one lab port within a few seconds, not tens (generous for a loaded machine).
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"full enumeration took {watch.Elapsed.TotalSeconds:F1} s");
    }

    private static List<string> Rdns(string? name) => [.. (name ?? "").Split(", ").Order(StringComparer.Ordinal)];

    /// <summary>The CA file when tests/lab/tls.sh brought <paramref name="port"/> up; skips (or fails in CI) otherwise.</summary>
    private static string RequireTlsLab(int port)
    {
        var root = LabManifest.RepositoryRoot;
        var up = Path.Combine(root, "tests", "lab", "run", "tls", "up.tsv");
        var ca = Path.Combine(root, "tests", "lab", "run", "cache", "tls-lab", "ca.pem");
        string? missing = !File.Exists(up) ? "tests/lab/run/tls/up.tsv missing"
            : !File.ReadLines(up).Any(l => l.Split('\t') is [_, var p, _] && p == port.ToString(CultureInfo.InvariantCulture)) ? $"port {port} not verified up in tests/lab/run/tls/up.tsv"
            : null;
        if (missing is not null)
        {
            var message = $"TLS lab not up: {missing} (run 'sudo tests/lab/tls.sh up' or tests/lab/up.sh)";
            if (Environment.GetEnvironmentVariable("PORTATLAS_LAB_REQUIRED") is { Length: > 0 })
            {
                Assert.Fail(message);
            }
            Assert.Skip(message);
        }
        return ca;
    }

    private static readonly SemaphoreSlim s_clients = new(8);

    /// <summary>The versions s_client completes a handshake with, each tried alone (after the upgrade).</summary>
    private static async Task<List<string>> OpensslVersionsAsync(int port, string starttls, CancellationToken ct)
    {
        string[] versions = ["TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
        var accepted = await Task.WhenAll(versions.Select(v => ClientAcceptsAsync(port, starttls, v, null, ct)));
        return [.. versions.Where((_, i) => accepted[i])];
    }

    private static async Task<bool> ClientAcceptsAsync(int port, string starttls, string version, string? suite, CancellationToken ct)
    {
        List<string> args = ["s_client", "-connect", $"{s_host}:{port}", "-servername", ServerName];
        if (starttls != "tls")
        {
            args.AddRange(["-starttls", starttls]);
            if (starttls == "xmpp")
            {
                args.AddRange(["-xmpphost", ServerName]);
            }
        }
        if (version == "TLSv1.3")
        {
            args.Add("-tls1_3");
            if (suite is not null)
            {
                args.AddRange(["-ciphersuites", suite]);
            }
        }
        else
        {
            args.AddRange([version switch { "TLSv1.0" => "-tls1", "TLSv1.1" => "-tls1_1", _ => "-tls1_2" }, "-cipher", (suite ?? "ALL:COMPLEMENTOFALL") + ":@SECLEVEL=0"]);
        }
        await s_clients.WaitAsync(ct);
        try
        {
            var output = (await Openssl.RunAsync(args, TimeSpan.FromSeconds(20), ct)).Output;
            var cipher = CipherIs().Match(output);
            return cipher.Success && cipher.Groups[1].Value != "(NONE)" && (suite is null || cipher.Groups[1].Value == suite);
        }
        finally
        {
            s_clients.Release();
        }
    }

    /// <summary>The suites this OpenSSL can offer for a version: (IANA name, OpenSSL name).</summary>
    private static async Task<List<(string Iana, string Openssl)>> OpensslCiphersAsync(string version, CancellationToken ct)
    {
        var flag = version switch { "TLSv1.0" => "-tls1", "TLSv1.1" => "-tls1_1", "TLSv1.2" => "-tls1_2", _ => "-tls1_3" };
        // OpenSSL leaves the TLS 1.3 CCM suites out of its default list; GnuTLS servers (slapd) accept them: offer all five.
        var output = (await Openssl.RunAsync(["ciphers", "-stdname", "-s", flag, "-ciphersuites",
            "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256",
            "ALL:COMPLEMENTOFALL:@SECLEVEL=0"], TimeSpan.FromSeconds(20), ct)).Output;
        return [.. CipherLine().Matches(output).Select(m => (m.Groups[1].Value, m.Groups[2].Value))];
    }

    [GeneratedRegex(@"^(TLS_\S+)\s+-\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex CipherLine();

    // "New, TLSv1.2, Cipher is ECDHE-RSA-AES128-GCM-SHA256" (or "Cipher is (NONE)" when the handshake failed).
    [GeneratedRegex(@"Cipher is (\S+)")]
    private static partial Regex CipherIs();
}
