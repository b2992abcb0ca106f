using PortAtlas.Scanning.Packets;

namespace PortAtlas.Tests.Scanning.Packets;

public sealed class InternetChecksumTests
{
    [Fact]
    public void Compute_Rfc1071Example_GivesTheComplementOfDdf2()
    {
        // RFC 1071, 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (one's complement), so the checksum is 220d.
        byte[] data = [0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7];

        Assert.Equal(0xDDF2, (ushort)~InternetChecksum.Compute(data));
        Assert.Equal(0x220D, InternetChecksum.Compute(data));
    }

    [Fact]
    public void Compute_KnownIPv4Header_GivesItsChecksum()
    {
        // 192.168.0.1 -> 192.168.0.199, UDP, total length 0x73, DF, TTL 64: the checksum carried is b861.
        byte[] header = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7];

        Assert.Equal(0xB861, InternetChecksum.Compute(header));
    }

    [Fact]
    public void Compute_OddLength_PadsTheLastByteWithZero()
    {
        Assert.Equal(InternetChecksum.Compute([0x12, 0x34, 0x56, 0x00]), InternetChecksum.Compute([0x12, 0x34, 0x56]));
    }

    [Fact]
    public void Compute_DataWithItsChecksum_SumsToZero()
    {
        byte[] data = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xB8, 0x61, 0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7];

        Assert.Equal(0, InternetChecksum.Compute(data));
    }

    [Fact]
    public void PseudoHeaderV6_EqualsSummingTheRfc8200Layout()
    {
        var source = new UInt128(0x2001_0db8_0000_0000, 1);
        var destination = UInt128.One;
        var layout = new byte[40];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(layout, source);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(layout.AsSpan(16), destination);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(layout.AsSpan(32), 20);
        layout[39] = 6;

        Assert.Equal(InternetChecksum.Finish(InternetChecksum.Add(layout)), InternetChecksum.Finish(InternetChecksum.PseudoHeaderV6(source, destination, 6, 20)));
    }
}
