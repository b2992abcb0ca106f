using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using PortAtlas.Scanning.Raw;

namespace PortAtlas.Tests.Scanning.Raw;

public sealed class PacketRingTests
{
    private const byte Host = 0;
    private const byte Outgoing = 4;
    private const int CookedNetworkOffset = 96; // TPACKET_ALIGN(48 + 20 + 16), where the kernel puts a cooked packet
    private static readonly PacketRing.FrameClock s_noAge = new(1_000, 0, 1_000_000_000);

    [Fact]
    public void WalkBlock_HandsOnEveryIncomingPacket_InOrder_WithItsEtherTypeAndInterface()
    {
        var block = new BlockBuilder()
            .Add(0x0800, Host, interfaceIndex: 3, Packet(0x45, 40))
            .Add(0x86DD, Host, interfaceIndex: 7, Packet(0x60, 60))
            .Add(0x0806, Host, interfaceIndex: 3, Packet(0x00, 28))
            .Build();
        var handler = new Collector();

        var walked = PacketRing.WalkBlock(block, handler, s_noAge);

        Assert.Equal(3, walked);
        Assert.Equal([(ushort)0x0800, 0x86DD, 0x0806], handler.Packets.Select(p => p.EtherType));
        Assert.Equal([3, 7, 3], handler.Packets.Select(p => p.InterfaceIndex));
        Assert.Equal(Packet(0x45, 40), handler.Packets[0].Bytes);
        Assert.Equal(Packet(0x60, 60), handler.Packets[1].Bytes);
        Assert.Equal(28, handler.Packets[2].Bytes.Length);
    }

    [Fact]
    public void WalkBlock_SkipsOurOwnOutgoingCopies_ButCountsThem()
    {
        var block = new BlockBuilder()
            .Add(0x0800, Outgoing, interfaceIndex: 1, Packet(0x45, 40))
            .Add(0x0800, Host, interfaceIndex: 1, Packet(0x46, 44))
            .Build();
        var handler = new Collector();

        Assert.Equal(2, PacketRing.WalkBlock(block, handler, s_noAge));
        Assert.Equal(Packet(0x46, 44), Assert.Single(handler.Packets).Bytes);
    }

    [Fact]
    public void WalkBlock_AnEmptyBlock_HandsOnNothing()
    {
        Assert.Equal(0, PacketRing.WalkBlock(new BlockBuilder().Build(), new Collector(), s_noAge));
    }

    [Fact]
    public void WalkBlock_ACountBeyondTheFrames_StopsAtTheLastFrame()
    {
        var block = new BlockBuilder().Add(0x0800, Host, 1, Packet(0x45, 40)).Add(0x0800, Host, 1, Packet(0x45, 40)).Build();
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(PacketRing.BlockPacketCountOffset), 1000);
        var handler = new Collector();

