using System.Net;
using System.Net.Sockets;

namespace PortAtlas.IntegrationTests.Scanning;

/// <summary>Listeners of the test's own on loopback ports the kernel picks, each counting the connections it accepts.</summary>
internal sealed class LoopbackListeners : IDisposable
{
    private readonly List<Socket> _sockets = [];
    private readonly long[] _accepts;
    private readonly Task[] _loops;

    public LoopbackListeners(IPAddress address, int count)
        : this(address, Enumerable.Repeat(0, count).ToArray())
    {
    }

    /// <summary>Listeners on the given ports (0: the kernel picks).</summary>
    public LoopbackListeners(IPAddress address, int[] ports)
    {
        var count = ports.Length;
        for (var i = 0; i < count; i++)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, ports[i]));
            socket.Listen(64);
            _sockets.Add(socket);
        }
        _accepts = new long[count];
        _loops = [.. _sockets.Select((socket, i) => Task.Run(() => AcceptLoopAsync(socket, i)))];
        Ports = [.. _sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port)];
    }

    public IReadOnlyList<int> Ports { get; }

    public long AcceptsOn(int port) => Interlocked.Read(ref _accepts[Ports.ToList().IndexOf(port)]);

    private async Task AcceptLoopAsync(Socket listener, int index)
    {
        try
        {
            while (true)
            {
                using var accepted = await listener.AcceptAsync();
                Interlocked.Increment(ref _accepts[index]);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Disposed.
        }
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
        Task.WaitAll(_loops, TimeSpan.FromSeconds(5));
    }
}
