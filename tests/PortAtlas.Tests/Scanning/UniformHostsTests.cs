using System.Net;
using PortAtlas.Reports;
using PortAtlas.Scanning;
using PortAtlas.Targets;

namespace PortAtlas.Tests.Scanning;

/// <summary>
/// Hosts that answered nothing, or a reset on every port, held as a bit each (issue 17): the report lists them among the
/// held hosts exactly as it listed them when each of their ports came as a result.
/// </summary>
public sealed class UniformHostsTests
{
    private const int Ports = 30;

    private static IPAddress V4(uint value) => new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    private static uint Key(int a, int b, int c, int d) => ((uint)a << 24) | ((uint)b << 16) | ((uint)c << 8) | (uint)d;

    [Fact]
    public void RankSelectAndNext_AgreeWithTheBitsSet_AcrossBlocks()
    {
        // Two ranges (a gap between them) and 9,000 hosts: several 4,096-host blocks, one of them empty.
        var hosts = TargetSet.FromAddresses(Enumerable.Range(0, 9000).Select(i => V4(Key(198, 19, 0, 0) + (uint)(i < 4000 ? i : i + 100))));
        var silent = new UniformHosts(hosts, Ports, PortState.Filtered);
        var set = Enumerable.Range(0, 9000).Where(i => (i % 7 == 3 || i >= 8990) && i is not (>= 4096 and < 8192)).Select(i => (ulong)i).ToList();
        foreach (var host in set)
        {
            silent.Add(host);
        }
        silent.Add(set[0]);

        Assert.Equal(set.Count, silent.Count);
        var ranks = silent.BlockRanks();
        for (var ordinal = 0; ordinal < set.Count; ordinal++)
        {
            Assert.Equal(set[ordinal], silent.Select(ordinal, ranks));
            Assert.Equal(ordinal, silent.Rank(set[ordinal], ranks));
        }
        Assert.Equal(set.Count, silent.Rank(hosts.Count, ranks));
        var walked = new List<ulong>();
        for (var host = silent.Next(0); host < hosts.Count; host = silent.Next(host + 1))
        {
            walked.Add(host);
        }
        Assert.Equal(set, walked);
        Assert.Equal(4000UL, hosts.CountBelow(Key(198, 19, 15, 200)));
        Assert.Equal(4001UL, hosts.CountBelow(Key(198, 19, 16, 5)));
        Assert.Equal(0UL, hosts.CountBelow(Key(198, 18, 0, 0)));
        Assert.Equal(9000UL, hosts.CountBelow(Key(198, 20, 0, 0)));
    }

    [Fact]
    public void Build_SilentHostsAmongHeldOnes_ReadLikeTheirResultsInEveryWriter()
    {
        var (explicitReport, implicitReport, _) = BuildBoth();

        Assert.Equal(explicitReport.Hosts.Count, implicitReport.Hosts.Count);
        Assert.Equal(explicitReport.Stats.PortsScanned, implicitReport.Stats.PortsScanned);
        Assert.Equal(explicitReport.Stats.HostsScanned, implicitReport.Stats.HostsScanned);
        foreach (var format in ReportFormats.All)
        {
            Assert.Equal(Written(format.CreateWriter(), explicitReport), Written(format.CreateWriter(), implicitReport));
        }
        Assert.Equal(Normal(explicitReport), Normal(implicitReport));
        // Read by place as well as in one walk: the same hosts in the same order.
        var walked = implicitReport.Hosts.Select(h => h.Address.ToString()).ToList();
        Assert.Equal(walked, Enumerable.Range(0, implicitReport.Hosts.Count).Select(i => implicitReport.Hosts[i].Address.ToString()));
        Assert.Equal(walked.Count, walked.Distinct().Count());
    }

    [Fact]
    public void Build_SilentHost_IsUnknownWithItsPortsCountedAndNoneListed()
    {
        var (_, report, _) = BuildBoth();

        var host = report.Hosts.Single(h => h.Address.Equals(IPAddress.Parse("198.19.0.2")));
        Assert.Equal("unknown", host.State);
        Assert.Empty(host.Ports);
        Assert.Equal(Ports, host.StateCounts["filtered"]);
        Assert.Equal("named.example", report.Hosts.Single(h => h.Address.Equals(IPAddress.Parse("198.19.0.9"))).Hostname);
    }

