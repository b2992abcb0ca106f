using PortAtlas.Scanning.Packets;

namespace PortAtlas.Tests.Scanning.Packets;

public sealed class Crc32CTests
{
    // RFC 3720, B.4: CRC32c examples, the CRC as transmitted (least significant byte first) read back as a value.
    public static TheoryData<string, byte[], uint> Rfc3720Vectors => new()
    {
        { "32 bytes of zeros", new byte[32], 0x8A9136AA },
        { "32 bytes of ones", Enumerable.Repeat((byte)0xFF, 32).ToArray(), 0x62A8AB43 },
        { "32 incrementing bytes", Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), 0x46DD794E },
        { "32 decrementing bytes", Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray(), 0x113FDB5C },
        {
            "an iSCSI read command PDU",
            [
                0x01, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
                0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            ],
            0xD9963A56
        },
    };

    [Theory]
    [MemberData(nameof(Rfc3720Vectors))]
    public void Compute_Rfc3720Vectors_Match(string name, byte[] data, uint expected)
    {
        Assert.True(Crc32C.Compute(data) == expected, name);
    }

    [Fact]
    public void Compute_CheckString_Is_e3069283()
    {
        // The catalogue check value of CRC-32C over "123456789".
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    [Fact]
    public void WriteSctpChecksum_StoresTheCrcLeastSignificantByteFirst_AndVerifies()
    {
        var packet = new byte[32];
        SctpHeader.WriteInit(packet, 40000, 80, 0x01020304, 7);

        Assert.True(Crc32C.VerifySctpChecksum(packet));
        Assert.Equal(Crc32C.Compute([.. packet.AsSpan(0, 8), 0, 0, 0, 0, .. packet.AsSpan(12)]), BitConverter.ToUInt32(packet, 8));
        packet[20] ^= 1;
        Assert.False(Crc32C.VerifySctpChecksum(packet));
    }
}
