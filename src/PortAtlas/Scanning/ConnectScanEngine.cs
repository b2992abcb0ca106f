using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using PortAtlas.Targets;

namespace PortAtlas.Scanning;

/// <summary>
/// The TCP connect scan: walks a seeded permutation of host × port indices under a shared rate ceiling, with per-host
/// adaptive timeouts and retransmissions; decided ports flow out through a bounded channel. Two mechanisms send:
/// epoll event loops over raw non-blocking sockets on Linux (<c>ConnectScanEngine.Epoll.cs</c>), and a pool of async
/// workers over <see cref="System.Net.Sockets.Socket"/> elsewhere (<c>ConnectScanEngine.Sockets.cs</c>).
/// </summary>
internal sealed partial class ConnectScanEngine
{
    private const int ChannelCapacity = 256;
    private const int MaxBackOffs = 200;

    private readonly ScanOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly int[] _ports;
    private readonly ulong _total;
    private readonly IndexPermutation? _permutation;
    private readonly HostTable _hosts;
    private readonly ProbeRateLimiter? _rateLimiter;
    private readonly Channel<ResultChunk> _channel;
    private readonly int _workers;
    private readonly ulong _start;
    private readonly ulong _end;
    private long _next;

    public ConnectScanEngine(TargetSet targets, PortList ports, ScanOptions options)
    {
        _options = options;
        _timeProvider = options.TimeProvider;
        _ports = [.. ports.Tcp];
        _hosts = new HostTable(targets);
        _total = targets.Count == 0 || _ports.Length == 0 ? 0 : checked(targets.Count * (ulong)_ports.Length);
        if (_total > 0)
        {
            var seed = options.Seed ?? (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue);
            _permutation = new IndexPermutation(_total, seed, options.Sequential);
            Seed = seed;
        }
        // A shard walks its own range of the one permutation; a resumed shard starts inside it.
        var (first, end) = options.Shard is { } shard ? shard.Range(_total) : (0UL, _total);
        _end = end;
        _start = Math.Min(Math.Max(options.StartIndex, first), _end);
        _next = (long)_start;
        if (options.Rate is { } rate)
        {
            // Allow 10 ms worth of probes at once: smooth at low rates, no lock-step at high ones.
            _rateLimiter = new ProbeRateLimiter(rate, _timeProvider, burst: (int)Math.Clamp(rate / 100, 1, 1000));
        }
        _workers = (int)Math.Min((ulong)options.ResolveConcurrency(), Math.Max(_end - _start, 1));
        _channel = Channel.CreateBounded<ResultChunk>(new BoundedChannelOptions(ChannelCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Progress = new ScanProgress((long)(_end - _start), _timeProvider, _start, Seed);
    }

    public ScanProgress Progress { get; }

    /// <summary>The seed of the permutation: the given one, or the one drawn at random; null when there is nothing to scan.</summary>
    public ulong? Seed { get; }

    /// <summary>Hosts given up on because of the host timeout.</summary>
    public IEnumerable<IPAddress> TimedOutHosts => _hosts.Created.Where(h => h.TimedOut).Select(h => h.Address);

    /// <summary>Runs the scan and yields each decided port. Cancelling stops new probes, yields what was decided, then throws <see cref="OperationCanceledException"/>.</summary>
    public async IAsyncEnumerable<PortResult> StreamAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var result in StreamIndexedAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return result.Result;
        }
    }

