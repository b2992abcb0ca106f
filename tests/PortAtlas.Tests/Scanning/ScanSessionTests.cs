using System.Net;
using System.Net.Sockets;
using System.Text;
using PortAtlas.Scanning;
using PortAtlas.Tests.Detection;

namespace PortAtlas.Tests.Scanning;

/// <summary>Connect scans of the test's own loopback ports only (raw sockets are pretended absent).</summary>
public sealed class ScanSessionTests : IDisposable
{
    private readonly LoopbackPorts _ports = new();

    public void Dispose() => _ports.Dispose();

    private (List<int> Open, List<int> Closed) Ports(int open, int closed) => _ports.Take(open, closed);

    private static async Task<ScanPlan> PlanAsync(IEnumerable<int> ports, bool detect = false) =>
        (await ScanPlan.ParseAsync(new ScanPlanInput
        {
            Targets = ["127.0.0.1"],
            Ports = string.Join(',', ports.Distinct()),
            Detect = detect,
            ListEveryState = true,
        }, cancellationToken: TestContext.Current.CancellationToken)).Plan!;

    [Fact]
    public async Task RunAsync_StreamsEveryPort_AndTheReportAgrees()
    {
        var (open, closed) = Ports(3, 5);
        await using var session = new ScanSession(await PlanAsync([.. open, .. closed]), new ScanSessionOptions { RawAvailable = false });
        var streamed = new List<PortResult>();
        await foreach (var result in session.RunAsync(TestContext.Current.CancellationToken))
        {
            streamed.Add(result);
        }
        var report = session.BuildReport();

        Assert.Equal("connect", session.ScanType);
        Assert.Equal(8, streamed.Count);
        Assert.Equal(open.Order(), streamed.Where(r => r.State == PortState.Open).Select(r => r.Port).Order());
        Assert.Equal(8, report.Stats.PortsScanned);
        Assert.Equal(open.Order(), report.Hosts.Single().Ports.Where(p => p.State == PortState.Open).Select(p => p.Port));
        Assert.False(session.Interrupted);
    }

