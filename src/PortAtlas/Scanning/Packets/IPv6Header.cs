using System.Buffers.Binary;

namespace PortAtlas.Scanning.Packets;

/// <summary>An IPv6 fixed header (RFC 8200, 3). Addresses are 128-bit values in host order.</summary>
/// <param name="TrafficClass">Traffic class.</param>
/// <param name="FlowLabel">Flow label (20 bits).</param>
/// <param name="PayloadLength">Bytes after the fixed header, extension headers included.</param>
/// <param name="NextHeader">Type of the header that follows.</param>
/// <param name="HopLimit">Hops left.</param>
/// <param name="Source">Source address.</param>
/// <param name="Destination">Destination address.</param>
internal readonly record struct IPv6Header(byte TrafficClass, uint FlowLabel, ushort PayloadLength, byte NextHeader, byte HopLimit, UInt128 Source, UInt128 Destination)
{
    /// <summary>Length of the fixed header.</summary>
    public const int Length = 40;

    /// <summary>Reads the fixed header; false when <paramref name="data"/> is shorter than 40 bytes or not version 6.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out IPv6Header header)
    {
        header = default;
        if (data.Length < Length || data[0] >> 4 != 6)
        {
            return false;
        }
        var first = BinaryPrimitives.ReadUInt32BigEndian(data);
        header = new IPv6Header(
            (byte)(first >> 20), first & 0xFFFFF,
            BinaryPrimitives.ReadUInt16BigEndian(data[4..]),
            data[6], data[7],
            BinaryPrimitives.ReadUInt128BigEndian(data[8..]),
            BinaryPrimitives.ReadUInt128BigEndian(data[24..]));
        return true;
    }

    /// <summary>
    /// Walks the extension headers after the fixed header (hop-by-hop, routing, destination options, fragment; RFC 8200, 4)
    /// to the upper-layer header. False when a header is truncated, or the packet is a non-first fragment.
    /// </summary>
    /// <param name="packet">The whole packet, fixed header first.</param>
    /// <param name="protocol">The upper-layer protocol.</param>
    /// <param name="offset">Where its header starts in <paramref name="packet"/>.</param>
    public static bool TryFindUpperLayer(ReadOnlySpan<byte> packet, out byte protocol, out int offset)
    {
        protocol = 0;
        offset = Length;
        if (packet.Length < Length)
        {
            return false;
        }
        var next = packet[6];
        for (var hops = 0; hops < 8; hops++)
        {
            switch (next)
            {
                case 0 or 43 or 60:
                    if (packet.Length < offset + 8)
                    {
                        return false;
                    }
                    next = packet[offset];
                    offset += (packet[offset + 1] + 1) * 8;
                    break;
                case 44:
                    if (packet.Length < offset + 8 || (BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]) & 0xFFF8) != 0)
                    {
                        return false;
                    }
                    next = packet[offset];
                    offset += 8;
                    break;
                default:
                    protocol = next;
                    return offset <= packet.Length;
            }
        }
        return false;
    }

    /// <summary>Writes a fixed header with no extension headers; returns 40.</summary>
    /// <param name="destination">At least 40 bytes.</param>
    /// <param name="source">Source address.</param>
    /// <param name="target">Destination address.</param>
    /// <param name="nextHeader">Upper-layer protocol.</param>
    /// <param name="payloadLength">Bytes after the header.</param>
    /// <param name="hopLimit">Hop limit; 64 is Linux's default.</param>
    public static int Write(Span<byte> destination, UInt128 source, UInt128 target, byte nextHeader, int payloadLength, byte hopLimit = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadLength, ushort.MaxValue);
        BinaryPrimitives.WriteUInt32BigEndian(destination, 6u << 28);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)payloadLength);
        destination[6] = nextHeader;
        destination[7] = hopLimit;
        BinaryPrimitives.WriteUInt128BigEndian(destination[8..], source);
        BinaryPrimitives.WriteUInt128BigEndian(destination[24..], target);
        return Length;
    }
}
