using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PortAtlas.Registry;
using PortAtlas.Targets;

namespace PortAtlas.Tests.Targets;

public sealed class PortSpecParserTests
{
    [Theory]
    [InlineData("22,80,443", "T:22,80,443")]
    [InlineData("443,22,80,22", "T:22,80,443")]
    [InlineData("1-1024", "T:1-1024")]
    [InlineData("-", "T:1-65535")]
    [InlineData("-1024", "T:1-1024")]
    [InlineData("60000-", "T:60000-65535")]
    [InlineData("0-100", "T:0-100")]
    [InlineData("0", "T:0")]
    [InlineData("65535", "T:65535")]
    [InlineData("80-90,85-95", "T:80-95")]
    [InlineData("T:80,443,U:53,S:2905", "T:80,443,U:53,S:2905")]
    [InlineData("U:53,161,T:22", "T:22,U:53,161")]
    [InlineData("t:22,u:53", "T:22,U:53")]
    [InlineData(" 22 , 80 ", "T:22,80")]
    [InlineData("ssh", "T:22")]
    [InlineData("SSH,22", "T:22")]
    public void Parse_EachForm_GivesTheExpectedPorts(string spec, string canonical)
    {
        var result = PortSpecParser.Parse(spec);

        Assert.True(result.Success, result.Error);
        Assert.Equal(canonical, PortSpecParser.Format(result.Value));
    }

    [Fact]
    public void Parse_UnprefixedItems_GoToEveryDefaultTransport()
    {
        var result = PortSpecParser.Parse("53,S:2905", new PortParseOptions { DefaultTransports = [Transport.Tcp, Transport.Udp] });

        Assert.Equal("T:53,U:53,S:2905", PortSpecParser.Format(result.Value!));
    }

    [Fact]
    public void Parse_ServiceName_TakesEveryPortTheRegistryAssignsForTheTransport()
    {
        var expected = PortRegistry.Default.ByName("http").ToArray()
            .Where(e => e.Protocol == Transport.Tcp && e.Port is not null)
            .SelectMany(e => Enumerable.Range(e.Port!.Value, (e.EndPort ?? e.Port.Value) - e.Port.Value + 1))
            .Distinct().Order();

        var result = PortSpecParser.Parse("http");

        Assert.Contains(80, result.Value!.Tcp);
        Assert.Equal(expected, result.Value.Tcp);
    }

    [Theory]
    [InlineData("70000", "70000", "out of range (0-65535)")]
    [InlineData("22,70000", "70000", "out of range")]
    [InlineData("1-70000", "1-70000", "port '70000' out of range")]
    [InlineData("99999999999999999999", "99999999999999999999", "out of range")]
    [InlineData("10-5", "10-5", "range is reversed")]
    [InlineData("-0", "-0", "range is reversed")]
    [InlineData("1-2-3", "1-2-3", "not a port or range")]
    [InlineData("80x", "80x", "not a port, range or service name")]
    [InlineData("22;80", "22;80", "not a port, range or service name")]
    [InlineData("no-such-service-xyz", "no-such-service-xyz", "unknown service name")]
    [InlineData("http*", "http*", "wildcards are not supported")]
    [InlineData("D:80", "D:80", "unknown transport prefix 'D:'")]
    [InlineData("T:", "T:", "no port after the prefix")]
    [InlineData("U:é", "U:é", "not a port, range or service name")]
    public void Parse_BadItem_ReportsTheTokenAndTheReason(string spec, string token, string reason)
    {
        var result = PortSpecParser.Parse(spec);

        Assert.False(result.Success);
        Assert.Equal(token, result.Token);
        Assert.StartsWith($"bad port '{token}': ", result.Error, StringComparison.Ordinal);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("22,,80")]
    [InlineData(",80")]
    [InlineData("80,")]
    public void Parse_EmptyItem_ReportsTheWholeSpec(string spec)
    {
        var result = PortSpecParser.Parse(spec);

        Assert.Equal($"bad port spec '{spec}': empty item", result.Error);
        Assert.Equal(spec, result.Token);
    }

    [Fact]
    public void Parse_EmptySpec_ReportsNoPortsGiven()
    {
        Assert.Equal("no ports given", PortSpecParser.Parse("  ").Error);
    }

