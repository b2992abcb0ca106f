using System.Buffers.Binary;
using System.Numerics;

namespace PortAtlas.Scanning.Packets;

/// <summary>
/// CRC32c (Castagnoli polynomial 0x1EDC6F41, reflected), the checksum of SCTP packets (RFC 9260, 6.8 and Appendix A)
/// and iSCSI (RFC 3720, B.4). <see cref="BitOperations.Crc32C(uint, ulong)"/> uses the CPU's instruction where there is one.
/// </summary>
internal static class Crc32C
{
    /// <summary>The CRC32c of <paramref name="data"/>: initial value all ones, final complement.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        return ~crc;
    }

    /// <summary>
    /// Computes an SCTP packet's checksum over <paramref name="packet"/> (common header and chunks, checksum field zeroed
    /// first) and stores it. The reflected CRC goes on the wire least significant byte first (RFC 9260, Appendix A).
    /// </summary>
    public static void WriteSctpChecksum(Span<byte> packet)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(packet.Length, SctpHeader.Length);
        packet.Slice(8, 4).Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(packet[8..], Compute(packet));
    }

    /// <summary>True when the SCTP packet's stored checksum matches its content.</summary>
    public static bool VerifySctpChecksum(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < SctpHeader.Length)
        {
            return false;
        }
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(packet[8..]);
        var crc = uint.MaxValue;
        crc = Update(crc, packet[..8]);
        crc = Update(crc, [0, 0, 0, 0]);
        crc = Update(crc, packet[12..]);
        return ~crc == stored;
    }

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        return crc;
    }
}
