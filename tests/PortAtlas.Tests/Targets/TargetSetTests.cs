using System.Net;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PortAtlas.Targets;

namespace PortAtlas.Tests.Targets;

public sealed class TargetSetTests
{
    [Fact]
    public void FromAddresses_DuplicatesCollapseAndOrderIsAscending()
    {
        var set = TargetSet.FromAddresses([IPAddress.Parse("198.18.0.9"), IPAddress.Parse("::1"), IPAddress.Parse("198.18.0.1"), IPAddress.Parse("198.18.0.9")]);

        Assert.Equal(["198.18.0.1", "198.18.0.9", "::1"], set.Enumerate().Select(a => a.ToString()));
    }

    [Fact]
    public void FromAddresses_Hostnames_AreReportedForTheirAddressesOnly()
    {
        var address = IPAddress.Parse("198.18.0.1");
        var set = TargetSet.FromAddresses([address], new Dictionary<IPAddress, string> { [address] = "lab-a", [IPAddress.Parse("198.18.0.2")] = "lab-b" });

        Assert.Equal("lab-a", set.HostnameOf(IPAddress.Parse("198.18.0.1")));
        Assert.Null(set.HostnameOf(IPAddress.Parse("198.18.0.2")));
    }

    [Fact]
    public void FromAddresses_ScopedIPv6Address_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => TargetSet.FromAddresses([IPAddress.Parse("fe80::1%2")]));
    }

    [Fact]
    public void GetAddress_PastTheEnd_Throws()
    {
        var set = TargetSet.FromAddresses([IPAddress.Loopback]);

        Assert.Throws<ArgumentOutOfRangeException>(() => set.GetAddress(1));
    }

    [Fact]
    public void Contains_AnswersForBothFamilies()
    {
        var set = TargetSpecParser.Parse(["198.18.0.0/24", "2001:db8::/120"]).Value!;

        Assert.True(set.Contains(IPAddress.Parse("198.18.0.255")));
        Assert.False(set.Contains(IPAddress.Parse("198.18.1.0")));
        Assert.True(set.Contains(IPAddress.Parse("2001:db8::ff")));
        Assert.False(set.Contains(IPAddress.Parse("2001:db8::100")));
    }

    [Theory]
    [InlineData("198.18.0.0/24", "198.18.0.0/24")]
    [InlineData("198.18.0.1-20", "198.18.0.1-198.18.0.20")]
    [InlineData("198.18.0.7", "198.18.0.7")]
    [InlineData("2001:db8::/120", "2001:db8::/120")]
    [InlineData("2001:db8::1-2001:db8::3", "2001:db8::1-2001:db8::3")]
    public void ToSpecs_EachMergedRange_FormatsAsTheShortestExactSpec(string spec, string expected)
    {
        Assert.Equal([expected], TargetSpecParser.Parse([spec]).Value!.ToSpecs());
    }

    [Fact]
    public void ToSpecs_WholeIPv4Space_IsSlashZero()
    {
        Assert.Equal(["0.0.0.0/0"], TargetSpecParser.Parse(["0.0.0.0/0"], new TargetParseOptions { AllowHuge = true }).Value!.ToSpecs());
    }

    [Property(MaxTest = 300)]
    public Property GetAddress_OverMergedRanges_AgreesWithNaiveEnumeration() =>
        Prop.ForAll(SmallRanges().ToArbitrary(), ranges =>
        {
            var v4 = ranges.Where(r => r.V6 == false).Select(r => new AddressRange<uint>(r.First, r.Last)).ToList();
            var v6 = ranges.Where(r => r.V6).Select(r => new AddressRange<UInt128>(r.First, r.Last)).ToList();
            var naive = ranges.Where(r => !r.V6).SelectMany(Expand).Distinct().Order()
                .Concat(ranges.Where(r => r.V6).SelectMany(Expand).Distinct().Order())
                .ToArray();
            AddressRanges.Normalize(v4);
            AddressRanges.Normalize(v6);
            var set = new TargetSet(v4, v6, null);
            return set.Count == (ulong)naive.Length
                && Enumerable.Range(0, naive.Length).All(i => Value(set.GetAddress((ulong)i)) == naive[i]);
        });

    private sealed record SmallRange(bool V6, uint First, uint Last);

    private static IEnumerable<uint> Expand(SmallRange r) => Enumerable.Range(0, (int)(r.Last - r.First + 1)).Select(i => r.First + (uint)i);

    private static uint Value(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? TargetSet.ToUInt32(address) : (uint)TargetSet.ToUInt128(address);

    private static Gen<SmallRange[]> SmallRanges() =>
        Gen.Elements(false, false, true)
            .SelectMany(v6 => Gen.Zip(Gen.Choose(0, 200), Gen.Choose(0, 20)), (v6, t) => new SmallRange(v6, (uint)t.Item1, (uint)(t.Item1 + t.Item2)))
            .ArrayOf()
            .Select(a => a.Take(12).ToArray());
}
