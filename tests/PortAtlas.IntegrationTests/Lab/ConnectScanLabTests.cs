using System.Diagnostics;
using System.Net;
using PortAtlas.Scanning;
using PortAtlas.Targets;

namespace PortAtlas.IntegrationTests.Lab;

/// <summary>The connect scanner against the lab's real daemons and firewall (tests/lab/manifest.tsv is the truth).</summary>
public sealed class ConnectScanLabTests
{
    private static async Task<ScanReport> ScanAsync(string targets, string ports, ScanOptions? options = null)
    {
        var parsed = await TargetSpecParser.ParseAsync([targets], cancellationToken: TestContext.Current.CancellationToken);
        var portList = PortSpecParser.Parse(ports);
        Assert.True(parsed.Success, parsed.Error);
        Assert.True(portList.Success, portList.Error);
        return await new PortScanner().RunAsync(parsed.Value!, portList.Value!,
            (options ?? ScanOptions.Default) with { ReportClosed = true, ReportFiltered = true }, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AllPortsOfTheLabHost_OpenSetIsExactlyTheManifests()
    {
        var manifest = LabManifest.Require();
        var report = await ScanAsync("198.18.0.2", "-");
        var expected = manifest.Where(s => s.Address.Equals(LabManifest.Host) && s.Protocol == "tcp" && s.State == "open").Select(s => s.Port).Order().ToList();
        var open = report.Hosts.Single().Ports.Where(p => p.State == PortState.Open).Select(p => p.Port).Order().ToList();
        Assert.True(expected.Count >= 12, $"the manifest lists only {expected.Count} open TCP ports");
        Assert.Equal(expected, open);
    }

    [Fact]
    public async Task FirewalledPorts_DroppedAreFiltered_ResetAreClosed_IcmpFollowsConnectSemantics()
    {
        var manifest = LabManifest.Require();
        var firewalled = manifest.Where(s => s.Address.Equals(LabManifest.Host) && s.Protocol == "tcp" && s.State != "open").ToList();
        Assert.NotEmpty(firewalled);
        var report = await ScanAsync("198.18.0.2", string.Join(',', firewalled.Select(s => s.Port)), ScanOptions.Default with { MaxRetries = 1 });
        var byPort = report.Hosts.Single().Ports.ToDictionary(p => p.Port);
        foreach (var service in firewalled)
        {
            var result = byPort[service.Port];
            var expected = service.Notes switch
            {
                // connect() cannot see a reset from a drop: the kernel maps ICMP port-unreachable to ECONNREFUSED.
                var n when n.Contains("port-unreachable", StringComparison.Ordinal) => PortState.Closed,
                var n when n.Contains("admin-prohibited", StringComparison.Ordinal) => PortState.Filtered,
                _ => service.State == "closed" ? PortState.Closed : PortState.Filtered,
            };
            Assert.True(expected == result.State, $"{service.Port}: expected {expected}, got {result.State} ({result.Reason}); {service.Notes}");
        }
        Assert.Contains(byPort.Values, p => p.State == PortState.Filtered && p.Reason == "no-response");
        Assert.Contains(byPort.Values, p => p.State == PortState.Filtered && p.Reason == "host-unreach");
    }

    [Fact]
    public async Task SweepOfTheLabSlash24_FindsExactlyTheListeners()
    {
        var manifest = LabManifest.Require();
        var expected = manifest.Where(s => s.Address.ToString().StartsWith("198.18.1.", StringComparison.Ordinal) && s.State == "open")
            .Select(s => $"{s.Address}:{s.Port}").Order().ToList();
        var report = await ScanAsync("198.18.1.0/24", "22,80,443,8080");
        var found = report.Hosts.SelectMany(h => h.Ports.Where(p => p.State == PortState.Open).Select(p => $"{p.Address}:{p.Port}")).Order().ToList();
        Assert.True(expected.Count > 20, $"the manifest lists only {expected.Count} sweep listeners");
        Assert.Equal(expected, found);
    }

    [Fact]
    [Trait("Lab", "impaired")]
    public async Task UnderDelayAndLoss_EveryOpenPortIsFound_WithinTheBound()
    {
        var manifest = LabManifest.RequireImpaired();
        var expected = manifest.Where(s => s.Address.Equals(LabManifest.Host) && s.Protocol == "tcp" && s.State == "open").Select(s => s.Port).Order().ToList();
        // 100 ms round trips and ~4% loss per round trip: 1-1024 plus every manifest port, bounded at 60 s.
        var ports = "1-1024," + string.Join(',', expected);
        var clock = Stopwatch.StartNew();
        var report = await ScanAsync("198.18.0.2", ports);
        clock.Stop();
        var open = report.Hosts.Single().Ports.Where(p => p.State == PortState.Open).Select(p => p.Port).Order().ToList();
        Assert.Equal(expected, open);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
