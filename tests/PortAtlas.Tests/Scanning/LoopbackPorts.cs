using System.Net;
using System.Net.Sockets;

namespace PortAtlas.Tests.Scanning;

/// <summary>Loopback ports a test holds for itself: open ones (listening) and closed ones (bound, not listening: a connect is refused).</summary>
internal sealed class LoopbackPorts : IDisposable
{
    private readonly List<TcpListener> _listeners = [];
    private readonly List<Socket> _bound = [];

    /// <summary>Opens <paramref name="open"/> listeners and holds <paramref name="closed"/> ports bound without listening.</summary>
    public (List<int> Open, List<int> Closed) Take(int open, int closed)
    {
        var openPorts = new List<int>();
        for (var i = 0; i < open; i++)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start(512);
            _listeners.Add(listener);
            openPorts.Add(((IPEndPoint)listener.LocalEndpoint).Port);
        }
        var closedPorts = new List<int>();
        for (var i = 0; i < closed; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _bound.Add(socket);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            closedPorts.Add(((IPEndPoint)socket.LocalEndPoint!).Port);
        }
        return (openPorts, closedPorts);
    }

    public void Dispose()
    {
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }
        foreach (var socket in _bound)
        {
            socket.Dispose();
        }
    }
}
