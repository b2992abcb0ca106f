using System.Net;
using System.Runtime.CompilerServices;
using PortAtlas.Detection;
using PortAtlas.IntegrationTests.Lab;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.IntegrationTests.Detection;

/// <summary>Detection against the real daemons of the lab (198.18.0.2), checked against the lab's manifest.</summary>
public class LabDetectionTests
{
    /// <summary>Daemons whose answers carry their version; the others (Postfix, Dovecot, PostgreSQL, telnetd) keep it to themselves.</summary>
    private static readonly HashSet<string> s_announceVersion = new(StringComparer.OrdinalIgnoreCase)
    {
        "OpenSSH", "vsftpd", "nginx", "MariaDB", "Redis", "memcached", "dnsmasq",
    };

    [Fact]
    public async Task DetectAsync_EveryOpenTcpPortOfTheLab_MatchesTheManifestsProductAndVersion()
    {
        var ct = TestContext.Current.CancellationToken;
        var rows = OpenTcpRows();
        var detector = new ServiceDetector();
        var found = new Dictionary<int, ServiceInfo?>();

        await foreach (var result in detector.DetectAsync(Open(rows, ct), DetectionOptions.Default, ct))
        {
            found[result.Port] = result.Service;
        }

        var failures = new List<string>();
        foreach (var row in rows)
        {
            var info = found.GetValueOrDefault(row.Port);
            var ours = $"{info?.Name}/{info?.Product}/{info?.Version}";
            if (info?.Product is null || !SameProduct(row.Product, info.Product))
            {
                failures.Add($"{row.Port}: product: manifest {row.Product}, ours {ours}");
                continue;
            }
            if (info.Version is not null && info.Version != row.Version)
            {
                failures.Add($"{row.Port}: version: manifest {row.Version}, ours {ours}");
            }
            if (info.Version is null && s_announceVersion.Contains(row.Product))
            {
                failures.Add($"{row.Port}: version announced by {row.Product} but not found: manifest {row.Version}, ours {ours}");
            }
            if (row.Notes.StartsWith("TLS", StringComparison.Ordinal) && info.Tls?.Subject?.Contains("CN=lab.portatlas.test", StringComparison.Ordinal) != true)
            {
                failures.Add($"{row.Port}: TLS certificate CN=lab.portatlas.test expected, ours {info.Tls?.Subject ?? "no TLS"}");
            }
            if (row.Notes is "STLS" or "STARTTLS" && info.StartTls != row.Notes)
            {
                failures.Add($"{row.Port}: {row.Notes} expected, ours {info.StartTls ?? "none"}");
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task DetectAsync_LabHttps_ReportsTheSelfSignedCertificate()
    {
        var ct = TestContext.Current.CancellationToken;
        var rows = OpenTcpRows();
        var https = rows.FirstOrDefault(r => r.Service == "https");
        if (https is null)
        {
            Assert.Skip("the lab manifest has no https row");
        }

        var info = await new ServiceDetector().DetectAsync(new IPEndPoint(LabManifest.Host, https.Port), DetectionOptions.Default, ct);

        Assert.Equal("https", info?.Name);
        var tls = Assert.IsType<TlsInfo>(info?.Tls);
        Assert.True(tls.SelfSigned);
        Assert.False(tls.Expired);
        Assert.Equal(tls.Subject, tls.Issuer);
        Assert.NotNull(tls.KeyType);
        Assert.NotNull(tls.Protocol);
    }

    /// <summary>The manifest's wording is the upstream name ("Postfix smtpd", "telnetd"); ours may add a role ("Dovecot imapd", "Linux telnetd").</summary>
    private static bool SameProduct(string manifest, string ours)
    {
        var first = manifest.Split(' ')[0];
        return ours.Contains(first, StringComparison.OrdinalIgnoreCase) || manifest.Contains(ours, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The open TCP ports of the lab host; skips (or fails, with PORTATLAS_LAB_REQUIRED) when the lab is not up.</summary>
    private static List<LabService> OpenTcpRows() =>
        [.. LabManifest.Require().Where(r => r.Address.Equals(LabManifest.Host) && r.Protocol == "tcp" && r.State == "open")];

    private static async IAsyncEnumerable<PortResult> Open(IEnumerable<LabService> rows, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return new PortResult { Address = row.Address, Port = row.Port, Protocol = Transport.Tcp, State = PortState.Open, Reason = "syn-ack" };
        }
    }
}
