using System.Net;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Scanning;

/// <summary>How the collector lists and counts ports, and what it holds per host of a large scan.</summary>
public sealed class ScanCollectorTests
{
    private static PortResult Result(IPAddress address, int port, PortState state) =>
        new() { Address = address, Port = port, State = state, Reason = state == PortState.Closed ? "reset" : "no-response" };

    private static IPAddress Host(int i) => new(new byte[] { 198, 19, (byte)(i >> 8), (byte)i });

    [Theory]
    [InlineData(PortState.Closed, 25, 25)]
    [InlineData(PortState.Closed, 26, 0)]
    [InlineData(PortState.Filtered, 25, 25)]
    [InlineData(PortState.Filtered, 100, 0)]
    public void Build_ListsAStateOnlyWhileTheHostHasFewOfIt(PortState state, int count, int listed)
    {
        var collector = new ScanCollector();
        var address = Host(1);
        collector.Add(Result(address, 22, PortState.Open));
        for (var port = 1000; port < 1000 + count; port++)
        {
            collector.Add(Result(address, port, state));
        }

        var host = Assert.Single(collector.Build(new ScanStats()).Hosts);

        Assert.Equal(listed + 1, host.Ports.Count);
        Assert.Equal(22, host.Ports[0].Port);
        Assert.All(host.Ports.Skip(1), p => Assert.Equal(state, p.State));
        Assert.Equal(count, host.StateCounts[state.ToName()]);
        Assert.Equal(1, host.StateCounts["open"]);
    }

    [Fact]
    public void Add_SeededReportThenMorePortsOfAListedState_SummarisesThemOnceOverTheLimit()
    {
        var address = Host(2);
        var first = new ScanCollector();
        for (var port = 1; port <= 20; port++)
        {
            first.Add(Result(address, port, PortState.Closed));
        }
        var seeded = new ScanCollector();
        seeded.Add(first.Build(new ScanStats()));
        Assert.Equal(20, Assert.Single(seeded.Build(new ScanStats()).Hosts).Ports.Count);

        for (var port = 21; port <= 30; port++)
        {
            seeded.Add(Result(address, port, PortState.Closed));
        }

        var host = Assert.Single(seeded.Build(new ScanStats()).Hosts);
        Assert.Empty(host.Ports);
        Assert.Equal(30, host.StateCounts["closed"]);
        Assert.Equal("up", host.State);
    }

    [Fact]
    public void Build_SilentAndClosedHosts_KeepTheirOwnCountsAndOrder()
    {
        var collector = new ScanCollector();
        for (var i = 3; i >= 0; i--)
        {
            for (var port = 1; port <= 40; port++)
            {
                collector.Add(Result(Host(i), port, i % 2 == 0 ? PortState.Filtered : PortState.Closed));
            }
        }
        collector.Add(Result(Host(2), 41, PortState.Closed));

        var hosts = collector.Build(new ScanStats()).Hosts;

        Assert.Equal([Host(0), Host(1), Host(2), Host(3)], hosts.Select(h => h.Address));
        Assert.Equal(["unknown", "up", "up", "up"], hosts.Select(h => h.State));
        Assert.Equal(40, hosts[0].StateCounts["filtered"]);
        Assert.False(hosts[0].StateCounts.ContainsKey("closed"));
        Assert.Equal((40L, 1L), (hosts[2].StateCounts["filtered"], hosts[2].StateCounts["closed"]));
        Assert.Equal(40, hosts[3].StateCounts["closed"]);
        // The one closed port of a silent host is listed; the summarised states list nothing.
        Assert.Equal([41], hosts[2].Ports.Select(p => p.Port));
        // (By place: the report makes a host each time it is read, so two reads are equal, not the same object.)
        Assert.All(hosts.Where((_, i) => i != 2), h => Assert.Empty(h.Ports));
    }

