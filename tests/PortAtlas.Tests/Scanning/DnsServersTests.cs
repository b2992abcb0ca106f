using System.Net;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Scanning;

/// <summary>Which servers reverse lookups ask, and the safe-targets guard over them.</summary>
public sealed class DnsServersTests
{
    [Theory]
    [InlineData("198.18.6.2", "198.18.6.2:53")]
    [InlineData("198.18.6.2,127.0.0.1:5353", "198.18.6.2:53 127.0.0.1:5353")]
    [InlineData(" 198.18.6.2 , 198.18.6.2 ", "198.18.6.2:53")]
    [InlineData("::1", "[::1]:53")]
    [InlineData("[::1]:5353", "[::1]:5353")]
    public void TryParse_ReadsAddressesAndPorts(string text, string expected)
    {
        Assert.True(DnsServers.TryParse(text, out var servers, out var bad), bad);
        Assert.Equal(expected, string.Join(' ', servers.Select(s => s.ToString())));
    }

    [Theory]
    [InlineData("dns.example", "dns.example")]
    [InlineData("198.18.6.2,", "")]
    [InlineData("1.2", "1.2")]
    [InlineData("198.18.6.2:0", "198.18.6.2:0")]
    [InlineData("198.18.6.2:70000", "198.18.6.2:70000")]
    [InlineData("", "")]
    public void TryParse_NamesTheBadEntry(string text, string token)
    {
        Assert.False(DnsServers.TryParse(text, out _, out var bad));
        Assert.Equal(token, bad);
    }

    [Fact]
    public void Choose_GivenBeatsEnvironment_WhichBeatsResolvConf()
    {
        var given = new[] { new IPEndPoint(IPAddress.Parse("127.0.0.9"), 53) };
        var warnings = new List<string>();
        Assert.Equal(given, DnsServers.Choose(given, "198.18.6.2", () => "nameserver 198.18.6.3", safeOnly: true, warnings));
        Assert.Equal([new IPEndPoint(IPAddress.Parse("198.18.6.2"), 53)], DnsServers.Choose([], "198.18.6.2", () => "nameserver 198.18.6.3", safeOnly: true, warnings));
        Assert.Equal([new IPEndPoint(IPAddress.Parse("198.18.6.3"), 53)], DnsServers.Choose(null, null, () => "# comment\nnameserver 198.18.6.3\n", safeOnly: true, warnings));
        Assert.Empty(warnings);
    }

    [Fact]
    public void Choose_WithTheGuardOn_RefusesTheSystemResolver_WithOneLine()
    {
        var warnings = new List<string>();

        var servers = DnsServers.Choose(null, null, () => "nameserver 10.255.255.53\nnameserver 198.18.6.2\n", safeOnly: true, warnings);

        Assert.Equal([new IPEndPoint(IPAddress.Parse("198.18.6.2"), 53)], servers);
        Assert.Equal("PORTATLAS_SAFE_TARGETS=1 refuses DNS server 10.255.255.53: reverse lookups ask only servers in 127.0.0.0/8, ::1 and 198.18.0.0/15", Assert.Single(warnings));
    }

    [Fact]
    public void Choose_WithTheGuardOn_RefusesAGivenServerOutsideTheLab()
    {
        var warnings = new List<string>();

        Assert.Empty(DnsServers.Choose([new IPEndPoint(IPAddress.Parse("8.8.8.8"), 53), new IPEndPoint(IPAddress.Parse("::ffff:10.0.0.1"), 53)], null, () => null, safeOnly: true, warnings));
        Assert.Equal(2, warnings.Count);
    }

    [Fact]
    public void Choose_BadEnvironment_SaysSo_AndAsksNobody()
    {
        var warnings = new List<string>();

        Assert.Empty(DnsServers.Choose(null, "not-an-address", () => "nameserver 198.18.6.2", safeOnly: false, warnings));
        Assert.Contains("PORTATLAS_DNS_SERVERS has a bad server 'not-an-address'", Assert.Single(warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void ParseResolvConf_TakesAtMostThreeNameservers_AndSkipsTheRest()
    {
        var servers = DnsServers.ParseResolvConf("search example\nnameserver 198.18.6.1\n  nameserver\t198.18.6.2 \nnameserverx 1.1.1.1\nnameserver bad\nnameserver ::1\nnameserver 198.18.6.4\n");

        Assert.Equal(["198.18.6.1", "198.18.6.2", "::1"], servers.Select(s => s.Address.ToString()));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.255.0.9", true)]
    [InlineData("198.18.6.2", true)]
    [InlineData("198.19.255.255", true)]
    [InlineData("198.20.0.1", false)]
    [InlineData("10.255.255.53", false)]
    [InlineData("::1", true)]
    [InlineData("::2", false)]
    [InlineData("::ffff:127.0.0.1", true)]
    public void IsSafe_MatchesTheRawSendersRanges(string address, bool safe) => Assert.Equal(safe, DnsServers.IsSafe(IPAddress.Parse(address)));

    [Fact]
    public void TheTestProcess_RunsWithTheGuardOn_AndTheLabServer()
    {
        // The module initializer (SafeEnvironment) sets both; every scan in these tests inherits them.
        Assert.True(PortAtlas.Scanning.Raw.SafeTargets.IsEnforced);
        var warnings = new List<string>();
        Assert.All(DnsServers.Choose(null, warnings), s => Assert.True(DnsServers.IsSafe(s.Address)));
    }
}
