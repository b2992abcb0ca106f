using PortAtlas.Scanning.Raw;

namespace PortAtlas.Tests.Scanning.Raw;

public sealed class RawScanEnginePassTests
{
    [Fact]
    public void ShouldSlowToDelivered_DiscoveryPassWithFewAnswersPerProbe_KeepsTheRate()
    {
        // 254 hosts x 5 discovery probes, one answer per host: by design, not loss.
        Assert.False(RawScanEngine.ShouldSlowToDelivered(discovery: true, sent: 1270, newAnswers: 254));
    }

    [Fact]
    public void ShouldSlowToDelivered_PortPassWithManyUnanswered_Slows()
    {
        Assert.True(RawScanEngine.ShouldSlowToDelivered(discovery: false, sent: 10_000, newAnswers: 5_000));
    }

    [Theory]
    [InlineData(10_000, 9_900)] // within 2 % of the probes: noise, not loss
    [InlineData(1_000, 99)]     // too few answers to measure a rate from
    public void ShouldSlowToDelivered_PortPassWithoutEvidence_KeepsTheRate(long sent, long answers)
    {
        Assert.False(RawScanEngine.ShouldSlowToDelivered(discovery: false, sent, answers));
    }

    [Theory]
    [InlineData(false, 1000, 0, 1000, 1)]   // no loss seen: one silent pass settles it
    [InlineData(true, 1000, 0, 1000, 2)]    // loss seen, none measurable among the answers: two
    [InlineData(true, 970, 30, 1000, 2)]    // 3 % of answers came late, too few retransmitted to measure: 0.03^2 < 1/1000
    [InlineData(true, 810, 50, 1000, 5)]    // 10 % each way (19 % round trip): 0.19^5 < 1/1000, 0.19^4 is not
    [InlineData(true, 100, 0, 1000, 8)]     // most answers came late: at most 8
    [InlineData(true, 0, 0, 0, 2)]          // nothing answered at all
    [InlineData(true, 8100, 1539, 10_000, 5)] // enough retransmitted answers: 19 % of them needed a third pass, 5 as above
    // A first pass that outran a queue (lab: 20 ms delay stage, 1 % loss each way): 85 % of it lost, but of the first
    // retransmission's probes that were answered in the end 3 % needed a later pass; the link's loss decides: 2, not 8.
    [InlineData(true, 10_000, 53_629, 65_267, 2)]
    public void EmptyPassesToStop_GrowsWithTheLossTheAnswersShow(bool lossSeen, long firstPass, long secondPass, long answered, int expected)
    {
        Assert.Equal(expected, RawScanEngine.EmptyPassesToStop(lossSeen, firstPass, secondPass, answered));
    }

    [Theory]
    [InlineData(0, 2, 0, 65_536, 100_000, true, 2)]    // a large first pass, rate found: one thread a core
    [InlineData(0, 16, 0, 65_536, 100_000, true, 4)]   // at most four
    [InlineData(1, 2, 0, 65_536, 100_000, true, 1)]    // one asked for
    [InlineData(3, 2, 0, 65_536, 100_000, true, 3)]    // as many as asked for, cores or not
    [InlineData(0, 2, 1, 65_536, 100_000, true, 1)]    // retransmission passes: one thread
    [InlineData(0, 2, 0, 16_383, 100_000, true, 1)]    // a small pass: one thread
    [InlineData(0, 2, 0, 65_536, 5_000, false, 1)]     // a low ceiling of the user's: one thread holds it exactly
    [InlineData(0, 2, 0, 65_536, 50_000, false, 2)]    // a high one: parallel
    public void SendThreadsFor_ParallelOnlyForLargeFirstPassesWithoutALowCeiling(int configured, int processors, int pass, long probes, double ceiling, bool adaptive, int expected)
    {
        Assert.Equal(expected, RawScanEngine.SendThreadsFor(configured, processors, pass, (ulong)probes, ceiling, adaptive));
    }
}
