using System.Net;
using PortAtlas.Reports;
using PortAtlas.Scanning;
using PortAtlas.Targets;
using PortAtlas.TestSupport;

namespace PortAtlas.Tests.Scanning;

/// <summary>
/// Memory of a whole scan over silent space (issue 17): a fake engine gives every port of every host as filtered, as the
/// raw engine does for a silent range, through the real session, collector and JSON writer. Hosts with nothing to list
/// must not be held one object each, before or after the report is built and written. Alone in its collection, so that
/// other tests' allocations do not blur the heap size it measures.
/// </summary>
[Collection(nameof(ScanSessionMemoryTests))]
[CollectionDefinition(nameof(ScanSessionMemoryTests), DisableParallelization = true)]
public sealed class ScanSessionMemoryTests
{
    // More than the 25 filtered ports a host may list: each host is summarised, as with the top 100 ports.
    private const int Ports = 26;

    [Fact]
    public async Task SilentRange_HandedOverAsBits_HoldsUnder2BytesPerHost()
    {
        // The first run loads what any scan loads (registry, writers); the slope between the next two is per host.
        await RunAsync(24, asBits: true);
        var (smallHosts, small) = await RunAsync(21, asBits: true);
        var (largeHosts, large) = await RunAsync(17, asBits: true);

        var perHost = (large - small) / (double)(largeHosts - smallHosts);
        // A bit a host (issue 17); as a slot of counts (below) a silent host cost about 60 bytes.
        Assert.True(perHost < 2, $"a silent host holds {perHost:F2} bytes after the scan, its report built and written");
    }

    [Fact]
    public async Task SilentRange_StreamedPortByPort_HoldsUnder120BytesPerHost()
    {
        // An engine that streams every silent port (a shard, or a host that may list its ports) still costs a slot of counts.
        await RunAsync(24, asBits: false);
        var (smallHosts, small) = await RunAsync(21, asBits: false);
        var (largeHosts, large) = await RunAsync(17, asBits: false);

        var perHost = (large - small) / (double)(largeHosts - smallHosts);
        // A HostResult per host in the built report (as before) costs about 150 bytes more per host than its counts.
        Assert.True(perHost < 120, $"a silent host holds {perHost:F0} bytes after the scan, its report built and written");
    }

    [Theory]
    [InlineData(15, false, true)]
    [InlineData(16, false, false)]
    [InlineData(15, true, false)]
    public async Task FewPorts_OverMoreThan65536Addresses_SilentHostsAreCountedNotListed(int prefix, bool everyState, bool asBits)
    {
        // Three filtered ports listed for each of a /8's silent hosts held about 7 GB; past 65,536 addresses they are counted.
        var plan = (await ScanPlan.ParseAsync(new ScanPlanInput
        {
            Targets = [$"198.18.0.0/{prefix}"],
            Ports = "22,80,443",
            Techniques = [ScanTechnique.Connect],
            Assess = false,
            ReverseDns = ReverseDnsMode.Never,
            ListEveryState = everyState,
            Seed = 17,
        }, cancellationToken: TestContext.Current.CancellationToken)).Plan!;
        await using var session = new ScanSession(plan, new ScanSessionOptions
        {
            RawAvailable = false,
            TcpEngine = options => new SilentEngine(plan.Targets, plan.Ports, options.UniformHostsImplicit),
        });
        long streamed = 0;
        await foreach (var _ in session.RunAsync(TestContext.Current.CancellationToken))
        {
            streamed++;
        }
        var report = session.BuildReport();
        var hosts = 1L << (32 - prefix);

        Assert.Equal(asBits ? 0 : hosts * 3, streamed);
        Assert.Equal(hosts, report.Hosts.Count);
        Assert.Equal(hosts * 3, report.Stats.StateCounts["filtered"]);
        var first = report.Hosts[0];
        Assert.Equal(3, first.StateCounts["filtered"]);
        Assert.Equal(asBits ? [] : [22, 80, 443], first.Ports.Select(p => p.Port));
    }

