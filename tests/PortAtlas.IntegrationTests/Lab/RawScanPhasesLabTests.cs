using System.Diagnostics;
using PortAtlas.IntegrationTests.Scanning.Raw;
using PortAtlas.Scanning.Raw;
using PortAtlas.Targets;

namespace PortAtlas.IntegrationTests.Lab;

/// <summary>Where a raw scan's time went (issue 16): the phases the engine records, against the lab's sweep range.</summary>
[Collection(RawCollection.Name)]
public sealed class RawScanPhasesLabTests
{
    [Fact]
    public async Task Sweep_RecordsDiscoveryThenPortPasses_AndTheyAccountForEveryPacket()
    {
        LabManifest.Require();
        RawLab.RequireRoot();
        var targets = TargetSpecParser.Parse(["198.18.1.0/24"]).Value!;
        var ports = PortSpecParser.Parse("22,80", new PortParseOptions()).Value!;
        var clock = Stopwatch.StartNew();

        var report = await new RawScanner().RunAsync(targets, ports, RawScanType.Syn, cancellationToken: TestContext.Current.CancellationToken);
        var wall = clock.Elapsed;

        var names = report.Raw.Phases.Select(p => p.Name).ToList();
        Assert.Equal("discovery setup", names[0]);
        Assert.Contains("discovery pass 1 send", names);
        Assert.Contains("pass 1 send", names);
        Assert.True(names.IndexOf("discovery end") < names.IndexOf("pass 1 send"), string.Join(", ", names));
        Assert.Equal("remainder", names[^1]);
        // Every packet the engine sent was sent in some phase; the phases run one after another within the scan.
        Assert.Equal(report.Raw.PacketsSent, report.Raw.Phases.Sum(p => p.Packets));
        Assert.True(report.Raw.Phases.Single(p => p.Name == "pass 1 send").Packets >= 254 * 2);
        Assert.True(report.Raw.Phases.Sum(p => p.Elapsed.Ticks) <= wall.Ticks, $"phases {report.Raw.Phases.Sum(p => p.Elapsed.TotalSeconds)} s, scan {wall.TotalSeconds} s");
    }
}
