using System.Buffers.Binary;
using System.Buffers.Text;

namespace PortAtlas.Detection;

/// <summary>Tells whether an answer is complete by its protocol's framing, so reading can stop before the idle gap.</summary>
internal delegate bool Framing(ReadOnlySpan<byte> answer);

/// <summary>The framings of the protocols probed. Each checks lengths before reading; none throws.</summary>
internal static class Framings
{
    /// <summary>Never complete: reading ends on close, idle gap or a full buffer.</summary>
    public static readonly Framing None = static _ => false;

    /// <summary>
    /// A greeting: complete at a line end, unless the last line is a continuation ("220-", "211-") of a
    /// multi-line reply (RFC 959 section 4.2, RFC 5321 section 4.2.1) or the text starts with telnet negotiation.
    /// </summary>
    public static readonly Framing Banner = static answer =>
    {
        // MySQL/MariaDB speak first in a length-prefixed packet: HandshakeV10 (0x0a) or an error (0xff), sequence 0.
        if (answer.Length >= 5 && answer[3] == 0 && answer[4] is 0x0a or 0xff && IsWholeMySqlPacket(answer))
        {
            return true;
        }
        if (answer.IsEmpty || answer[^1] != (byte)'\n' || answer[0] == 0xFF)
        {
            return false;
        }
        var body = answer[..^1];
        var start = body.LastIndexOf((byte)'\n') + 1;
        var last = body[start..];
        if (last.Length >= 4 && IsDigit(last[0]) && IsDigit(last[1]) && IsDigit(last[2]) && last[3] == (byte)'-')
        {
            return false;
        }
        // A multi-line reply ("211-Features:", " EPRT", ..., "211 End") ends only at a line of its code and a space:
        // its middle lines need not start with the code, so a read that stops at one of them leaves the rest to be
        // taken as the answer to the next command.
        return !(body.Length >= 4 && IsDigit(body[0]) && IsDigit(body[1]) && IsDigit(body[2]) && body[3] == (byte)'-')
            || HasFinalLine(body, body[..3]);
    };

