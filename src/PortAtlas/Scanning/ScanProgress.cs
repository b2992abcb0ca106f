namespace PortAtlas.Scanning;

/// <summary>
/// Live counters of a scan, safe to read from any thread while it runs (for a progress bar); final once
/// <see cref="IsFinished"/> is true.
/// </summary>
public sealed class ScanProgress
{
    private readonly TimeProvider _timeProvider;
    private readonly long _startedAt;
    private readonly long[] _states = new long[(int)PortState.Unfiltered + 1];
    private long _completed;
    private long _probesSent;
    private long _retransmissions;
    private long _skipped;
    private long _finishedAt;
    private readonly DecidedPrefixTracker _prefix;

    internal ScanProgress(long total, TimeProvider timeProvider, ulong startIndex = 0, ulong? seed = null)
    {
        Total = total;
        StartIndex = startIndex;
        Seed = seed;
        _prefix = new DecidedPrefixTracker(startIndex);
        _timeProvider = timeProvider;
        StartedAt = timeProvider.GetUtcNow();
        _startedAt = timeProvider.GetTimestamp();
    }

    /// <summary>Host × port pairs to decide in this run (all of them, less <see cref="StartIndex"/> when resuming).</summary>
    public long Total { get; }

    /// <summary>The permutation index this run started from (<see cref="ScanOptions.StartIndex"/>); 0 for a scan from the start.</summary>
    public ulong StartIndex { get; }

    /// <summary>The seed of the permutation over hosts × ports, given or drawn at random; <see langword="null"/> when there was nothing to scan.</summary>
    public ulong? Seed { get; }

    /// <summary>
    /// The length of the longest prefix of the permutation that is settled: every index below it was either delivered to
    /// the consumer of <see cref="PortScanner.ScanAsync"/> (which then asked for the next result) or skipped because its host
    /// timed out. Indices are probed concurrently and decided out of order, so this trails <see cref="Completed"/>.
    /// A scan restarted with the same targets, ports and <see cref="Seed"/> and <see cref="ScanOptions.StartIndex"/> set to
    /// this value decides exactly the pairs not yet delivered (and possibly some delivered ones again).
    /// </summary>
    public ulong DecidedPrefix => _prefix.Prefix;

    /// <summary>Pairs done: decided, or skipped because their host timed out.</summary>
    public long Completed => Volatile.Read(ref _completed) + (ClosedHeldCounter?.Invoke() ?? 0);

    /// <summary>Pairs skipped because their host timed out.</summary>
    public long Skipped => Volatile.Read(ref _skipped);

    /// <summary>Connection attempts made, retransmissions included.</summary>
    public long ProbesSent => ProbeCounter?.Invoke() ?? Volatile.Read(ref _probesSent);

    /// <summary>Where a session's progress reads probes sent: the sum over its engines.</summary>
    internal Func<long>? ProbeCounter { get; init; }

    /// <summary>Where a session's progress reads closed ports its engines decided but hold as bits until they end.</summary>
    internal Func<long>? ClosedHeldCounter { get; init; }

    /// <summary>Connection attempts that repeated an unanswered one.</summary>
    public long Retransmissions => Volatile.Read(ref _retransmissions);

    /// <summary>Ports found open so far.</summary>
    public long Open => CountOf(PortState.Open);

    /// <summary>Ports decided in <paramref name="state"/> so far.</summary>
    public long CountOf(PortState state) =>
        Volatile.Read(ref _states[(int)state]) + (state == PortState.Closed ? ClosedHeldCounter?.Invoke() ?? 0 : 0);

    /// <summary>When the scan started (wall clock of the scan's time provider).</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>True once the scan has ended, completed or interrupted.</summary>
    public bool IsFinished => Volatile.Read(ref _finishedAt) != 0;

    /// <summary>Time since the start, frozen when the scan ends.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            var finished = Volatile.Read(ref _finishedAt);
            return _timeProvider.GetElapsedTime(_startedAt, finished != 0 ? finished : _timeProvider.GetTimestamp());
        }
    }

    /// <summary>Average connection attempts per second since the start.</summary>
    public double ProbesPerSecond
    {
        get
        {
            var seconds = Elapsed.TotalSeconds;
            return seconds > 0 ? ProbesSent / seconds : 0;
        }
    }

    /// <summary>Fraction done, 0 to 1.</summary>
    public double Fraction => Total == 0 ? 1 : (double)Completed / Total;

    internal void OnProbe(bool retransmission)
    {
        Interlocked.Increment(ref _probesSent);
        if (retransmission)
        {
            Interlocked.Increment(ref _retransmissions);
        }
    }

    internal void OnDecided(PortState state)
    {
        Interlocked.Increment(ref _states[(int)state]);
        Interlocked.Increment(ref _completed);
    }

    /// <summary><paramref name="count"/> ports decided at once (an engine's silent hosts).</summary>
    internal void OnDecided(PortState state, long count)
    {
        Interlocked.Add(ref _states[(int)state], count);
        Interlocked.Add(ref _completed, count);
    }

    internal void OnDelivered(ulong index) => _prefix.Mark(index);

    internal void OnSkipped(ulong index)
    {
        _prefix.Mark(index);
        Interlocked.Increment(ref _skipped);
        Interlocked.Increment(ref _completed);
    }

    internal void OnFinished()
    {
        var now = _timeProvider.GetTimestamp();
        Interlocked.CompareExchange(ref _finishedAt, now == 0 ? 1 : now, 0);
    }

    internal IReadOnlyDictionary<string, long> StateCounts()
    {
        var counts = new Dictionary<string, long>();
        for (var state = PortState.Open; state <= PortState.Unfiltered; state++)
        {
            if (CountOf(state) is var count and > 0)
            {
                counts[state.ToName()] = count;
            }
        }
        return counts;
    }
}
