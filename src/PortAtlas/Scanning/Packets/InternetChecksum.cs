using System.Buffers.Binary;

namespace PortAtlas.Scanning.Packets;

/// <summary>
/// The Internet checksum of IPv4, ICMP, TCP and UDP: the 16-bit one's complement of the one's complement sum of the
/// data taken as big-endian 16-bit words, an odd last byte padded with zero (RFC 1071, 1 and 4.1; RFC 791, RFC 793,
/// RFC 768). TCP, UDP and ICMPv6 also cover a pseudo-header of the addresses (RFC 793 3.1; RFC 8200 8.1).
/// </summary>
internal static class InternetChecksum
{
    /// <summary>Adds <paramref name="data"/> to a running sum; only the last piece summed may have an odd length.</summary>
    /// <param name="data">Bytes in network order.</param>
    /// <param name="sum">The sum so far (0 to start).</param>
    /// <returns>The new running sum, not yet folded.</returns>
    public static ulong Add(ReadOnlySpan<byte> data, ulong sum = 0)
    {
        // Summing 32-bit big-endian words into 64 bits and folding later gives the same one's complement sum (RFC 1071, 2(B) and 2(C)).
        while (data.Length >= 4)
        {
            sum += BinaryPrimitives.ReadUInt32BigEndian(data);
            data = data[4..];
        }
        if (data.Length >= 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data);
            data = data[2..];
        }
        if (data.Length == 1)
        {
            sum += (ulong)data[0] << 8;
        }
        return sum;
    }

    /// <summary>Folds a running sum to 16 bits with end-around carry and complements it: the value to put in a checksum field.</summary>
    public static ushort Finish(ulong sum)
    {
        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }

    /// <summary>The checksum of <paramref name="data"/> alone (IPv4 header, ICMP message).</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Add(data));

    /// <summary>The running sum of an IPv4 pseudo-header: source, destination, zero, protocol, upper-layer length (RFC 793, 3.1).</summary>
    public static ulong PseudoHeaderV4(uint source, uint destination, byte protocol, int length) =>
        (ulong)source + destination + protocol + (uint)length;

    /// <summary>The running sum of an IPv6 pseudo-header: source, destination, 32-bit length, next header (RFC 8200, 8.1).</summary>
    public static ulong PseudoHeaderV6(UInt128 source, UInt128 destination, byte nextHeader, int length) =>
        SumWords(source) + SumWords(destination) + (uint)length + nextHeader;

    private static ulong SumWords(UInt128 value) =>
        (ulong)(uint)(value >> 96) + (uint)(value >> 64) + (uint)(value >> 32) + (uint)value;
}