    [Fact]
    public void Build_ClosedHost_IsUpWithItsPortsCountedAsClosedAndNoneListed()
    {
        var (_, report, collector) = BuildBoth();

        var host = report.Hosts.Single(h => h.Address.Equals(IPAddress.Parse("198.19.0.10")));
        Assert.Equal("up", host.State);
        Assert.Empty(host.Ports);
        Assert.Equal(Ports, host.StateCounts["closed"]);
        Assert.False(host.StateCounts.ContainsKey("filtered"));
        // 116 of the 593 hosts without an answering port are closed: their ports are in the totals as closed, beside the
        // closed ports of the four even answering hosts and the one of 198.20.0.1.
        Assert.Equal((ClosedHosts * (long)Ports) + (4 * (Ports - 1)) + 1, report.Stats.StateCounts["closed"]);
        Assert.Equal(report.Stats.StateCounts.Values.Sum(), collector.Count);
    }

    [Fact]
    public void Remove_AClosedHost_SaysItWasClosed_AndTheOthersStayAsTheyWere()
    {
        var targets = TargetSet.FromAddresses(Enumerable.Range(0, 200).Select(i => V4(Key(198, 19, 0, i))));
        var uniform = new UniformHosts(targets, Ports, PortState.Filtered);
        uniform.Add(3);
        uniform.AddClosed(70, 7);
        uniform.AddClosed(70);
        uniform.AddClosed(3);

        Assert.Equal((2L, 1L, 1L), (uniform.Count, uniform.ClosedCount, uniform.SilentCount));
        Assert.Equal(((long)Ports, 7L), (uniform.SilentPorts, uniform.ClosedPorts));
        Assert.Equal((PortState.Filtered, PortState.Closed), (uniform.StateOf(3), uniform.StateOf(70)));
        Assert.Equal((Ports, 7), (uniform.PortsOf(3), uniform.PortsOf(70)));
        Assert.True(uniform.Remove(Key(198, 19, 0, 70), out var state, out var ports));
        Assert.Equal((PortState.Closed, 7), (state, ports));
        Assert.False(uniform.Remove(Key(198, 19, 0, 70), out _, out _));
        Assert.True(uniform.Remove(Key(198, 19, 0, 3), out state, out ports));
        Assert.Equal((PortState.Filtered, Ports), (state, ports));
        Assert.Equal((0L, 0L, 0L, 0L), (uniform.Count, uniform.ClosedCount, uniform.SilentPorts, uniform.ClosedPorts));
        Assert.Throws<ArgumentOutOfRangeException>(() => uniform.Add(5, Ports + 1));
    }

    [Fact]
    public void Build_HostsWithFewerPorts_AsAShardsHostsAre_CountTheirOwn()
    {
        var targets = TargetSet.FromAddresses(Enumerable.Range(0, 64).Select(i => V4(Key(198, 19, 0, i))));
        var uniform = new UniformHosts(targets, Ports, PortState.Filtered);
        var streamed = new ScanCollector();
        for (var i = 0; i < 64; i++)
        {
            // As a quarter of a plan's pairs falls to a shard: from 1 to 30 ports a host, some of them under 25.
            var ports = 1 + (i * 7 % Ports);
            var closed = i % 3 == 0;
            if (closed)
            {
                uniform.AddClosed((ulong)i, ports);
            }
            else
            {
                uniform.Add((ulong)i, ports);
            }
            for (var port = 1; port <= ports; port++)
            {
                streamed.Add(new PortResult { Address = V4(Key(198, 19, 0, i)), Port = port, State = closed ? PortState.Closed : PortState.Filtered, Reason = closed ? "reset" : "no-response" });
            }
        }
        var bits = new ScanCollector();
        bits.AddUniformHosts(uniform);

        var expected = streamed.Build(new ScanStats(), targets);
        var report = bits.Build(new ScanStats(), targets);
        Assert.Equal(expected.Stats.StateCounts, report.Stats.StateCounts);
        Assert.Equal(expected.Stats.PortsScanned, report.Stats.PortsScanned);
        // Host by host the same state and counts; those of few ports are counted, not listed (the group lists none).
        Assert.Equal(
            expected.Hosts.Select(h => (h.Address.ToString(), h.State, string.Join(',', h.StateCounts.Order()))),
            report.Hosts.Select(h => (h.Address.ToString(), h.State, string.Join(',', h.StateCounts.Order()))));
        Assert.All(report.Hosts, h => Assert.Empty(h.Ports));
    }

