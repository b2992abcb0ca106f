using System.Net;
using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PortAtlas.Targets;

namespace PortAtlas.Tests.Targets;

public sealed class TargetSpecParserTests
{
    [Theory]
    [InlineData("198.18.0.5", 1, "198.18.0.5", "198.18.0.5")]
    [InlineData("::1", 1, "::1", "::1")]
    [InlineData("2001:db8::1", 1, "2001:db8::1", "2001:db8::1")]
    [InlineData("[2001:db8::1]", 1, "2001:db8::1", "2001:db8::1")]
    [InlineData("198.18.0.0/24", 256, "198.18.0.0", "198.18.0.255")]
    [InlineData("198.18.0.77/24", 256, "198.18.0.0", "198.18.0.255")]
    [InlineData("198.18.0.5/32", 1, "198.18.0.5", "198.18.0.5")]
    [InlineData("2001:db8::/120", 256, "2001:db8::", "2001:db8::ff")]
    [InlineData("[2001:db8::]/120", 256, "2001:db8::", "2001:db8::ff")]
    [InlineData("2001:db8::1234/128", 1, "2001:db8::1234", "2001:db8::1234")]
    [InlineData("198.18.0.1-20", 20, "198.18.0.1", "198.18.0.20")]
    [InlineData("198.18.0.1-198.18.0.20", 20, "198.18.0.1", "198.18.0.20")]
    [InlineData("198.18.0.250-198.18.1.5", 12, "198.18.0.250", "198.18.1.5")]
    [InlineData("2001:db8::1-2001:db8::ff", 255, "2001:db8::1", "2001:db8::ff")]
    [InlineData("198.18.0-3.1-254", 4 * 254, "198.18.0.1", "198.18.3.254")]
    [InlineData("198.18.0,2.1", 2, "198.18.0.1", "198.18.2.1")]
    [InlineData("198.18.0.*", 256, "198.18.0.0", "198.18.0.255")]
    [InlineData("198.18.0.-5", 6, "198.18.0.0", "198.18.0.5")]
    [InlineData("198.18.0.250-", 6, "198.18.0.250", "198.18.0.255")]
    [InlineData("198.18.*.0", 256, "198.18.0.0", "198.18.255.0")]
    [InlineData("198.18.0.1,3,2-4", 4, "198.18.0.1", "198.18.0.4")]
    public void Parse_EachForm_GivesTheExpectedAddresses(string spec, long count, string first, string last)
    {
        var result = TargetSpecParser.Parse([spec]);

        Assert.True(result.Success, result.Error);
        Assert.Equal((ulong)count, result.Value.Count);
        Assert.Equal(IPAddress.Parse(first), result.Value.GetAddress(0));
        Assert.Equal(IPAddress.Parse(last), result.Value.GetAddress(result.Value.Count - 1));
    }

    [Fact]
    public void Parse_OctetList_HoldsOnlyTheListedAddresses()
    {
        var set = TargetSpecParser.Parse(["198.18.0,2.1,5"]).Value!;

        Assert.Equal(["198.18.0.1", "198.18.0.5", "198.18.2.1", "198.18.2.5"], set.Enumerate().Select(a => a.ToString()));
    }

    [Theory]
    [InlineData("198.18.0.300", "octet '300' out of range")]
    [InlineData("198.18.0.256/24", "octet '256' out of range")]
    [InlineData("198.18.0", "four octets")]
    [InlineData("198.18.0.1.2", "four octets")]
    [InlineData("198.18..1", "empty octet")]
    [InlineData("198.18.01.1", "leading zero")]
    [InlineData("198.18.0.1,,2", "empty item")]
    [InlineData("198.18.0.20-1", "is reversed")]
    [InlineData("198.18.0.1-2-3", "not a number")]
    [InlineData("198.18.0.20-198.18.0.1", "range is reversed")]
    [InlineData("198.18.0.1-198.18.0.300", "octet '300' out of range")]
    [InlineData("198.18.0.0/33", "prefix length 33 out of range")]
    [InlineData("198.18.0.0/", "prefix length '' is not a number")]
    [InlineData("198.18.0.0/x", "prefix length 'x' is not a number")]
    [InlineData("198.18.0-1.0/24", "octet '0-1' is not a number")]
    [InlineData("2001:db8::/129", "prefix length 129 out of range")]
    [InlineData("2001:db8::g", "'g' cannot appear")]
    [InlineData("2001:db8:::1", "is not an IPv6 address")]
    [InlineData("2001:db8::ff-2001:db8::1", "range is reversed")]
    [InlineData("fe80::1%eth0", "zone ids")]
    [InlineData("[2001:db8::1", "'[' without ']'")]
    [InlineData("[2001:db8::1]:80", "unexpected ':80' after ']'")]
    [InlineData("[198.18.0.1]", "brackets hold an IPv6 address")]
    [InlineData("bad_host!", "not an address, range or host name")]
    [InlineData("-leading-dash.example", "not an address, range or host name")]
    [InlineData("198.18.0.1 198.18.0.2", "whitespace")]
    [InlineData("", "empty target")]
    public void Parse_BadSpec_ReportsTheTokenAndTheReason(string spec, string reason)
    {
        var result = TargetSpecParser.Parse(["198.18.0.1", spec]);

        Assert.False(result.Success);
        Assert.StartsWith($"bad target '{spec}': ", result.Error, StringComparison.Ordinal);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.Equal(spec, result.Token);
    }

