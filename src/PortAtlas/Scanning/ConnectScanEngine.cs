using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using PortAtlas.Targets;

namespace PortAtlas.Scanning;

/// <summary>
/// The TCP connect scan: a fixed pool of workers walks a seeded permutation of host × port indices, each worker making
/// one connection attempt at a time with a pooled <see cref="ConnectProbe"/>, under a shared rate ceiling, with per-host
/// adaptive timeouts and retransmissions. Decided ports flow out through a bounded channel.
/// </summary>
internal sealed class ConnectScanEngine
{
    private const int ChannelCapacity = 4096;
    private const int MaxBackOffs = 200;
    private static readonly LingerOption s_reset = new(enable: true, seconds: 0);

    private readonly ScanOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly int[] _ports;
    private readonly ulong _total;
    private readonly IndexPermutation? _permutation;
    private readonly HostTable _hosts;
    private readonly ProbeRateLimiter? _rateLimiter;
    private readonly Channel<PortResult> _channel;
    private readonly int _workers;
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
            _permutation = new IndexPermutation(_total, seed);
        }
        if (options.Rate is { } rate)
        {
            // Allow 10 ms worth of probes at once: smooth at low rates, no lock-step at high ones.
            _rateLimiter = new ProbeRateLimiter(rate, _timeProvider, burst: (int)Math.Clamp(rate / 100, 1, 1000));
        }
        _workers = (int)Math.Min((ulong)options.ResolveConcurrency(), Math.Max(_total, 1));
        _channel = Channel.CreateBounded<PortResult>(new BoundedChannelOptions(ChannelCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Progress = new ScanProgress((long)_total, _timeProvider);
    }

    public ScanProgress Progress { get; }

    /// <summary>Hosts given up on because of the host timeout.</summary>
    public IEnumerable<IPAddress> TimedOutHosts => _hosts.Created.Where(h => h.TimedOut).Select(h => h.Address);

    /// <summary>Runs the scan and yields each decided port. Cancelling stops new probes, yields what was decided, then throws <see cref="OperationCanceledException"/>.</summary>
    public async IAsyncEnumerable<PortResult> StreamAsync([EnumeratorCancellation] CancellationToken cancellationToken)
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
                while (reader.TryRead(out var result))
                {
                    yield return result;
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
                var workers = new Task[_workers];
                for (var i = 0; i < workers.Length; i++)
                {
                    workers[i] = Task.Run(() => WorkerAsync(stop, abandon), CancellationToken.None);
                }
                await Task.WhenAll(workers).ConfigureAwait(false);
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

    private async Task WorkerAsync(CancellationTokenSource stop, CancellationToken abandon)
    {
        using var probe = new ConnectProbe(_timeProvider);
        using var registration = stop.Token.UnsafeRegister(static s => ((ConnectProbe)s!).Abort(), probe);
        var endpoint = new IPEndPoint(IPAddress.Any, 0);
        var portCount = (ulong)_ports.Length;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var index = (ulong)Interlocked.Increment(ref _next) - 1;
                if (index >= _total)
                {
                    return;
                }
                var pair = _permutation!.Map(index);
                var host = _hosts.Get(pair / portCount);
                endpoint.Address = host.Address;
                endpoint.Port = _ports[(int)(pair % portCount)];
                var result = await ProbeAsync(probe, host, endpoint, stop.Token).ConfigureAwait(false);
                if (result is null)
                {
                    if (!stop.IsCancellationRequested)
                    {
                        Progress.OnSkipped();
                    }
                    continue;
                }
                Progress.OnDecided(result.State);
                await _channel.Writer.WriteAsync(result, abandon).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested || abandon.IsCancellationRequested)
        {
            // Stopping: the probe in hand is undecided and not reported.
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Decides one port, retransmitting as needed; null when its host timed out or the scan is stopping.</summary>
    private async ValueTask<PortResult?> ProbeAsync(ConnectProbe probe, HostState host, IPEndPoint endpoint, CancellationToken stop)
    {
        var backOffs = 0;
        var attempt = 0;
        while (true)
        {
            if (host.CheckTimeout(_options.HostTimeout, _timeProvider))
            {
                return null;
            }
            if (_rateLimiter is not null)
            {
                await _rateLimiter.WaitAsync(stop).ConfigureAwait(false);
            }
            var outcome = await AttemptAsync(probe, endpoint, host.Timeout(_options, attempt)).ConfigureAwait(false);
            if (probe.Aborted)
            {
                return null;
            }
            Progress.OnProbe(retransmission: attempt > 0);
            switch (outcome.Action)
            {
                case ProbeAction.Decide:
                    TimeSpan? roundTrip = null;
                    if (outcome.Answered)
                    {
                        roundTrip = _timeProvider.GetElapsedTime(probe.StartedAt, probe.CompletedAt);
                        host.OnAnswer(roundTrip.Value, attempt);
                    }
                    return new PortResult
                    {
                        Address = host.Address,
                        Port = endpoint.Port,
                        State = outcome.State,
                        Reason = outcome.Reason,
                        RoundTrip = roundTrip,
                    };
                case ProbeAction.Retry:
                    if (attempt >= host.AllowedRetries(_options.MaxRetries))
                    {
                        return new PortResult { Address = host.Address, Port = endpoint.Port, State = PortState.Filtered, Reason = "no-response" };
                    }
                    attempt++;
                    break;
                default:
                    if (++backOffs > MaxBackOffs)
                    {
                        return new PortResult { Address = host.Address, Port = endpoint.Port, State = PortState.Filtered, Reason = outcome.Reason };
                    }
                    // Local shortage: let connections in flight finish and free their ports and descriptors.
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5 * backOffs, 100)), _timeProvider, stop).ConfigureAwait(false);
                    break;
            }
        }
    }

    private async ValueTask<ProbeOutcome> AttemptAsync(ConnectProbe probe, IPEndPoint endpoint, TimeSpan timeout)
    {
        Socket socket;
        try
        {
            socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        }
        catch (SocketException ex)
        {
            return ProbeOutcome.Classify(ex.SocketErrorCode) is { Action: ProbeAction.BackOff } backOff
                ? backOff
                : throw new InvalidOperationException($"Cannot create a TCP socket: {ex.Message}", ex);
        }
        try
        {
            var error = await probe.ConnectAsync(socket, endpoint, timeout).ConfigureAwait(false);
            if (probe.TimedOut)
            {
                return ProbeOutcome.NoResponse;
            }
            if (error != SocketError.Success)
            {
                return ProbeOutcome.Classify(error);
            }
            // A connect to an unbound port of our own address in the ephemeral range can meet itself (TCP simultaneous
            // open, RFC 793 3.4): the kernel chose the target port as the local port. Nothing listens there.
            if (socket.LocalEndPoint is IPEndPoint local && local.Port == endpoint.Port && local.Address.Equals(endpoint.Address))
            {
                return ProbeOutcome.SelfConnect;
            }
            if (_options.ResetOpenConnections)
            {
                socket.LingerState = s_reset;
            }
            return ProbeOutcome.Classify(SocketError.Success);
        }
        catch (ObjectDisposedException)
        {
            // The timer or Abort closed the socket just as the connect completed.
            return ProbeOutcome.NoResponse;
        }
        finally
        {
            socket.Dispose();
        }
    }
}