    [Fact]
    public void Parse_ServiceWithoutAPortOnTheTransport_SaysSo()
    {
        var result = PortSpecParser.Parse("U:ssh-nonexistent-test-name");
        var sctpOnly = PortSpecParser.Parse("S:ssh");

        Assert.Contains("unknown service name", result.Error, StringComparison.Ordinal);
        if (!PortRegistry.Default.ByName("ssh").ToArray().Any(e => e.Protocol == Transport.Sctp))
        {
            Assert.Contains("service 'ssh' has no sctp port", sctpOnly.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_DccpDefault_IsRefused()
    {
        var result = PortSpecParser.Parse("80", new PortParseOptions { DefaultTransports = [Transport.Dccp] });

        Assert.Equal("dccp", result.Token);
    }

    [Fact]
    public void Parse_Exclude_IsSubtractedPerTransport()
    {
        var options = new PortParseOptions { DefaultTransports = [Transport.Tcp, Transport.Udp], Exclude = "22,U:53-60" };

        var result = PortSpecParser.Parse("1-100", options);

        Assert.Equal("T:1-21,23-100,U:1-21,23-52,61-100", PortSpecParser.Format(result.Value!));
    }

    [Fact]
    public void Parse_BadExclude_ReportsTheExcludeToken()
    {
        var result = PortSpecParser.Parse("1-100", new PortParseOptions { Exclude = "80,100000" });

        Assert.Equal("100000", result.Token);
    }

    [Fact]
    public void Parse_EverythingExcluded_IsAnError()
    {
        var result = PortSpecParser.Parse("22", new PortParseOptions { Exclude = "-" });

        Assert.Contains("every port is excluded", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Top_GivesTheRegistrysRankingForEachDefaultTransport()
    {
        var options = new PortParseOptions { DefaultTransports = [Transport.Tcp, Transport.Udp] };

        var result = PortSpecParser.Top(20, options);

        Assert.Equal(PortRegistry.Default.TopPorts(Transport.Tcp, 20).Order(), result.Value!.Tcp);
        Assert.Equal(PortRegistry.Default.TopPorts(Transport.Udp, 20).Order(), result.Value.Udp);
    }

    [Fact]
    public void Top_WithExclude_RemovesTheExcludedPorts()
    {
        var top = PortRegistry.Default.TopPorts(Transport.Tcp, 10);

        var result = PortSpecParser.Top(10, new PortParseOptions { Exclude = top[0].ToString(System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Equal(top.Skip(1).Order(), result.Value!.Tcp);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    public void Top_CountOutOfRange_ReportsTheCount(int count)
    {
        var result = PortSpecParser.Top(count);

        Assert.Equal(count.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Token);
        Assert.Contains("must be 1-65535", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_EmptyList_IsEmpty()
    {
        Assert.Equal("", PortSpecParser.Format(new PortList()));
    }

    [Property(MaxTest = 200)]
    public Property Parse_OfFormat_GivesTheSameList() =>
        Prop.ForAll(PortLists().ToArbitrary(), list =>
        {
            var text = PortSpecParser.Format(list);
            var parsed = PortSpecParser.Parse(text, new PortParseOptions { DefaultTransports = [Transport.Udp] }).Value!;
            return parsed.Tcp.SequenceEqual(list.Tcp) && parsed.Udp.SequenceEqual(list.Udp) && parsed.Sctp.SequenceEqual(list.Sctp);
        });

    [Property(MaxTest = 500)]
    public Property Parse_AnyText_NeverThrows() =>
        Prop.ForAll(TargetSpecParserTests.NastyText().ToArbitrary(), text =>
        {
            var result = PortSpecParser.Parse(text, new PortParseOptions { Exclude = text });
            return result.Success ? result.Value.Count > 0 : result.Error.Length > 0;
        });

    private static Gen<PortList> PortLists()
    {
        var port = Gen.Frequency((3, Gen.Choose(0, 1100)), (1, Gen.Choose(0, 65535)), (1, Gen.Elements(0, 1, 65534, 65535)));
        var run = Gen.Zip(port, Gen.Choose(0, 40)).Select(t => Enumerable.Range(t.Item1, Math.Min(t.Item2, 65535 - t.Item1) + 1));
        var ports = run.ListOf().Select(runs => runs.Take(10).SelectMany(r => r).ToArray());
        return ports.Three()
            .Select(t => new PortList(t.Item1, t.Item2, t.Item3))
            .Where(l => l.Count > 0);
    }
}
