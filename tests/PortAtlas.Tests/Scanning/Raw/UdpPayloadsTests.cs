using System.Buffers.Binary;
using PortAtlas.Detection.Udp;
using PortAtlas.Scanning.Raw;

namespace PortAtlas.Tests.Scanning.Raw;

public sealed class UdpPayloadsTests
{
    [Fact]
    public void For_UnknownPort_IsEmpty()
    {
        Assert.True(UdpPayloads.For(40125).IsEmpty);
    }

    [Fact]
    public void For_Dns_IsOneRecursiveQuestion()
    {
        var dns = UdpPayloads.For(53);

        Assert.Equal(0x0100, BinaryPrimitives.ReadUInt16BigEndian(dns[2..]));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(dns[4..]));
        Assert.Equal(12 + 1 + 4, dns.Length);
    }

    [Fact]
    public void For_Ntp_IsA48ByteVersion4ClientRequest()
    {
        var ntp = UdpPayloads.For(123);

        Assert.Equal(48, ntp.Length);
        Assert.Equal(4, (ntp[0] >> 3) & 7);
        Assert.Equal(3, ntp[0] & 7);
    }

    [Fact]
    public void For_Snmp_HasConsistentBerLengths()
    {
        var snmp = UdpPayloads.For(161).ToArray();

        Assert.Equal(0x30, snmp[0]);
        Assert.Equal(snmp.Length - 2, snmp[1]);
        var pdu = Array.IndexOf(snmp, (byte)0xA0);
        Assert.Equal(snmp.Length - pdu - 2, snmp[pdu + 1]);
        Assert.Contains("public"u8.ToArray(), new[] { snmp[7..13] }, new ByteArrayComparer());
    }

    [Fact]
    public void For_Memcached_HasTheUdpFrameHeaderThenVersion()
    {
        var memcached = UdpPayloads.For(11211);

        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(memcached[4..]));
        Assert.True(memcached[8..].SequenceEqual("version\r\n"u8));
    }

    [Fact]
    public void For_Ike_LengthFieldMatches()
    {
        var ike = UdpPayloads.For(500);

        Assert.Equal(ike.Length, (int)BinaryPrimitives.ReadUInt32BigEndian(ike[24..]));
    }

    [Fact]
    public void For_Netbios_EncodesTheWildcardName()
    {
        var nbns = UdpPayloads.For(137);

        Assert.Equal(50, nbns.Length);
        Assert.Equal((byte)'C', nbns[13]);
        Assert.Equal((byte)'K', nbns[14]);
        Assert.Equal(0x21, nbns[^3]);
    }

    [Fact]
    public void Every_Payload_FitsInAProbe()
    {
        Assert.All(UdpPayloads.Ports, port => Assert.InRange(UdpPayloads.For(port).Length, 1, 512));
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }
}
