using System.Buffers.Binary;

namespace PortAtlas.Scanning.Packets;

/// <summary>A UDP header (RFC 768).</summary>
/// <param name="SourcePort">Source port.</param>
/// <param name="DestinationPort">Destination port.</param>
/// <param name="Length">Header and data length.</param>
/// <param name="Checksum">Checksum as carried (0: none, IPv4 only).</param>
internal readonly record struct UdpHeader(ushort SourcePort, ushort DestinationPort, ushort Length, ushort Checksum)
{
    /// <summary>Header length.</summary>
    public const int HeaderLength = 8;

    /// <summary>Reads a header; false when <paramref name="data"/> is shorter than 8 bytes.</summary>
    /// <remarks>The length field is not checked against <paramref name="data"/>: an ICMP error may quote only the header.</remarks>
    public static bool TryParse(ReadOnlySpan<byte> data, out UdpHeader header)
    {
        header = default;
        if (data.Length < HeaderLength)
        {
            return false;
        }
        header = new UdpHeader(
            BinaryPrimitives.ReadUInt16BigEndian(data),
            BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(data[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(data[6..]));
        return true;
    }

    /// <summary>Writes a header for <paramref name="payloadLength"/> bytes of data with a zero checksum; returns 8.</summary>
    public static int Write(Span<byte> destination, ushort sourcePort, ushort destinationPort, int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, HeaderLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadLength, ushort.MaxValue - HeaderLength);
        BinaryPrimitives.WriteUInt16BigEndian(destination, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)(HeaderLength + payloadLength));
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], 0);
        return HeaderLength;
    }
}