    [Fact]
    public void AddUniformHosts_ClosedPortsOfAHostWithOpenOnes_JoinItsSlot()
    {
        var targets = TargetSet.FromAddresses(Enumerable.Range(0, 8).Select(i => V4(Key(198, 19, 0, i))));
        var collector = new ScanCollector();
        collector.Add(new PortResult { Address = V4(Key(198, 19, 0, 2)), Port = 22, State = PortState.Open, Reason = "syn-ack" });
        collector.Add(new PortResult { Address = V4(Key(198, 19, 0, 2)), Port = 23, State = PortState.Filtered, Reason = "no-response" });
        var uniform = new UniformHosts(targets, Ports, PortState.Filtered);
        uniform.AddClosed(2, Ports - 2);
        uniform.AddClosed(5);

        collector.AddUniformHosts(uniform);

        var report = collector.Build(new ScanStats(), targets);
        Assert.Equal(2, report.Hosts.Count);
        var mixed = report.Hosts[0];
        Assert.Equal(("198.19.0.2", "up", 1L, (long)Ports - 2, 1L), (mixed.Address.ToString(), mixed.State, mixed.StateCounts["open"], mixed.StateCounts["closed"], mixed.StateCounts["filtered"]));
        Assert.Equal([22, 23], mixed.Ports.Select(p => p.Port));
        Assert.Equal(("198.19.0.5", (long)Ports), (report.Hosts[1].Address.ToString(), report.Hosts[1].StateCounts["closed"]));
        Assert.Equal((2L * Ports) - 2, report.Stats.StateCounts["closed"]);
    }

    [Fact]
    public void Add_AResultForAClosedHostAfterAll_KeepsItsClosedCounts()
    {
        var (_, _, collector) = BuildBoth();
        var address = IPAddress.Parse("198.19.0.10");

        collector.Add(new PortResult { Address = address, Port = 9999, State = PortState.Open, Reason = "syn-ack" });

        var host = collector.Build(new ScanStats()).Hosts.Single(h => h.Address.Equals(address));
        Assert.Equal(("up", (long)Ports, 1L), (host.State, host.StateCounts["closed"], host.StateCounts["open"]));
        Assert.Equal([9999], host.Ports.Select(p => p.Port));
    }

    [Fact]
    public void Add_AResultForASilentHostAfterAll_GivesItASlotWithItsCounts_AndTheOldViewRefusesLazyHosts()
    {
        var (_, before, collector) = BuildBoth();
        var total = collector.Count;
        var address = IPAddress.Parse("198.19.0.2");

        collector.Add(new PortResult { Address = address, Port = 9999, State = PortState.Closed, Reason = "reset" });

        Assert.Throws<InvalidOperationException>(() => before.Hosts.ToList());
        var report = collector.Build(new ScanStats());
        var host = report.Hosts.Single(h => h.Address.Equals(address));
        Assert.Equal(("up", Ports, 1L), (host.State, host.StateCounts["filtered"], host.StateCounts["closed"]));
        Assert.Equal(total + 1, collector.Count);
        // The same hosts, without the timed-out one of the tail.
        Assert.Equal(before.Hosts.Count - 1, report.Hosts.Count);
        Assert.Single(report.Hosts, h => h.Address.Equals(address));
    }

    [Fact]
    public void AddSilentHosts_AHostHeldFromASeededReport_TakesTheCountsIntoItsSlot()
    {
        var targets = TargetSet.FromAddresses(Enumerable.Range(0, 16).Select(i => V4(Key(198, 19, 0, i))));
        var seed = new ScanCollector();
        seed.AddUnknownHost(IPAddress.Parse("198.19.0.4"), "seeded.example");
        var collector = new ScanCollector();
        collector.Add(seed.Build(new ScanStats()));
        var silent = new UniformHosts(targets, Ports, PortState.Filtered);
        for (ulong host = 0; host < 16; host++)
        {
            silent.Add(host);
        }

        collector.AddUniformHosts(silent);

        var report = collector.Build(new ScanStats(), targets);
        Assert.Equal(16, report.Hosts.Count);
        Assert.Equal(16, collector.HostCount);
        var seeded = report.Hosts[4];
        Assert.Equal(("198.19.0.4", "seeded.example", (long)Ports), (seeded.Address.ToString(), seeded.Hostname, seeded.StateCounts["filtered"]));
        Assert.Equal(16L * Ports, report.Stats.StateCounts["filtered"]);
    }

