using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PortAtlas.Scanning.Raw;

namespace PortAtlas.Tests.Scanning.Raw;

public sealed class ProbeCookieTests
{
    [Fact]
    public void Compute_SameSeedAndInputs_GivesTheSameValue()
    {
        Assert.Equal(new ProbeCookie(7).Compute(1, 2, 3, 4, 6), new ProbeCookie(7).Compute(1, 2, 3, 4, 6));
    }

    [Fact]
    public void Compute_AnyFieldChanged_GivesAnotherValue()
    {
        var cookie = new ProbeCookie(7);
        var value = cookie.Compute(0xC6120001, 0xC6120002, 40000, 80, 6);

        Assert.NotEqual(value, cookie.Compute(0xC6120001, 0xC6120003, 40000, 80, 6));
        Assert.NotEqual(value, cookie.Compute(0xC6120009, 0xC6120002, 40000, 80, 6));
        Assert.NotEqual(value, cookie.Compute(0xC6120001, 0xC6120002, 40001, 80, 6));
        Assert.NotEqual(value, cookie.Compute(0xC6120001, 0xC6120002, 40000, 81, 6));
        Assert.NotEqual(value, cookie.Compute(0xC6120001, 0xC6120002, 40000, 80, 17));
        Assert.NotEqual(value, new ProbeCookie(8).Compute(0xC6120001, 0xC6120002, 40000, 80, 6));
    }

    [Fact]
    public void Compute_OverManyPorts_IsSpreadAcrossTheRange()
    {
        var cookie = new ProbeCookie();
        var values = Enumerable.Range(1, 65535).Select(p => cookie.Compute(1, 2, 40000, (ushort)p, 6)).ToArray();

        Assert.True(values.Distinct().Count() > 65400);
        Assert.InRange(values.Count(v => v >= 0x8000_0000), 31000, 34500);
    }

    [Property(MaxTest = 200)]
    public Property AffinePermutation_IsABijection() =>
        Prop.ForAll(Gen.Choose(1, 3000).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (n, seed) =>
        {
            var permutation = new AffinePermutation((ulong)n, (ulong)seed * 2654435761UL);
            var seen = new bool[n];
            for (ulong i = 0; i < (ulong)n; i++)
            {
                var j = permutation.Map(i);
                if (j >= (ulong)n || seen[j])
                {
                    return false;
                }
                seen[j] = true;
            }
            return true;
        });
}
