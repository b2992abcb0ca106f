using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PortAtlas.Scanning.Packets;

namespace PortAtlas.Tests.Scanning.Packets;

public sealed class HostilePacketTests
{
    [Property(MaxTest = 2000)]
    public bool TryParse_RandomBytes_NeverThrows(byte[] data)
    {
        data ??= [];
        ProbeReply.TryParse(data, out _);
        IpPacket.TryParse(data, out _);
        IPv4Header.TryParse(data, out _);
        IPv6Header.TryParse(data, out _);
        IPv6Header.TryFindUpperLayer(data, out _, out _);
        TcpHeader.TryParse(data, out _);
        UdpHeader.TryParse(data, out _);
        SctpHeader.TryParse(data, out _);
        IcmpHeader.TryParse(data, out _);
        ArpPacket.TryParse(data, out _);
        Crc32C.VerifySctpChecksum(data);
        return true;
    }

    [Property(MaxTest = 500)]
    public Property TryParse_RandomBytesBehindAPlausibleHeader_NeverThrows() =>
        Prop.ForAll(Gen.Elements<byte>(0x45, 0x46, 0x4F, 0x60).ToArbitrary(), Gen.Elements<byte>(1, 6, 17, 58, 132, 0, 43, 44, 60).ToArbitrary(), ArbMap.Default.ArbFor<byte[]>(), (first, protocol, rest) =>
        {
            rest ??= [];
            var data = new byte[Math.Max(40, rest.Length + 40)];
            data[0] = first;
            data[6] = protocol;
            data[9] = protocol;
            rest.CopyTo(data, 20);
            ProbeReply.TryParse(data, out _);
            return true;
        });

    [Fact]
    public void TryParse_EveryTruncationOfValidPackets_NeverThrowsAndNeverReadsPastTheEnd()
    {
        var packets = new List<byte[]>();
        foreach (var v6 in new[] { false, true })
        {
            var pair = v6 ? new IpPair(true, 1, 1) : new IpPair(false, 0x7F000001, 0x7F000001);
            var buffer = new byte[PacketBuilder.MaxProbeLength];
            packets.Add(buffer[..PacketBuilder.WriteTcp(buffer, pair, 1, 2, 3, 4, TcpFlags.Syn | TcpFlags.Ack, 5)]);
            packets.Add(buffer[..PacketBuilder.WriteUdp(buffer, pair, 1, 2, "payload"u8)]);
            packets.Add(buffer[..PacketBuilder.WriteSctpInit(buffer, pair, 1, 2, 3, 4)]);
            packets.Add(buffer[..PacketBuilder.WriteEchoRequest(buffer, pair, 1, 2)]);
        }
        foreach (var packet in packets)
        {
            for (var length = 0; length <= packet.Length; length++)
            {
                // A copy of exactly that length: reading past it would throw.
                var truncated = packet[..length];
                ProbeReply.TryParse(truncated, out _);
                IpPacket.TryParse(truncated, out _);
            }
        }
    }

    [Fact]
    public void TryParse_Ipv4HeaderLengthBeyondTheData_IsRefused()
    {
        var data = new byte[20];
        data[0] = 0x4F;
        data[3] = 20;

        Assert.False(IPv4Header.TryParse(data, out _));
    }

    [Fact]
    public void TryParse_TcpDataOffsetBelowFive_IsRefused()
    {
        var data = new byte[20];
        data[12] = 0x40;

        Assert.False(TcpHeader.TryParse(data, out _));
    }

    [Fact]
    public void TryParse_NonFirstIpv4Fragment_IsRefused()
    {
        var buffer = new byte[60];
        var length = PacketBuilder.WriteTcp(buffer, new IpPair(false, 1, 2), 1, 2, 3, 4, TcpFlags.Rst, 0);
        buffer[7] = 1;

        Assert.False(ProbeReply.TryParse(buffer.AsSpan(0, length), out _));
    }
}
