namespace PortAtlas.Scanning.Raw;

/// <summary>
/// What one target's ICMP error rate limit looks like from outside, learned from the port-unreachables that come back.
/// </summary>
/// <remarks>
/// Linux limits ICMP errors per peer with a token bucket (net/ipv4/icmp.c, inet_peer_xrlim_allow): one token per
/// net.ipv4.icmp_ratelimit (1 s by default), at most six kept, and a partly earned token carries over. An error is sent
/// only when a whole token is there, so a probe that finds the bucket empty costs nothing: the credit keeps growing.
/// Two things follow. First, probing a little faster than the limit ("oversampling") loses at most one probe period per
/// token, and while every probe hits a closed port the port-unreachables arrive one interval apart: their spacing is the
/// interval. Second, once the interval is known the bucket can be modelled, and a probe sent when the model holds a whole
/// token for it is decisive: silence then means open|filtered, not a withheld error.
/// All members are thread-safe: the receive thread reports arrivals while the pacing thread reserves and releases.
/// </remarks>
internal sealed class IcmpRateLimitLearner
{
    /// <summary>Model credit kept in hand before a probe counts as decisive (a twentieth of a token).</summary>
    internal const double Margin = 0.05;

    /// <summary>How far before the model's next whole token oversampling starts, in tokens.</summary>
    internal const double Lead = 0.15;

    /// <summary>Consecutive saturated spacings averaged into the interval.</summary>
    internal const int SpacingsNeeded = 3;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _shortGap;
    private readonly TimeSpan _probePeriod;
    private long _lastArrival;
    private bool _seenArrival;
    private long _runStart;
    private int _run = -1;   // long spacings in a row after the first one; -1 until a first long spacing was seen
    private double _correction = 1;
    private double _credit;
    private long _creditAt;
    private int _reserved;
    private TimeSpan? _interval;

    /// <param name="time">The clock of the timestamps passed in.</param>
    /// <param name="burst">Port-unreachables the first burst of probes drew: a lower bound of the bucket's size (at least 1).</param>
    /// <param name="probePeriod">How often the pacer oversamples: spacings shorter than four periods are a bucket draining, not its refill.</param>
    /// <param name="start">When the bucket is taken to be empty (the model starts without credit, which can only be cautious).</param>
    public IcmpRateLimitLearner(TimeProvider time, int burst, TimeSpan probePeriod, long start)
    {
        _time = time;
        Burst = Math.Max(1, burst);
        _probePeriod = probePeriod;
        _shortGap = probePeriod * 4;
        _creditAt = start;
    }

    /// <summary>The bucket's size as far as seen: the errors one burst of probes drew.</summary>
    public int Burst { get; }

    /// <summary>The learned interval between tokens; <see langword="null"/> until enough saturated spacings were seen.</summary>
    public TimeSpan? Interval
    {
        get
        {
            lock (_lock)
            {
                return _interval;
            }
        }
    }

    /// <summary>How often the model was caught ahead of the target (a decisive probe's error withheld after all).</summary>
    public int Corrections { get; private set; }

    /// <summary>A port-unreachable arrived at <paramref name="timestamp"/>: the target spent a token.</summary>
    public void OnUnreachable(long timestamp)
    {
        lock (_lock)
        {
            Advance(timestamp);
            _credit = Math.Max(0, _credit - 1);
            Learn(timestamp);
        }
    }

    /// <summary>Reserves a whole token for a decisive probe sent at <paramref name="now"/>, when the model holds one beyond those already reserved.</summary>
    public bool TryReserve(long now)
    {
        lock (_lock)
        {
            if (_interval is null)
            {
                return false;
            }
            Advance(now);
            if (_credit - _reserved < 1 + Margin)
            {
                return false;
            }
            _reserved++;
            return true;
        }
    }