        Assert.Equal(2, PacketRing.WalkBlock(block, handler, s_noAge));
        Assert.Equal(2, handler.Packets.Count);
    }

    [Fact]
    public void WalkBlock_OffsetsPastTheBlock_EndTheWalkWithoutReadingOutside()
    {
        var block = new BlockBuilder().Add(0x0800, Host, 1, Packet(0x45, 40)).Add(0x0800, Host, 1, Packet(0x45, 40)).Build();
        var first = PacketRing.BlockHeaderSize;
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(first + PacketRing.FrameNextOffset), (uint)block.Length);
        var handler = new Collector();
        PacketRing.WalkBlock(block, handler, s_noAge);
        Assert.Single(handler.Packets);

        // A captured length or network offset that runs past the block: the frame is not handed on.
        var bad = new BlockBuilder().Add(0x0800, Host, 1, Packet(0x45, 40)).Build();
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(first + PacketRing.FrameCapturedLength), 2000);
        var none = new Collector();
        PacketRing.WalkBlock(bad.AsSpan(0, 512), none, s_noAge);
        Assert.Empty(none.Packets);

        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(PacketRing.BlockFirstPacketOffset), 1_000_000);
        Assert.Equal(0, PacketRing.WalkBlock(bad, none, s_noAge));
        Assert.Empty(none.Packets);
    }

    [Fact]
    public void WalkBlock_LongPackets_AreCutToTheRecvmmsgSlot()
    {
        var block = new BlockBuilder(16384).Add(0x0800, Host, 1, Packet(0x45, 3000)).Build();
        var handler = new Collector();
        PacketRing.WalkBlock(block, handler, s_noAge);
        Assert.Equal(PacketRing.MaxPacketLength, Assert.Single(handler.Packets).Bytes.Length);
    }

    [Fact]
    public void FrameClock_TakesThePacketsAgeOffTheReadTime()
    {
        // Read at realtime 100.5 s, engine clock 10,000,000 ticks of 1 µs; the packet arrived at 100.498 s: 2 ms earlier.
        var clock = new PacketRing.FrameClock(10_000_000, 100_500_000_000, 1_000_000);
        Assert.Equal(10_000_000 - 2_000, clock.Stamp(100, 498_000_000));

        var block = new BlockBuilder().Add(0x0800, Host, 1, Packet(0x45, 40), seconds: 100, nanoseconds: 499_000_000).Build();
        var handler = new Collector();
        PacketRing.WalkBlock(block, handler, clock);
        Assert.Equal(10_000_000 - 1_000, Assert.Single(handler.Packets).Timestamp);
    }

    [Theory]
    [InlineData(101u, 0u)]          // stamped after the read: the clocks disagree
    [InlineData(90u, 0u)]           // over a second old: the wall clock was set meanwhile
    public void FrameClock_AnAgeItCannotBelieve_StampsTheReadTime(uint seconds, uint nanoseconds)
    {
        var clock = new PacketRing.FrameClock(10_000_000, 100_500_000_000, 1_000_000);
        Assert.Equal(10_000_000, clock.Stamp(seconds, nanoseconds));
    }

    [Fact]
    public void FrameClock_WithoutTheRealtimeClock_StampsTheReadTime()
    {
        Assert.Equal(1_000, s_noAge.Stamp(100, 0));
    }

    [Fact]
    public void TryCreate_OnASocketThatIsNotAPacketSocket_GivesNoRing()
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Assert.Null(PacketRing.TryCreate((int)udp.Handle));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PacketReceiver_EitherPath_ReadsALoopbackDatagram(bool useRing)
    {
        if (!RawCapability.IsAvailable)
        {
            return; // needs a packet socket (root or CAP_NET_RAW)
        }
        using var receiver = new PacketReceiver(TimeProvider.System, useRing: useRing);
        Assert.Equal(useRing, receiver.UsesRing);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var marker = Guid.NewGuid().ToByteArray();
        var handler = new Collector();
        // Bounded: a datagram to our own loopback socket arrives within a few polls; other loopback traffic may come first.
        for (var attempt = 0; attempt < 100 && !handler.Packets.Any(p => p.Bytes.AsSpan().IndexOf(marker) >= 0); attempt++)
        {
            if (attempt % 10 == 0)
            {
                client.SendTo(marker, listener.LocalEndPoint!);
            }
            receiver.Poll(handler, 20);
        }
        Assert.Contains(handler.Packets, p => p.Bytes.AsSpan().IndexOf(marker) >= 0);
        var seen = handler.Packets.First(p => p.Bytes.AsSpan().IndexOf(marker) >= 0);
        Assert.Equal(0x0800, seen.EtherType);
        Assert.Equal(0x45, seen.Bytes[0]);
        Assert.True(receiver.Received >= 1);
    }

    private static byte[] Packet(byte first, int length)
    {
        var packet = new byte[length];
        packet[0] = first;
        for (var i = 1; i < length; i++)
        {
            packet[i] = (byte)i;
        }
        return packet;
    }

    /// <summary>One TPACKET_V3 block as the kernel writes it for a cooked packet socket.</summary>
    private sealed class BlockBuilder(int size = 4096)
    {
        private readonly byte[] _block = new byte[size];
        private int _count;
        private int _offset = PacketRing.BlockHeaderSize;
        private int _previous = -1;

        public BlockBuilder Add(ushort etherType, byte packetType, int interfaceIndex, byte[] packet, uint seconds = 0, uint nanoseconds = 0)
        {
            var frame = _block.AsSpan(_offset);
            BinaryPrimitives.WriteUInt32LittleEndian(frame[PacketRing.FrameSeconds..], seconds);
            BinaryPrimitives.WriteUInt32LittleEndian(frame[PacketRing.FrameNanoseconds..], nanoseconds);
            var captured = Math.Min(packet.Length, frame.Length - CookedNetworkOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(frame[PacketRing.FrameCapturedLength..], (uint)captured);
            BinaryPrimitives.WriteUInt32LittleEndian(frame[16..], (uint)packet.Length);     // tp_len
            BinaryPrimitives.WriteUInt16LittleEndian(frame[24..], CookedNetworkOffset);     // tp_mac
            BinaryPrimitives.WriteUInt16LittleEndian(frame[PacketRing.FrameNetworkOffset..], CookedNetworkOffset);
            var address = frame[PacketRing.FrameAddressOffset..];
            BinaryPrimitives.WriteUInt16LittleEndian(address, 17);                          // AF_PACKET
            BinaryPrimitives.WriteUInt16BigEndian(address[2..], etherType);
            BinaryPrimitives.WriteInt32LittleEndian(address[4..], interfaceIndex);
            address[10] = packetType;
            packet.AsSpan(0, captured).CopyTo(frame[CookedNetworkOffset..]);
            if (_previous >= 0)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(_block.AsSpan(_previous), (uint)(_offset - _previous));
            }
            _previous = _offset;
            _offset += (CookedNetworkOffset + captured + 7) & ~7;
            _count++;
            return this;
        }

        public byte[] Build()
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_block.AsSpan(PacketRing.BlockStatusOffset), PacketRing.StatusUser);
            BinaryPrimitives.WriteUInt32LittleEndian(_block.AsSpan(PacketRing.BlockPacketCountOffset), (uint)_count);
            BinaryPrimitives.WriteUInt32LittleEndian(_block.AsSpan(PacketRing.BlockFirstPacketOffset), PacketRing.BlockHeaderSize);
            return _block;
        }
    }

    private sealed class Collector : IPacketHandler
    {
        public List<(ushort EtherType, byte[] Bytes, int InterfaceIndex, long Timestamp)> Packets { get; } = [];

        public void OnPacket(ushort etherType, ReadOnlySpan<byte> packet, int interfaceIndex, long timestamp) =>
            Packets.Add((etherType, packet.ToArray(), interfaceIndex, timestamp));
    }
}
