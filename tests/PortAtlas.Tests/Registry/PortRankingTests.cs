using PortAtlas.Registry;

namespace PortAtlas.Tests.Registry;

public sealed class PortRankingTests
{
    [Theory]
    [InlineData(Transport.Tcp)]
    [InlineData(Transport.Udp)]
    public void Default_HasAtLeastAThousandDistinctPortsPerProtocol_BestFirst(Transport transport)
    {
        var ranked = PortRanking.Default.For(transport);
        Assert.True(ranked.Count >= 1000, $"{ranked.Count} {transport} ports");
        Assert.Equal(ranked.Count, ranked.Select(r => r.Port).Distinct().Count());
        Assert.All(ranked, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        for (var i = 1; i < ranked.Count; i++)
        {
            Assert.True(ranked[i - 1].Score >= ranked[i].Score, $"rank {i} is out of order");
        }
    }

    [Theory]
    [InlineData(49152)]
    [InlineData(49153)]
    [InlineData(49154)]
    [InlineData(1025)]
    [InlineData(1026)]
    [InlineData(8888)]
    [InlineData(5666)]
    [InlineData(81)]
    [InlineData(8008)]
    [InlineData(9999)]
    [InlineData(2000)]
    [InlineData(32768)]
    [InlineData(5985)]
    [InlineData(3389)]
    public void TopHundredTcp_HoldsPortsOpenOnOrdinaryNetworks(int port) =>
        Assert.Contains(port, PortRegistry.Default.TopPorts(Transport.Tcp, 100));

    [Theory]
    [InlineData(53)]
    [InlineData(123)]
    [InlineData(161)]
    [InlineData(137)]
    [InlineData(500)]
    [InlineData(1900)]
    [InlineData(5353)]
    [InlineData(5355)]
    [InlineData(51820)]
    public void TopFiftyUdp_HoldsTheCommonUdpServices(int port) =>
        Assert.Contains(port, PortRegistry.Default.TopPorts(Transport.Udp, 50));

    [Fact]
    public void TopPorts_FollowTheRankingFileFirst()
    {
        var file = PortRanking.Default.For(Transport.Tcp).Select(r => r.Port).Take(1000);
        Assert.Equal(file, PortRegistry.Default.TopPorts(Transport.Tcp, 1000));
    }

    [Fact]
    public void TopPorts_BeyondTheRanking_FallBackToTheRegistryWithoutRepeats()
    {
        var all = PortRegistry.Default.TopPorts(Transport.Udp, 5000);
        Assert.Equal(5000, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void ObscureLowPorts_RankBelowCommonHighOnes()
    {
        var top = PortRegistry.Default.TopPorts(Transport.Tcp, 1000).ToList();
        // IANA's port 1 (tcpmux) is assigned but almost never open; Windows RPC's 49152 is open on most Windows hosts.
        Assert.True(top.IndexOf(49152) < top.IndexOf(1) || !top.Contains(1));
    }

    [Theory]
    [InlineData("protocol\tport\tscore\treason\nxyz\t80\t5\tweb\n", "xyz")]
    [InlineData("protocol\tport\tscore\treason\ntcp\t70000\t5\tweb\n", "70000")]
    [InlineData("protocol\tport\tscore\treason\ntcp\t80\t101\tweb\n", "101")]
    [InlineData("protocol\tport\tscore\treason\ntcp\t80\t5\t\n", "empty reason")]
    [InlineData("protocol\tport\tscore\treason\ntcp\t80\t5\tweb\ntcp\t80\t4\tagain\n", "twice")]
    [InlineData("tcp\t80\t5\tweb\n", "header")]
    [InlineData("protocol\tport\tscore\treason\ntcp\t80\t5\n", "fields")]
    public void Parse_HostileRows_FailNamingTheProblem(string tsv, string expected)
    {
        var error = Assert.Throws<FormatException>(() => PortRanking.Parse(tsv));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EqualScores_KeepFileOrder()
    {
        var ranking = PortRanking.Parse("protocol\tport\tscore\treason\ntcp\t9\t5\ta\ntcp\t7\t9\tb\ntcp\t3\t5\tc\nudp\t53\t1\td\n");
        Assert.Equal([7, 9, 3], ranking.For(Transport.Tcp).Select(r => r.Port));
        Assert.Equal([53], ranking.For(Transport.Udp).Select(r => r.Port));
        Assert.Empty(ranking.For(Transport.Sctp));
    }
}
