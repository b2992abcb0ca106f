using System.Buffers.Binary;
using System.Text;

namespace PortAtlas.Detection;

/// <summary>
/// The algorithm name-lists of an SSH_MSG_KEXINIT (RFC 4253 section 7.1), each as the comma-separated text the
/// server sent.
/// </summary>
internal sealed record SshKexInit
{
    /// <summary>SSH_MSG_KEXINIT (RFC 4253 section 12).</summary>
    public const byte MessageNumber = 20;

    /// <summary>Largest packet_length accepted: RFC 4253 section 6.1 asks implementations to handle 35000-byte packets.</summary>
    public const int MaxPacketLength = 35000;

    /// <summary>The identification string we send (RFC 4253 section 4.2).</summary>
    public static ReadOnlySpan<byte> ClientIdentification => "SSH-2.0-PortAtlas_0.1\r\n"u8;

    public required string KexAlgorithms { get; init; }
    public required string ServerHostKeyAlgorithms { get; init; }
    public required string EncryptionClientToServer { get; init; }
    public required string EncryptionServerToClient { get; init; }
    public required string MacClientToServer { get; init; }
    public required string MacServerToClient { get; init; }
    public required string CompressionClientToServer { get; init; }
    public required string CompressionServerToClient { get; init; }

    /// <summary>
    /// Framing for the server's first binary packet: complete once packet_length and that many bytes are in
    /// (RFC 4253 section 6), or at once when the length is out of range, so a hostile length cannot make us wait.
    /// </summary>
    public static bool IsWholePacket(ReadOnlySpan<byte> answer)
    {
        if (answer.Length < 4)
        {
            return false;
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(answer);
        return length > MaxPacketLength || answer.Length >= 4 + (long)length;
    }

    /// <summary>
    /// Parses one binary packet (uint32 packet_length, byte padding_length, payload, padding; no MAC, as before the
    /// first key exchange) whose payload is SSH_MSG_KEXINIT. False for anything else or anything truncated.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out SshKexInit kexInit)
    {
        kexInit = null!;
        if (packet.Length < 5)
        {
            return false;
        }
        var packetLength = BinaryPrimitives.ReadUInt32BigEndian(packet);
        int padding = packet[4];
        // packet_length counts padding_length, payload and padding; the payload needs at least the message number.
        if (packetLength > MaxPacketLength || packetLength < (uint)padding + 2 || packet.Length - 4 < packetLength)
        {
            return false;
        }
        var payload = packet.Slice(5, (int)packetLength - padding - 1);
        // Message number, 16-byte cookie, ten name-lists, first_kex_packet_follows, reserved uint32.
        if (payload.Length < 1 + 16 || payload[0] != MessageNumber)
        {
            return false;
        }
        var rest = payload[17..];
        Span<Range> lists = stackalloc Range[10];
        var offset = 17;
        for (var i = 0; i < lists.Length; i++)
        {
            if (!TryReadNameList(ref rest, out var length))
            {
                return false;
            }
            offset += 4;
            lists[i] = new Range(offset, offset + length);
            offset += length;
        }
        if (rest.Length < 5)
        {
            return false;
        }
        kexInit = new SshKexInit
        {
            KexAlgorithms = Text(payload[lists[0]]),
            ServerHostKeyAlgorithms = Text(payload[lists[1]]),
            EncryptionClientToServer = Text(payload[lists[2]]),
            EncryptionServerToClient = Text(payload[lists[3]]),
            MacClientToServer = Text(payload[lists[4]]),
            MacServerToClient = Text(payload[lists[5]]),
            CompressionClientToServer = Text(payload[lists[6]]),
            CompressionServerToClient = Text(payload[lists[7]]),
        };
        return true;
    }

    /// <summary>
    /// The bytes after the server's identification line in <paramref name="answer"/>: the start of its first binary
    /// packet when the server sent it together with the line. Empty when there is no complete line.
    /// </summary>
    public static ReadOnlySpan<byte> AfterIdentification(ReadOnlySpan<byte> answer)
    {
        // RFC 4253 section 4.2: lines not starting with "SSH-" may precede the identification string.
        while (!answer.IsEmpty)
        {
            var eol = answer.IndexOf((byte)'\n');
            if (eol < 0)
            {
                return default;
            }
            var line = answer[..eol];
            answer = answer[(eol + 1)..];
            if (line.StartsWith("SSH-"u8))
            {
                return answer;
            }
        }
        return default;
    }

    /// <summary>RFC 4251 section 5 name-list: uint32 length, then US-ASCII names separated by commas, no control characters.</summary>
    private static bool TryReadNameList(ref ReadOnlySpan<byte> rest, out int length)
    {
        length = 0;
        if (rest.Length < 4)
        {
            return false;
        }
        var declared = BinaryPrimitives.ReadUInt32BigEndian(rest);
        if (declared > (uint)(rest.Length - 4))
        {
            return false;
        }
        length = (int)declared;
        foreach (var b in rest.Slice(4, length))
        {
            if (b is < 0x21 or > 0x7e)
            {
                return false;
            }
        }
        rest = rest[(4 + length)..];
        return true;
    }

    private static string Text(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes);
}
