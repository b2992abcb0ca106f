using System.Buffers.Binary;

namespace PortAtlas.Detection.Udp;

/// <summary>A memcached UDP reply (protocol.txt, "UDP protocol"): the 8-byte frame header, then a text reply such as "VERSION 1.6.18".</summary>
/// <param name="Version">The version from a VERSION line, when the reply is one.</param>
internal readonly record struct MemcachedReply(string? Version)
{
    /// <summary>Reads a reply framed with request ID <paramref name="requestId"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, ushort requestId, out MemcachedReply reply)
    {
        reply = default;
        if (datagram.Length < 8 + 5 || BinaryPrimitives.ReadUInt16BigEndian(datagram) != requestId || BinaryPrimitives.ReadUInt16BigEndian(datagram[6..]) != 0)
        {
            return false;
        }
        var text = datagram[8..];
        if (text.StartsWith("VERSION "u8))
        {
            var line = text[8..];
            var end = line.IndexOfAny((byte)'\r', (byte)'\n');
            reply = new MemcachedReply(ProductText.Ascii(end < 0 ? line : line[..end], 40));
            return true;
        }
        if (text.StartsWith("ERROR"u8) || text.StartsWith("SERVER_ERROR"u8) || text.StartsWith("CLIENT_ERROR"u8))
        {
            reply = new MemcachedReply(null);
            return true;
        }
        return false;
    }
}

/// <summary>
/// OpenVPN's answer to P_CONTROL_HARD_RESET_CLIENT_V2: P_CONTROL_HARD_RESET_SERVER_V2 (opcode 8), the server's
/// session ID, an ACK array (count, packet IDs, then the session acknowledged) and its own packet ID (OpenVPN's
/// reliability layer, ssl_pkt.h). A server bound to an earlier peer answers every datagram with its reset to that
/// peer, so the acknowledged session need not be ours; the exact length of the unauthenticated packet is the check.
/// </summary>
internal static class OpenVpnReply
{
    /// <summary>True when <paramref name="packet"/> is a server hard reset without tls-auth; <paramref name="ours"/> when it acknowledges <paramref name="clientSession"/>.</summary>
    public static bool IsServerReset(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> clientSession, out bool ours)
    {
        ours = false;
        // opcode/key (1), session (8), ack count (1), acked packet IDs (4 each), remote session (8 when acks), packet ID (4).
        if (packet.Length < 14 || packet[0] >> 3 != 8 || clientSession.Length != 8)
        {
            return false;
        }
        var acks = packet[9];
        var expected = 10 + (acks * 4) + (acks > 0 ? 8 : 0) + 4;
        if (packet.Length != expected)
        {
            return false;
        }
        ours = acks > 0 && packet.Slice(10 + (acks * 4), 8).SequenceEqual(clientSession);
        return true;
    }
}

/// <summary>A QUIC Version Negotiation packet (RFC 9000, 17.2.1): long header, version 0, the echoed connection IDs, the versions the server supports.</summary>
/// <param name="Versions">The supported versions.</param>
internal readonly record struct QuicVersionNegotiation(IReadOnlyList<uint> Versions)
{
    /// <summary>Reads a Version Negotiation answering a packet whose destination and source IDs were <paramref name="sentDestination"/> and <paramref name="sentSource"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> sentDestination, ReadOnlySpan<byte> sentSource, out QuicVersionNegotiation reply)
    {
        reply = default;
        if (packet.Length < 7 || (packet[0] & 0x80) == 0 || BinaryPrimitives.ReadUInt32BigEndian(packet[1..]) != 0)
        {
            return false;
        }
        // The server's destination ID is our source ID, and its source ID our destination ID.
        var offset = 5;
        var dcidLength = packet[offset];
        if (offset + 1 + dcidLength + 1 > packet.Length || !packet.Slice(offset + 1, dcidLength).SequenceEqual(sentSource))
        {
            return false;
        }
        offset += 1 + dcidLength;
        var scidLength = packet[offset];
        if (offset + 1 + scidLength > packet.Length || !packet.Slice(offset + 1, scidLength).SequenceEqual(sentDestination))
        {
            return false;
        }
        offset += 1 + scidLength;
        var versions = new List<uint>();
        for (; offset + 4 <= packet.Length && versions.Count < 32; offset += 4)
        {
            versions.Add(BinaryPrimitives.ReadUInt32BigEndian(packet[offset..]));
        }
        reply = new QuicVersionNegotiation(versions);
        return versions.Count > 0;
    }

    /// <summary>A version's usual name: v1 (RFC 9000), v2 (RFC 9369), draft-NN, or hex.</summary>
    public static string Name(uint version) => version switch
    {
        1 => "v1",
        0x6b3343cf => "v2",
        >= 0xff000000 and <= 0xff0000ff => $"draft-{version & 0xff}",
        _ => $"0x{version:x8}",
    };

    /// <summary>
    /// A long-header packet with a reserved version (RFC 9000, 15: 0x?a?a?a?a), which every server must answer with
    /// Version Negotiation, padded to the 1200 bytes a client's first datagram needs (RFC 9000, 14.1).
    /// </summary>
    public static byte[] Request(ReadOnlySpan<byte> destination, ReadOnlySpan<byte> source)
    {
        var packet = new byte[1200];
        packet[0] = 0xC0;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(1), 0x1a2a3a4a);
        packet[5] = (byte)destination.Length;
        destination.CopyTo(packet.AsSpan(6));
        packet[6 + destination.Length] = (byte)source.Length;
        source.CopyTo(packet.AsSpan(7 + destination.Length));
        return packet;
    }
}

