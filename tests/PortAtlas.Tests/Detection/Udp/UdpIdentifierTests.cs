using System.Net;
using System.Net.Sockets;
using PortAtlas.Detection.Udp;

namespace PortAtlas.Tests.Detection.Udp;

/// <summary>Loopback tests: fake UDP servers on ephemeral ports of 127.0.0.1 answer as the real daemons do.</summary>
public class UdpIdentifierTests
{
    private static readonly UdpDetectionOptions s_fast = new() { RoundWait = TimeSpan.FromMilliseconds(400), PortTimeout = TimeSpan.FromSeconds(4) };

    /// <summary>A UDP server on 127.0.0.1 that answers each datagram with what <paramref name="answer"/> returns (null: silence).</summary>
    private sealed class FakeUdpServer : IAsyncDisposable
    {
        private readonly UdpClient _client = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public FakeUdpServer(Func<byte[], byte[]?> answer)
        {
            _loop = Task.Run(async () =>
            {
                // Bounded: at most 200 datagrams, and only until disposed.
                for (var i = 0; i < 200; i++)
                {
                    UdpReceiveResult received;
                    try
                    {
                        received = await _client.ReceiveAsync(_stop.Token);
                    }
                    catch (Exception)
                    {
                        return;
                    }
                    if (answer(received.Buffer) is { } reply)
                    {
                        await _client.SendAsync(reply, received.RemoteEndPoint, _stop.Token);
                    }
                }
            });
        }

