using System.Net;
using System.Net.Sockets;

namespace PortAtlas.Tests.Detection;

/// <summary>
/// A loopback TCP server on its own random port of 127.0.0.1, running a handler per connection. Accepts at most
/// <see cref="MaxConnections"/> connections and stops on dispose; handlers get a token cancelled on dispose.
/// </summary>
internal sealed class FakeServer : IAsyncDisposable
{
    private const int MaxConnections = 64;

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<Task> _handlers = [];
    private int _active;
    private int _maxActive;
    private int _accepted;

    public FakeServer(Func<NetworkStream, CancellationToken, Task> handler)
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _loop = AcceptLoopAsync(handler);
    }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, ((IPEndPoint)_listener.LocalEndpoint).Port);

    public int Port => EndPoint.Port;

    public int Accepted => Volatile.Read(ref _accepted);

    public int MaxActive => Volatile.Read(ref _maxActive);

    /// <summary>Shared counters across servers, to observe concurrency from the outside.</summary>
    public ConcurrencyProbe? Probe { get; init; }

    private async Task AcceptLoopAsync(Func<NetworkStream, CancellationToken, Task> handler)
    {
        await Task.Yield();
        while (!_stop.IsCancellationRequested && _accepted < MaxConnections)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            lock (_handlers)
            {
                _handlers.Add(RunAsync(socket, handler));
            }
        }
    }

    private async Task RunAsync(Socket socket, Func<NetworkStream, CancellationToken, Task> handler)
    {
        var now = Interlocked.Increment(ref _active);
        InterlockedMax(ref _maxActive, now);
        Probe?.Enter();
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: true);
            await handler(stream, _stop.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // The detector hung up or the test ended: both are normal for a fake.
        }
        finally
        {
            Probe?.Exit();
            Interlocked.Decrement(ref _active);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        Task[] handlers;
        lock (_handlers)
        {
            handlers = [.. _handlers];
        }
        await Task.WhenAll(handlers).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    /// <summary>Reads until <paramref name="terminator"/> has been seen or the peer closes; returns what was read (at most 64 KiB).</summary>
    public static async Task<byte[]> ReadUntilAsync(Stream stream, byte[] terminator, CancellationToken cancellationToken)
    {
        var buffer = new byte[65536];
        var length = 0;
        while (length < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (n == 0)
            {
                break;
            }
            length += n;
            if (buffer.AsSpan(0, length).IndexOf(terminator) >= 0)
            {
                break;
            }
        }
        return buffer[..length];
    }

    /// <summary>Waits until the peer closes (or the server stops), discarding what it sends.</summary>
    public static async Task DrainAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (await stream.ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }
}

/// <summary>Counts connections open at once across several fake servers.</summary>
internal sealed class ConcurrencyProbe
{
    private int _active;
    private int _max;

    public int Max => Volatile.Read(ref _max);

    public void Enter()
    {
        var now = Interlocked.Increment(ref _active);
        int current;
        while ((current = Volatile.Read(ref _max)) < now && Interlocked.CompareExchange(ref _max, now, current) != current)
        {
        }
    }

    public void Exit() => Interlocked.Decrement(ref _active);
}