    // Whether a line after the first starts with code and a space (RFC 959 section 4.2's last line of a multi-line reply).
    private static bool HasFinalLine(ReadOnlySpan<byte> body, ReadOnlySpan<byte> code)
    {
        var rest = body;
        while (rest.IndexOf((byte)'\n') is var end and >= 0)
        {
            rest = rest[(end + 1)..];
            if (rest.Length >= 4 && rest.StartsWith(code) && rest[3] == (byte)' ')
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Exactly one byte (PostgreSQL's SSLRequest answer).</summary>
    public static readonly Framing OneByte = static answer => answer.Length >= 1;

    /// <summary>An HTTP/1.x response: headers and a body of Content-Length, or a chunked body's last chunk (RFC 9112 section 6).</summary>
    public static readonly Framing Http = static answer =>
    {
        var end = answer.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return !answer.StartsWith("HTTP/"u8) && answer.Length > 0 && answer.IndexOf((byte)'\n') >= 0;
        }
        var headers = answer[..end];
        var body = answer[(end + 4)..];
        if (TryHeaderValue(headers, "content-length:"u8, out var value) && Utf8Parser.TryParse(value, out long length, out _))
        {
            return body.Length >= length;
        }
        if (TryHeaderValue(headers, "transfer-encoding:"u8, out value) && value.IndexOf("chunked"u8) >= 0)
        {
            return body.EndsWith("0\r\n\r\n"u8);
        }
        return false;
    };

    /// <summary>A RESP reply to "PING" then "INFO server": +PONG, then a bulk string $n of n bytes, or an error line.</summary>
    public static readonly Framing Redis = static answer =>
    {
        if (answer.IsEmpty || answer[^1] != (byte)'\n')
        {
            return false;
        }
        if (answer[0] == (byte)'-')
        {
            return true;
        }
        var bulk = answer.IndexOf("\r\n$"u8);
        if (bulk < 0)
        {
            return answer.IndexOf("\r\n-"u8) >= 0;
        }
        var rest = answer[(bulk + 3)..];
        var eol = rest.IndexOf("\r\n"u8);
        return eol > 0 && Utf8Parser.TryParse(rest[..eol], out int size, out _) && rest.Length >= eol + 2 + size + 2;
    };

    /// <summary>A line ending in LF.</summary>
    public static readonly Framing Line = static answer => !answer.IsEmpty && answer[^1] == (byte)'\n';

    /// <summary>DNS over TCP: a two-byte length, then the message (RFC 1035 section 4.2.2).</summary>
    public static readonly Framing DnsTcp = static answer =>
        answer.Length >= 2 && answer.Length >= 2 + BinaryPrimitives.ReadUInt16BigEndian(answer);

    /// <summary>A MySQL packet: three-byte little-endian length, sequence id, payload.</summary>
    public static readonly Framing MySql = static answer => IsWholeMySqlPacket(answer);

    private static bool IsWholeMySqlPacket(ReadOnlySpan<byte> answer) =>
        answer.Length >= 4 && answer.Length >= 4 + (answer[0] | (answer[1] << 8) | (answer[2] << 16));

    /// <summary>A PostgreSQL backend message: type byte, four-byte big-endian length that counts itself.</summary>
    public static readonly Framing Postgres = static answer =>
        answer.Length >= 5 && (answer[1] != 0 ? answer[^1] == 0 : answer.Length >= 1 + (long)BinaryPrimitives.ReadUInt32BigEndian(answer[1..]));

    /// <summary>A MongoDB wire message: four-byte little-endian total length.</summary>
    public static readonly Framing MongoDb = static answer =>
        answer.Length >= 4 && answer.Length >= BinaryPrimitives.ReadInt32LittleEndian(answer);

    /// <summary>One BER element (LDAP): tag, definite length, contents (X.690 section 8.1.3).</summary>
    public static readonly Framing Ber = static answer =>
    {
        if (answer.Length < 2)
        {
            return false;
        }
        int first = answer[1];
        if (first < 0x80)
        {
            return answer.Length >= 2 + first;
        }
        var count = first & 0x7f;
        if (count is 0 or > 4 || answer.Length < 2 + count)
        {
            return count is 0 or > 4;
        }
        long length = 0;
        for (var i = 0; i < count; i++)
        {
            length = (length << 8) | answer[2 + i];
        }
        return answer.Length >= 2 + count + length;
    };

    /// <summary>A NetBIOS session message (RFC 1002 section 4.3.1): type, three-byte length, payload.</summary>
    public static readonly Framing NetBios = static answer =>
        answer.Length >= 4 && answer.Length >= 4 + ((answer[1] << 16) | (answer[2] << 8) | answer[3]);

    /// <summary>A TPKT packet (RFC 1006 section 6): version 3, reserved, two-byte length that counts the header.</summary>
    public static readonly Framing Tpkt = static answer =>
        answer.Length >= 4 && answer.Length >= BinaryPrimitives.ReadUInt16BigEndian(answer[2..]);

    /// <summary>An MQTT control packet: type byte, variable-length remaining length (MQTT 3.1.1 section 2.2.3).</summary>
    public static readonly Framing Mqtt = static answer =>
    {
        long remaining = 0;
        var shift = 0;
        for (var i = 1; i < Math.Min(answer.Length, 5); i++)
        {
            remaining |= (long)(answer[i] & 0x7f) << shift;
            if ((answer[i] & 0x80) == 0)
            {
                return answer.Length >= i + 1 + remaining;
            }
            shift += 7;
        }
        return false;
    };

    /// <summary>An AMQP 0-9-1 frame (type, channel, four-byte size, payload, 0xCE) or an 8-byte protocol header.</summary>
    public static readonly Framing Amqp = static answer =>
        answer.StartsWith("AMQP"u8) ? answer.Length >= 8 : answer.Length >= 7 && answer.Length >= 8 + (long)BinaryPrimitives.ReadUInt32BigEndian(answer[3..]);

    /// <summary>An ONC RPC record over TCP (RFC 5531 section 11): a four-byte record mark whose low 31 bits are the length.</summary>
    public static readonly Framing RpcRecord = static answer =>
        answer.Length >= 4 && answer.Length >= 4 + (long)(BinaryPrimitives.ReadUInt32BigEndian(answer) & 0x7FFFFFFF);

    /// <summary>A four-byte big-endian length, then that many bytes (Kafka).</summary>
    public static readonly Framing Int32Length = static answer =>
        answer.Length >= 4 && answer.Length >= 4 + (long)BinaryPrimitives.ReadUInt32BigEndian(answer);

    /// <summary>A TDS packet ([MS-TDS] 2.2.3.1): type, status, two-byte big-endian length counting the header.</summary>
    public static readonly Framing Tds = static answer =>
        answer.Length >= 8 && answer.Length >= BinaryPrimitives.ReadUInt16BigEndian(answer[2..]);

    /// <summary>A CQL frame (native protocol v3-v5 section 2): nine-byte header whose last four bytes are the body length.</summary>
    public static readonly Framing Cql = static answer =>
        answer.Length >= 9 && answer.Length >= 9 + (long)BinaryPrimitives.ReadUInt32BigEndian(answer[5..]);

    /// <summary>A DCE/RPC PDU ([C706] 12.6.3): little-endian fragment length at offset 8.</summary>
    public static readonly Framing DceRpc = static answer =>
        answer.Length >= 10 && answer.Length >= BinaryPrimitives.ReadUInt16LittleEndian(answer[8..]);

    /// <summary>SOCKS5 method selection (two bytes) or SOCKS4 reply (eight bytes).</summary>
    public static readonly Framing Socks = static answer =>
        answer.Length >= 2 && (answer[0] != 0x00 || answer.Length >= 8);

    /// <summary>A Modbus/TCP ADU: MBAP header with the two-byte length of what follows at offset 4.</summary>
    public static readonly Framing Modbus = static answer =>
        answer.Length >= 6 && answer.Length >= 6 + BinaryPrimitives.ReadUInt16BigEndian(answer[4..]);

    /// <summary>An EtherNet/IP encapsulation message: 24-byte header, little-endian data length at offset 2.</summary>
    public static readonly Framing Enip = static answer =>
        answer.Length >= 24 && answer.Length >= 24 + BinaryPrimitives.ReadUInt16LittleEndian(answer[2..]);

    /// <summary>A two-byte big-endian length, then that many bytes (OpenVPN over TCP); PPTP counts the length itself.</summary>
    public static readonly Framing UInt16Length = static answer =>
        answer.Length >= 2 && answer.Length >= 2 + BinaryPrimitives.ReadUInt16BigEndian(answer);

    /// <summary>A message whose two-byte big-endian length counts itself (PPTP control messages).</summary>
    public static readonly Framing UInt16LengthInclusive = static answer =>
        answer.Length >= 2 && answer.Length >= BinaryPrimitives.ReadUInt16BigEndian(answer);

    /// <summary>A Zabbix reply: "ZBXD", flags, eight-byte little-endian length, data.</summary>
    public static readonly Framing Zabbix = static answer =>
        answer.Length >= 13 && answer.StartsWith("ZBXD"u8) && answer.Length - 13 >= BinaryPrimitives.ReadInt64LittleEndian(answer[5..]);

    /// <summary>An X11 connection setup reply: eight bytes, then four times the little-endian length at offset 6.</summary>
    public static readonly Framing X11 = static answer =>
        answer.Length >= 8 && answer.Length >= 8 + (4 * BinaryPrimitives.ReadUInt16LittleEndian(answer[6..]));

    /// <summary>A STUN message (RFC 8489 section 5): 20-byte header whose bytes 2-3 are the attributes' length.</summary>
    public static readonly Framing Stun = static answer =>
        answer.Length >= 20 && answer.Length >= 20 + BinaryPrimitives.ReadUInt16BigEndian(answer[2..]);

    /// <summary>The munin node's answer to "version" (after its greeting line): a line holding "version:".</summary>
    public static readonly Framing MuninVersion = static answer =>
        !answer.IsEmpty && answer[^1] == (byte)'\n' && answer.IndexOf("version:"u8) >= 0;

    /// <summary>IRC registration answered: the 004 (RPL_MYINFO) numeric or an ERROR line, ending in a line end.</summary>
    public static readonly Framing IrcWelcome = static answer =>
        !answer.IsEmpty && answer[^1] == (byte)'\n' && (answer.IndexOf(" 004 "u8) >= 0 || answer.IndexOf("\nERROR "u8) >= 0 || answer.StartsWith("ERROR "u8));

    /// <summary>SIP or RTSP: a header block, complete at its blank line (their bodies are not needed).</summary>
    public static readonly Framing Headers = static answer => answer.IndexOf("\r\n\r\n"u8) >= 0;

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    /// <summary>The trimmed value of the first header named <paramref name="name"/> (lowercase, with the colon).</summary>
    internal static bool TryHeaderValue(ReadOnlySpan<byte> headers, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        while (!headers.IsEmpty)
        {
            var eol = headers.IndexOf((byte)'\n');
            var line = eol < 0 ? headers : headers[..eol];
            headers = eol < 0 ? default : headers[(eol + 1)..];
            if (line.Length > name.Length && StartsWithIgnoreCase(line, name))
            {
                value = line[name.Length..].Trim(" \t\r"u8);
                return true;
            }
        }
        value = default;
        return false;
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerPrefix)
    {
        for (var i = 0; i < lowerPrefix.Length; i++)
        {
            var c = text[i];
            if (c is >= (byte)'A' and <= (byte)'Z')
            {
                c = (byte)(c + 32);
            }
            if (c != lowerPrefix[i])
            {
                return false;
            }
        }
        return true;
    }
}
