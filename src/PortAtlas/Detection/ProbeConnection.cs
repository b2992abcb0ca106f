using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace PortAtlas.Detection;

/// <summary>How one read of an answer ended.</summary>
internal enum ReadEnd : byte
{
    /// <summary>The protocol's framing says the answer is whole.</summary>
    Complete,
    /// <summary>Nothing came, or nothing more came within the idle gap.</summary>
    Quiet,
    /// <summary>The peer closed or reset the connection.</summary>
    Closed,
    /// <summary>The answer filled the buffer.</summary>
    Full,
}

/// <summary>
/// One TCP connection to the port under test, plain or TLS. A read that outlives its wait is left pending rather
/// than cancelled (a cancelled SslStream read may not be resumed), and the next read picks it up; disposing the
/// connection ends it.
/// </summary>
internal sealed class ProbeConnection : IAsyncDisposable
{
    private const int ChunkSize = 4096;

    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private readonly TimeProvider _time;
    private byte[]? _chunk;
    private Stream _stream;
    private Task<int>? _pending;
    private CancellationTokenSource _readCancel = new();

    private ProbeConnection(Socket socket, TimeProvider time, TimeSpan connectTime)
    {
        _socket = socket;
        _network = new NetworkStream(socket, ownsSocket: false);
        _stream = _network;
        _time = time;
        _chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        ConnectTime = connectTime;
    }

    /// <summary>Time the TCP handshake took: a round-trip estimate.</summary>
    public TimeSpan ConnectTime { get; }

    /// <summary>The TLS session, once <see cref="StartTlsAsync"/> succeeded.</summary>
    public SslStream? Tls { get; private set; }

    /// <summary>The peer closed or reset the connection.</summary>
    public bool Closed { get; private set; }

    /// <summary>Bytes were sent on this connection.</summary>
    public bool Used { get; private set; }

    /// <summary>
    /// Connects, or returns null when the port refuses, stays silent past the timeout, or the socket connected to
    /// itself. <c>HungUp</c> is true when the service accepted and reset the connection at once (nmap's "tcpwrapped").
    /// </summary>
    public static async Task<(ProbeConnection? Connection, bool HungUp)> ConnectAsync(IPEndPoint endpoint, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var started = time.GetTimestamp();
        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await socket.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
            // A connect to a port in the ephemeral range can meet its own socket on loopback (PEERS.md): not a service.
            if (IsSelfConnected(socket))
            {
                socket.Dispose();
                return (null, false);
            }
            return (new ProbeConnection(socket, time, time.GetElapsedTime(started)), false);
        }
        catch (IOException) when (!socket.Connected)
        {
            // Reset between the connect and the stream's creation (NetworkStream refuses a socket no longer connected):
            // the service hung up at once, as below.
            socket.Dispose();
            return (null, true);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
        {
            // The handshake completed and the service hung up before the connect was reported.
            socket.Dispose();
            return (null, true);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            return (null, false);
        }
    }

    private static bool IsSelfConnected(Socket socket)
    {
        try
        {
            return Equals(socket.LocalEndPoint, socket.RemoteEndPoint);
        }
        catch (SocketException)
        {
            // Reset right after the handshake: a service that hangs up, not a self-connect; reads will see the close.
            return false;
        }
    }

