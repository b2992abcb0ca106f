using Microsoft.Extensions.Time.Testing;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Scanning;

public sealed class ProbeRateLimiterTests
{
    [Fact]
    public void Reserve_TenPerSecond_SpacesSlotsByATenthOfASecond()
    {
        var time = new FakeTimeProvider();
        var limiter = new ProbeRateLimiter(10, time);
        Assert.Equal(TimeSpan.Zero, limiter.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(200), limiter.Reserve());
    }

    [Fact]
    public void Reserve_AfterAnIdleSpell_DoesNotBankMoreThanTheBurst()
    {
        var time = new FakeTimeProvider();
        var limiter = new ProbeRateLimiter(10, time, burst: 3);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.Zero, limiter.Reserve());
        Assert.Equal(TimeSpan.Zero, limiter.Reserve());
        Assert.Equal(TimeSpan.Zero, limiter.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.Reserve());
    }

    [Fact]
    public void TryAcquire_BeforeTheSlot_RefusesWithoutReserving()
    {
        var time = new FakeTimeProvider();
        var limiter = new ProbeRateLimiter(4, time);
        Assert.True(limiter.TryAcquire(out _));
        Assert.False(limiter.TryAcquire(out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(250), retryAfter);
        Assert.False(limiter.TryAcquire(out retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(250), retryAfter);
        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(limiter.TryAcquire(out _));
    }

    [Fact]
    public async Task WaitAsync_CompletesOnlyWhenTheClockReachesTheSlot()
    {
        var time = new FakeTimeProvider();
        var limiter = new ProbeRateLimiter(2, time);
        await limiter.WaitAsync(TestContext.Current.CancellationToken);
        var second = limiter.WaitAsync(TestContext.Current.CancellationToken).AsTask();
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await second.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Reserve_OverOneSimulatedSecond_AdmitsTheRate()
    {
        var time = new FakeTimeProvider();
        var limiter = new ProbeRateLimiter(1000, time, burst: 10);
        var admitted = 0;
        for (var ms = 0; ms < 1000; ms++)
        {
            while (limiter.TryAcquire(out _))
            {
                admitted++;
            }
            time.Advance(TimeSpan.FromMilliseconds(1));
        }
        Assert.InRange(admitted, 1000, 1010);
    }
}
