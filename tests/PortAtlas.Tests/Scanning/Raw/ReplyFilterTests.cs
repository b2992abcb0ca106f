using System.Buffers.Binary;
using PortAtlas.Scanning.Raw;

namespace PortAtlas.Tests.Scanning.Raw;

public sealed class ReplyFilterTests
{
    private const ushort Source = 47000;
    private const ushort Canary = 47001;
    private const byte Host = 0;
    private const byte Outgoing = 4;

    private static readonly ReplyFilter.Instruction[] s_program = ReplyFilter.Build(Source, Canary);

    [Theory]
    [InlineData(6, Source, true)]
    [InlineData(6, Canary, true)]
    [InlineData(6, 22, false)]
    [InlineData(6, Source + 2, false)]
    [InlineData(17, Source, true)]
    [InlineData(17, 53, false)]
    [InlineData(132, Source, true)]
    [InlineData(132, 80, false)]
    public void Ipv4_TransportPackets_PassOnlyToOurPorts(byte protocol, int port, bool accepted)
    {
        Assert.Equal(accepted, Run(0x0800, Host, Ipv4(protocol, (ushort)port)));
    }

    [Fact]
    public void Ipv4_WithOptions_ReadsThePortPastThem()
    {
        Assert.True(Run(0x0800, Host, Ipv4(6, Source, optionWords: 3)));
        Assert.False(Run(0x0800, Host, Ipv4(6, 443, optionWords: 3)));
    }

    [Fact]
    public void OurOwnOutgoingCopies_AreDropped()
    {
        Assert.False(Run(0x0800, Outgoing, Ipv4(6, Source)));
        Assert.False(Run(0x86DD, Outgoing, Ipv6(6, Source)));
    }

    [Fact]
    public void IcmpAndArp_PassWhole()
    {
        Assert.True(Run(0x0800, Host, Ipv4(1, 0)));
        Assert.True(Run(0x86DD, Host, Ipv6(58, 0)));
        Assert.True(Run(0x0806, Host, new byte[28]));
    }

    [Fact]
    public void Ipv4_LaterFragment_Passes()
    {
        var packet = Ipv4(6, 80);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), 185);
        Assert.True(Run(0x0800, Host, packet));
    }

    [Theory]
    [InlineData(6, Source, true)]
    [InlineData(6, 8080, false)]
    [InlineData(17, Canary, true)]
    [InlineData(17, 123, false)]
    [InlineData(132, Source, true)]
    [InlineData(0, 22, true)] // a hop-by-hop header first: the receive thread walks it
    public void Ipv6_TransportPackets_PassOnlyToOurPorts(byte nextHeader, int port, bool accepted)
    {
        Assert.Equal(accepted, Run(0x86DD, Host, Ipv6(nextHeader, (ushort)port)));
    }

    [Fact]
    public void OtherTraffic_IsDropped()
    {
        Assert.False(Run(0x0800, Host, Ipv4(47, Source)));   // GRE
        Assert.False(Run(0x88CC, Host, new byte[64]));        // LLDP
    }

    [Fact]
    public void TruncatedPacket_IsDropped()
    {
        Assert.False(Run(0x0800, Host, Ipv4(6, Source).AsSpan(0, 21).ToArray()));
    }

    [Fact]
    public void Build_PortsEnterTheProgram()
    {
        var other = ReplyFilter.Build(50000, 50001);
        Assert.True(Run(0x0800, Host, Ipv4(6, 50001), other));
        Assert.False(Run(0x0800, Host, Ipv4(6, Source), other));
    }

    [Fact]
    public void AttachFilter_TheKernelAcceptsTheProgram()
    {
        if (!RawCapability.IsAvailable)
        {
            return; // needs a packet socket (root or CAP_NET_RAW)
        }
        using var receiver = new PacketReceiver(TimeProvider.System);
        Assert.True(receiver.AttachFilter(s_program));
    }

    private static byte[] Ipv4(byte protocol, ushort destinationPort, int optionWords = 0)
    {
        var header = 20 + (optionWords * 4);
        var packet = new byte[header + 20];
        packet[0] = (byte)(0x40 | (5 + optionWords));
        packet[9] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(header), 443);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(header + 2), destinationPort);
        return packet;
    }

    private static byte[] Ipv6(byte nextHeader, ushort destinationPort)
    {
        var packet = new byte[60];
        packet[0] = 0x60;
        packet[6] = nextHeader;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(40), 443);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(42), destinationPort);
        return packet;
    }

    private static bool Run(ushort etherType, byte packetType, byte[] packet, ReplyFilter.Instruction[]? program = null) =>
        Interpret(program ?? s_program, etherType, packetType, packet) != 0;

    /// <summary>The classic BPF the program uses, as the kernel runs it: a load past the end returns 0 (drop).</summary>
    private static uint Interpret(ReplyFilter.Instruction[] program, ushort etherType, byte packetType, byte[] packet)
    {
        uint a = 0, x = 0;
        for (var pc = 0; pc < program.Length; pc++)
        {
            var (code, jt, jf, k) = program[pc];
            switch (code)
            {
                case ReplyFilter.LdW | ReplyFilter.Abs when k == ReplyFilter.AncillaryProtocol:
                    a = etherType;
                    break;
                case ReplyFilter.LdW | ReplyFilter.Abs when k == ReplyFilter.AncillaryPacketType:
                    a = packetType;
                    break;
                case ReplyFilter.LdB | ReplyFilter.Abs:
                    if (k >= packet.Length) { return 0; }
                    a = packet[k];
                    break;
                case ReplyFilter.LdH | ReplyFilter.Abs:
                    if (k + 2 > packet.Length) { return 0; }
                    a = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan((int)k));
                    break;
                case ReplyFilter.LdH | ReplyFilter.Ind:
                    if (x + k + 2 > packet.Length) { return 0; }
                    a = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan((int)(x + k)));
                    break;
                case ReplyFilter.Ldx | ReplyFilter.LdB | ReplyFilter.Msh:
                    if (k >= packet.Length) { return 0; }
                    x = (uint)((packet[k] & 0xf) * 4);
                    break;
                case ReplyFilter.Jmp | ReplyFilter.Jeq | ReplyFilter.K:
                    pc += a == k ? jt : jf;
                    break;
                case ReplyFilter.Jmp | ReplyFilter.Jset | ReplyFilter.K:
                    pc += (a & k) != 0 ? jt : jf;
                    break;
                case ReplyFilter.Ret | ReplyFilter.K:
                    return k;
                default:
                    Assert.Fail($"instruction {pc}: opcode 0x{code:x} is not one the filter should use");
                    break;
            }
        }
        Assert.Fail("the program ran off its end");
        return 0;
    }
}
