using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PortAtlas.Scanning.Packets;

namespace PortAtlas.Tests.Scanning.Packets;

public sealed class PacketRoundTripTests
{
    private static readonly Gen<IpPair> s_pairs =
        Gen.Elements(false, true).SelectMany(v6 => Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Choose(0, int.MaxValue)), (v6, a) =>
            v6 ? new IpPair(true, ((UInt128)(uint)a.Item1 << 96) | (uint)a.Item2, ((UInt128)(uint)a.Item2 << 64) | 1)
               : new IpPair(false, (uint)a.Item1, (uint)a.Item2 | 0x8000_0000u));

    [Property(MaxTest = 300)]
    public Property Tcp_BuiltThenParsedAsTheAnswer_GivesBackPortsCookieAndFlags() =>
        Prop.ForAll(s_pairs.ToArbitrary(), Gen.Zip(Gen.Choose(1, 65535), Gen.Choose(1, 65535), (s, d) => (s, d)).SelectMany(_ => Gen.Choose(int.MinValue, int.MaxValue), (p, c) => (Sport: p.s, Dport: p.d, Cookie: c)).ToArbitrary(), (pair, t) =>
        {
            var (sport, dport, cookie) = (t.Sport, t.Dport, t.Cookie);
            // The target's SYN-ACK: from the target to us, acknowledging our sequence number + 1.
            var buffer = new byte[PacketBuilder.MaxProbeLength];
            var length = PacketBuilder.WriteTcp(buffer, pair.Reversed, (ushort)dport, (ushort)sport, 12345, (uint)cookie + 1, TcpFlags.Syn | TcpFlags.Ack, 65535, [2, 4, 5, 0xB4]);
            var ok = ProbeReply.TryParse(buffer.AsSpan(0, length), out var reply);
            return ok && reply.Kind == ReplyKind.TcpSynAck && reply.Addresses == pair && reply.LocalPort == sport
                && reply.RemotePort == dport && reply.Cookie == (uint)cookie && TransportChecksumIsValid(buffer.AsSpan(0, length));
        });

    [Property(MaxTest = 300)]
    public Property Udp_BuiltThenParsed_KeepsPortsAndPayload(byte[] payload) =>
        Prop.ForAll(s_pairs.ToArbitrary(), pair =>
        {
            payload ??= [];
            if (payload.Length > 512)
            {
                payload = payload[..512];
            }
            var buffer = new byte[PacketBuilder.MaxProbeLength];
            var length = PacketBuilder.WriteUdp(buffer, pair, 40000, 53, payload);
            if (!IpPacket.TryParse(buffer.AsSpan(0, length), out var ip) || !UdpHeader.TryParse(buffer.AsSpan(ip.PayloadOffset), out var udp))
            {
                return false;
            }
            return ip.Addresses == pair && ip.Protocol == IpPacket.Udp && udp.SourcePort == 40000 && udp.DestinationPort == 53
                && udp.Length == 8 + payload.Length && buffer.AsSpan(ip.PayloadOffset + 8, payload.Length).SequenceEqual(payload)
                && TransportChecksumIsValid(buffer.AsSpan(0, length));
        });

    [Property(MaxTest = 200)]
    public Property SctpInit_BuiltThenParsed_KeepsTheTagAndChecksum() =>
        Prop.ForAll(s_pairs.ToArbitrary(), Gen.Choose(1, int.MaxValue).ToArbitrary(), (pair, tag) =>
        {
            var buffer = new byte[PacketBuilder.MaxProbeLength];
            var length = PacketBuilder.WriteSctpInit(buffer, pair, 40000, 2905, (uint)tag, 1);
            if (!IpPacket.TryParse(buffer.AsSpan(0, length), out var ip) || !SctpHeader.TryParse(buffer.AsSpan(ip.PayloadOffset, ip.PayloadLength), out var sctp))
            {
                return false;
            }
            return sctp.ChunkType == SctpChunkType.Init && sctp.InitiateTag == (uint)tag && sctp.VerificationTag == 0
                && Crc32C.VerifySctpChecksum(buffer.AsSpan(ip.PayloadOffset, ip.PayloadLength));
        });

    [Fact]
    public void Ipv4Header_Written_HasAValidChecksumAndParses()
    {
        var buffer = new byte[20];
        IPv4Header.Write(buffer, 0xC6120001, 0xC6120002, 6, 20, 0x1234);

        Assert.Equal(0, InternetChecksum.Compute(buffer));
        Assert.True(IPv4Header.TryParse(buffer, out var header));
        Assert.Equal((0xC6120001u, 0xC6120002u, (byte)6, (ushort)40), (header.Source, header.Destination, header.Protocol, header.TotalLength));
    }

    [Fact]
    public void Unreachable_QuotingOurSyn_GivesBackTheProbe()
    {
        var probe = new IpPair(false, 0xC6120001, 0xC6120002);
        var syn = new byte[60];
        var synLength = PacketBuilder.WriteTcp(syn, probe, 41000, 8020, 0xCAFEBABE, 0, TcpFlags.Syn, 1024);
        // The target's ICMP port unreachable (type 3 code 3) quoting the SYN.
        var icmp = new byte[8 + synLength];
        IcmpHeader.Write(icmp, 3, 3, 0, 0);
        syn.AsSpan(0, synLength).CopyTo(icmp.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), InternetChecksum.Compute(icmp));
        var packet = new byte[20 + icmp.Length];
        IPv4Header.Write(packet, 0xC6120002, 0xC6120001, IpPacket.Icmp, icmp.Length, 1);
        icmp.CopyTo(packet, 20);

        Assert.True(ProbeReply.TryParse(packet, out var reply));
        Assert.Equal(ReplyKind.Unreachable, reply.Kind);
        Assert.Equal(probe, reply.Addresses);
        Assert.Equal((41000, 8020, 0xCAFEBABEu, (byte)3), (reply.LocalPort, reply.RemotePort, reply.Cookie, reply.IcmpCode));
    }

    [Fact]
    public void EchoRequestV6_HasAValidIcmpv6Checksum()
    {
        var pair = new IpPair(true, UInt128.One, UInt128.One);
        var buffer = new byte[64];
        var length = PacketBuilder.WriteEchoRequest(buffer, pair, 0x1234, 0x5678);

        Assert.True(IpPacket.TryParse(buffer.AsSpan(0, length), out var ip));
        Assert.Equal(IpPacket.IcmpV6, ip.Protocol);
        Assert.True(TransportChecksumIsValid(buffer.AsSpan(0, length)));
    }

    [Fact]
    public void Arp_WrittenThenParsed_RoundTrips()
    {
        var arp = new ArpPacket(ArpPacket.Request, 0x02_50_41_00_00_01, 0xC6120001, 0, 0xC6120002);
        var buffer = new byte[ArpPacket.Length];
        arp.Write(buffer);

        Assert.True(ArpPacket.TryParse(buffer, out var parsed));
        Assert.Equal(arp, parsed);
    }

    private static bool TransportChecksumIsValid(ReadOnlySpan<byte> packet)
    {
        IpPacket.TryParse(packet, out var ip);
        var segment = packet.Slice(ip.PayloadOffset, ip.PayloadLength);
        var sum = ip.Addresses.IsIPv6
            ? InternetChecksum.PseudoHeaderV6(ip.Addresses.Source, ip.Addresses.Destination, ip.Protocol, segment.Length)
            : InternetChecksum.PseudoHeaderV4((uint)ip.Addresses.Source, (uint)ip.Addresses.Destination, ip.Protocol, segment.Length);
        return InternetChecksum.Finish(InternetChecksum.Add(segment, sum)) == 0;
    }
}
