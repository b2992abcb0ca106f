namespace PortAtlas.Scanning;

/// <summary>
/// Smoothed round-trip time and its variation, and the retransmission timeout they give, as RFC 6298 computes them
/// for TCP: on the first sample R, SRTT = R and RTTVAR = R/2; then RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R| and
/// SRTT = 7/8 SRTT + 1/8 R (RTTVAR first, with the old SRTT); RTO = SRTT + max(G, 4 RTTVAR), clamped to bounds.
/// Not thread safe: the owner serialises access.
/// </summary>
internal struct RttEstimator
{
    /// <summary>The clock granularity G of RFC 6298: scheduling jitter, not the timer's resolution, is what matters here.</summary>
    public static readonly TimeSpan Granularity = TimeSpan.FromMilliseconds(1);

    private long _srttTicks;
    private long _rttvarTicks;

    /// <summary>True once a sample has been taken.</summary>
    public bool HasSample { get; private set; }

    /// <summary>Smoothed round-trip time (zero before the first sample).</summary>
    public readonly TimeSpan SmoothedRtt => TimeSpan.FromTicks(_srttTicks);

    /// <summary>Round-trip time variation (zero before the first sample).</summary>
    public readonly TimeSpan RttVariation => TimeSpan.FromTicks(_rttvarTicks);

    /// <summary>Adds a measured round trip.</summary>
    public void AddSample(TimeSpan roundTrip)
    {
        var r = Math.Max(0, roundTrip.Ticks);
        if (!HasSample)
        {
            _srttTicks = r;
            _rttvarTicks = r / 2;
            HasSample = true;
            return;
        }
        _rttvarTicks = (3 * _rttvarTicks + Math.Abs(_srttTicks - r)) / 4;
        _srttTicks = (7 * _srttTicks + r) / 8;
    }

    /// <summary>The retransmission timeout: <paramref name="initial"/> before any sample, then SRTT + max(G, 4·RTTVAR); always within [min, max].</summary>
    public readonly TimeSpan Timeout(TimeSpan initial, TimeSpan min, TimeSpan max)
    {
        var rto = HasSample
            ? TimeSpan.FromTicks(_srttTicks + Math.Max(Granularity.Ticks, 4 * _rttvarTicks))
            : initial;
        return rto < min ? min : rto > max ? max : rto;
    }
}
