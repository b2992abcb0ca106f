using System.Buffers.Binary;

namespace PortAtlas.Scanning.Packets;

/// <summary>
/// Writes whole probe packets, IP header first, into a caller's buffer with every checksum filled in. Nothing here
/// allocates: the send loop builds packets straight into its pooled batch buffers.
/// </summary>
internal static class PacketBuilder
{
    /// <summary>Room enough for any probe this type writes (IPv6 header, SCTP INIT or a UDP payload up to 512 bytes).</summary>
    public const int MaxProbeLength = IPv6Header.Length + UdpHeader.HeaderLength + 512;

    /// <summary>Writes a TCP segment without data; returns the packet length.</summary>
    /// <param name="destination">The buffer.</param>
    /// <param name="addresses">Family, source and destination.</param>
    /// <param name="sourcePort">Source port.</param>
    /// <param name="destinationPort">Destination port.</param>
    /// <param name="sequenceNumber">Sequence number.</param>
    /// <param name="acknowledgmentNumber">Acknowledgment number.</param>
    /// <param name="flags">Control bits.</param>
    /// <param name="window">Window.</param>
    /// <param name="options">TCP options, at most 40 bytes.</param>
    /// <param name="identification">IPv4 identification field (ignored for IPv6).</param>
    public static int WriteTcp(Span<byte> destination, in IpPair addresses, ushort sourcePort, ushort destinationPort, uint sequenceNumber, uint acknowledgmentNumber, TcpFlags flags, ushort window, ReadOnlySpan<byte> options = default, ushort identification = 0)
    {
        var tcpLength = TcpHeader.MinLength + ((options.Length + 3) & ~3);
        var ipLength = WriteIp(destination, addresses, IpPacket.Tcp, tcpLength, identification);
        var segment = destination.Slice(ipLength, tcpLength);
        TcpHeader.Write(segment, sourcePort, destinationPort, sequenceNumber, acknowledgmentNumber, flags, window, options);
        BinaryPrimitives.WriteUInt16BigEndian(segment[16..], TransportChecksum(addresses, IpPacket.Tcp, segment));
        return ipLength + tcpLength;
    }

    /// <summary>Writes a UDP datagram carrying <paramref name="payload"/>; returns the packet length.</summary>
    public static int WriteUdp(Span<byte> destination, in IpPair addresses, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload, ushort identification = 0)
    {
        var udpLength = UdpHeader.HeaderLength + payload.Length;
        var ipLength = WriteIp(destination, addresses, IpPacket.Udp, udpLength, identification);
        var datagram = destination.Slice(ipLength, udpLength);
        UdpHeader.Write(datagram, sourcePort, destinationPort, payload.Length);
        payload.CopyTo(datagram[UdpHeader.HeaderLength..]);
        var checksum = TransportChecksum(addresses, IpPacket.Udp, datagram);
        // A computed zero is sent as all ones: zero means "no checksum" (RFC 768; mandatory for IPv6, RFC 8200 8.1).
        BinaryPrimitives.WriteUInt16BigEndian(datagram[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
        return ipLength + udpLength;
    }

    /// <summary>Writes an SCTP packet with one INIT chunk; returns the packet length.</summary>
    public static int WriteSctpInit(Span<byte> destination, in IpPair addresses, ushort sourcePort, ushort destinationPort, uint initiateTag, uint initialTsn, ushort identification = 0)
    {
        const int sctpLength = SctpHeader.Length + SctpHeader.InitChunkLength;
        var ipLength = WriteIp(destination, addresses, IpPacket.Sctp, sctpLength, identification);
        SctpHeader.WriteInit(destination[ipLength..], sourcePort, destinationPort, initiateTag, initialTsn);
        return ipLength + sctpLength;
    }

    /// <summary>
    /// Writes an ICMP echo request (IPv4, RFC 792) or ICMPv6 echo request (RFC 4443, 4.1) with <paramref name="payload"/>;
    /// returns the packet length.
    /// </summary>
    public static int WriteEchoRequest(Span<byte> destination, in IpPair addresses, ushort identifier, ushort sequenceNumber, ReadOnlySpan<byte> payload = default, ushort identification = 0)
    {
        var protocol = addresses.IsIPv6 ? IpPacket.IcmpV6 : IpPacket.Icmp;
        var type = addresses.IsIPv6 ? IcmpHeader.V6EchoRequest : IcmpHeader.V4EchoRequest;
        return WriteIcmp(destination, addresses, protocol, type, identifier, sequenceNumber, payload, identification);
    }

    /// <summary>Writes an ICMP timestamp request (RFC 792; IPv4 only) with the originate timestamp; returns the packet length.</summary>
    public static int WriteTimestampRequest(Span<byte> destination, in IpPair addresses, ushort identifier, ushort sequenceNumber, uint originateMilliseconds, ushort identification = 0)
    {
        if (addresses.IsIPv6)
        {
            throw new ArgumentException("ICMP timestamp requests exist in IPv4 only.", nameof(addresses));
        }
        Span<byte> body = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(body, originateMilliseconds);
        body[4..].Clear();
        return WriteIcmp(destination, addresses, IpPacket.Icmp, IcmpHeader.V4Timestamp, identifier, sequenceNumber, body, identification);
    }

    /// <summary>The checksum of a TCP, UDP or ICMPv6 segment (checksum field zero) under its pseudo-header.</summary>
    public static ushort TransportChecksum(in IpPair addresses, byte protocol, ReadOnlySpan<byte> segment)
    {
        var sum = addresses.IsIPv6
            ? InternetChecksum.PseudoHeaderV6(addresses.Source, addresses.Destination, protocol, segment.Length)
            : InternetChecksum.PseudoHeaderV4((uint)addresses.Source, (uint)addresses.Destination, protocol, segment.Length);
        return InternetChecksum.Finish(InternetChecksum.Add(segment, sum));
    }

    private static int WriteIcmp(Span<byte> destination, in IpPair addresses, byte protocol, byte type, ushort identifier, ushort sequenceNumber, ReadOnlySpan<byte> payload, ushort identification)
    {
        var icmpLength = IcmpHeader.Length + payload.Length;
        var ipLength = WriteIp(destination, addresses, protocol, icmpLength, identification);
        var message = destination.Slice(ipLength, icmpLength);
        IcmpHeader.Write(message, type, 0, identifier, sequenceNumber);
        payload.CopyTo(message[IcmpHeader.Length..]);
        // ICMPv6 covers a pseudo-header (RFC 4443, 2.3); ICMP for IPv4 covers the message only (RFC 792).
        var checksum = addresses.IsIPv6 ? TransportChecksum(addresses, protocol, message) : InternetChecksum.Compute(message);
        BinaryPrimitives.WriteUInt16BigEndian(message[2..], checksum);
        return ipLength + icmpLength;
    }

    private static int WriteIp(Span<byte> destination, in IpPair addresses, byte protocol, int payloadLength, ushort identification) =>
        addresses.IsIPv6
            ? IPv6Header.Write(destination, addresses.Source, addresses.Destination, protocol, payloadLength)
            : IPv4Header.Write(destination, (uint)addresses.Source, (uint)addresses.Destination, protocol, payloadLength, identification);
}
