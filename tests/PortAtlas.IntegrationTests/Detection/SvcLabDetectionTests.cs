using System.Net;
using System.Runtime.CompilerServices;
using PortAtlas.Detection;
using PortAtlas.IntegrationTests.Lab;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.IntegrationTests.Detection;

/// <summary>
/// Detection against the everyday daemons of the lab's pa-svc / pa-svc2 hosts (issue 11), checked against the
/// manifest. Held-out rows (notes "heldout", tests/lab/README.md) are detected and written to the test output but
/// never asserted: they measure generalisation, they are not a target to tune to.
/// </summary>
public class SvcLabDetectionTests
{
    private static readonly IPAddress[] s_hosts = [IPAddress.Parse("198.18.3.2"), IPAddress.Parse("198.18.4.2")];

    /// <summary>Manifest service names our detector may write differently for the same protocol (IANA's names vs nmap's).</summary>
    private static readonly Dictionary<string, string[]> s_sameService = new(StringComparer.Ordinal)
    {
        ["netbios-ssn"] = ["netbios-ssn", "microsoft-ds"],
        ["microsoft-ds"] = ["microsoft-ds", "netbios-ssn"],
        ["rpcbind"] = ["rpcbind", "sunrpc"],
        ["socks5"] = ["socks5", "socks"],
    };

    /// <summary>
    /// Ports the issue-5 engine cannot name and issue 11's new engine is built to: an echo service (7, named after
    /// the probe it echoes), DNS on high ports (5301 PowerDNS, 8053 Unbound: no DNS query off port 53) and a
    /// protocol inside TLS (64738 Mumble). Logged, not asserted, until that engine lands; then drop them from here.
    /// </summary>
    private static readonly HashSet<(string, int)> s_awaitingEngine =
        [("198.18.3.2", 7), ("198.18.3.2", 5301), ("198.18.3.2", 8053), ("198.18.3.2", 64738)];

    [Fact]
    public async Task DetectAsync_NonHeldOutTcpPortsOfPaSvc_NameTheManifestsService()
    {
        var ct = TestContext.Current.CancellationToken;
        var rows = LabManifest.Require()
            .Where(r => s_hosts.Contains(r.Address) && r.Protocol == "tcp" && r.State == "open")
            .ToList();
        if (rows.Count == 0)
        {
            Assert.Skip("the lab manifest has no pa-svc rows (lab brought up without tests/lab/svc.sh?)");
        }
        var detector = new ServiceDetector();
        var found = new Dictionary<(IPAddress, int), ServiceInfo?>();

        await foreach (var result in detector.DetectAsync(Open(rows, ct), DetectionOptions.Default, ct))
        {
            found[(result.Address, result.Port)] = result.Service;
        }

        var failures = new List<string>();
        var right = 0;
        foreach (var row in rows)
        {
            var info = found.GetValueOrDefault((row.Address, row.Port));
            var ours = $"{info?.Name}/{info?.Product}/{info?.Version}";
            var accepted = s_sameService.GetValueOrDefault(row.Service, [row.Service]);
            var ok = info?.Name is { } name && accepted.Contains(name);
            if (row.Notes.Contains("heldout", StringComparison.Ordinal))
            {
                TestContext.Current.TestOutputHelper?.WriteLine(
                    $"held-out {row.Address}:{row.Port} manifest {row.Service}/{row.Product}/{row.Version}, ours {ours} ({(ok ? "service right" : "service wrong")})");
                continue;
            }
            if (s_awaitingEngine.Contains((row.Address.ToString(), row.Port)))
            {
                TestContext.Current.TestOutputHelper?.WriteLine(
                    $"awaiting the new engine {row.Address}:{row.Port} manifest {row.Service}, ours {ours} ({(ok ? "now right: drop it from s_awaitingEngine" : "still wrong")})");
                continue;
            }
            if (ok)
            {
                right++;
            }
            else
            {
                failures.Add($"{row.Address}:{row.Port}: service: manifest {row.Service} ({row.Product}), ours {ours}");
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"non-held-out service right: {right}");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

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