    /// <summary>
    /// <see cref="StreamAsync"/> with each result's permutation index. An index counts as delivered for
    /// <see cref="ScanProgress.DecidedPrefix"/> once the consumer asks for the next result, so a checkpoint taken between
    /// two results never counts a result the consumer has not recorded.
    /// </summary>
    public async IAsyncEnumerable<IndexedResult> StreamIndexedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var abandon = new CancellationTokenSource();
        var run = RunAsync(stop, abandon.Token);
        var completed = false;
        try
        {
            var reader = _channel.Reader;
            // No token here: after cancellation the workers stop and complete the channel; what they decided is still delivered.
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (reader.TryRead(out var chunk))
                {
                    if (chunk.Batch is null)
                    {
                        yield return new IndexedResult(chunk.Index, chunk.Single!);
                        Progress.OnDelivered(chunk.Index);
                        continue;
                    }
                    for (var i = 0; i < chunk.Count; i++)
                    {
                        yield return new IndexedResult(chunk.Indices![i], chunk.Batch[i]);
                        Progress.OnDelivered(chunk.Indices[i]);
                    }
                    ArrayPool<PortResult>.Shared.Return(chunk.Batch, clearArray: true);
                    ArrayPool<ulong>.Shared.Return(chunk.Indices!);
                }
            }
            await run.ConfigureAwait(false);
            completed = true;
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            if (!completed)
            {
                // The consumer left early (or a worker failed): release workers blocked on the full channel and wait for them.
                await stop.CancelAsync().ConfigureAwait(false);
                await abandon.CancelAsync().ConfigureAwait(false);
                await run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task RunAsync(CancellationTokenSource stop, CancellationToken abandon)
    {
        try
        {
            if (_total > 0)
            {
                var useEpoll = _options.Mechanism switch
                {
                    ConnectMechanism.Epoll => true,
                    ConnectMechanism.Sockets => false,
                    _ => LinuxSockets.IsSupported,
                };
                await (useEpoll ? RunEpollLoopsAsync(stop, abandon) : RunSocketWorkersAsync(stop, abandon)).ConfigureAwait(false);
            }
            _channel.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            _channel.Writer.TryComplete(ex);
            throw;
        }
        finally
        {
            Progress.OnFinished();
        }
    }

    /// <summary>Takes the next (host, port) pair of the permutation; false when all are taken.</summary>
    private bool TryTakeNext(out HostState host, out int port, out ulong index)
    {
        index = (ulong)Interlocked.Increment(ref _next) - 1;
        if (index >= _end)
        {
            host = null!;
            port = 0;
            return false;
        }
        var pair = _permutation!.Map(index);
        var portCount = (ulong)_ports.Length;
        host = _hosts.Get(pair / portCount);
        port = _ports[(int)(pair % portCount)];
        return true;
    }

    /// <summary>
    /// Applies the outcome of attempt <paramref name="attempt"/>: the port's result when decided; otherwise null, with
    /// <paramref name="attempt"/> advanced for a retransmission, or <paramref name="backOff"/> set to wait for a local shortage.
    /// </summary>
    private PortResult? Settle(HostState host, int port, ProbeOutcome outcome, ref int attempt, ref int backOffs, TimeSpan roundTrip, out TimeSpan backOff)
    {
        backOff = TimeSpan.Zero;
        Progress.OnProbe(retransmission: attempt > 0);
        switch (outcome.Action)
        {
            case ProbeAction.Decide:
                if (outcome.Answered)
                {
                    host.OnAnswer(roundTrip, attempt);
                }
                return new PortResult
                {
                    Address = host.Address,
                    Port = port,
                    State = outcome.State,
                    Reason = outcome.Reason,
                    RoundTrip = outcome.Answered ? roundTrip : null,
                };
            case ProbeAction.Retry:
                if (attempt >= host.AllowedRetries(_options.MaxRetries))
                {
                    return new PortResult { Address = host.Address, Port = port, State = PortState.Filtered, Reason = outcome.Reason };
                }
                attempt++;
                return null;
            default:
                if (++backOffs > MaxBackOffs)
                {
                    return new PortResult { Address = host.Address, Port = port, State = PortState.Filtered, Reason = outcome.Reason };
                }
                // Local shortage: let connections in flight finish and free their ports and descriptors.
                backOff = TimeSpan.FromMilliseconds(Math.Min(5 * backOffs, 100));
                return null;
        }
    }
}

/// <summary>What flows through the engine's channel: one result, or a pooled batch of them (fewer wake-ups of the reader).</summary>
/// <param name="Single">The result, when not a batch.</param>
/// <param name="Index">The permutation index of <paramref name="Single"/>.</param>
/// <param name="Batch">A batch rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>; the reader returns it.</param>
/// <param name="Indices">The permutation indices of <paramref name="Batch"/>, rented likewise.</param>
/// <param name="Count">Results in <paramref name="Batch"/>.</param>
internal readonly record struct ResultChunk(PortResult? Single, ulong Index, PortResult[]? Batch, ulong[]? Indices, int Count);

/// <summary>A decided port and its index in the scan's permutation of host × port pairs.</summary>
/// <param name="Index">The permutation index.</param>
/// <param name="Result">The result.</param>
internal readonly record struct IndexedResult(ulong Index, PortResult Result);