    [Fact]
    public void Build_HostsThatListHeldPorts_AreMadeWhenRead_NotWhenBuilt()
    {
        // A shard's hosts: a quarter of each host's ports, all filtered, so every host lists its ports (issue 17).
        const int hostCount = 8000;
        var collector = new ScanCollector();
        for (var i = 0; i < hostCount; i++)
        {
            for (var port = 1; port <= 25; port++)
            {
                collector.Add(Result(Host(i), port, PortState.Filtered));
            }
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var hosts = collector.Build(new ScanStats()).Hosts;
        var perHost = (GC.GetAllocatedBytesForCurrentThread() - before) / hostCount;

        // Made at build time, each host's 25 results took about 5 KB; its place in the order is 12 bytes.
        Assert.InRange(perHost, 0, 100);
        var host = hosts[4321];
        Assert.Equal(Host(4321), host.Address);
        Assert.Equal(Enumerable.Range(1, 25), host.Ports.Select(p => p.Port));
        Assert.All(host.Ports, p => Assert.Equal((PortState.Filtered, "no-response"), (p.State, p.Reason)));
    }

    [Fact]
    public void Build_ClosedAndFilteredPortsHeldWhileFew_ComeBackAsTheyWereAdded()
    {
        var collector = new ScanCollector();
        var address = Host(5);
        var added = new List<PortResult>
        {
            new() { Address = address, Port = 65535, State = PortState.Closed, Reason = "reset", RoundTrip = TimeSpan.FromTicks(1234567) },
            new() { Address = address, Port = 0, State = PortState.Closed, Reason = "reset", RoundTrip = TimeSpan.Zero },
            new() { Address = address, Port = 53, Protocol = Transport.Udp, State = PortState.Closed, Reason = "port-unreach", RoundTrip = TimeSpan.FromMilliseconds(3) },
            new() { Address = address, Port = 7, Protocol = Transport.Sctp, State = PortState.Closed, Reason = "abort" },
            new() { Address = address, Port = 8, State = PortState.Filtered, Reason = "no-response" },
            new() { Address = address, Port = 9, State = PortState.Filtered, Reason = "admin-prohibited", RoundTrip = TimeSpan.FromTicks(uint.MaxValue - 2L) },
            // Too much for 8 bytes: a round trip over 429 s, a service. Kept as they are.
            new() { Address = address, Port = 10, State = PortState.Filtered, Reason = "no-response", RoundTrip = TimeSpan.FromSeconds(500) },
            new() { Address = address, Port = 11, State = PortState.Closed, Reason = "reset", Service = new ServiceInfo { Name = "x" } },
        };
        foreach (var result in added)
        {
            collector.Add(result);
        }

        var host = Assert.Single(collector.Build(new ScanStats()).Hosts);

        static object Shape(PortResult p) => (p.Address, p.Port, p.Protocol, p.State, p.Reason, p.RoundTrip, p.Service?.Name, p.Findings.Count, p.Scripts.Count);
        Assert.Equal(added.OrderBy(p => p.Protocol).ThenBy(p => p.Port).Select(Shape), host.Ports.Select(Shape));
    }

    [Fact]
    public void Add_OneStatePastTheLimit_DropsOnlyThatStatesHeldPorts()
    {
        var collector = new ScanCollector();
        var address = Host(6);
        for (var port = 1; port <= 25; port++)
        {
            collector.Add(Result(address, port, PortState.Closed));
        }
        for (var port = 101; port <= 126; port++)
        {
            collector.Add(Result(address, port, PortState.Filtered));
        }

        var host = Assert.Single(collector.Build(new ScanStats()).Hosts);

        Assert.Equal(Enumerable.Range(1, 25), host.Ports.Select(p => p.Port));
        Assert.All(host.Ports, p => Assert.Equal((PortState.Closed, "reset"), (p.State, p.Reason)));
        Assert.Equal(26, host.StateCounts["filtered"]);
    }

    [Fact]
    public void Add_ManyHostsInterleaved_EachListsItsOwnHeldPorts_AfterOthersGaveTheirsBack()
    {
        // Port by port over all hosts, as a random-order sweep: even hosts pass 25 closed ports and give their blocks
        // back, odd ones keep 20; then later hosts take the freed blocks.
        var collector = new ScanCollector();
        for (var port = 1; port <= 30; port++)
        {
            for (var i = 0; i < 1000; i++)
            {
                if (i % 2 == 0 || port <= 20)
                {
                    collector.Add(new PortResult { Address = Host(i), Port = port, State = PortState.Closed, Reason = "reset", RoundTrip = TimeSpan.FromTicks(i * 100 + port) });
                }
            }
        }
        for (var port = 1; port <= 10; port++)
        {
            for (var i = 1000; i < 1500; i++)
            {
                collector.Add(Result(Host(i), port, PortState.Filtered));
            }
        }

        var hosts = collector.Build(new ScanStats()).Hosts;

        Assert.Equal(1500, hosts.Count);
        for (var i = 0; i < 1000; i++)
        {
            var host = hosts[i];
            Assert.Equal(Host(i), host.Address);
            if (i % 2 == 0)
            {
                Assert.Empty(host.Ports);
                Assert.Equal(30, host.StateCounts["closed"]);
            }
            else
            {
                Assert.Equal(Enumerable.Range(1, 20), host.Ports.Select(p => p.Port));
                Assert.All(host.Ports, p => Assert.Equal((Host(i), TimeSpan.FromTicks(i * 100 + p.Port), "reset"), (p.Address, p.RoundTrip!.Value, p.Reason)));
            }
        }
        Assert.All(hosts.Skip(1000), h => Assert.Equal(Enumerable.Range(1, 10), h.Ports.Select(p => p.Port)));
        Assert.All(hosts.Skip(1000), h => Assert.All(h.Ports, p => Assert.Equal((PortState.Filtered, "no-response", (TimeSpan?)null), (p.State, p.Reason, p.RoundTrip))));
    }

    [Fact]
    public void Add_SeededReportListingMoreThanABlockHolds_KeepsThemAll()
    {
        // A report that listed every closed port (--list-closed) of a host with 30 of them, seeded into a collector that
        // summarises: more ports at once than one state's block holds. They are counted and summarised as before.
        var full = new ScanCollector(listEveryState: true);
        for (var port = 1; port <= 30; port++)
        {
            full.Add(Result(Host(7), port, PortState.Closed));
        }
        for (var port = 1; port <= 20; port++)
        {
            full.Add(Result(Host(8), port, PortState.Closed));
        }
        var seeded = new ScanCollector();
        seeded.Add(full.Build(new ScanStats()));

        var hosts = seeded.Build(new ScanStats()).Hosts;

        Assert.Empty(hosts[0].Ports);
        Assert.Equal(30, hosts[0].StateCounts["closed"]);
        Assert.Equal(Enumerable.Range(1, 20), hosts[1].Ports.Select(p => p.Port));
    }

    [Fact]
    public void ListedPorts_AreTheOpenOnesAndThoseOfStatesListedInFull()
    {
        var collector = new ScanCollector(new ScanCollectorOptions { ListClosed = true });
        collector.Add(Result(Host(1), 1, PortState.Open));
        collector.Add(Result(Host(1), 2, PortState.Closed));
        collector.Add(Result(Host(2), 3, PortState.Filtered));

        Assert.Equal([1, 2], collector.ListedPorts().Select(p => p.Port).Order());
    }
}

/// <summary>
/// Memory held by the collector over a silent range (issue 17): per host it keeps counts, not ports. Alone in its
/// collection, so that other tests' allocations do not blur the heap size it measures.
/// </summary>
[Collection(nameof(ScanCollectorMemoryTests))]
[CollectionDefinition(nameof(ScanCollectorMemoryTests), DisableParallelization = true)]
public sealed class ScanCollectorMemoryTests
{
    [Fact]
    public void Add_SilentSlash17TimesTop100_HoldsLessThan400BytesPerHost()
    {
        const int Hosts = 32_768;
        const int Ports = 100;
        var collector = new ScanCollector();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < Hosts; i++)
        {
            // One address object per host, as the raw engine's address cache gives: the ports' records are dropped.
            var address = new IPAddress(new byte[] { 198, 19, (byte)(i >> 8), (byte)i });
            for (var port = 1; port <= Ports; port++)
            {
                collector.Add(new PortResult { Address = address, Port = port, State = PortState.Filtered, Reason = "no-response" });
            }
        }
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(collector);

        // Holding the first 26 filtered ports of each host (as before) costs over 2 KiB per host, about 70 MB here.
        Assert.Equal(Hosts * (long)Ports, collector.Count);
        Assert.Equal(Hosts, collector.HostCount);
        Assert.True(held < Hosts * 400L, $"the collector holds {held / (double)Hosts:F0} bytes per silent host");
    }
}
