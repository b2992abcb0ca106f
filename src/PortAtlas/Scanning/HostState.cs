using System.Collections.Concurrent;
using System.Net;

namespace PortAtlas.Scanning;

/// <summary>What the scheduler learns about one host while scanning it: round trips, retries needed, its deadline.</summary>
internal sealed class HostState(IPAddress address)
{
    private readonly Lock _lock = new();
    private RttEstimator _rtt;
    private long _rawTimeoutTicks = -1;
    private long _firstProbeAt;
    private int _maxSuccessfulAttempt;
    private volatile bool _timedOut;

    public IPAddress Address { get; } = address;

    /// <summary>Whether <see cref="Address"/> is a loopback address, told once rather than at every probe.</summary>
    public bool IsLoopback { get; } = IPAddress.IsLoopback(address);

    public bool TimedOut => _timedOut;

    /// <summary>Retransmissions allowed now: one more than the most any answer needed so far (at least one), at most <paramref name="maxRetries"/>; nmap adapts the same way.</summary>
    public int AllowedRetries(int maxRetries) => Math.Min(maxRetries, Math.Max(1, Volatile.Read(ref _maxSuccessfulAttempt) + 1));

    /// <summary>The timeout of attempt <paramref name="attempt"/> (0 for the first): the RTO doubled per retransmission (RFC 6298, 5.5), within bounds.</summary>
    public TimeSpan Timeout(ScanOptions options, int attempt)
    {
        var raw = Volatile.Read(ref _rawTimeoutTicks);
        var rto = raw < 0 ? options.InitialTimeout : TimeSpan.FromTicks(raw);
        rto = rto < options.MinTimeout ? options.MinTimeout : rto > options.ConnectMaxTimeout ? options.ConnectMaxTimeout : rto;
        var backedOff = rto.Ticks << Math.Min(attempt, 16);
        return backedOff > options.ConnectMaxTimeout.Ticks || backedOff < 0 ? options.ConnectMaxTimeout : TimeSpan.FromTicks(backedOff);
    }

    /// <summary>Records an answer: its round trip as an RTT sample, and which attempt it took.</summary>
    /// <remarks>
    /// A sample is skipped when another thread is adding one: answers come by the thousand per second, and waiting for
    /// the lock would cost more than the sample is worth (TCP itself samples about once per round trip, RFC 6298, 3).
    /// </remarks>
    public void OnAnswer(TimeSpan roundTrip, int attempt)
    {
        if (_lock.TryEnter())
        {
            try
            {
                _rtt.AddSample(roundTrip);
                Volatile.Write(ref _rawTimeoutTicks, _rtt.Timeout(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.MaxValue).Ticks);
            }
            finally
            {
                _lock.Exit();
            }
        }
        if (attempt > Volatile.Read(ref _maxSuccessfulAttempt))
        {
            int seen;
            do
            {
                seen = Volatile.Read(ref _maxSuccessfulAttempt);
            }
            while (attempt > seen && Interlocked.CompareExchange(ref _maxSuccessfulAttempt, attempt, seen) != seen);
        }
    }

    /// <summary>Starts the host's clock on its first probe; true when <paramref name="hostTimeout"/> has passed (and from then on).</summary>
    public bool CheckTimeout(TimeSpan? hostTimeout, TimeProvider timeProvider)
    {
        if (hostTimeout is not { } limit)
        {
            return false;
        }
        if (_timedOut)
        {
            return true;
        }
        var now = timeProvider.GetTimestamp();
        var first = Interlocked.CompareExchange(ref _firstProbeAt, now, 0);
        if (first != 0 && timeProvider.GetElapsedTime(first, now) > limit)
        {
            _timedOut = true;
        }
        return _timedOut;
    }
}

/// <summary>Per-host state by host index, created on first use: an array for up to a million hosts, a dictionary beyond.</summary>
internal sealed class HostTable
{
    private const ulong ArrayLimit = 1 << 20;

    private readonly Targets.TargetSet _targets;
    private readonly HostState?[]? _array;
    private readonly ConcurrentDictionary<ulong, HostState>? _map;

    public HostTable(Targets.TargetSet targets)
    {
        _targets = targets;
        if (targets.Count <= ArrayLimit)
        {
            _array = new HostState?[targets.Count];
        }
        else
        {
            _map = new ConcurrentDictionary<ulong, HostState>();
        }
    }

    public HostState Get(ulong index)
    {
        if (_array is not null)
        {
            var state = Volatile.Read(ref _array[index]);
            if (state is not null)
            {
                return state;
            }
            var created = new HostState(_targets.GetAddress(index));
            return Interlocked.CompareExchange(ref _array[index], created, null) ?? created;
        }
        return _map!.GetOrAdd(index, static (i, targets) => new HostState(targets.GetAddress(i)), _targets);
    }

    /// <summary>Every host state created so far.</summary>
    public IEnumerable<HostState> Created =>
        _array is not null ? _array.OfType<HostState>() : _map!.Values;
}