    [Fact]
    public void Parse_NoSpecs_ReportsNoTargetsGiven()
    {
        var result = TargetSpecParser.Parse([]);

        Assert.Equal("no targets given", result.Error);
    }

    [Fact]
    public void Parse_OverlappingSpecs_MergeSoNoAddressIsCountedTwice()
    {
        var set = TargetSpecParser.Parse(["198.18.0.0/30", "198.18.0.2-5", "198.18.0.3", "198.18.0.5"]).Value!;

        Assert.Equal(6UL, set.Count);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"198.18.0.{i}"), set.Enumerate().Select(a => a.ToString()));
    }

    [Fact]
    public void Parse_MixedFamilies_PutsIPv4BeforeIPv6InAscendingOrder()
    {
        var set = TargetSpecParser.Parse(["::2", "198.18.0.9", "::1", "198.18.0.1"]).Value!;

        Assert.Equal(["198.18.0.1", "198.18.0.9", "::1", "::2"], set.Enumerate().Select(a => a.ToString()));
    }

    [Fact]
    public void Parse_Excludes_AreSubtractedAsRanges()
    {
        var options = new TargetParseOptions { Excludes = [new("198.18.0.0/25"), new("198.18.0.200"), new("2001:db8::/126")] };

        var set = TargetSpecParser.Parse(["198.18.0.0/24", "2001:db8::1-2001:db8::4"], options).Value!;

        Assert.Equal(127UL + 1, set.Count);
        Assert.Equal(IPAddress.Parse("198.18.0.128"), set.GetAddress(0));
        Assert.False(set.Contains(IPAddress.Parse("198.18.0.200")));
        Assert.Equal(IPAddress.Parse("2001:db8::4"), set.GetAddress(set.Count - 1));
    }

    [Fact]
    public void Parse_BadExclude_ReportsTheExcludeToken()
    {
        var options = new TargetParseOptions { Excludes = [new("198.18.0.999")] };

        var result = TargetSpecParser.Parse(["198.18.0.0/24"], options);

        Assert.Equal("198.18.0.999", result.Token);
    }

    [Fact]
    public void Parse_EverythingExcluded_IsAnError()
    {
        var options = new TargetParseOptions { Excludes = [new("198.18.0.0/16")] };

        var result = TargetSpecParser.Parse(["198.18.0.0/24"], options);

        Assert.Contains("every address is excluded", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_IPv6Slash64_IsRefusedWithTheCountAndHowToInsist()
    {
        var result = TargetSpecParser.Parse(["2001:db8::/64"]);

        Assert.False(result.Success);
        Assert.Contains("'2001:db8::/64'", result.Error, StringComparison.Ordinal);
        Assert.Contains("18446744073709551616 addresses", result.Error, StringComparison.Ordinal);
        Assert.Contains("--allow-huge", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_IPv6Slash104_IsTheLargestAcceptedByDefault()
    {
        Assert.Equal(1UL << 24, TargetSpecParser.Parse(["2001:db8::/104"]).Value!.Count);
        Assert.False(TargetSpecParser.Parse(["2001:db8::/103"]).Success);
    }

    [Fact]
    public void Parse_SpecsThatTogetherExceedTheLimit_AreRefusedWithTheTotal()
    {
        var result = TargetSpecParser.Parse(["10.0.0.0/8", "198.18.0.1"]);

        Assert.Contains("16777217 addresses", result.Error, StringComparison.Ordinal);
        Assert.Contains("--allow-huge", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AllowHuge_AcceptsLargeSetsThatFitAUlong()
    {
        var options = new TargetParseOptions { AllowHuge = true };

        Assert.Equal(1UL << 63, TargetSpecParser.Parse(["2001:db8::/65"], options).Value!.Count);
        Assert.Equal(1UL << 32, TargetSpecParser.Parse(["0.0.0.0/0"], options).Value!.Count);
    }

    [Fact]
    public void Parse_AllowHuge_StillRefusesMoreAddressesThanAUlongCounts()
    {
        var result = TargetSpecParser.Parse(["::/0"], new TargetParseOptions { AllowHuge = true });

        Assert.Contains("2^128 addresses", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OctetRangesThatFragmentIntoMillionsOfRanges_AreRefused()
    {
        var result = TargetSpecParser.Parse(["1-254.1-254.1-254.1-254"], new TargetParseOptions { AllowHuge = true });

        Assert.Contains("separate ranges", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CustomLimit_IsHonoured()
    {
        var result = TargetSpecParser.Parse(["198.18.0.0/24"], new TargetParseOptions { MaxAddresses = 100 });

        Assert.Contains("256 addresses, more than the limit of 100", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HostName_IsRefusedWithoutResolution()
    {
        var result = TargetSpecParser.Parse(["localhost"]);

        Assert.Contains("host name 'localhost' is not resolved here", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParseAsync_Localhost_ResolvesToOneLoopbackAddressAndRemembersTheName()
    {
        var result = await TargetSpecParser.ParseAsync(["localhost"], null, TestContext.Current.CancellationToken);

        Assert.True(result.Success, result.Error);
        Assert.Equal(1UL, result.Value.Count);
        var address = result.Value.GetAddress(0);
        Assert.True(IPAddress.IsLoopback(address));
        Assert.Equal("localhost", result.Value.HostnameOf(address));
    }

    [Fact]
    public async Task ParseAsync_LocalhostWithResolveAll_TakesEveryLoopbackAddress()
    {
        var expected = (await Dns.GetHostAddressesAsync("localhost", TestContext.Current.CancellationToken)).Select(a => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Distinct().Count();

        var result = await TargetSpecParser.ParseAsync(["localhost"], new TargetParseOptions { ResolveAll = true }, TestContext.Current.CancellationToken);

        Assert.True(result.Success, result.Error);
        Assert.Equal((ulong)expected, result.Value.Count);
        Assert.All(result.Value.Enumerate(), a => Assert.True(IPAddress.IsLoopback(a)));
    }

    [Fact]
    public async Task ParseAsync_LocalhostExcluded_LeavesTheOtherTargets()
    {
        var options = new TargetParseOptions { Excludes = [new("localhost")], ResolveAll = true };

        var result = await TargetSpecParser.ParseAsync(["localhost", "198.18.0.1"], options, TestContext.Current.CancellationToken);

        Assert.True(result.Success, result.Error);
        Assert.Equal([IPAddress.Parse("198.18.0.1")], result.Value.Enumerate());
    }

    [Fact]
    public async Task ParseAsync_HostNameWithPrefix_CoversTheBlockAroundTheAddress()
    {
        var result = await TargetSpecParser.ParseAsync(["example.test/30"], Fake("example.test", "198.18.0.6"), TestContext.Current.CancellationToken);

        Assert.Equal(["198.18.0.4", "198.18.0.5", "198.18.0.6", "198.18.0.7"], result.Value!.Enumerate().Select(a => a.ToString()));
        Assert.Equal("example.test", result.Value.HostnameOf(IPAddress.Parse("198.18.0.6")));
        Assert.Null(result.Value.HostnameOf(IPAddress.Parse("198.18.0.5")));
    }

    [Fact]
    public async Task ParseAsync_FirstAddress_PrefersIPv4LikeNmap()
    {
        var result = await TargetSpecParser.ParseAsync(["example.test"], Fake("example.test", "2001:db8::1", "198.18.0.1"), TestContext.Current.CancellationToken);

        Assert.Equal([IPAddress.Parse("198.18.0.1")], result.Value!.Enumerate());
    }

    [Fact]
    public async Task ParseAsync_UnresolvableName_ReportsTheHost()
    {
        var options = new TargetParseOptions { Resolver = (_, _) => throw new SocketException((int)SocketError.HostNotFound) };

        var result = await TargetSpecParser.ParseAsync(["nosuch.invalid"], options, TestContext.Current.CancellationToken);

        Assert.StartsWith("bad target 'nosuch.invalid': cannot resolve host name 'nosuch.invalid'", result.Error, StringComparison.Ordinal);
        Assert.Equal("nosuch.invalid", result.Token);
    }

    [Fact]
    public async Task ParseAsync_CancelledToken_Throws()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TargetSpecParser.ParseAsync(["example.test"], Fake("example.test", "198.18.0.1"), cancel.Token));
    }

    [Fact]
    public async Task ParseAsync_SpecWithOrigin_NamesTheFileAndLine()
    {
        var result = await TargetSpecParser.ParseAsync([new TargetSpec("198.18.0.300", "targets.txt:7")], null, TestContext.Current.CancellationToken);

        Assert.Equal("targets.txt:7: bad target '198.18.0.300': octet '300' out of range (0-255)", result.Error);
    }

    [Fact]
    public void Parse_TenSlashEight_CountsSixteenMillionAndAllocatesLittle()
    {
        var random = new Random(8);
        var indices = new ulong[1000];
        TargetSpecParser.Parse(["10.0.0.0/8"]).Value!.GetAddress(0);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var set = TargetSpecParser.Parse(["10.0.0.0/8"]).Value!;
        for (var i = 0; i < indices.Length; i++)
        {
            indices[i] = (ulong)random.NextInt64((long)set.Count);
            _ = set.GetAddress(indices[i]);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(16_777_216UL, set.Count);
        Assert.True(allocated < 100_000, $"allocated {allocated} bytes");
        Assert.Equal(IPAddress.Parse("10.255.255.255"), set.GetAddress(set.Count - 1));
        Assert.All(indices, i => Assert.Equal((uint)(10 << 24) + (uint)i, TargetSet.ToUInt32(set.GetAddress(i))));
    }

    [Property(MaxTest = 200)]
    public Property Parse_RandomRangesFormattedAsSpecs_GivesTheSameSet() =>
        Prop.ForAll(RangeSpecs().ToArbitrary(), cases =>
        {
            var expected = cases.SelectMany(c => Enumerable.Range(0, (int)(c.Last - c.First + 1)).Select(i => c.First + (uint)i)).Distinct().Order().ToArray();
            var set = TargetSpecParser.Parse(cases.Select(c => c.Spec)).Value!;
            var again = TargetSpecParser.Parse(set.ToSpecs()).Value!;
            return set.Count == (ulong)expected.Length
                && again.Count == set.Count
                && Sample(expected.Length).All(i => TargetSet.ToUInt32(set.GetAddress((ulong)i)) == expected[i]
                    && again.GetAddress((ulong)i).Equals(set.GetAddress((ulong)i)));
        });

    [Property(MaxTest = 500)]
    public Property Parse_AnyText_NeverThrows() =>
        Prop.ForAll(NastyText().ToArbitrary(), text =>
        {
            var result = TargetSpecParser.Parse([text], new TargetParseOptions { Excludes = [new(text)] });
            return result.Success ? result.Value.Count > 0 : result.Error.Length > 0;
        });

    internal static Gen<string> NastyText()
    {
        var pieces = Gen.Elements(
            "0", "1", "9", "255", "256", "300", "65535", "70000", "4294967296", "99999999999999999999999999", "-1",
            ".", "..", ",", ",,", "-", "--", "*", "/", "/0", "/8", "/24", "/32", "/33", "/128", "/999", ":", "::", "[", "]", "%",
            "a", "ff", "g", "T:", "U:", "S:", "D:", "x", "http", " ", "\t", "é", "名", "🙂", "\u0000", "\u200b", "#", "198.18.0.", "2001:db8::");
        return pieces.ListOf().Select(p => string.Concat(p.Take(12)));
    }

    private static IEnumerable<int> Sample(int count) =>
        count <= 64 ? Enumerable.Range(0, count) : Enumerable.Range(0, 64).Select(i => (int)((long)i * (count - 1) / 63));

    private sealed record RangeCase(string Spec, uint First, uint Last);

    private static Gen<RangeCase[]> RangeSpecs()
    {
        // Addresses cluster in a few /16s so that ranges overlap and touch.
        var address = Gen.Elements(0x0A000000u, 0xC6120000u, 0xFFFF0000u, 0x00000000u)
            .SelectMany(b => Gen.Choose(0, 1200).Select(o => b + (uint)o));
        var single = address.Select(a => new RangeCase(TargetSet.FormatV4(a), a, a));
        var dash = address.SelectMany(a => Gen.Choose(0, 300).Select(n => (uint)Math.Min((ulong)a + (uint)n, uint.MaxValue))
            .Select(b => new RangeCase($"{TargetSet.FormatV4(a)}-{TargetSet.FormatV4(b)}", a, b)));
        var lastOctet = address.SelectMany(a => Gen.Choose((int)(a & 0xFF), 255)
            .Select(e => new RangeCase($"{TargetSet.FormatV4(a)}-{e}", a, (a & 0xFFFFFF00u) | (uint)e)));
        var cidr = address.SelectMany(a => Gen.Choose(23, 32).Select(p =>
        {
            var mask = p == 32 ? uint.MaxValue : ~(uint.MaxValue >> p);
            return new RangeCase($"{TargetSet.FormatV4(a)}/{p}", a & mask, (a & mask) | ~mask);
        }));
        return Gen.OneOf(single, dash, lastOctet, cidr).ArrayOf().Where(a => a.Length > 0).Select(a => a.Take(8).ToArray());
    }

    private static TargetParseOptions Fake(string name, params string[] addresses) => new()
    {
        Resolver = (host, ct) =>
        {
            ct.ThrowIfCancellationRequested();
            Assert.Equal(name, host);
            return Task.FromResult(addresses.Select(IPAddress.Parse).ToArray());
        },
    };
}
