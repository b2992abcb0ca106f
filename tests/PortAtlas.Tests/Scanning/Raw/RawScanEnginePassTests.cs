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
}
