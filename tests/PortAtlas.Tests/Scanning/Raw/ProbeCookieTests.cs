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
}
