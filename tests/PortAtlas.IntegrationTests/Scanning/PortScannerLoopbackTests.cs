using System.Net;
using PortAtlas.Scanning;
using PortAtlas.Targets;

namespace PortAtlas.IntegrationTests.Scanning;

/// <summary>
/// Scans in the root network namespace. Its loopback holds listeners that are not ours (tcp/2024), so these tests scan
/// only ports that they themselves opened and hold open for the whole scan.
/// </summary>
public sealed class PortScannerLoopbackTests
{
    public static TheoryData<string> Mechanisms => new(MechanismNames());

    private static IEnumerable<string> MechanismNames()
    {
        yield return nameof(ConnectMechanism.Sockets);
        if (LinuxSockets.IsSupported)
        {
            yield return nameof(ConnectMechanism.Epoll);
        }
    }

    private static ScanOptions Options(string mechanism) => new() { Mechanism = Enum.Parse<ConnectMechanism>(mechanism), Seed = 1 };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Mechanisms))]
    public async Task RunAsync_OwnListenersOnIPv4AndIPv6_AreAllOpen(string mechanism)
    {
        using var v4 = new LoopbackListeners(IPAddress.Loopback, 3);
        using var v6 = new LoopbackListeners(IPAddress.IPv6Loopback, 2);

        var scanner = new PortScanner();
        var report4 = await scanner.RunAsync(TargetSet.FromAddresses([IPAddress.Loopback]), new PortList(tcp: v4.Ports), Options(mechanism), TestContext.Current.CancellationToken);
        var report6 = await scanner.RunAsync(TargetSet.FromAddresses([IPAddress.IPv6Loopback]), new PortList(tcp: v6.Ports), Options(mechanism), TestContext.Current.CancellationToken);

        var host4 = Assert.Single(report4.Hosts);
        Assert.Equal(IPAddress.Loopback, host4.Address);
        Assert.Equal("up", host4.State);
        Assert.Equal(v4.Ports.Order(), host4.Ports.Select(p => p.Port));
        Assert.All(host4.Ports, p => Assert.Equal((PortState.Open, "syn-ack"), (p.State, p.Reason)));
        Assert.All(host4.Ports, p => Assert.NotNull(p.RoundTrip));
        var host6 = Assert.Single(report6.Hosts);
        Assert.Equal(v6.Ports.Order(), host6.Ports.Select(p => p.Port));
        Assert.All(host6.Ports, p => Assert.Equal(PortState.Open, p.State));
        Assert.False(report4.Stats.Interrupted);
        Assert.Equal(3, report4.Stats.PortsScanned);
        Assert.Equal(3, report4.Stats.StateCounts["open"]);
        // Every listener saw exactly one connection: one probe per port, no retransmission to an open port.
        await WaitUntilAsync(() => v4.Ports.All(p => v4.AcceptsOn(p) >= 1));
        Assert.All(v4.Ports, p => Assert.Equal(1, v4.AcceptsOn(p)));
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Mechanisms))]
    public async Task ScanAsync_PortsNotInTheList_AreNeverConnected(string mechanism)
    {
        using var listeners = new LoopbackListeners(IPAddress.Loopback, 3);
        var scanned = listeners.Ports.Take(2).ToArray();
        var excluded = listeners.Ports[2];

        var results = new List<PortResult>();
        await foreach (var result in new PortScanner().ScanAsync(TargetSet.FromAddresses([IPAddress.Loopback]), new PortList(tcp: scanned), Options(mechanism), TestContext.Current.CancellationToken))
        {
            results.Add(result);
        }
        await Task.Delay(200, TestContext.Current.CancellationToken);

        Assert.Equal(scanned.Order(), results.Select(r => r.Port).Order());
        Assert.Equal(0, listeners.AcceptsOn(excluded));
        // The counter works: a connection of our own to the excluded port is counted.
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, excluded, TestContext.Current.CancellationToken);
        }
        await WaitUntilAsync(() => listeners.AcceptsOn(excluded) == 1);
        Assert.Equal(1, listeners.AcceptsOn(excluded));
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Mechanisms))]
    public async Task RunAsync_CancelledMidScan_ReturnsWhatWasDecidedAndMarksInterrupted(string mechanism)
    {
        using var listeners = new LoopbackListeners(IPAddress.Loopback, 40);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var scanner = new PortScanner();
        // 20 probes a second over 40 ports: two seconds of scan, cancelled after half a second.
        var options = Options(mechanism) with { Rate = 20 };
        cancel.CancelAfter(TimeSpan.FromMilliseconds(500));

        var report = await scanner.RunAsync(TargetSet.FromAddresses([IPAddress.Loopback]), new PortList(tcp: listeners.Ports), options, cancel.Token);

        Assert.True(report.Stats.Interrupted);
        var decided = report.Hosts.SelectMany(h => h.Ports).ToList();
        Assert.InRange(decided.Count, 1, 39);
        Assert.All(decided, p => Assert.Equal(PortState.Open, p.State));
        Assert.Equal(decided.Count, report.Stats.PortsScanned);
        Assert.True(scanner.Progress!.IsFinished);
        Assert.Equal(decided.Count, scanner.Progress.Completed);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Mechanisms))]
    public async Task ScanAsync_CancelledMidScan_YieldsDecidedPortsThenThrows(string mechanism)
    {
        using var listeners = new LoopbackListeners(IPAddress.Loopback, 40);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var options = Options(mechanism) with { Rate = 20 };
        var results = new List<PortResult>();
        cancel.CancelAfter(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var result in new PortScanner().ScanAsync(TargetSet.FromAddresses([IPAddress.Loopback]), new PortList(tcp: listeners.Ports), options, cancel.Token))
            {
                results.Add(result);
            }
        });
        Assert.InRange(results.Count, 1, 39);
    }

    [Fact(Timeout = 30_000)]
    public async Task ScanAsync_ConsumerStopsEarly_EndsTheScanQuietly()
    {
        using var listeners = new LoopbackListeners(IPAddress.Loopback, 40);
        var scanner = new PortScanner();
        await foreach (var result in scanner.ScanAsync(TargetSet.FromAddresses([IPAddress.Loopback]), new PortList(tcp: listeners.Ports), new ScanOptions { Rate = 50 }, TestContext.Current.CancellationToken))
        {
            Assert.Equal(PortState.Open, result.State);
            break;
        }
        Assert.True(scanner.Progress!.IsFinished);
        Assert.True(scanner.Progress.Completed < 40);
    }

    [Fact]
    public async Task RunAsync_NoPorts_ReturnsAnEmptyReport()
    {
        var report = await new PortScanner().RunAsync(TargetSet.FromAddresses([IPAddress.Loopback]), new PortList(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(report.Hosts);
        Assert.Equal(0, report.Stats.ProbesSent);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(20);
        }
    }
}
