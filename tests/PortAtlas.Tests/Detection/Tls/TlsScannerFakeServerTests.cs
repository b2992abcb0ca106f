using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using PortAtlas.Detection.Tls;

namespace PortAtlas.Tests.Detection.Tls;

/// <summary>
/// <see cref="TlsScanner"/>'s enumeration against a loopback TLS 1.2 server of our own that answers a ClientHello with
/// a bare ServerHello for the suite it picks, and refuses the way Dovecot does: it hangs up without an alert.
/// </summary>
public sealed class TlsScannerFakeServerTests
{
    private static readonly ushort[] s_suites = [0xC030, 0xC02F, 0x009C, 0x002F];

    [Fact]
    public async Task Enumerate_ServerHangsUpToRefuseAndKeepsItsOwnOrder_FindsItsSuitesInItsOrderWithFewConnections()
    {
        await using var server = FakeTlsServer.Start(s_suites, serverOrder: true);

        var info = await TlsScanner.ScanAsync(server.Endpoint, new TlsScanOptions { EnumerateCiphers = true, HelloTimeout = TimeSpan.FromSeconds(2) }, TestContext.Current.CancellationToken);

        Assert.Equal(["TLSv1.2"], info.AcceptedVersions);
        var list = Assert.Single(info.CipherSuites);
        Assert.Equal(s_suites.Select(c => TlsCipherSuite.ForCode(c).Name), list.Suites);
        Assert.True(list.ServerOrder);
        // Reading every hang-up as a pick the server could not finish would halve the ~150 TLS 1.2 suites down to
        // single ones: hundreds of connections. Recognising the refusal keeps it to a few dozen.
        Assert.InRange(server.Connections, 1, 60);
    }

    [Fact]
    public async Task Enumerate_ServerFollowsTheClientsOrder_FindsEverySuiteAndSaysTheOrderIsNotItsOwn()
    {
        await using var server = FakeTlsServer.Start(s_suites, serverOrder: false);

        var info = await TlsScanner.ScanAsync(server.Endpoint, new TlsScanOptions { EnumerateCiphers = true, HelloTimeout = TimeSpan.FromSeconds(2) }, TestContext.Current.CancellationToken);

        var list = Assert.Single(info.CipherSuites);
        Assert.Equal(s_suites.Select(c => TlsCipherSuite.ForCode(c).Name).Order(), list.Suites.Order());
        Assert.False(list.ServerOrder);
        Assert.InRange(server.Connections, 1, 60);
    }

    /// <summary>A TLS 1.2-only server on a loopback port that sends ServerHello + ServerHelloDone, nothing more.</summary>
    private sealed class FakeTlsServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private readonly ushort[] _suites;
        private readonly bool _serverOrder;
        private int _connections;

        private FakeTlsServer(ushort[] suites, bool serverOrder)
        {
            _suites = suites;
            _serverOrder = serverOrder;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _loop = Task.Run(AcceptAsync);
        }

        public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndpoint;

        public int Connections => Volatile.Read(ref _connections);

        public static FakeTlsServer Start(ushort[] suites, bool serverOrder) => new(suites, serverOrder);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    _ = Task.Run(() => ServeAsync(client));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // stopped
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    timeout.CancelAfter(TimeSpan.FromSeconds(5));
                    var stream = client.GetStream();
                    var header = new byte[5];
                    await stream.ReadExactlyAsync(header, timeout.Token);
                    var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(3))];
                    await stream.ReadExactlyAsync(body, timeout.Token);
                    if (Pick(body) is ushort suite)
                    {
                        byte[] hello = [3, 3, .. new byte[32], 0, (byte)(suite >> 8), (byte)suite, 0, 0, 0];
                        byte[] messages = [2, 0, 0, (byte)hello.Length, .. hello, 14, 0, 0, 0];
                        await stream.WriteAsync((byte[])[22, 3, 3, 0, (byte)messages.Length, .. messages], timeout.Token);
                    }
                    // Refusal, like Dovecot: hang up, no alert.
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or EndOfStreamException)
                {
                    // the scanner hung up first
                }
            }
        }

        // ClientHello: type(1) length(3) version(2) random(32) session id, cipher suites, compression, extensions.
        private ushort? Pick(ReadOnlySpan<byte> body)
        {
            if (body.Length < 4 + 2 + 32 + 1 || body[0] != 1 || BinaryPrimitives.ReadUInt16BigEndian(body[4..]) != 0x0303)
            {
                return null;
            }
            var at = 4 + 2 + 32;
            at += 1 + body[at];
            var suitesLength = BinaryPrimitives.ReadUInt16BigEndian(body[at..]);
            var offered = new List<ushort>();
            for (var i = 0; i < suitesLength; i += 2)
            {
                offered.Add(BinaryPrimitives.ReadUInt16BigEndian(body[(at + 2 + i)..]));
            }
            if (offered.Contains(0x1301) || offered.Contains(0x1302) || offered.Contains(0x1303))
            {
                return null; // a TLS 1.3 offer: this server speaks TLS 1.2 only
            }
            return _serverOrder
                ? _suites.Where(offered.Contains).Cast<ushort?>().FirstOrDefault()
                : offered.Where(_suites.Contains).Cast<ushort?>().FirstOrDefault();
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _stop.Dispose();
        }
    }
}
