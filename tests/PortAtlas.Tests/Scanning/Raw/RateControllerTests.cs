using PortAtlas.Scanning.Raw;

namespace PortAtlas.Tests.Scanning.Raw;

public sealed class RateControllerTests
{
    private const double Ceiling = 10_000_000;

    /// <summary>Feeds one window in which every due probe was answered and the sender kept up with the rate.</summary>
    private static RateAction AllAnswered(RateController controller, long due = 10_000) =>
        controller.OnWindow(due, due, controller.Rate);

    [Fact]
    public void OnWindow_AnswersKeepPace_DoublesInSlowStart()
    {
        var controller = new RateController(100_000, 100, Ceiling);
        Assert.Equal(RateAction.Increase, AllAnswered(controller));
        Assert.Equal(200_000, controller.Rate);
        Assert.Equal(RateAction.Increase, AllAnswered(controller));
        Assert.Equal(400_000, controller.Rate);
        Assert.True(controller.InSlowStart);
    }

    [Fact]
    public void OnWindow_AnswerFractionCollapses_HalvesAndLeavesSlowStart()
    {
        var controller = new RateController(100_000, 100, Ceiling);
        AllAnswered(controller);
        AllAnswered(controller);
        Assert.Equal(RateAction.Hold, controller.OnWindow(10_000, 4_000, controller.Rate));
        Assert.Equal(RateAction.Decrease, controller.OnWindow(10_000, 4_000, controller.Rate));
        Assert.Equal(200_000, controller.Rate);
        Assert.False(controller.InSlowStart);
    }

    [Fact]
    public void OnWindow_AShortWindowMadeUpByLateAnswersInTheNext_IsNoDrop()
    {
        var controller = new RateController(100_000, 100, Ceiling);
        AllAnswered(controller);
        Assert.Equal(RateAction.Hold, controller.OnWindow(10_000, 2_000, controller.Rate));
        Assert.Equal(RateAction.Hold, controller.OnWindow(10_000, 18_000, controller.Rate));
        Assert.Equal(200_000, controller.Rate);
        Assert.True(controller.InSlowStart);
        Assert.Equal(RateAction.Increase, AllAnswered(controller));
    }

    [Fact]
    public void OnWindow_AfterADecrease_GrowsByAConstantStepNotByDoubling()
    {
        var controller = new RateController(100_000, 100, Ceiling);
        AllAnswered(controller);
        controller.OnWindow(10_000, 1_000, controller.Rate);
        controller.OnWindow(10_000, 1_000, controller.Rate);
        var afterDecrease = controller.Rate;
        AllAnswered(controller);
        var first = controller.Rate - afterDecrease;
        AllAnswered(controller);
        var second = controller.Rate - afterDecrease - first;
        Assert.Equal(afterDecrease / 8, first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void OnWindow_NeverExceedsTheCeiling()
    {
        var controller = new RateController(1_000, 100, 5_000);
        for (var i = 0; i < 10; i++)
        {
            AllAnswered(controller);
        }
        Assert.Equal(5_000, controller.Rate);
        Assert.Equal(RateAction.Hold, AllAnswered(controller));
    }

    [Fact]
    public void Decrease_NeverGoesBelowTheFloor()
    {
        var controller = new RateController(1_000, 300, Ceiling);
        for (var i = 0; i < 10; i++)
        {
            controller.Decrease();
        }
        Assert.Equal(300, controller.Rate);
    }

    [Fact]
    public void OnWindow_TooFewProbesDue_Holds()
    {
        var controller = new RateController(100_000, 100, Ceiling);
        Assert.Equal(RateAction.Hold, controller.OnWindow(RateController.MinimumSample - 1, 0, controller.Rate));
        Assert.Equal(100_000, controller.Rate);
    }

    [Fact]
    public void OnWindow_NothingEverAnswers_GrowsNoFurtherThanTheBlindCeiling()
    {
        var controller = new RateController(10_000, 100, Ceiling);
        for (var i = 0; i < 20; i++)
        {
            controller.OnWindow(10_000, 0, controller.Rate);
        }
        Assert.Equal(RateController.BlindCeiling, controller.Rate);
    }

    [Fact]
    public void OnWindow_SilentTargetsAfterAnswers_AreNotMistakenForLossBeforeTheFractionIsKnown()
    {
        // A few answers (under 5 %) are no evidence: the rate is neither halved nor grown past the blind ceiling.
        var controller = new RateController(100_000, 100, Ceiling);
        for (var i = 0; i < 5; i++)
        {
            Assert.NotEqual(RateAction.Decrease, controller.OnWindow(10_000, i % 2 == 0 ? 300 : 0, controller.Rate));
        }
        Assert.Equal(100_000, controller.Rate);
    }

    [Fact]
    public void OnWindow_SenderFallsShortOfTheRate_StopsGrowing()
    {
        var controller = new RateController(400_000, 100, Ceiling);
        AllAnswered(controller);
        var rate = controller.Rate;
        Assert.Equal(RateAction.Hold, controller.OnWindow(10_000, 10_000, (rate / 2) - 1));
        Assert.Equal(rate, controller.Rate);
    }

    [Fact]
    public void OnWindow_RetransmissionPass_NeverGrows()
    {
        var controller = new RateController(50_000, 100, Ceiling, allowIncrease: false);
        Assert.Equal(RateAction.Hold, AllAnswered(controller));
        Assert.Equal(50_000, controller.Rate);
        controller.OnWindow(10_000, 100, controller.Rate);
        Assert.Equal(RateAction.Decrease, controller.OnWindow(10_000, 100, controller.Rate));
        Assert.Equal(25_000, controller.Rate);
    }

    [Fact]
    public void OnWindow_PartlyFilteredTargetsAtAStableFraction_KeepGrowing()
    {
        // 30 % of the probes answered, window after window: the fraction holds, so nothing is being dropped.
        var controller = new RateController(100_000, 100, Ceiling);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(RateAction.Increase, controller.OnWindow(10_000, 3_000, controller.Rate));
        }
        Assert.Equal(800_000, controller.Rate);
    }

    [Fact]
    public void Observe_ALowerRateFromElsewhere_EndsSlowStart()
    {
        var controller = new RateController(100_000, 100, Ceiling);
        controller.Observe(50_000);
        Assert.Equal(50_000, controller.Rate);
        Assert.False(controller.InSlowStart);
        AllAnswered(controller);
        AllAnswered(controller);
        Assert.True(controller.Rate < 100_000);
    }

    [Fact]
    public void PeakAchieved_IsTheHighestMeasuredRate()
    {
        var controller = new RateController(100_000, 100, Ceiling);
        controller.OnWindow(10_000, 10_000, 90_000);
        controller.OnWindow(10_000, 10_000, 170_000);
        controller.OnWindow(10_000, 3_000, 120_000);
        Assert.Equal(170_000, controller.PeakAchieved);
    }

    [Theory]
    [InlineData(1000, 3000, 0, 25, 3000)]
    [InlineData(1000, 3000, 25, 25, 1000)]
    [InlineData(1000, 3000, 10, 40, 2500)]
    [InlineData(1000, 3000, 100, 50, 1000)]
    public void Due_InterpolatesBetweenWindowsByTheRoundTrip(long previous, long current, int rttMs, int windowMs, long expected)
    {
        Assert.Equal(expected, RateController.Due(previous, current, TimeSpan.FromMilliseconds(rttMs), TimeSpan.FromMilliseconds(windowMs)));
    }
}
