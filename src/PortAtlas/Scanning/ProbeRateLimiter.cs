namespace PortAtlas.Scanning;

/// <summary>
/// A ceiling on probes per second as a generic cell rate algorithm (a token bucket kept as one "theoretical arrival
/// time"): each caller reserves the next slot and waits until it comes, so callers are served in order without a queue.
/// A burst of up to <c>burst</c> probes may go at once after an idle spell.
/// </summary>
internal sealed class ProbeRateLimiter
{
    private readonly TimeProvider _timeProvider;
    private readonly long _interval;
    private readonly long _tolerance;
    private readonly Lock _lock = new();
    private long _theoreticalArrival;

    public ProbeRateLimiter(double probesPerSecond, TimeProvider timeProvider, int burst = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(probesPerSecond, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _timeProvider = timeProvider;
        _interval = Math.Max(1, (long)(timeProvider.TimestampFrequency / probesPerSecond));
        _tolerance = (burst - 1) * _interval;
        _theoreticalArrival = long.MinValue;
    }

    /// <summary>Reserves the next slot and returns how long to wait for it (zero: go now).</summary>
    public TimeSpan Reserve()
    {
        var now = _timeProvider.GetTimestamp();
        long wait;
        lock (_lock)
        {
            var arrival = Math.Max(_theoreticalArrival, now);
            wait = arrival - _tolerance - now;
            _theoreticalArrival = arrival + _interval;
        }
        return wait <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)wait / _timeProvider.TimestampFrequency);
    }

    /// <summary>Takes the next slot if it has come; otherwise reserves nothing and says how long until it comes.</summary>
    public bool TryAcquire(out TimeSpan retryAfter)
    {
        var now = _timeProvider.GetTimestamp();
        lock (_lock)
        {
            var arrival = Math.Max(_theoreticalArrival, now);
            var wait = arrival - _tolerance - now;
            if (wait > 0)
            {
                retryAfter = TimeSpan.FromSeconds((double)wait / _timeProvider.TimestampFrequency);
                return false;
            }
            _theoreticalArrival = arrival + _interval;
        }
        retryAfter = TimeSpan.Zero;
        return true;
    }

    /// <summary>Waits for the next slot.</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        var wait = Reserve();
        return wait == TimeSpan.Zero
            ? ValueTask.CompletedTask
            : new ValueTask(Task.Delay(wait, _timeProvider, cancellationToken));
    }
}