    // Hosts without an answering port whose index is a multiple of 5 answered a reset on every port: 120 multiples less
    // the four answering ones (0, 5, 255, 400).
    private const int ClosedHosts = 116;

    /// <summary>
    /// One scan's results two ways: every port as a result, and with the silent and closed hosts as bits. Held hosts sit before,
    /// among and after the silent ones (answering, closed, named, one outside the targets, one IPv6), and a timed-out
    /// host comes in the tail.
    /// </summary>
    private static (ScanReport Explicit, ScanReport Implicit, ScanCollector ImplicitCollector) BuildBoth()
    {
        var names = new Dictionary<IPAddress, string> { [IPAddress.Parse("198.19.0.9")] = "named.example" };
        var hosts = Enumerable.Range(0, 600).Select(i => V4(Key(198, 19, i / 256, i % 256))).ToList();
        var targets = TargetSet.FromAddresses(hosts, names);
        var answering = new HashSet<int> { 0, 5, 6, 255, 256, 400, 599 };
        var held = new List<PortResult>
        {
            new() { Address = IPAddress.Parse("198.18.1.1"), Port = 22, State = PortState.Open, Reason = "syn-ack" },
            new() { Address = IPAddress.Parse("198.20.0.1"), Port = 80, State = PortState.Closed, Reason = "reset" },
            new() { Address = IPAddress.Parse("2001:db8::1"), Port = 443, State = PortState.Open, Reason = "syn-ack" },
        };
        foreach (var i in answering)
        {
            for (var port = 1; port <= Ports; port++)
            {
                var state = port == 1 ? PortState.Open : i % 2 == 0 ? PortState.Closed : PortState.Filtered;
                held.Add(new PortResult { Address = hosts[i], Port = port, State = state, Reason = state == PortState.Open ? "syn-ack" : state == PortState.Closed ? "reset" : "no-response" });
            }
        }
        var timedOut = new HostResult { Address = IPAddress.Parse("198.21.0.1"), State = "unknown" };
        var stats = new ScanStats { ScanType = "syn", Started = DateTimeOffset.UnixEpoch, Finished = DateTimeOffset.UnixEpoch.AddSeconds(3) };

        var all = new ScanCollector();
        foreach (var result in held)
        {
            all.Add(result);
        }
        var bits = new ScanCollector();
        var silent = new UniformHosts(targets, Ports, PortState.Filtered);
        for (var i = 0; i < hosts.Count; i++)
        {
            if (answering.Contains(i))
            {
                continue;
            }
            var closed = i % 5 == 0;
            if (closed)
            {
                silent.AddClosed((ulong)i);
            }
            else
            {
                silent.Add((ulong)i);
            }
            for (var port = 1; port <= Ports; port++)
            {
                all.Add(closed
                    ? new PortResult { Address = hosts[i], Port = port, State = PortState.Closed, Reason = "reset" }
                    : new PortResult { Address = hosts[i], Port = port, State = PortState.Filtered, Reason = "no-response" });
            }
        }
        // Results of held hosts before and after the silent ones arrive, as a seeded report's and a late replay's would.
        foreach (var result in held.Take(held.Count / 2))
        {
            bits.Add(result);
        }
        bits.AddUniformHosts(silent);
        foreach (var result in held.Skip(held.Count / 2))
        {
            bits.Add(result);
        }
        return (all.Build(stats, targets, [timedOut]), bits.Build(stats, targets, [timedOut]), bits);
    }

    private static string Written(IReportWriter writer, ScanReport report)
    {
        using var text = new StringWriter();
        writer.Write(report, text);
        return text.ToString();
    }

    private static string Normal(ScanReport report)
    {
        using var text = new StringWriter();
        new NmapNormalReportWriter().Write(report, text);
        return text.ToString();
    }
}