    /// <summary>Sends bytes; false when the peer is gone.</summary>
    public async Task<bool> SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        Used = true;
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Closed = true;
            return false;
        }
    }

    /// <summary>
    /// Reads one answer into <paramref name="answer"/>: waits up to <paramref name="firstByte"/> for the first byte,
    /// then reads until the framing says complete, the peer closes, the buffer fills, <paramref name="idleGap"/>
    /// passes in silence, or <paramref name="firstByte"/> plus <paramref name="longest"/> has passed in all (a trickle).
    /// </summary>
    public async Task<ReadEnd> ReadAnswerAsync(AnswerBuffer answer, TimeSpan firstByte, TimeSpan idleGap, TimeSpan longest, Framing framing, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var initial = answer.Length;
        while (true)
        {
            if (Closed)
            {
                return ReadEnd.Closed;
            }
            var elapsed = _time.GetElapsedTime(started);
            var wait = answer.Length == initial ? firstByte - elapsed : Min(idleGap, firstByte + longest - elapsed);
            if (wait <= TimeSpan.Zero && (_pending is null || !_pending.IsCompleted))
            {
                return ReadEnd.Quiet;
            }
            _pending ??= StartRead();
            if (!await CompletesWithinAsync(_pending, wait, cancellationToken).ConfigureAwait(false))
            {
                return ReadEnd.Quiet;
            }
            int count;
            try
            {
                count = await _pending.ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                count = 0;
            }
            _pending = null;
            if (count <= 0)
            {
                Closed = true;
                return ReadEnd.Closed;
            }
            answer.Append(Chunk.AsSpan(0, count));
            if (answer.IsFull)
            {
                return ReadEnd.Full;
            }
            if (framing(answer.Span[initial..]))
            {
                return ReadEnd.Complete;
            }
        }
    }

    /// <summary>
    /// Upgrades to TLS: ends a pending plain read (a socket read cancels cleanly), then handshakes.
    /// Returns false, leaving the connection unusable, when the handshake fails or times out;
    /// true with <paramref name="early"/> > 0 if the service spoke before the handshake could begin.
    /// </summary>
    public async Task<(bool Ok, int Early)> StartTlsAsync(SslClientAuthenticationOptions options, TimeSpan timeout, AnswerBuffer early, CancellationToken cancellationToken)
    {
        if (_pending is not null)
        {
            await _readCancel.CancelAsync().ConfigureAwait(false);
            int count;
            try
            {
                count = await _pending.ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                count = -1;
            }
            _pending = null;
            _readCancel.Dispose();
            _readCancel = new CancellationTokenSource();
            if (count > 0)
            {
                early.Append(Chunk.AsSpan(0, count));
                return (false, count);
            }
            if (count == 0)
            {
                Closed = true;
                return (false, 0);
            }
        }
        Used = true;
        var tls = new SslStream(_network, leaveInnerStreamOpen: true);
        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await tls.AuthenticateAsClientAsync(options, linked.Token).ConfigureAwait(false);
            Tls = tls;
            _stream = tls;
            return (true, 0);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException or InvalidOperationException or ArgumentException)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            Closed = true;
            cancellationToken.ThrowIfCancellationRequested();
            return (false, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer: nothing to shut down.
        }
        catch (ObjectDisposedException)
        {
            // Disposed twice.
        }
        _socket.Dispose();
        if (Tls is not null)
        {
            try
            {
                await Tls.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
                // The socket is gone; the TLS state goes with it.
            }
        }
        await _network.DisposeAsync().ConfigureAwait(false);
        if (_pending is not null)
        {
            // Closing the socket ends the pending read; wait for it so the chunk is not returned while in use.
            try
            {
                await _pending.ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                // Expected: the read was ended by the close.
            }
        }
        _readCancel.Dispose();
        if (_chunk is byte[] chunk)
        {
            _chunk = null;
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private byte[] Chunk => _chunk ?? throw new ObjectDisposedException(nameof(ProbeConnection));

    private Task<int> StartRead() => _stream.ReadAsync(Chunk.AsMemory(0, ChunkSize), _readCancel.Token).AsTask();

    /// <summary>True when <paramref name="task"/> finished within <paramref name="timeout"/>; a timeout is an answer, not an exception.</summary>
    private async Task<bool> CompletesWithinAsync(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (task.IsCompleted)
        {
            return true;
        }
        if (timeout <= TimeSpan.Zero)
        {
            return false;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, _time, stop.Token);
        var first = await Task.WhenAny(task, delay).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return first == task;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