    [Fact]
    public async Task RawNeeded_ButNotPermitted_IsAnErrorBeforeAnyPacket()
    {
        var plan = (await ScanPlan.ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Ports = "53", Techniques = [ScanTechnique.Udp] },
            cancellationToken: TestContext.Current.CancellationToken)).Plan!;
        await using var session = new ScanSession(plan, new ScanSessionOptions { RawAvailable = false });
        Assert.Contains("UDP scanning needs raw sockets", session.Error, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in session.RunAsync(TestContext.Current.CancellationToken))
            {
            }
        });
    }

    [Fact]
    public async Task Cancelled_YieldsEveryDecidedPort_AndSaysSo()
    {
        var (open, closed) = Ports(20, 200);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var plan = await PlanAsync([.. open, .. closed]);
        // Slow enough that the scan is still running when it is cancelled.
        plan = plan with { Options = plan.Options with { Rate = 200 } };
        await using var session = new ScanSession(plan, new ScanSessionOptions { RawAvailable = false });
        var streamed = 0;
        await foreach (var result in session.RunAsync(cancel.Token))
        {
            if (++streamed == 10)
            {
                await cancel.CancelAsync();
            }
        }
        var report = session.BuildReport();

        Assert.True(session.Interrupted);
        Assert.True(report.Stats.Interrupted);
        Assert.InRange(streamed, 10, 219);
        // Every port the session counted as decided was streamed and is in the report.
        Assert.Equal(session.Progress.Completed, streamed);
        Assert.Equal(streamed, report.Stats.PortsScanned);
    }

    [Fact]
    public async Task CheckpointThatCannotBeSaved_Warns_AndTheScanFinishes()
    {
        var (open, closed) = Ports(2, 3);
        var sink = new FailingSink();
        await using var session = new ScanSession(await PlanAsync([.. open, .. closed]), new ScanSessionOptions { RawAvailable = false, Checkpoints = sink });
        var streamed = 0;
        await foreach (var _ in session.RunAsync(TestContext.Current.CancellationToken))
        {
            streamed++;
        }

        Assert.Equal(5, streamed);
        Assert.Equal(1, sink.Calls);
        Assert.Contains(session.Notes, n => n.Contains("cannot save a checkpoint (No space left on device)", StringComparison.Ordinal));
        Assert.Equal(2, session.BuildReport().Stats.StateCounts["open"]);
    }

    [Fact]
    public async Task Interrupted_ThenResumed_DecidesEveryPortOnce()
    {
        var (open, closed) = Ports(10, 150);
        var sink = new MemorySink();
        var plan = await PlanAsync([.. open, .. closed]);
        plan = plan with { Options = plan.Options with { Rate = 300 } };
        using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken))
        {
            await using var first = new ScanSession(plan, new ScanSessionOptions { RawAvailable = false, Checkpoints = sink, CheckpointInterval = TimeSpan.FromMilliseconds(20) });
            var seen = 0;
            await foreach (var _ in first.RunAsync(cancel.Token))
            {
                if (++seen == 40)
                {
                    await cancel.CancelAsync();
                }
            }
        }
        var checkpoint = sink.Last!;
        Assert.InRange(checkpoint.Position, 1UL, 159UL);

        await using var second = new ScanSession(checkpoint.Plan, new ScanSessionOptions { RawAvailable = false, Checkpoints = sink, Resume = checkpoint });
        await foreach (var _ in second.RunAsync(TestContext.Current.CancellationToken))
        {
        }
        var report = second.BuildReport();

        Assert.False(second.Interrupted);
        Assert.Equal(160, report.Stats.PortsScanned);
        var listed = report.Hosts.Single().Ports;
        Assert.Equal(160, listed.Count);
        Assert.Equal(160, listed.Select(p => p.Port).Distinct().Count());
        Assert.Equal(open.Order(), listed.Where(p => p.State == PortState.Open).Select(p => p.Port));
    }

    [Fact]
    public async Task ResumeOfADetectScan_KeepsProductAndVersion_AndIdentifiesTheRest()
    {
        await using var ssh = new FakeServer(async (stream, token) =>
            await stream.WriteAsync(Encoding.ASCII.GetBytes("SSH-2.0-OpenSSH_9.6p1 Debian-4\r\n"), token));
        var plan = await PlanAsync([ssh.Port, 1], detect: true);
        var known = new PortResult
        {
            Address = IPAddress.Loopback,
            Port = 1,
            State = PortState.Open,
            Reason = "syn-ack",
            Service = new ServiceInfo { Name = "http", Product = "nginx", Version = "1.24.0", Method = "probe" },
        };
        var undetected = new PortResult { Address = IPAddress.Loopback, Port = ssh.Port, State = PortState.Open, Reason = "syn-ack" };
        var checkpoint = new ScanCheckpoint
        {
            Id = 7,
            Plan = plan with { TcpTechnique = ScanTechnique.Connect },
            Position = 2,
            FinishedEngines = ["connect"],
            Partial = new ScanReport
            {
                Hosts = [new HostResult { Address = IPAddress.Loopback, State = "up", Ports = [known, undetected], StateCounts = new Dictionary<string, long> { ["open"] = 2 } }],
                Stats = new ScanStats { ScanType = "connect", ProbesSent = 2 },
            },
        };
        // Through the store's JSON, as a real resume reads it.
        checkpoint = PortAtlas.Storage.ScanCheckpointJson.Read(7, Encoding.UTF8.GetString(PortAtlas.Storage.ScanCheckpointJson.ToUtf8Bytes(checkpoint)));

        await using var session = new ScanSession(checkpoint.Plan, new ScanSessionOptions { RawAvailable = false, Resume = checkpoint });
        await foreach (var _ in session.RunAsync(TestContext.Current.CancellationToken))
        {
        }
        var ports = session.BuildReport().Hosts.Single().Ports.ToDictionary(p => p.Port);

        Assert.Equal(("nginx", "1.24.0"), (ports[1].Service?.Product, ports[1].Service?.Version));
        Assert.Equal(("OpenSSH", "9.6p1"), (ports[ssh.Port].Service?.Product, ports[ssh.Port].Service?.Version));
        Assert.Equal(2, session.BuildReport().Stats.PortsScanned);
    }

    [Fact]
    public async Task ResumeWithReplays_KeepsTheReportAView_WithTheReplayedPortInPlace()
    {
        await using var ssh = new FakeServer(async (stream, token) =>
            await stream.WriteAsync(Encoding.ASCII.GetBytes("SSH-2.0-OpenSSH_9.6p1 Debian-4\r\n"), token));
        var plan = await PlanAsync([ssh.Port], detect: true);
        var undetected = new PortResult { Address = IPAddress.Loopback, Port = ssh.Port, State = PortState.Open, Reason = "syn-ack" };
        // Beside the host to identify again, hosts with counts only, as most of a large scan's: they stay unbuilt.
        var silent = Enumerable.Range(1, 300).Select(i => new HostResult
        {
            Address = new IPAddress([198, 19, (byte)(i >> 8), (byte)i]),
            State = "unknown",
            StateCounts = new Dictionary<string, long> { ["filtered"] = 30 },
        });
        var checkpoint = new ScanCheckpoint
        {
            Id = 8,
            Plan = plan with { TcpTechnique = ScanTechnique.Connect },
            Position = 1,
            FinishedEngines = ["connect"],
            Partial = new ScanReport
            {
                Hosts = [new HostResult { Address = IPAddress.Loopback, State = "up", Ports = [undetected], StateCounts = new Dictionary<string, long> { ["open"] = 1 } }, .. silent],
                Stats = new ScanStats { ScanType = "connect", ProbesSent = 1 },
            },
        };

        await using var session = new ScanSession(checkpoint.Plan, new ScanSessionOptions { RawAvailable = false, Resume = checkpoint });
        await foreach (var _ in session.RunAsync(TestContext.Current.CancellationToken))
        {
        }
        var hosts = session.BuildReport().Hosts;

        Assert.IsAssignableFrom<IHostListView>(hosts);
        Assert.Equal(301, hosts.Count);
        Assert.Equal("127.0.0.1", hosts[0].Address.ToString());
        Assert.Equal("OpenSSH", Assert.Single(hosts[0].Ports).Service?.Product);
        Assert.Equal("198.19.1.44", hosts[300].Address.ToString());
        Assert.Equal(30, hosts[300].StateCounts["filtered"]);
    }

    private sealed class FailingSink : IScanCheckpointSink
    {
        public int Calls { get; private set; }

        public Task<long> SaveCheckpointAsync(ScanCheckpoint checkpoint, CancellationToken cancellationToken = default)
        {
            Calls++;
            throw new IOException("No space left on device");
        }
    }

    private sealed class MemorySink : IScanCheckpointSink
    {
        public ScanCheckpoint? Last { get; private set; }

        public Task<long> SaveCheckpointAsync(ScanCheckpoint checkpoint, CancellationToken cancellationToken = default)
        {
            Last = checkpoint with { Id = 1 };
            return Task.FromResult(1L);
        }
    }
}
