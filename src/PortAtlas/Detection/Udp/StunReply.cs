using System.Buffers.Binary;

namespace PortAtlas.Detection.Udp;

/// <summary>A STUN response (RFC 8489, 5 and 14): its class and the SOFTWARE attribute that names the server.</summary>
/// <param name="IsError">An error response (class 0b11) rather than a success.</param>
/// <param name="Software">The SOFTWARE attribute (0x8022), such as "Coturn-4.6.1 'Gorst'".</param>
/// <param name="HasMagicCookie">The RFC 5389 magic cookie is present (an RFC 3489 server has none).</param>
internal readonly record struct StunReply(bool IsError, string? Software, bool HasMagicCookie)
{
    /// <summary>The magic cookie (RFC 8489, 5).</summary>
    public const uint MagicCookie = 0x2112A442;

    /// <summary>Reads a Binding response whose transaction ID is <paramref name="transactionId"/> (the 12 bytes after the cookie).</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, ReadOnlySpan<byte> transactionId, out StunReply reply)
    {
        reply = default;
        if (message.Length < 20 || transactionId.Length != 12)
        {
            return false;
        }
        var type = BinaryPrimitives.ReadUInt16BigEndian(message);
        if (type is not (0x0101 or 0x0111) || !message.Slice(8, 12).SequenceEqual(transactionId))
        {
            return false;
        }
        var length = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if (length % 4 != 0 || 20 + length > message.Length)
        {
            return false;
        }
        string? software = null;
        var attributes = message.Slice(20, length);
        while (attributes.Length >= 4)
        {
            var attributeType = BinaryPrimitives.ReadUInt16BigEndian(attributes);
            var attributeLength = BinaryPrimitives.ReadUInt16BigEndian(attributes[2..]);
            if (attributeLength > attributes.Length - 4)
            {
                break;
            }
            if (attributeType == 0x8022)
            {
                software = ProductText.Ascii(attributes.Slice(4, attributeLength), 128).TrimEnd('?', ' ');
            }
            // Values are padded to a multiple of four bytes (RFC 8489, 14).
            var padded = 4 + ((attributeLength + 3) & ~3);
            attributes = padded >= attributes.Length ? default : attributes[padded..];
        }
        reply = new StunReply(type == 0x0111, software, BinaryPrimitives.ReadUInt32BigEndian(message[4..]) == MagicCookie);
        return true;
    }
}
