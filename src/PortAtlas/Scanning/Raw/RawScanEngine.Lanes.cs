using System.Runtime.ExceptionServices;

namespace PortAtlas.Scanning.Raw;

/// <summary>
/// A first pass sent by several threads (issue 16). The kernel's per-packet work (routing, the packet taps, and on
/// loopback or a veth the target's whole TCP stack, RST and all) runs in the context of the thread that calls sendmmsg,
/// so one thread tops out at 100-200 k packets per second while the other cores idle: the quiet lab sweep used 0.9 of
/// 2 cores. Each extra thread sends one contiguous part of the permutation through a sender (raw sockets) of its own at
/// its share of the rate; the engine's thread keeps the congestion window and the round-trip samples.
/// </summary>
internal sealed partial class RawScanEngine
{
    /// <summary>Below this many probes a pass is sent by one thread: a thread's start costs more than it saves.</summary>
    internal const ulong ParallelPassMinimum = 16_384;

    /// <summary>With a ceiling below this the pass is sent by one thread, which holds a cap more exactly than several.</summary>
    internal const double ParallelRateMinimum = 50_000;

    /// <summary>At most this many send threads, whatever the cores.</summary>
    internal const int MaxSendThreads = 4;

    private RawSender[] _extraSenders = [];
    private long _laneSent;
    private volatile bool _sendFailed;

    /// <summary>One sending thread's view: its sender, how many lanes share the rate, and whether it leads.</summary>
    private readonly record struct SendLane(RawSender Sender, int Lanes, bool Leader);

    /// <summary>The engine's own thread as the only lane (retransmission passes, ICMP pacing).</summary>
    private SendLane OwnLane => new(_sender, 1, Leader: true);

    private long ExtraPacketsSent
    {
        get
        {
            long sent = 0;
            foreach (var sender in Volatile.Read(ref _extraSenders))
            {
                sent += sender.Sent;
            }
            return sent;
        }
    }

    /// <summary>
    /// Threads to send a pass with: <paramref name="configured"/> when set (1 turns the parallel pass off), otherwise one
    /// a core up to <see cref="MaxSendThreads"/>, for a first pass of at least <see cref="ParallelPassMinimum"/> probes
    /// whose rate is found (no ceiling) or capped at <see cref="ParallelRateMinimum"/> or more. Retransmission passes
    /// are small and keep the order of one thread.
    /// </summary>
    internal static int SendThreadsFor(int configured, int processors, int pass, ulong probes, double ceiling, bool adaptive)
    {
        if (pass != 0 || probes < ParallelPassMinimum || (!adaptive && ceiling < ParallelRateMinimum))
        {
            return 1;
        }
        return Math.Clamp(configured > 0 ? configured : processors, 1, MaxSendThreads);
    }

    /// <summary>
    /// Sends permutation positions [<paramref name="prologue"/>, prologue + total) in <paramref name="threads"/> parts,
    /// the first on this thread; returns the probes sent. A failure of one part (cancellation, a refused destination)
    /// stops the others and is rethrown here once all have stopped.
    /// </summary>
    private long SendInParallel(int threads, Sweep sweep, ProbeOrder order, int pass, ulong prologue, CongestionWindow congestion)
    {
        var senders = EnsureExtraSenders(threads - 1);
        var total = order.Positions;
        var bounds = new ulong[threads + 1];
        for (var k = 0; k <= threads; k++)
        {
            bounds[k] = prologue + (total * (ulong)k / (ulong)threads);
        }
        var counts = new long[threads];
        var failures = new Exception?[threads];
        var workers = new Thread[threads - 1];
        _sendFailed = false;
        for (var k = 1; k < threads; k++)
        {
            var part = k;
            workers[k - 1] = new Thread(() => counts[part] = RunLane(new SendLane(senders[part - 1], threads, Leader: false), part))
            {
                IsBackground = true,
                Name = "PortAtlas raw send",
            };
            workers[k - 1].Start();
        }
        counts[0] = RunLane(new SendLane(_sender, threads, Leader: true), 0);
        foreach (var worker in workers)
        {
            worker.Join();
        }
        foreach (var failure in failures)
        {
            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
        }
        return counts.Sum();

        long RunLane(SendLane lane, int part)
        {
            try
            {
                return SendRange(lane, sweep, order, pass, prologue, bounds[part], bounds[part + 1], congestion);
            }
            catch (Exception e)
            {
                failures[part] = e;
                _sendFailed = true;
                return 0;
            }
        }
    }

    private RawSender[] EnsureExtraSenders(int count)
    {
        var senders = _extraSenders;
        if (senders.Length >= count)
        {
            return senders;
        }
        var grown = new RawSender[count];
        Array.Copy(senders, grown, senders.Length);
        for (var i = senders.Length; i < count; i++)
        {
            grown[i] = new RawSender(_sender.BatchSize);
        }
        Volatile.Write(ref _extraSenders, grown);
        return grown;
    }

    private void DisposeExtraSenders()
    {
        foreach (var sender in _extraSenders)
        {
            sender.Dispose();
        }
    }
}
