using FsCheck.Xunit;
using PortAtlas.Registry;
using PortAtlas.Targets;

namespace PortAtlas.Tests.Targets;

public sealed class PortListTests
{
    [Fact]
    public void Constructor_SortsAndDeduplicates()
    {
        var list = new PortList(tcp: [443, 22, 443, 80]);

        Assert.Equal([22, 80, 443], list.Tcp);
    }

    [Property(MaxTest = 300)]
    public void Constructor_AnyPorts_GivesTheSortedDistinctSet(FsCheck.NonNegativeInt[] raw)
    {
        var ports = raw.Select(p => p.Get % 65536).ToArray();

        Assert.Equal(ports.Distinct().Order(), new PortList(tcp: ports).Tcp);
    }

    [Fact]
    public void Constructor_SortedInput_IsKeptAsGiven()
    {
        var all = Enumerable.Range(0, 65536).ToArray();

        Assert.Equal(all, new PortList(sctp: all).Sctp);
    }

    [Fact]
    public void Constructor_NegativePort_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PortList(tcp: [1, -1]));
    }

    [Fact]
    public void Indexer_WalksTcpThenUdpThenSctp()
    {
        var list = PortSpecParser.Parse("S:2905,U:53,T:22,80").Value!;

        Assert.Equal(4, list.Count);
        Assert.Equal([(Transport.Tcp, 22), (Transport.Tcp, 80), (Transport.Udp, 53), (Transport.Sctp, 2905)], Enumerable.Range(0, list.Count).Select(i => list[i]));
    }

    [Fact]
    public void Constructor_PortOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PortList(udp: [65536]));
    }
}
