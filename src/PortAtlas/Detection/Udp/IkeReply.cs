using System.Buffers.Binary;

namespace PortAtlas.Detection.Udp;

/// <summary>
/// An ISAKMP/IKE response (RFC 2408, 3.1 and 3.2; RFC 7296, 3.1): the exchange, the notify types and the vendor IDs
/// of its payload chain, which name the implementation.
/// </summary>
/// <param name="MajorVersion">1 for IKEv1 (ISAKMP), 2 for IKEv2.</param>
/// <param name="ExchangeType">2 Identity Protection (Main Mode), 4 Aggressive, 5 Informational, 34 IKE_SA_INIT.</param>
/// <param name="VendorIds">The vendor ID payloads' data, lowercase hex.</param>
/// <param name="Notifications">The notify message types (14 NO-PROPOSAL-CHOSEN, ...).</param>
internal sealed record IkeReply(int MajorVersion, int ExchangeType, IReadOnlyList<string> VendorIds, IReadOnlyList<int> Notifications)
{
    private const int MaxPayloads = 32;

    /// <summary>Reads a response whose initiator SPI is <paramref name="initiatorSpi"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, ReadOnlySpan<byte> initiatorSpi, out IkeReply reply)
    {
        reply = null!;
        if (message.Length < 28 || initiatorSpi.Length != 8 || !message[..8].SequenceEqual(initiatorSpi))
        {
            return false;
        }
        var major = message[17] >> 4;
        if (major is not (1 or 2))
        {
            return false;
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(message[24..]);
        var end = (int)Math.Min(length, (uint)message.Length);
        var next = message[16];
        var offset = 28;
        var vendorIds = new List<string>();
        var notifications = new List<int>();
        for (var i = 0; i < MaxPayloads && next != 0 && offset + 4 <= end; i++)
        {
            var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
            if (payloadLength < 4 || offset + payloadLength > end)
            {
                break;
            }
            var body = message.Slice(offset + 4, payloadLength - 4);
            if (next is 13 or 43)
            {
                vendorIds.Add(Convert.ToHexString(body[..Math.Min(body.Length, 32)]).ToLowerInvariant());
            }
            else if (next == 11 && body.Length >= 8)
            {
                // IKEv1 notify: DOI (4), protocol (1), SPI size (1), type (2).
                notifications.Add(BinaryPrimitives.ReadUInt16BigEndian(body[6..]));
            }
            else if (next == 41 && body.Length >= 4)
            {
                // IKEv2 notify: protocol (1), SPI size (1), type (2).
                notifications.Add(BinaryPrimitives.ReadUInt16BigEndian(body[2..]));
            }
            next = message[offset];
            offset += payloadLength;
        }
        reply = new IkeReply(major, message[18], vendorIds, notifications);
        return true;
    }

    /// <summary>
    /// The implementation and the features a vendor ID names. Product IDs are MD5 digests of the product's name
    /// (strongSwan) or its own prefixes; feature IDs come from their RFCs and drafts.
    /// </summary>
    public static (string? Product, string? Feature) DescribeVendorId(string hex) => hex switch
    {
        "882fe56d6fd20dbc2251613b2ebe5beb" => ("strongSwan", null),
        "4a131c81070358455c5728f20e95452f" => (null, "NAT-T (RFC 3947)"),
        "afcad71368a1f1c96b8696fc77570100" => (null, "Dead Peer Detection"),
        "09002689dfd6b712" => (null, "XAUTH"),
        "12f5f28c457168a9702d9fe274cc0100" => ("Cisco", "Cisco Unity"),
        "4048b7d56ebce88525e7de7f00d6c2d3" => (null, "IKE fragmentation"),
        _ when hex.StartsWith("4f454e", StringComparison.Ordinal) || hex.StartsWith("4f45", StringComparison.Ordinal) => ("Libreswan", null),
        _ when hex.StartsWith("1e2b516905991c7d7c96fcbfb587e461", StringComparison.Ordinal) => ("Microsoft Windows", null),
        _ when hex.StartsWith("7003cbc1097dbe9c2600ba6983bc8b35", StringComparison.Ordinal) => ("racoon (ipsec-tools)", null),
        _ => (null, null),
    };
}