    /// <summary>Whether the model holds a whole token beyond those reserved at <paramref name="now"/> (what <see cref="TryReserve"/> would grant).</summary>
    public bool HasToken(long now)
    {
        lock (_lock)
        {
            if (_interval is null)
            {
                return false;
            }
            Advance(now);
            return _credit - _reserved >= 1 + Margin;
        }
    }

    /// <summary>A decisive probe was settled (answered, or silent past the timeout): its reservation ends.</summary>
    public void Release()
    {
        lock (_lock)
        {
            _reserved = Math.Max(0, _reserved - 1);
        }
    }

    /// <summary>
    /// Whether a probe that is not decisive is worth sending at <paramref name="now"/>: always while the interval is still
    /// unknown (the spacing of the answers is what teaches it), afterwards only near the model's next whole token, so a
    /// token the model has not foreseen is still caught within one probe period.
    /// </summary>
    public bool ShouldOversample(long now)
    {
        lock (_lock)
        {
            if (_interval is null)
            {
                return true;
            }
            Advance(now);
            return _credit - _reserved >= 1 - Lead;
        }
    }

    /// <summary>
    /// A port that stayed silent under a reserved token answered port-unreachable later: its first error was withheld, so
    /// the model ran ahead. The bucket is taken to be empty now and the interval a little longer.
    /// </summary>
    public void OnSuppressed(long now)
    {
        lock (_lock)
        {
            Advance(now);
            _credit = 0;
            // At most a quarter slower in all: the corrections guard against jitter, not against a different target.
            if (_correction < 1.25)
            {
                _correction *= 1.03;
                if (_interval is { } interval)
                {
                    _interval = interval * 1.03;
                }
            }
            Corrections++;
        }
    }

    /// <summary>The model's credit at <paramref name="now"/>, in tokens (for tests and notes).</summary>
    public double Credit(long now)
    {
        lock (_lock)
        {
            Advance(now);
            return _credit;
        }
    }

    private void Advance(long now)
    {
        if (now <= _creditAt)
        {
            return;
        }
        if (_interval is { } interval)
        {
            // A bucket of one token still holds a whole one after an interval: the cap leaves room for the margin.
            _credit = Math.Min(Math.Max(Burst, 1 + (2 * Margin)), _credit + (_time.GetElapsedTime(_creditAt, now) / interval));
        }
        _creditAt = now;
    }

    /// <summary>
    /// Learns the interval from arrival <paramref name="timestamp"/>. Skip the short spacings of a bucket draining what it
    /// had saved, then the first long spacing (it began with a partly earned token); from there the bucket refills on a
    /// lattice, one token per interval (a partly earned token carries over), and each answer comes at most a few probe
    /// periods after its token: n spacings in a row add up to n intervals give or take those periods, so the mean of the
    /// run is the interval with an error that shrinks as 1/n. The estimate adds one probe period, because a model slower
    /// than the target costs little (oversampling catches the early token) while a faster one would take silences for
    /// answers. A spacing far longer than the interval (nothing closed was probed) starts a new run.
    /// </summary>
    private void Learn(long timestamp)
    {
        var gap = _time.GetElapsedTime(_lastArrival, timestamp);
        var first = !_seenArrival;
        _seenArrival = true;
        _lastArrival = timestamp;
        if (first || gap < _shortGap)
        {
            _run = -1;   // the bucket had saved tokens: what follows starts afresh
            return;
        }
        if (_run < 0 || (_interval is { } known && gap > known * 1.8))
        {
            _run = 0;
            _runStart = timestamp;
            return;
        }
        _run++;
        if (_run < SpacingsNeeded)
        {
            return;
        }
        var learned = ((_time.GetElapsedTime(_runStart, timestamp) / _run) + _probePeriod) * _correction;
        if (_interval is null)
        {
            // From here the model runs: the token just spent leaves the bucket (about) empty.
            _credit = 0;
            _creditAt = timestamp;
        }
        _interval = learned;
    }
}
