using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PortAtlas.Assessment;

namespace PortAtlas.Tests.Assessment;

public sealed class ProductVersionTests
{
    [Theory]
    [InlineData("9.2p1", "9.3")]
    [InlineData("9.2p1", "9.8p1")]
    [InlineData("8.5p1", "9.2p1")]
    [InlineData("9.2", "9.2p1")]
    [InlineData("9.2p1", "9.2p2")]
    [InlineData("1.22.1", "1.24.0")]
    [InlineData("1.9.15", "1.22.1")]
    [InlineData("7.0.15", "7.0.16")]
    [InlineData("7.0.15", "7.2")]
    [InlineData("6.2.14", "7.0.15")]
    [InlineData("10.11.19-MariaDB", "10.11.20")]
    [InlineData("2.0rc1", "2.0")]
    [InlineData("2.0-beta2", "2.0-rc1")]
    [InlineData("1.0a1", "1.0")]
    [InlineData("1.0.2", "1.0.2k")]
    [InlineData("1.0.2k", "1.1.0")]
    [InlineData("2.4.9", "2.4.10")]
    [InlineData("", "0.1")]
    [InlineData(null, "1")]
    public void Compare_OlderVersion_IsLess(string? older, string newer)
    {
        Assert.True(ProductVersion.Compare(older, newer) < 0, $"{older} < {newer}");
        Assert.True(ProductVersion.Compare(newer, older) > 0, $"{newer} > {older}");
    }

    [Theory]
    [InlineData("9.2p1 Debian 2+deb12u3", "9.2p1")]
    [InlineData("10.11.19-MariaDB", "10.11.19")]
    [InlineData("10.11.19-MariaDB-0+deb12u1", "10.11.19")]
    [InlineData("1.22.1", "1.22.01")]
    [InlineData("7.0.15", "7.0.15")]
    [InlineData("2.0-RC1", "2.0rc1")]
    [InlineData("000000000000000000000000000001.2", "1.2")]
    public void Compare_SameUpstreamVersion_IsEqual(string a, string b) => Assert.Equal(0, ProductVersion.Compare(a, b));

    [Theory]
    [InlineData("9.2p1 Debian 2+deb12u3", "9.2p1")]
    [InlineData("10.11.19-MariaDB-0+deb12u1", "10.11.19")]
    [InlineData("2.0-rc1", "2.0-rc1")]
    [InlineData("  1.2.3  ", "1.2.3")]
    [InlineData(null, "")]
    public void Upstream_DropsTheDistributionTail(string? version, string expected) => Assert.Equal(expected, ProductVersion.Upstream(version));

    [Fact]
    public void Compare_HugeNumbers_CompareByValueWithoutOverflow() =>
        Assert.True(ProductVersion.Compare("1.99999999999999999999999999999", "1.100000000000000000000000000000") < 0);

    [Property(MaxTest = 500)]
    public Property Compare_IsAntisymmetric() =>
        Prop.ForAll(Versions().ToArbitrary(), Versions().ToArbitrary(), (a, b) =>
            Math.Sign(ProductVersion.Compare(a, b)) == -Math.Sign(ProductVersion.Compare(b, a)));

    [Property(MaxTest = 500)]
    public Property Compare_IsReflexive() =>
        Prop.ForAll(Versions().ToArbitrary(), a => ProductVersion.Compare(a, a) == 0);

    [Property(MaxTest = 500)]
    public Property Compare_IsTransitive() =>
        Prop.ForAll(Versions().ToArbitrary(), Versions().ToArbitrary(), Versions().ToArbitrary(), (a, b, c) =>
        {
            var sorted = new[] { a, b, c }.Order(ProductVersion.Comparer).ToArray();
            return ProductVersion.Compare(sorted[0], sorted[1]) <= 0
                && ProductVersion.Compare(sorted[1], sorted[2]) <= 0
                && ProductVersion.Compare(sorted[0], sorted[2]) <= 0;
        });

    [Property(MaxTest = 300)]
    public Property Compare_IncrementingTheLastNumber_IsNewer() =>
        Prop.ForAll(Gen.Choose(0, 1000).ArrayOf().Where(a => a.Length is > 0 and < 6).ToArbitrary(), parts =>
        {
            var older = string.Join('.', parts);
            var bumped = parts.ToArray();
            bumped[^1]++;
            return ProductVersion.Compare(older, string.Join('.', bumped)) < 0;
        });

    [Property(MaxTest = 1000)]
    public Property Compare_HostileText_NeverThrows() =>
        Prop.ForAll(Hostile().ToArbitrary(), Hostile().ToArbitrary(), (a, b) =>
        {
            var order = ProductVersion.Compare(a, b);
            _ = ProductVersion.Upstream(a);
            _ = ProductVersion.IsComparable(b);
            return Math.Sign(order) == -Math.Sign(ProductVersion.Compare(b, a));
        });

    internal static Gen<string> Versions()
    {
        var pieces = Gen.Elements("0", "1", "2", "9", "10", "22", "007", "p", "p1", "rc", "rc1", "a", "b", "beta", "alpha", "dev", "k", "z", ".", ".", ".", "-", "+", "~", "_");
        return pieces.ListOf().Select(p => string.Concat(p.Take(8)));
    }

    private static Gen<string> Hostile()
    {
        var pieces = Gen.Elements("1", ".", "-", "99999999999999999999999999999999", "\u0000", "\uD800", "🙂", "é", "٣", " ", "\t", "\n", "rc", "a", "%", "\\", "*", "", "MariaDB", "+deb");
        return pieces.ListOf().Select(p => string.Concat(p.Take(16)));
    }
}
