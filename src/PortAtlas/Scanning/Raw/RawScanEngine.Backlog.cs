namespace PortAtlas.Scanning.Raw;

/// <summary>
/// Back-pressure from the consumer of the engine's results (issue 17). The results channel is unbounded, so that the
/// receive thread never blocks on it; the engine's own thread instead waits before sending more (or before emitting the
/// silent remainder) while too many results wait to be taken. Without it a silent /16 x 100 ports queued 6.5 million
/// results at the end of the sweep, and a fast sweep of closed hosts queued most of its verdicts: memory grew per probe.
/// </summary>
internal sealed partial class RawScanEngine
{
    /// <summary>Results waiting for the consumer beyond which the engine's thread waits until half of them were taken.</summary>
    internal const int MaxBacklog = 1 << 15;

    private Func<int>? _backlog;
    private long _consumerWaitTicks;
    private int _consumerWaits;

    /// <summary>Real time the engine's thread spent waiting for the consumer to take results, and how many times it waited.</summary>
    internal (TimeSpan Time, int Count) ConsumerWait => (TimeSpan.FromTicks(Interlocked.Read(ref _consumerWaitTicks)), Volatile.Read(ref _consumerWaits));

    /// <summary>How many results wait in the channel; set by the runner that owns it.</summary>
    internal void SetBacklog(Func<int> backlog) => _backlog = backlog;

    /// <summary>Waits (on the engine's thread, never the receive thread) while the backlog is full; true when it waited.</summary>
    private bool WaitForRoom(RawSender sender)
    {
        if (_backlog is not { } backlog || backlog() < MaxBacklog)
        {
            return false;
        }
        sender.Flush();
        var start = TimeProvider.System.GetTimestamp();
        try
        {
            while (backlog() >= MaxBacklog / 2)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                // Real time whatever the engine's clock: the consumer drains in real time.
                _cancellationToken.WaitHandle.WaitOne(1);
            }
        }
        finally
        {
            // Counted for -d (issue 16): whether a slow consumer, not the send path, held the sweep back.
            // Send lanes wait on their own threads (RawScanEngine.Lanes.cs): counted atomically.
            Interlocked.Add(ref _consumerWaitTicks, TimeProvider.System.GetElapsedTime(start).Ticks);
            Interlocked.Increment(ref _consumerWaits);
        }
        return true;
    }
}
