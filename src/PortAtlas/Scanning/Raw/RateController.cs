namespace PortAtlas.Scanning.Raw;

/// <summary>What a <see cref="RateController"/> did with one window's evidence.</summary>
internal enum RateAction
{
    /// <summary>Too little evidence, or the evidence says neither more nor less: the rate stays.</summary>
    Hold,
    /// <summary>Answers kept pace: the rate grew (doubled in slow start, one step after the first decrease).</summary>
    Increase,
    /// <summary>Answers fell behind the probes: the rate halved.</summary>
    Decrease,
}

/// <summary>
/// The raw engine's send rate, as TCP's congestion control (RFC 5681) applied to a rate instead of a window: slow start
/// doubles the rate every window while the fraction of probes answered holds near the best seen; two windows in a row
/// whose fraction falls well below it (probes or answers dropped by a queue, a link or a rate limit; one short window may
/// be answers arriving late) halve the rate and end slow start; from then on the rate grows by one step (an eighth of the rate at that decrease) per window. It never
/// leaves [floor, ceiling]; with no ceiling set, the ceiling is what link and receiver sustain. Without answers there is
/// no evidence of what the path sustains, so blind growth stops at <see cref="BlindCeiling"/>. Growth also stops while
/// the sender cannot reach the rate it already has (its own CPU is the limit): pacing above it would only let bursts
/// through once the CPU is free. Pure: the caller measures, this decides; not thread safe.
/// </summary>
internal sealed class RateController
{
    /// <summary>Probes a window must follow before its answer fraction says anything.</summary>
    public const long MinimumSample = 200;

    /// <summary>Growth without any answers stops here: 100 000 packets per second, the former fixed ceiling.</summary>
    public const double BlindCeiling = 100_000;

    private readonly double _floor;
    private readonly double _ceiling;
    private readonly bool _allowIncrease;
    private double _step;
    private long _shortDue;
    private long _shortAnswers;

    /// <param name="rate">Starting rate, packets per second (clamped into [floor, ceiling]).</param>
    /// <param name="floor">The rate never goes below this.</param>
    /// <param name="ceiling">The rate never goes above this.</param>
    /// <param name="allowIncrease">False for retransmission passes: they keep the rate the path delivered.</param>
    /// <param name="slowStart">Whether growth starts by doubling (a first pass) or by steps.</param>
    public RateController(double rate, double floor, double ceiling, bool allowIncrease = true, bool slowStart = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(floor);
        ArgumentOutOfRangeException.ThrowIfLessThan(ceiling, floor);
        _floor = floor;
        _ceiling = ceiling;
        _allowIncrease = allowIncrease;
        Rate = Math.Clamp(rate, floor, ceiling);
        InSlowStart = slowStart;
        _step = Rate / 8;
    }

    /// <summary>The rate to send at, packets per second.</summary>
    public double Rate { get; private set; }

    /// <summary>Whether the rate still doubles per window.</summary>
    public bool InSlowStart { get; private set; }

    /// <summary>The best answered fraction seen in a window with enough probes (0 until then).</summary>
    public double BestFraction { get; private set; }

    /// <summary>The highest send rate measured over a window, packets per second.</summary>
    public double PeakAchieved { get; private set; }

    /// <summary>
    /// The probes whose answers were due in a window that lasted <paramref name="window"/>: those sent during the window
    /// shifted back by one round trip, interpolated between the previous window's count and this one's.
    /// </summary>
    public static long Due(long sentPreviousWindow, long sentThisWindow, TimeSpan roundTrip, TimeSpan window)
    {
        var shift = window <= TimeSpan.Zero ? 1.0 : Math.Clamp(roundTrip / window, 0, 1);
        return (long)Math.Round((sentPreviousWindow * shift) + (sentThisWindow * (1 - shift)));
    }

    /// <summary>
    /// One window's evidence: <paramref name="due"/> probes whose answers were due in it (<see cref="Due"/>),
    /// <paramref name="answers"/> that arrived in it, and the send rate <paramref name="achievedRate"/> measured over it.
    /// </summary>
    public RateAction OnWindow(long due, long answers, double achievedRate)
    {
        PeakAchieved = Math.Max(PeakAchieved, achievedRate);
        if (due < MinimumSample)
        {
            return RateAction.Hold;
        }
        var fraction = Math.Min(1.0, (double)Math.Max(0, answers) / due);
        // A fraction counts as evidence once the best window drew enough answers to tell a drop from noise.
        var informative = BestFraction >= 0.05 && BestFraction * due >= 100;
        if (informative && fraction < 0.6 * BestFraction)
        {
            // Answers late (our receive thread descheduled on a busy machine) arrive in the next window; answers
            // dropped never do. So one short window is held, and the rate halves only if the two together stay short.
            var combined = Math.Min(1.0, (double)(Math.Max(0, answers) + _shortAnswers) / (due + _shortDue));
            if (_shortDue == 0 || combined >= 0.6 * BestFraction)
            {
                _shortDue = _shortDue == 0 ? due : 0;
                _shortAnswers = Math.Max(0, answers);
                return RateAction.Hold;
            }
            _shortDue = 0;
            Decrease();
            return RateAction.Decrease;
        }
        if (_shortDue > 0)
        {
            // The short window's answers came late, not never: no decrease, and no growth on this evidence either.
            _shortDue = 0;
            return RateAction.Hold;
        }
        BestFraction = Math.Max(BestFraction, fraction);
        informative = BestFraction >= 0.05 && BestFraction * due >= 100;
        if (!_allowIncrease || (informative && fraction < 0.9 * BestFraction))
        {
            return RateAction.Hold;
        }
        var ceiling = informative ? _ceiling : Math.Min(_ceiling, Math.Max(Rate, BlindCeiling));
        // The sender is its own bottleneck when it reaches less than half the rate it paces at.
        if (Rate >= ceiling || achievedRate < Rate / 2)
        {
            return RateAction.Hold;
        }
        Rate = Math.Min(ceiling, InSlowStart ? Rate * 2 : Rate + _step);
        return RateAction.Increase;
    }

    /// <summary>Direct evidence of drops (the receive socket overflowing, the send queue full): halves the rate.</summary>
    public void Decrease()
    {
        Rate = Math.Max(_floor, Rate / 2);
        InSlowStart = false;
        _step = Math.Max(_floor, Rate / 8);
    }

    /// <summary>Takes a rate set elsewhere (a decrease on the receive thread) as the current one; a lower one ends slow start.</summary>
    public void Observe(double rate)
    {
        var clamped = Math.Clamp(rate, _floor, _ceiling);
        if (clamped < Rate)
        {
            InSlowStart = false;
            _step = Math.Max(_floor, clamped / 8);
        }
        Rate = clamped;
    }
}
