using System.Buffers.Binary;
using System.Text;

namespace PortAtlas.Detection.Udp;

/// <summary>
/// The parts of a DNS response (RFC 1035, 4.1) that identify a server: header, the TXT strings and PTR targets of
/// its answers. Names may be compressed (RFC 1035, 4.1.4); pointers are followed a bounded number of times.
/// </summary>
internal sealed record DnsReply
{
    private const int MaxAnswers = 32;
    private const int MaxPointerJumps = 16;

    /// <summary>The message ID, which echoes the query's.</summary>
    public ushort Id { get; init; }
    /// <summary>The response code (0 NOERROR, 1 FORMERR, 2 SERVFAIL, 3 NXDOMAIN, 4 NOTIMP, 5 REFUSED).</summary>
    public int ResponseCode { get; init; }
    /// <summary>The authoritative-answer flag.</summary>
    public bool Authoritative { get; init; }
    /// <summary>The character-strings of TXT answers, joined per record.</summary>
    public IReadOnlyList<string> Texts { get; init; } = [];
    /// <summary>The targets of PTR answers.</summary>
    public IReadOnlyList<string> Pointers { get; init; } = [];

    /// <summary>Reads a DNS response; false when <paramref name="message"/> is not one (a query, or cut short in the header or question).</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out DnsReply reply)
    {
        reply = null!;
        if (message.Length < 12)
        {
            return false;
        }
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if ((flags & 0x8000) == 0 || ((flags >> 11) & 0xF) != 0)
        {
            // Not a response, or not a standard query's response.
            return false;
        }
        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var offset = 12;
        for (var i = 0; i < questions; i++)
        {
            if (!SkipName(message, ref offset) || offset + 4 > message.Length)
            {
                return false;
            }
            offset += 4;
        }
        var texts = new List<string>();
        var pointers = new List<string>();
        for (var i = 0; i < Math.Min((int)answers, MaxAnswers); i++)
        {
            if (!SkipName(message, ref offset) || offset + 10 > message.Length)
            {
                // A cut answer section keeps what came before it.
                break;
            }
            var type = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
            var start = offset + 10;
            if (start + length > message.Length)
            {
                break;
            }
            var data = message.Slice(start, length);
            if (type == 16)
            {
                texts.Add(ReadCharacterStrings(data));
            }
            else if (type == 12 && TryReadName(message, start, out var name))
            {
                pointers.Add(name);
            }
            offset = start + length;
        }
        reply = new DnsReply
        {
            Id = BinaryPrimitives.ReadUInt16BigEndian(message),
            ResponseCode = flags & 0xF,
            Authoritative = (flags & 0x0400) != 0,
            Texts = texts,
            Pointers = pointers,
        };
        return true;
    }

    // TXT RDATA is one or more <length><bytes> character-strings (RFC 1035, 3.3.14).
    private static string ReadCharacterStrings(ReadOnlySpan<byte> data)
    {
        var sb = new StringBuilder();
        var offset = 0;
        while (offset < data.Length)
        {
            var length = data[offset];
            var end = Math.Min(data.Length, offset + 1 + length);
            sb.Append(ProductText.Ascii(data[(offset + 1)..end]));
            offset = end;
        }
        return sb.ToString();
    }

    private static bool SkipName(ReadOnlySpan<byte> message, ref int offset)
    {
        while (offset < message.Length)
        {
            var length = message[offset];
            if (length == 0)
            {
                offset++;
                return true;
            }
            if ((length & 0xC0) == 0xC0)
            {
                // A pointer ends the name in place.
                offset += 2;
                return offset <= message.Length;
            }
            if ((length & 0xC0) != 0)
            {
                return false;
            }
            offset += 1 + length;
        }
        return false;
    }

    /// <summary>Reads the possibly compressed name at <paramref name="offset"/>; false when it is malformed or loops.</summary>
    public static bool TryReadName(ReadOnlySpan<byte> message, int offset, out string name)
    {
        name = "";
        var sb = new StringBuilder();
        var jumps = 0;
        while (offset < message.Length)
        {
            var length = message[offset];
            if (length == 0)
            {
                name = sb.ToString();
                return true;
            }
            if ((length & 0xC0) == 0xC0)
            {
                if (offset + 1 >= message.Length || ++jumps > MaxPointerJumps)
                {
                    return false;
                }
                offset = ((length & 0x3F) << 8) | message[offset + 1];
                continue;
            }
            if ((length & 0xC0) != 0 || offset + 1 + length > message.Length || sb.Length > 255)
            {
                return false;
            }
            if (sb.Length > 0)
            {
                sb.Append('.');
            }
            sb.Append(ProductText.Ascii(message.Slice(offset + 1, length)));
            offset += 1 + length;
        }
        return false;
    }
}
