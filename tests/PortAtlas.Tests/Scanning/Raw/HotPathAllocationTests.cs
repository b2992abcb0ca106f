using PortAtlas.Detection.Udp;
using PortAtlas.Scanning.Packets;
using PortAtlas.Scanning.Raw;

namespace PortAtlas.Tests.Scanning.Raw;

public sealed class HotPathAllocationTests
{
    [Fact]
    public void BuildingProbesAndValidatingAnswers_AllocatesNothing()
    {
        var buffer = new byte[PacketBuilder.MaxProbeLength];
        var cookie = new ProbeCookie(1);
        var v4 = new IpPair(false, 0xC6120001, 0xC6120002);
        var v6 = new IpPair(true, 1, 1);
        Run(10);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var valid = Run(10_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(40_000, valid);

        int Run(int count)
        {
            var ok = 0;
            for (var i = 0; i < count; i++)
            {
                foreach (var pair in (ReadOnlySpan<IpPair>)[v4, v6])
                {
                    var port = (ushort)(i + 1);
                    var seq = cookie.Compute(pair.Source, pair.Destination, 40000, port, IpPacket.Tcp);
                    PacketBuilder.WriteTcp(buffer, pair, 40000, port, seq, 0, TcpFlags.Syn, 1024, [2, 4, 5, 0xB4]);
                    // The target's answer, parsed and validated as the receive thread does.
                    var length = PacketBuilder.WriteTcp(buffer, pair.Reversed, port, 40000, 9, seq + 1, TcpFlags.Syn | TcpFlags.Ack, 65535);
                    if (ProbeReply.TryParse(buffer.AsSpan(0, length), out var reply)
                        && reply.Cookie == cookie.Compute(reply.Addresses.Source, reply.Addresses.Destination, reply.LocalPort, reply.RemotePort, reply.ProbeProtocol))
                    {
                        ok++;
                    }
                    length = PacketBuilder.WriteUdp(buffer, pair, 40000, 53, UdpPayloads.For(53));
                    ok += ProbeReply.TryParse(buffer.AsSpan(0, length), out _) ? 1 : 0;
                }
            }
            return ok;
        }
    }
}
