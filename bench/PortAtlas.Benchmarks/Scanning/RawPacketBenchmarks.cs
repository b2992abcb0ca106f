using BenchmarkDotNet.Attributes;
using PortAtlas.Scanning.Packets;
using PortAtlas.Scanning.Raw;

namespace PortAtlas.Benchmarks.Scanning;

/// <summary>The raw engine's per-packet work: build a SYN with its cookie, and decode and validate a SYN-ACK. Both must allocate nothing.</summary>
[MemoryDiagnoser]
public class RawPacketBenchmarks
{
    private readonly byte[] _buffer = new byte[PacketBuilder.MaxProbeLength];
    private readonly byte[] _synAck = new byte[64];
    private readonly ProbeCookie _cookie = new(42);
    private readonly IpPair _pair = new(false, 0xC6120001, 0xC6120002);
    private int _synAckLength;
    private ushort _port;

    [GlobalSetup]
    public void Setup()
    {
        var cookie = _cookie.Compute(_pair.Source, _pair.Destination, 40000, 80, 6);
        _synAckLength = PacketBuilder.WriteTcp(_synAck, _pair.Reversed, 80, 40000, 777, cookie + 1, TcpFlags.Syn | TcpFlags.Ack, 65535);
    }

    [Benchmark]
    public int BuildSyn()
    {
        _port++;
        var cookie = _cookie.Compute(_pair.Source, _pair.Destination, 40000, _port, 6);
        return PacketBuilder.WriteTcp(_buffer, _pair, 40000, _port, cookie, 0, TcpFlags.Syn, 1024, [2, 4, 5, 0xB4]);
    }

    [Benchmark]
    public bool ParseAndValidateSynAck() =>
        ProbeReply.TryParse(_synAck.AsSpan(0, _synAckLength), out var reply)
        && reply.Cookie == _cookie.Compute(reply.Addresses.Source, reply.Addresses.Destination, reply.LocalPort, reply.RemotePort, reply.ProbeProtocol);
}
