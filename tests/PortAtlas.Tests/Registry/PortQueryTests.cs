using FsCheck;
using FsCheck.Fluent;
using PortAtlas.Registry;

namespace PortAtlas.Tests.Registry;

public sealed class PortQueryTests
{
    [Theory]
    [InlineData("70000", "70000")]
    [InlineData("80/xyz", "xyz")]
    [InlineData("10-5", "10-5")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("0-65535", "0-65535")]
    [InlineData("a b", "a b")]
    [InlineData("/tcp", "/")]
    public void TryParse_BadInput_NamesTheBadToken(string text, string token)
    {
        Assert.False(PortQuery.TryParse(text, out _, out var error));
        Assert.Contains(token, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void TryParse_PortWithProtocol()
    {
        Assert.True(PortQuery.TryParse("22/UDP", out var query, out _));
        Assert.Equal(new PortRange(22, 22), query.Range);
        Assert.Equal(Transport.Udp, query.Protocol);
        Assert.Null(query.Name);
    }

    [Fact]
    public void TryParse_Range()
    {
        Assert.True(PortQuery.TryParse("6665-6669", out var query, out _));
        Assert.Equal(new PortRange(6665, 6669), query.Range);
    }

    [Fact]
    public void TryParse_NameWithDigitsFirst_IsAName()
    {
        Assert.True(PortQuery.TryParse("3com-tsmux", out var query, out _));
        Assert.Equal("3com-tsmux", query.Name);
    }

    [Fact]
    public void TryParse_RandomText_NeverThrows() =>
        Prop.ForAll<string>(text =>
        {
            var ok = PortQuery.TryParse(text, out var query, out var error);
            return ok ? error.Length == 0 && query is not null : error.Length > 0;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void TryParse_EveryPortPrintedBack_RoundTrips() =>
        Prop.ForAll(Gen.Choose(0, 65535).ToArbitrary(), port =>
            PortQuery.TryParse(port.ToString(System.Globalization.CultureInfo.InvariantCulture), out var q, out _) && q.Range == new PortRange(port, port))
        .QuickCheckThrowOnFailure();
}