        public IPEndPoint EndPoint => (IPEndPoint)_client.Client.LocalEndPoint!;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _client.Dispose();
            await _loop;
            _stop.Dispose();
        }
    }

    private static bool IsQuery(byte[] datagram, byte[] query) => datagram.AsSpan().SequenceEqual(query);

    [Fact]
    public async Task IdentifyAsync_DnsServerOnAHighPort_IsDomainWithItsProduct()
    {
        var versionBind = UdpProbesTests.Payload("dns-version.bind");
        await using var server = new FakeUdpServer(d => IsQuery(d, versionBind) ? UdpReplies.DnsTxt(d, "9.18.28-1~deb12u2-Debian") : null);

        var service = await new UdpIdentifier().IdentifyAsync(server.EndPoint, s_fast, TestContext.Current.CancellationToken);

        Assert.Equal(("domain", "ISC BIND", "9.18.28", "probe"), (service?.Name, service?.Product, service?.Version, service?.Method));
        Assert.Contains("version", service?.Evidence);
    }

    [Fact]
    public async Task IdentifyAsync_SnmpAgent_NamesNetSnmpAndTheOs()
    {
        await using var server = new FakeUdpServer(d => d.Length > 6 && d[4] == 3
            ? UdpReplies.SnmpV3Report(UdpProbes.SnmpV3MessageId, 8072)
            : d.Length > 6 && d[4] == 1 ? UdpReplies.SnmpSysDescr(UdpProbes.SnmpRequestId, "Linux host 6.1.0-18-amd64 #1 SMP x86_64") : null);

        var service = await new UdpIdentifier().IdentifyAsync(server.EndPoint, s_fast, TestContext.Current.CancellationToken);

        Assert.Equal(("snmp", "net-snmp", "Linux"), (service?.Name, service?.Product, service?.OperatingSystem));
        Assert.Contains("community public", service?.ExtraInfo);
        Assert.Contains("SNMPv3", service?.ExtraInfo);
    }

    [Fact]
    public async Task IdentifyAsync_SipServer_NamesAsteriskAndVersion()
    {
        await using var server = new FakeUdpServer(d => d.AsSpan().StartsWith("OPTIONS "u8) ? UdpReplies.Sip("Asterisk PBX 20.1.0") : null);

        var service = await new UdpIdentifier().IdentifyAsync(server.EndPoint, s_fast, TestContext.Current.CancellationToken);

        Assert.Equal(("sip", "Asterisk", "20.1.0"), (service?.Name, service?.Product, service?.Version));
        Assert.Equal(["cpe:/a:digium:asterisk:20.1.0"], service?.Cpe);
    }

    [Fact]
    public async Task IdentifyAsync_StunServer_NamesCoturn()
    {
        await using var server = new FakeUdpServer(d => d.Length == 20 && d[0] == 0 && d[1] == 1 ? UdpReplies.StunSuccess(d, "Coturn-4.6.1 'Gorst'") : null);

        var service = await new UdpIdentifier().IdentifyAsync(server.EndPoint, s_fast, TestContext.Current.CancellationToken);

        Assert.Equal(("stun", "coturn", "4.6.1"), (service?.Name, service?.Product, service?.Version));
    }

    [Fact]
    public async Task IdentifyAsync_NtpdAnsweringModes3And6_NamesNtpdAndStratum()
    {
        await using var server = new FakeUdpServer(d => d.Length == 48 && (d[0] & 7) == 3 ? UdpReplies.NtpServer(4, 3)
            : d.Length == 12 && (d[0] & 7) == 6 ? UdpReplies.NtpControl("version=\"ntpd 4.2.8p15@1.3728-o\", system=\"Linux/6.1.0\"") : null);

        var service = await new UdpIdentifier().IdentifyAsync(server.EndPoint, s_fast, TestContext.Current.CancellationToken);

        Assert.Equal(("ntp", "ntpd", "4.2.8p15"), (service?.Name, service?.Product, service?.Version));
        Assert.Contains("NTPv4, stratum 3", service?.ExtraInfo);
    }

    [Fact]
    public async Task IdentifyAsync_EchoServer_IsEcho()
    {
        await using var server = new FakeUdpServer(d => d);

        var service = await new UdpIdentifier().IdentifyAsync(server.EndPoint, s_fast, TestContext.Current.CancellationToken);

        Assert.Equal(("echo", "probe"), (service?.Name, service?.Method));
    }

    [Fact]
    public async Task IdentifyAsync_SilentPort_IsNullWithinTheBudget()
    {
        await using var server = new FakeUdpServer(_ => null);
        var started = DateTime.UtcNow;

        var service = await new UdpIdentifier().IdentifyAsync(server.EndPoint, s_fast, TestContext.Current.CancellationToken);

        Assert.Null(service);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, s_fast.PortTimeout + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task IdentifyAsync_ClosedPort_IsNullAtOnce()
    {
        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        }
        var identifier = new UdpIdentifier();
        var target = new IPEndPoint(IPAddress.Loopback, port);
        // The first call pays for JIT compilation; the second is timed.
        Assert.Null(await identifier.IdentifyAsync(target, s_fast, TestContext.Current.CancellationToken));
        var started = DateTime.UtcNow;

        var service = await identifier.IdentifyAsync(target, s_fast, TestContext.Current.CancellationToken);

        Assert.Null(service);
        // ICMP port unreachable ends the first round: no waiting for a reply.
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, s_fast.RoundWait);
    }

    [Fact]
    public async Task IdentifyAsync_UnreadableAnswer_KeepsItAsEvidenceWithTheRegistryName()
    {
        await using var server = new FakeUdpServer(_ => "\u0001\u0002hello"u8.ToArray());

        var service = await new UdpIdentifier().IdentifyAsync(server.EndPoint, s_fast, TestContext.Current.CancellationToken);

        Assert.Equal("registry", service?.Method);
        Assert.Equal("\\x01\\x02hello", service?.Evidence);
    }

    [Fact]
    public async Task IdentifyAsync_Stream_OpensAnsweringPortsAndPassesTcpThrough()
    {
        await using var server = new FakeUdpServer(d => d.AsSpan().StartsWith("OPTIONS "u8) ? UdpReplies.Sip("kamailio (5.6.3 (x86_64/linux))") : null);
        PortResult[] input =
        [
            new() { Address = IPAddress.Loopback, Port = server.EndPoint.Port, Protocol = Transport.Udp, State = PortState.OpenFiltered, Reason = "no-response" },
            new() { Address = IPAddress.Loopback, Port = 1, Protocol = Transport.Tcp, State = PortState.Open, Reason = "syn-ack" },
        ];

        var output = new List<PortResult>();
        await foreach (var result in new UdpIdentifier().IdentifyAsync(Stream(input), s_fast, TestContext.Current.CancellationToken))
        {
            output.Add(result);
        }

        Assert.Equal(2, output.Count);
        Assert.Same(input[1], output.Single(r => r.Protocol == Transport.Tcp));
        var udp = output.Single(r => r.Protocol == Transport.Udp);
        Assert.Equal((PortState.Open, "udp-response", "Kamailio", "5.6.3"), (udp.State, udp.Reason, udp.Service?.Product, udp.Service?.Version));
    }

    [Fact]
    public async Task ScanPortAsync_WithoutRawSockets_TellsOpenClosedAndOpenFiltered()
    {
        await using var sip = new FakeUdpServer(d => d.AsSpan().StartsWith("OPTIONS "u8) ? UdpReplies.Sip("OpenSIPS (3.4.2 (x86_64/linux))") : null);
        await using var silent = new FakeUdpServer(_ => null);
        int closedPort;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            closedPort = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        }
        var identifier = new UdpIdentifier();
        var token = TestContext.Current.CancellationToken;

        var open = await identifier.ScanPortAsync(IPAddress.Loopback, sip.EndPoint.Port, s_fast, token);
        var closed = await identifier.ScanPortAsync(IPAddress.Loopback, closedPort, s_fast, token);
        var quiet = await identifier.ScanPortAsync(IPAddress.Loopback, silent.EndPoint.Port, s_fast, token);

        Assert.Equal((PortState.Open, "udp-response", "OpenSIPS"), (open.State, open.Reason, open.Service?.Product));
        Assert.Equal((PortState.Closed, "port-unreach"), (closed.State, closed.Reason));
        Assert.Equal((PortState.OpenFiltered, "no-response", null), (quiet.State, quiet.Reason, quiet.Service));
    }

    private static async IAsyncEnumerable<PortResult> Stream(IEnumerable<PortResult> results)
    {
        foreach (var result in results)
        {
            await Task.Yield();
            yield return result;
        }
    }

    [Fact]
    public void Plan_RegistryPortGetsItsProtocolFirstAndGenericsExcludeIt()
    {
        var (likely, generic) = UdpSession.Plan(53, 10);

        Assert.Equal(["dns-version.bind", "dns-id.server", "dns-root-ns"], likely.Select(p => p.Name));
        Assert.DoesNotContain(generic, p => p.Name.StartsWith("dns", StringComparison.Ordinal));
        Assert.Equal(3, UdpSession.Plan(40000, 3).Generic.Count);
    }
}
