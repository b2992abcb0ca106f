using System.Diagnostics;
using System.Globalization;
using System.Net;
using PortAtlas.IntegrationTests.Scanning.Raw;
using PortAtlas.Scanning;
using PortAtlas.Scanning.Raw;
using PortAtlas.Targets;

namespace PortAtlas.IntegrationTests.Lab;

/// <summary>
/// UDP against the hosts of tests/lab/udp.sh (198.18.8.2-4): the kernel's default ICMP rate limit (a burst of six,
/// then one port-unreachable per second per peer) is the point; tests/lab/run/udp/manifest.tsv is the truth.
/// </summary>
[Collection(RawCollection.Name)]
public sealed class UdpRateLimitLabTests
{
    private static readonly IPAddress[] s_hosts = [IPAddress.Parse("198.18.8.2"), IPAddress.Parse("198.18.8.3"), IPAddress.Parse("198.18.8.4")];

    [Fact]
    public async Task Udp_ThreeRateLimitedHosts_StatesMatchTheManifest_InAboutTheTimeOneHostsLimitAllows()
    {
        RawLab.RequireRoot();
        var manifest = RequireManifest();
        // The listed ports of all three hosts (each is closed on the other two) and twenty ports closed everywhere.
        var ports = manifest.Select(m => m.Port).Concat(Enumerable.Range(30001, 20)).Distinct().Order().ToList();
        var expected = new Dictionary<(IPAddress, int), PortState>();
        foreach (var host in s_hosts)
        {
            foreach (var port in ports)
            {
                var row = manifest.FirstOrDefault(m => m.Address.Equals(host) && m.Port == port);
                expected[(host, port)] = row.State switch
                {
                    "open" => PortState.Open,
                    "open|filtered" => PortState.OpenFiltered,
                    _ => PortState.Closed,
                };
            }
        }

        var scanner = new RawScanner();
        var targets = TargetSpecParser.Parse(["198.18.8.2-4"]).Value!;
        var results = new List<PortResult>();
        TimeSpan? firstOpen = null;
        var clock = Stopwatch.StartNew();
        await foreach (var result in scanner.ScanAsync(targets, new PortList(udp: [.. ports]), new RawScanOptions { ScanType = RawScanType.Udp }, TestContext.Current.CancellationToken))
        {
            if (result.State == PortState.Open)
            {
                firstOpen ??= clock.Elapsed;
            }
            results.Add(result);
        }
        var elapsed = clock.Elapsed;

        Assert.Equal(expected.Count, results.Count);
        var wrong = results.Where(r => expected[(r.Address, r.Port)] != r.State).Select(r => $"{r.Address}:{r.Port} {r.State} (want {expected[(r.Address, r.Port)]})").ToList();
        Assert.True(wrong.Count == 0, "states differ from the manifest: " + string.Join(", ", wrong));
        var stats = scanner.LastStats!;
        Assert.Equal(s_hosts, stats.IcmpRateLimitedHosts.Order(Comparer<IPAddress>.Create((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()))));
        Assert.Contains(stats.Notes, n => n.Contains("learned a burst", StringComparison.Ordinal));
        // Payload replies stream out at once, long before the closed ports are settled.
        Assert.NotNull(firstOpen);
        Assert.True(firstOpen < TimeSpan.FromSeconds(5), $"the first open port came after {firstOpen.Value.TotalSeconds:0.0} s");
        // Each host needs a token per closed port beyond its burst of six, one a second. The hosts run in parallel, so
        // the bound is the busiest host's, not the sum (which would be three times as long).
        var tokens = s_hosts.Max(h => expected.Count(e => e.Key.Item1.Equals(h) && e.Value == PortState.Closed)) - 6;
        var bound = TimeSpan.FromSeconds(tokens * 1.15 + 12);
        Assert.True(elapsed < bound, $"took {elapsed.TotalSeconds:0.0} s; {tokens} tokens per host allow about {tokens} s (bound {bound.TotalSeconds:0} s)");
    }

    private static List<(IPAddress Address, int Port, string State)> RequireManifest()
    {
        var path = Path.Combine(LabManifest.RepositoryRoot, "tests", "lab", "run", "udp", "manifest.tsv");
        RawLab.Require(File.Exists("/run/netns/pa-udp1") && File.Exists(path), "the UDP rate-limit lab is not up (tests/lab/udp.sh up)");
        return [.. File.ReadLines(path)
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith("address", StringComparison.Ordinal))
            .Select(l => l.Split('\t'))
            .Select(f => (IPAddress.Parse(f[0]), int.Parse(f[2], CultureInfo.InvariantCulture), f[3]))];
    }
}