/// <summary>A TFTP reply (RFC 1350, 5): an ERROR packet (opcode 5) with its code and message, or DATA (opcode 3).</summary>
/// <param name="Opcode">3 DATA or 5 ERROR.</param>
/// <param name="ErrorCode">The error code (1 file not found, 2 access violation, ...).</param>
/// <param name="Message">The error message.</param>
internal readonly record struct TftpReply(int Opcode, int ErrorCode, string? Message)
{
    /// <summary>Reads an ERROR or DATA packet.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out TftpReply reply)
    {
        reply = default;
        if (packet.Length < 4)
        {
            return false;
        }
        var opcode = BinaryPrimitives.ReadUInt16BigEndian(packet);
        if (opcode == 3)
        {
            reply = new TftpReply(3, 0, null);
            return true;
        }
        var code = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        // RFC 1350 defines codes 0 to 7; RFC 2347 adds 8.
        if (opcode != 5 || code > 8)
        {
            return false;
        }
        var text = packet[4..];
        var nul = text.IndexOf((byte)0);
        if (nul < 0)
        {
            return false;
        }
        reply = new TftpReply(5, code, ProductText.Ascii(text[..nul], 100));
        return true;
    }
}

/// <summary>
/// The answer of a Mumble server (murmur) to its UDP ping: version (4 bytes: 0, major, minor, patch), the echoed
/// 8-byte identifier, then users, maximum users and bandwidth.
/// </summary>
/// <param name="Version">The server version, such as 1.3.4.</param>
/// <param name="Users">Users connected.</param>
/// <param name="MaxUsers">Users allowed.</param>
internal readonly record struct MumblePingReply(string Version, uint Users, uint MaxUsers)
{
    /// <summary>Reads a 24-byte ping answer echoing <paramref name="ident"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> ident, out MumblePingReply reply)
    {
        reply = default;
        if (packet.Length != 24 || ident.Length != 8 || !packet.Slice(4, 8).SequenceEqual(ident))
        {
            return false;
        }
        reply = new MumblePingReply($"{packet[1]}.{packet[2]}.{packet[3]}",
            BinaryPrimitives.ReadUInt32BigEndian(packet[12..]), BinaryPrimitives.ReadUInt32BigEndian(packet[16..]));
        return true;
    }
}

/// <summary>An ONC RPC reply (RFC 5531, 9): the transaction ID, accepted or denied, and the accept status.</summary>
internal static class RpcReply
{
    /// <summary>True when <paramref name="message"/> is a reply (msg_type 1) to transaction <paramref name="xid"/>.</summary>
    public static bool IsReplyTo(ReadOnlySpan<byte> message, uint xid, out bool accepted)
    {
        accepted = false;
        if (message.Length < 12 || BinaryPrimitives.ReadUInt32BigEndian(message) != xid || BinaryPrimitives.ReadUInt32BigEndian(message[4..]) != 1)
        {
            return false;
        }
        accepted = BinaryPrimitives.ReadUInt32BigEndian(message[8..]) == 0;
        return true;
    }
}