    [Fact]
    public async Task ClosedRange_MidSweep_HoldsUnder400BytesPerHost()
    {
        // Answers of a random-order sweep come port by port over all hosts: midway, every closed host has 25 closed
        // ports, each of which it would list if it ended with no more. That is the peak of what a closed host holds.
        await RunClosedAsync(24);
        var (smallHosts, small) = await RunClosedAsync(21);
        var (largeHosts, large) = await RunClosedAsync(17);

        var perHost = (large - small) / (double)(largeHosts - smallHosts);
        // 25 PortResult records per host (as before) cost about 2.5 KB a host; this test's own address per host is 48 bytes of it.
        Assert.True(perHost < 400, $"a closed host holds {perHost:F0} bytes with 25 closed ports");
    }

    [Fact]
    public async Task SilentRange_ReportBuiltAsAView_ListsEveryHostInOrder_AndRefusesToReadAfterMoreResults()
    {
        var plan = await PlanAsync(24);
        await using var session = new ScanSession(plan, Options(plan));
        await foreach (var _ in session.RunAsync(TestContext.Current.CancellationToken))
        {
        }
        var report = session.BuildReport();

        Assert.Equal(256, report.Hosts.Count);
        Assert.Equal(Enumerable.Range(0, 256).Select(i => $"198.19.0.{i}"), report.Hosts.Select(h => h.Address.ToString()));
        Assert.All(report.Hosts, h =>
        {
            Assert.Equal("unknown", h.State);
            Assert.Empty(h.Ports);
            Assert.Equal(Ports, h.StateCounts["filtered"]);
        });
        Assert.Equal(256L * Ports, report.Stats.StateCounts["filtered"]);

        var collector = new ScanCollector();
        for (var port = 1; port <= Ports; port++)
        {
            collector.Add(new PortResult { Address = IPAddress.Parse("198.19.0.1"), Port = port, State = PortState.Filtered, Reason = "no-response" });
        }
        var built = collector.Build(new ScanStats());
        collector.Add(new PortResult { Address = IPAddress.Parse("198.19.0.2"), Port = 1, State = PortState.Filtered, Reason = "no-response" });
        Assert.Throws<InvalidOperationException>(() => built.Hosts[0]);
    }

    [Fact]
    public async Task SilentRange_AsBits_FinalCheckpointListsThem_AndAResumedSessionReportsTheSame()
    {
        var plan = await PlanAsync(24);
        var sink = new LastCheckpoint();
        await using (var session = new ScanSession(plan, Options(plan) with { Checkpoints = sink }))
        {
            await foreach (var _ in session.RunAsync(TestContext.Current.CancellationToken))
            {
            }
            var report = session.BuildReport();
            Assert.Equal(256, report.Hosts.Count);
        }
        var checkpoint = sink.Saved!;
        Assert.Contains("connect", checkpoint.FinishedEngines);
        Assert.False(checkpoint.Partial.Stats.Interrupted);
        Assert.Equal(256, checkpoint.Partial.Hosts.Count);
        Assert.All(checkpoint.Partial.Hosts, h => Assert.Equal(Ports, h.StateCounts["filtered"]));

        await using var resumed = new ScanSession(plan, Options(plan) with { Resume = checkpoint });
        await foreach (var _ in resumed.RunAsync(TestContext.Current.CancellationToken))
        {
        }
        var again = resumed.BuildReport();

        Assert.Equal(checkpoint.Partial.Hosts.Select(h => (h.Address.ToString(), h.State, h.StateCounts["filtered"])),
            again.Hosts.Select(h => (h.Address.ToString(), h.State, h.StateCounts["filtered"])));
        Assert.Equal(256L * Ports, again.Stats.StateCounts["filtered"]);
    }

    private sealed class LastCheckpoint : IScanCheckpointSink
    {
        public ScanCheckpoint? Saved { get; private set; }

