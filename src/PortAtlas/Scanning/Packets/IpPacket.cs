using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace PortAtlas.Scanning.Packets;

/// <summary>
/// Source and destination of an IP packet, either family, without allocating: an IPv4 address is held in the low 32
/// bits of the 128-bit value.
/// </summary>
/// <param name="IsIPv6">True for IPv6.</param>
/// <param name="Source">Source address.</param>
/// <param name="Destination">Destination address.</param>
internal readonly record struct IpPair(bool IsIPv6, UInt128 Source, UInt128 Destination)
{
    /// <summary>The pair with source and destination swapped (how a reply's addresses look).</summary>
    public IpPair Reversed => new(IsIPv6, Destination, Source);

    /// <summary>An address as a 128-bit value (IPv4 in the low 32 bits).</summary>
    public static UInt128 ToValue(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return BinaryPrimitives.ReadUInt32BigEndian(bytes);
        }
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>A 128-bit value as an address of the given family.</summary>
    public static IPAddress ToAddress(UInt128 value, bool isIPv6)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!isIPv6)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
            return new IPAddress(bytes[..4]);
        }
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}

/// <summary>
/// Where the upper-layer header of an IPv4 or IPv6 packet is, and its addresses. Non-first fragments are refused (their
/// payload has no upper-layer header). A truncated packet is accepted with the bytes present: ICMP errors quote only
/// the start of the packet that caused them.
/// </summary>
/// <param name="Addresses">Family, source and destination.</param>
/// <param name="Protocol">Upper-layer protocol.</param>
/// <param name="PayloadOffset">Offset of the upper-layer header.</param>
/// <param name="PayloadLength">Bytes of upper-layer data present (header included).</param>
/// <param name="TimeToLive">TTL or hop limit.</param>
internal readonly record struct IpPacket(IpPair Addresses, byte Protocol, int PayloadOffset, int PayloadLength, byte TimeToLive)
{
    /// <summary>Protocol number of ICMP.</summary>
    public const byte Icmp = 1;
    /// <summary>Protocol number of TCP.</summary>
    public const byte Tcp = 6;
    /// <summary>Protocol number of UDP.</summary>
    public const byte Udp = 17;
    /// <summary>Protocol number of ICMPv6.</summary>
    public const byte IcmpV6 = 58;
    /// <summary>Protocol number of SCTP.</summary>
    public const byte Sctp = 132;

    /// <summary>Reads the IP header (and IPv6 extension headers) of <paramref name="data"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out IpPacket packet)
    {
        packet = default;
        if (data.IsEmpty)
        {
            return false;
        }
        if (data[0] >> 4 == 4)
        {
            if (!IPv4Header.TryParse(data, out var v4) || v4.FragmentOffset != 0)
            {
                return false;
            }
            var end = Math.Min(v4.TotalLength, data.Length);
            packet = new IpPacket(new IpPair(false, v4.Source, v4.Destination), v4.Protocol, v4.HeaderLength, end - v4.HeaderLength, v4.TimeToLive);
            return true;
        }
        if (IPv6Header.TryParse(data, out var v6) && IPv6Header.TryFindUpperLayer(data, out var protocol, out var offset))
        {
            var end = Math.Min(IPv6Header.Length + v6.PayloadLength, data.Length);
            if (end < offset)
            {
                return false;
            }
            packet = new IpPacket(new IpPair(true, v6.Source, v6.Destination), protocol, offset, end - offset, v6.HopLimit);
            return true;
        }
        return false;
    }
}
