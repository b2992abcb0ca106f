using System.Buffers.Binary;

namespace PortAtlas.Scanning.Packets;

/// <summary>What kind of answer a received packet is, seen from a scanner.</summary>
internal enum ReplyKind : byte
{
    /// <summary>Not an answer to any probe a scanner sends.</summary>
    None,
    /// <summary>TCP SYN and ACK: the port is open.</summary>
    TcpSynAck,
    /// <summary>TCP RST: closed (or unfiltered, to an ACK probe).</summary>
    TcpRst,
    /// <summary>A UDP datagram.</summary>
    Udp,
    /// <summary>SCTP INIT ACK: open.</summary>
    SctpInitAck,
    /// <summary>SCTP ABORT: closed.</summary>
    SctpAbort,
    /// <summary>ICMP or ICMPv6 destination unreachable (or ICMPv6 unrecognised next header) quoting a probe.</summary>
    Unreachable,
    /// <summary>ICMP echo reply or ICMPv6 echo reply.</summary>
    EchoReply,
    /// <summary>ICMP timestamp reply.</summary>
    TimestampReply,
}

/// <summary>
/// A received packet decoded as the answer to a probe, with the fields a stateless scanner needs to validate it: the
/// probe's addresses and ports seen from the scanner's side, and the value the scanner hid in the probe (TCP sequence
/// number, SCTP initiate tag, ICMP echo identifier and sequence) as the answer carries it back.
/// </summary>
/// <param name="Kind">What the packet says.</param>
/// <param name="Addresses">The probe's addresses: <see cref="IpPair.Source"/> is the scanner, <see cref="IpPair.Destination"/> the target.</param>
/// <param name="ProbeProtocol">Protocol of the probe answered (TCP, UDP, SCTP, ICMP or ICMPv6).</param>
/// <param name="LocalPort">The probe's source port (the scanner's).</param>
/// <param name="RemotePort">The probe's destination port.</param>
/// <param name="Cookie">
/// The probe's hidden value as echoed: TCP acknowledgment minus one, or the quoted sequence number in an ICMP error;
/// SCTP verification tag, or the quoted initiate tag; ICMP identifier (high 16 bits) and sequence (low 16).
/// </param>
/// <param name="HasCookie">False when the answer carries no echo of the hidden value (a UDP reply, a quote too short).</param>
/// <param name="TcpFlags">TCP flags of a TCP answer.</param>
/// <param name="IcmpType">ICMP type of an ICMP answer.</param>
/// <param name="IcmpCode">ICMP code of an ICMP answer.</param>
/// <param name="IcmpSource">Who sent the ICMP message (a router, or the target itself).</param>
/// <param name="TimeToLive">TTL or hop limit of the received packet.</param>
internal readonly record struct ProbeReply(
    ReplyKind Kind, IpPair Addresses, byte ProbeProtocol, ushort LocalPort, ushort RemotePort, uint Cookie, bool HasCookie,
    TcpFlags TcpFlags, byte IcmpType, byte IcmpCode, UInt128 IcmpSource, byte TimeToLive)
{
    /// <summary>Decodes a received IP packet; false for anything that cannot answer a probe, and never throws on hostile input.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out ProbeReply reply)
    {
        reply = default;
        if (!IpPacket.TryParse(packet, out var ip))
        {
            return false;
        }
        var payload = packet.Slice(ip.PayloadOffset, ip.PayloadLength);
        var probeAddresses = ip.Addresses.Reversed;
        switch (ip.Protocol)
        {
            case IpPacket.Tcp:
                if (!TcpHeader.TryParse(payload, out var tcp))
                {
                    return false;
                }
                var kind = (tcp.Flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst)) switch
                {
                    TcpFlags.Syn | TcpFlags.Ack => ReplyKind.TcpSynAck,
                    TcpFlags.Rst | TcpFlags.Ack => ReplyKind.TcpRst,
                    TcpFlags.Rst => ReplyKind.TcpRst,
                    _ => ReplyKind.None,
                };
                if (kind == ReplyKind.None)
                {
                    return false;
                }
                // A RST without ACK answers an ACK probe: its sequence number is the probe's acknowledgment (RFC 9293, 3.10.7.1).
                var ackPresent = (tcp.Flags & TcpFlags.Ack) != 0;
                reply = new ProbeReply(kind, probeAddresses, IpPacket.Tcp, tcp.DestinationPort, tcp.SourcePort,
                    ackPresent ? tcp.AcknowledgmentNumber - 1 : tcp.SequenceNumber, true, tcp.Flags, 0, 0, 0, ip.TimeToLive);
                return true;
            case IpPacket.Udp:
                if (!UdpHeader.TryParse(payload, out var udp))
                {
                    return false;
                }
                reply = new ProbeReply(ReplyKind.Udp, probeAddresses, IpPacket.Udp, udp.DestinationPort, udp.SourcePort, 0, false, 0, 0, 0, 0, ip.TimeToLive);
                return true;
            case IpPacket.Sctp:
                if (!SctpHeader.TryParse(payload, out var sctp))
                {
                    return false;
                }
                var sctpKind = sctp.ChunkType switch
                {
                    SctpChunkType.InitAck => ReplyKind.SctpInitAck,
                    SctpChunkType.Abort => ReplyKind.SctpAbort,
                    _ => ReplyKind.None,
                };
                if (sctpKind == ReplyKind.None)
                {
                    return false;
                }
                reply = new ProbeReply(sctpKind, probeAddresses, IpPacket.Sctp, sctp.DestinationPort, sctp.SourcePort, sctp.VerificationTag, true, 0, 0, 0, 0, ip.TimeToLive);
                return true;
            case IpPacket.Icmp or IpPacket.IcmpV6:
                return TryParseIcmp(payload, ip, out reply);
            default:
                return false;
        }
    }

    private static bool TryParseIcmp(ReadOnlySpan<byte> message, in IpPacket ip, out ProbeReply reply)
    {
        reply = default;
        if (!IcmpHeader.TryParse(message, out var icmp))
        {
            return false;
        }
        var v6 = ip.Addresses.IsIPv6;
        if ((!v6 && icmp.Type == IcmpHeader.V4EchoReply) || (v6 && icmp.Type == IcmpHeader.V6EchoReply) || (!v6 && icmp.Type == IcmpHeader.V4TimestampReply))
        {
            var kind = icmp.Type == IcmpHeader.V4TimestampReply && !v6 ? ReplyKind.TimestampReply : ReplyKind.EchoReply;
            reply = new ProbeReply(kind, ip.Addresses.Reversed, ip.Protocol, 0, 0, icmp.RestOfHeader, true, 0, icmp.Type, icmp.Code, ip.Addresses.Source, ip.TimeToLive);
            return true;
        }
        if (!((!v6 && icmp.Type == IcmpHeader.V4DestinationUnreachable) || (v6 && icmp.Type == IcmpHeader.V6DestinationUnreachable)
            || (v6 && icmp.Type == IcmpHeader.V6ParameterProblem && icmp.Code == 1)))
        {
            return false;
        }
        // The quoted packet: the offending datagram's IP header and at least 8 bytes of its payload (RFC 792; RFC 4443, 3.1).
        var quoted = message[IcmpHeader.Length..];
        if (!IpPacket.TryParse(quoted, out var inner) || inner.Addresses.IsIPv6 != v6)
        {
            return false;
        }
        var innerPayload = quoted.Slice(inner.PayloadOffset, inner.PayloadLength);
        ushort localPort = 0, remotePort = 0;
        uint cookie = 0;
        var hasCookie = false;
        switch (inner.Protocol)
        {
            case IpPacket.Tcp:
                if (!TcpHeader.TryParseQuoted(innerPayload, out localPort, out remotePort, out cookie))
                {
                    return false;
                }
                hasCookie = true;
                break;
            case IpPacket.Udp:
                if (!UdpHeader.TryParse(innerPayload, out var udp))
                {
                    return false;
                }
                (localPort, remotePort) = (udp.SourcePort, udp.DestinationPort);
                break;
            case IpPacket.Sctp:
                if (!SctpHeader.TryParseQuoted(innerPayload, out localPort, out remotePort, out _))
                {
                    return false;
                }
                // The INIT's initiate tag sits past the 8 bytes RFC 792 promises; Linux quotes more, and then it validates.
                if (innerPayload.Length >= SctpHeader.Length + 8 && innerPayload[SctpHeader.Length] == (byte)SctpChunkType.Init)
                {
                    cookie = BinaryPrimitives.ReadUInt32BigEndian(innerPayload[(SctpHeader.Length + 4)..]);
                    hasCookie = true;
                }
                break;
            case IpPacket.Icmp or IpPacket.IcmpV6:
                if (!IcmpHeader.TryParse(innerPayload, out var innerIcmp))
                {
                    return false;
                }
                cookie = innerIcmp.RestOfHeader;
                hasCookie = true;
                break;
            default:
                return false;
        }
        reply = new ProbeReply(ReplyKind.Unreachable, inner.Addresses, inner.Protocol, localPort, remotePort, cookie, hasCookie, 0, icmp.Type, icmp.Code, ip.Addresses.Source, ip.TimeToLive);
        return true;
    }
}