        public Task<long> SaveCheckpointAsync(ScanCheckpoint checkpoint, CancellationToken cancellationToken = default)
        {
            // Read now, as a store writes it: the report is a view of the running collector.
            Saved = checkpoint with { Partial = checkpoint.Partial with { Hosts = [.. checkpoint.Partial.Hosts] } };
            return Task.FromResult(1L);
        }
    }

    private static async Task<(int Hosts, long Held)> RunAsync(int prefix, bool asBits)
    {
        var plan = await PlanAsync(prefix);
        var hosts = 1 << (32 - prefix);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        await using var session = new ScanSession(plan, Options(plan, asBits));
        long filtered = 0;
        await foreach (var result in session.RunAsync(TestContext.Current.CancellationToken))
        {
            filtered += result.State == PortState.Filtered ? 1 : 0;
        }
        var report = session.BuildReport();
        var output = new CountingStream();
        new JsonReportWriter().Write(report, output);
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(report);
        GC.KeepAlive(session);

        Assert.Equal(asBits ? 0 : hosts * (long)Ports, filtered);
        Assert.Equal(hosts, report.Hosts.Count);
        Assert.Equal(hosts * (long)Ports, report.Stats.PortsScanned);
        Assert.Equal(hosts * (long)Ports, report.Stats.StateCounts["filtered"]);
        Assert.Equal(hosts * (long)Ports, session.Progress.CountOf(PortState.Filtered));
        // Every host was written (each host's JSON is well over 40 bytes).
        Assert.True(output.Length > hosts * 40L, $"{output.Length} bytes of JSON for {hosts} hosts");
        return (hosts, held);
    }

    private static async Task<(int Hosts, long Held)> RunClosedAsync(int prefix)
    {
        var plan = await PlanAsync(prefix);
        var hosts = 1 << (32 - prefix);
        var midway = hosts * (Ports - 1L);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        await using var session = new ScanSession(plan, new ScanSessionOptions
        {
            RawAvailable = false,
            TcpEngine = _ => new ClosedEngine(plan.Targets, plan.Ports),
        });
        long closed = 0;
        long held = 0;
        await foreach (var result in session.RunAsync(TestContext.Current.CancellationToken))
        {
            if (result.State == PortState.Closed && ++closed == midway)
            {
                held = GC.GetTotalMemory(forceFullCollection: true) - before;
            }
        }
        var report = session.BuildReport();

        Assert.Equal(hosts * (long)Ports, closed);
        Assert.Equal(hosts, report.Hosts.Count);
        Assert.All(report.Hosts.Take(8), h => Assert.Equal(("up", 0, (long)Ports), (h.State, h.Ports.Count, h.StateCounts["closed"])));
        return (hosts, held);
    }

    private static async Task<ScanPlan> PlanAsync(int prefix) =>
        (await ScanPlan.ParseAsync(new ScanPlanInput
        {
            Targets = [$"198.19.0.0/{prefix}"],
            Ports = $"1-{Ports}",
            Techniques = [ScanTechnique.Connect],
            Assess = false,
            ReverseDns = ReverseDnsMode.Never,
            Seed = 17,
        }, cancellationToken: TestContext.Current.CancellationToken)).Plan!;

    private static ScanSessionOptions Options(ScanPlan plan, bool asBits = true) => new()
    {
        RawAvailable = false,
        TcpEngine = options => new SilentEngine(plan.Targets, plan.Ports, asBits && options.UniformHostsImplicit),
    };

    /// <summary>Every port of every host closed, port by port over all hosts, as a random-order sweep's answers come.</summary>
    private sealed class ClosedEngine(TargetSet targets, PortList ports) : MadeUpEngine(targets, ports)
    {
        protected override IEnumerable<PortResult> Results()
        {
            var addresses = Targets.Enumerate().ToArray();
            long index = 0;
            foreach (var port in Ports.Tcp)
            {
                foreach (var address in addresses)
                {
                    var roundTrip = TimeSpan.FromTicks(1000 + (index++ % 5000));
                    yield return new PortResult { Address = address, Port = port, State = PortState.Closed, Reason = "reset", RoundTrip = roundTrip };
                }
            }
        }
    }
}
