using System.Buffers.Binary;

namespace PortAtlas.Scanning.Packets;

/// <summary>An IPv4 header (RFC 791, 3.1). Addresses are 32-bit values in host order (198.18.0.2 is 0xC6120002).</summary>
/// <param name="HeaderLength">Header length in bytes, options included (IHL × 4).</param>
/// <param name="TypeOfService">DSCP and ECN bits.</param>
/// <param name="TotalLength">Length of the datagram, header included.</param>
/// <param name="Identification">Fragment identification.</param>
/// <param name="FlagsAndFragmentOffset">Flags (3 bits) and fragment offset (13 bits, in 8-byte units).</param>
/// <param name="TimeToLive">Hops left.</param>
/// <param name="Protocol">Upper-layer protocol (6 TCP, 17 UDP, 1 ICMP, 132 SCTP).</param>
/// <param name="Checksum">Header checksum as carried.</param>
/// <param name="Source">Source address.</param>
/// <param name="Destination">Destination address.</param>
internal readonly record struct IPv4Header(
    int HeaderLength, byte TypeOfService, ushort TotalLength, ushort Identification, ushort FlagsAndFragmentOffset,
    byte TimeToLive, byte Protocol, ushort Checksum, uint Source, uint Destination)
{
    /// <summary>Length of a header without options.</summary>
    public const int MinLength = 20;

    /// <summary>Fragment offset in bytes; non-zero for every fragment but the first.</summary>
    public int FragmentOffset => (FlagsAndFragmentOffset & 0x1FFF) * 8;

    /// <summary>Reads a header; false when <paramref name="data"/> is too short, is not version 4, or the lengths are inconsistent.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out IPv4Header header)
    {
        header = default;
        if (data.Length < MinLength || data[0] >> 4 != 4)
        {
            return false;
        }
        var headerLength = (data[0] & 0x0F) * 4;
        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if (headerLength < MinLength || headerLength > data.Length || totalLength < headerLength)
        {
            return false;
        }
        header = new IPv4Header(
            headerLength, data[1], totalLength,
            BinaryPrimitives.ReadUInt16BigEndian(data[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(data[6..]),
            data[8], data[9],
            BinaryPrimitives.ReadUInt16BigEndian(data[10..]),
            BinaryPrimitives.ReadUInt32BigEndian(data[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(data[16..]));
        return true;
    }

    /// <summary>Writes a 20-byte header with Don't Fragment clear and its checksum (RFC 791, 3.1); returns 20.</summary>
    /// <param name="destination">At least 20 bytes.</param>
    /// <param name="source">Source address.</param>
    /// <param name="target">Destination address.</param>
    /// <param name="protocol">Upper-layer protocol.</param>
    /// <param name="payloadLength">Bytes after the header.</param>
    /// <param name="identification">Identification field.</param>
    /// <param name="timeToLive">TTL; 64 is Linux's default.</param>
    public static int Write(Span<byte> destination, uint source, uint target, byte protocol, int payloadLength, ushort identification, byte timeToLive = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, MinLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadLength, ushort.MaxValue - MinLength);
        destination[0] = 0x45;
        destination[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(MinLength + payloadLength));
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], identification);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], 0);
        destination[8] = timeToLive;
        destination[9] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], source);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], target);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], InternetChecksum.Compute(destination[..MinLength]));
        return MinLength;
    }
}
