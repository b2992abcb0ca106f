using System.Net;
using System.Net.Sockets;

namespace PortAtlas.Scanning;

/// <summary>The portable mechanism: async workers, each with one pooled <see cref="ConnectProbe"/> and one attempt in flight.</summary>
internal sealed partial class ConnectScanEngine
{
    private static readonly LingerOption s_reset = new(enable: true, seconds: 0);

    private async Task RunSocketWorkersAsync(CancellationTokenSource stop, CancellationToken abandon)
    {
        var workers = new Task[_workers];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(() => WorkerAsync(stop, abandon), CancellationToken.None);
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private async Task WorkerAsync(CancellationTokenSource stop, CancellationToken abandon)
    {
        using var probe = new ConnectProbe(_timeProvider);
        using var registration = stop.Token.UnsafeRegister(static s => ((ConnectProbe)s!).Abort(), probe);
        var endpoint = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            while (!stop.IsCancellationRequested && TryTakeNext(out var host, out var port, out var index))
            {
                endpoint.Address = host.Address;
                endpoint.Port = port;
                var result = await ProbeAsync(probe, host, endpoint, stop.Token).ConfigureAwait(false);
                if (result is null)
                {
                    if (!stop.IsCancellationRequested)
                    {
                        Progress.OnSkipped(index);
                    }
                    continue;
                }
                Progress.OnDecided(result.State);
                await _channel.Writer.WriteAsync(new ResultChunk(result, index, null, null, 1), abandon).ConfigureAwait(false);
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
            var roundTrip = _timeProvider.GetElapsedTime(probe.StartedAt, probe.CompletedAt);
            if (Settle(host, endpoint.Port, outcome, ref attempt, ref backOffs, roundTrip, out var backOff) is { } result)
            {
                return result;
            }
            if (backOff > TimeSpan.Zero)
            {
                await Task.Delay(backOff, _timeProvider, stop).ConfigureAwait(false);
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
