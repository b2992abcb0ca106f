using PortAtlas.Scanning;

namespace PortAtlas.Tests.Scanning;

public sealed class RttEstimatorTests
{
    private static readonly TimeSpan s_initial = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_min = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan s_max = TimeSpan.FromSeconds(60);

    [Fact]
    public void Timeout_BeforeAnySample_IsTheInitialTimeout()
    {
        var estimator = new RttEstimator();
        Assert.Equal(s_initial, estimator.Timeout(s_initial, s_min, s_max));
    }

    [Fact]
    public void AddSample_First_SetsSrttToRAndRttvarToHalfR()
    {
        // RFC 6298 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4 RTTVAR) = 100 + 200 ms.
        var estimator = new RttEstimator();
        estimator.AddSample(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.FromMilliseconds(100), estimator.SmoothedRtt);
        Assert.Equal(TimeSpan.FromMilliseconds(50), estimator.RttVariation);
        Assert.Equal(TimeSpan.FromMilliseconds(300), estimator.Timeout(s_initial, s_min, s_max));
    }

    [Fact]
    public void AddSample_Second_UpdatesRttvarWithTheOldSrttThenSrtt()
    {
        // RFC 6298 2.3: RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5; RTO = 112.5 + 250.
        var estimator = new RttEstimator();
        estimator.AddSample(TimeSpan.FromMilliseconds(100));
        estimator.AddSample(TimeSpan.FromMilliseconds(200));
        Assert.Equal(TimeSpan.FromMilliseconds(62.5), estimator.RttVariation);
        Assert.Equal(TimeSpan.FromMilliseconds(112.5), estimator.SmoothedRtt);
        Assert.Equal(TimeSpan.FromMilliseconds(362.5), estimator.Timeout(s_initial, s_min, s_max));
    }

    [Fact]
    public void Timeout_SteadyTinyRoundTrips_IsSrttPlusTheGranularity()
    {
        // With RTTVAR decayed to ~0, max(G, 4 RTTVAR) = G.
        var estimator = new RttEstimator();
        for (var i = 0; i < 200; i++)
        {
            estimator.AddSample(TimeSpan.FromMicroseconds(50));
        }
        var rto = estimator.Timeout(s_initial, TimeSpan.FromTicks(1), s_max);
        Assert.InRange(rto, RttEstimator.Granularity, RttEstimator.Granularity + TimeSpan.FromMicroseconds(60));
    }

    [Fact]
    public void Timeout_IsClampedToTheBounds()
    {
        var estimator = new RttEstimator();
        estimator.AddSample(TimeSpan.FromMicroseconds(30));
        Assert.Equal(TimeSpan.FromMilliseconds(100), estimator.Timeout(s_initial, TimeSpan.FromMilliseconds(100), s_max));
        estimator.AddSample(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(10), estimator.Timeout(s_initial, s_min, TimeSpan.FromSeconds(10)));
    }
}
