using System.Buffers.Binary;

namespace PortAtlas.Scanning.Packets;

/// <summary>An ARP packet for IPv4 over Ethernet (RFC 826). MAC addresses are 48-bit values in the low bits of a <see cref="ulong"/>.</summary>
/// <param name="Operation">1 request, 2 reply.</param>
/// <param name="SenderHardwareAddress">Sender MAC.</param>
/// <param name="SenderProtocolAddress">Sender IPv4 address.</param>
/// <param name="TargetHardwareAddress">Target MAC (zero in a request).</param>
/// <param name="TargetProtocolAddress">Target IPv4 address.</param>
internal readonly record struct ArpPacket(ushort Operation, ulong SenderHardwareAddress, uint SenderProtocolAddress, ulong TargetHardwareAddress, uint TargetProtocolAddress)
{
    /// <summary>Length of an Ethernet/IPv4 ARP packet.</summary>
    public const int Length = 28;
    /// <summary>ARP request.</summary>
    public const ushort Request = 1;
    /// <summary>ARP reply.</summary>
    public const ushort Reply = 2;
    /// <summary>The EtherType of ARP.</summary>
    public const ushort EtherType = 0x0806;

    /// <summary>Reads an Ethernet/IPv4 ARP packet; false for other hardware or protocol types or when truncated.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out ArpPacket packet)
    {
        packet = default;
        if (data.Length < Length
            || BinaryPrimitives.ReadUInt16BigEndian(data) != 1
            || BinaryPrimitives.ReadUInt16BigEndian(data[2..]) != 0x0800
            || data[4] != 6 || data[5] != 4)
        {
            return false;
        }
        packet = new ArpPacket(
            BinaryPrimitives.ReadUInt16BigEndian(data[6..]),
            ReadMac(data[8..]), BinaryPrimitives.ReadUInt32BigEndian(data[14..]),
            ReadMac(data[18..]), BinaryPrimitives.ReadUInt32BigEndian(data[24..]));
        return true;
    }

    /// <summary>Writes the packet (Ethernet hardware, IPv4 protocol); returns 28.</summary>
    public int Write(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length);
        BinaryPrimitives.WriteUInt16BigEndian(destination, 1);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0x0800);
        destination[4] = 6;
        destination[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], Operation);
        WriteMac(destination[8..], SenderHardwareAddress);
        BinaryPrimitives.WriteUInt32BigEndian(destination[14..], SenderProtocolAddress);
        WriteMac(destination[18..], TargetHardwareAddress);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], TargetProtocolAddress);
        return Length;
    }

    /// <summary>Reads a 6-byte MAC address.</summary>
    public static ulong ReadMac(ReadOnlySpan<byte> data) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(data) << 32) | BinaryPrimitives.ReadUInt32BigEndian(data[2..]);

    /// <summary>Writes a 6-byte MAC address.</summary>
    public static void WriteMac(Span<byte> destination, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)mac);
    }
}
