using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace PortAtlas.Scanning.Raw;

/// <summary>
/// A PACKET_RX_RING of TPACKET_V3 on a packet socket (issue 16): the kernel writes the packets the filter accepts into
/// blocks of memory shared with us and wakes the receive thread once a block is full or its timeout has passed, rather
/// than once a packet; the receive thread reads them in place, without a recvmmsg copy, and hands each block back.
/// </summary>
/// <remarks>
/// Layouts are linux/if_packet.h's: a block starts with struct tpacket_block_desc (its status, packet count and the
/// offset of the first packet); each packet with struct tpacket3_hdr, followed by the struct sockaddr_ll that recvmmsg
/// would have given (protocol, interface, packet type). The socket is cooked (SOCK_DGRAM), so tp_net is the network
/// header on loopback and Ethernet alike, and a VLAN tag the kernel took off is not in the packet either.
/// </remarks>
internal sealed unsafe class PacketRing : IDisposable
{
    /// <summary>Bytes a block: about 240 replies, so a block is handed over every millisecond or so at the highest rates.</summary>
    public const int DefaultBlockSize = 32 << 10;

    /// <summary>
    /// Blocks in the ring: 8 MiB in all. The kernel drops what arrives while every block waits for the receive thread, so
    /// the count bounds how long that thread may stay descheduled: about 60,000 replies at full blocks (0.2 s at 300,000
    /// a second, more than recvmmsg's 32 MiB socket buffer held), or 256 block timeouts when replies come slowly and each
    /// block is handed over nearly empty.
    /// </summary>
    public const int DefaultBlockCount = 256;

    /// <summary>Milliseconds after which the kernel hands over a block that is not full (tp_retire_blk_tov).</summary>
    public const int BlockTimeoutMilliseconds = 1;

    /// <summary>The longest packet handed on, as the recvmmsg path's slot.</summary>
    public const int MaxPacketLength = 2048;

    internal const int PacketVersion = 10;
    internal const int PacketRxRing = 5;
    internal const int TPacketV3 = 2;
    internal const uint StatusKernel = 0;
    internal const uint StatusUser = 1;

    // struct tpacket_block_desc: version, offset_to_priv, then struct tpacket_hdr_v1.
    internal const int BlockStatusOffset = 8;
    internal const int BlockPacketCountOffset = 12;
    internal const int BlockFirstPacketOffset = 16;
    internal const int BlockHeaderSize = 48;

    // struct tpacket3_hdr (48 bytes), and the sockaddr_ll at TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) after it.
    internal const int FrameNextOffset = 0;
    internal const int FrameSeconds = 4;
    internal const int FrameNanoseconds = 8;
    internal const int FrameCapturedLength = 12;
    internal const int FrameNetworkOffset = 26;
    internal const int FrameHeaderSize = 48;
    internal const int FrameAddressOffset = 48;

    private readonly byte* _ring;
    private readonly int _blockSize;
    private readonly int _blockCount;
    private int _next;
    private bool _disposed;

    private PacketRing(byte* ring, int blockSize, int blockCount)
    {
        _ring = ring;
        _blockSize = blockSize;
        _blockCount = blockCount;
    }

    /// <summary>Bytes mapped.</summary>
    public long Size => (long)_blockSize * _blockCount;

    /// <summary>
    /// Sets <paramref name="fd"/> up with a TPACKET_V3 receive ring and maps it; null when the kernel refuses any step (an
    /// old kernel, a socket that is not a packet socket, no memory to map), and the socket is then left as it was or
    /// with a version set that recvmmsg ignores.
    /// </summary>
    public static PacketRing? TryCreate(int fd, int blockSize = DefaultBlockSize, int blockCount = DefaultBlockCount)
    {
        var version = TPacketV3;
        if (RawSyscalls.SetSockOpt(fd, RawSyscalls.SolPacket, PacketVersion, &version, sizeof(int)) != 0)
        {
            return null;
        }
        var request = new Request
        {
            BlockSize = (uint)blockSize,
            BlockCount = (uint)blockCount,
            FrameSize = MaxPacketLength,
            FrameCount = (uint)((long)blockSize * blockCount / MaxPacketLength),
            BlockTimeout = BlockTimeoutMilliseconds,
        };
        if (RawSyscalls.SetSockOpt(fd, RawSyscalls.SolPacket, PacketRxRing, &request, (uint)sizeof(Request)) != 0)
        {
            return null;
        }
        var size = (nuint)((long)blockSize * blockCount);
        var ring = RawSyscalls.MMap(null, size, RawSyscalls.ProtRead | RawSyscalls.ProtWrite, RawSyscalls.MapShared, fd, 0);
        if (ring == (void*)-1)
        {
            // Without the mapping the ring would fill and drop everything: take it down so recvmmsg reads again.
            var none = default(Request);
            RawSyscalls.SetSockOpt(fd, RawSyscalls.SolPacket, PacketRxRing, &none, (uint)sizeof(Request));
            return null;
        }
        return new PacketRing((byte*)ring, blockSize, blockCount);
    }

    /// <summary>Whether the kernel has handed over the block the reader is at.</summary>
    public bool HasBlock => (Volatile.Read(ref *(uint*)(CurrentBlock + BlockStatusOffset)) & StatusUser) != 0;

    private byte* CurrentBlock => _ring + ((long)_next * _blockSize);

    /// <summary>
    /// Hands every packet of every block the kernel has handed over to <paramref name="handler"/>, block after block in
    /// ring order, and gives each back; returns the packets read (our own outgoing copies included).
    /// </summary>
    /// <remarks>
    /// The clock is read again for each block: a block handed over after an earlier reading holds packets newer than it,
    /// which that reading would have stamped before probes sent after it (round trips below zero).
    /// </remarks>
    public int Drain(IPacketHandler handler, Func<FrameClock> clock)
    {
        var total = 0;
        while (HasBlock)
        {
            var block = CurrentBlock;
            total += WalkBlock(new ReadOnlySpan<byte>(block, _blockSize), handler, clock());
            // The kernel owns the block again once its status says so; everything read from it happens before.
            Volatile.Write(ref *(uint*)(block + BlockStatusOffset), StatusKernel);
            _next = (_next + 1) % _blockCount;
        }
        return total;
    }

    /// <summary>
    /// Hands each packet of one block to <paramref name="handler"/> (outgoing copies skipped, as on the recvmmsg path);
    /// returns the packets the block holds. Offsets the kernel wrote are checked against the block, so a damaged block
    /// ends the walk rather than reading past it.
    /// </summary>
    internal static int WalkBlock(ReadOnlySpan<byte> block, IPacketHandler handler, in FrameClock clock)
    {
        if (block.Length < BlockHeaderSize)
        {
            return 0;
        }
        var count = (int)Math.Min(ReadUInt32(block, BlockPacketCountOffset), int.MaxValue);
        var offset = (long)ReadUInt32(block, BlockFirstPacketOffset);
        var walked = 0;
        for (; walked < count; walked++)
        {
            if (offset < BlockHeaderSize || offset > block.Length - FrameAddressOffset - sizeof(RawSyscalls.SockAddrLl))
            {
                break;
            }
            var frame = block[(int)offset..];
            var address = MemoryMarshal.Read<RawSyscalls.SockAddrLl>(frame[FrameAddressOffset..]);
            if (address.PacketType != RawSyscalls.PacketOutgoing)
            {
                var network = BinaryPrimitives.ReadUInt16LittleEndian(frame[FrameNetworkOffset..]);
                var length = (int)Math.Min(ReadUInt32(frame, FrameCapturedLength), MaxPacketLength);
                if (network >= FrameAddressOffset && network + length <= frame.Length)
                {
                    var stamp = clock.Stamp(ReadUInt32(frame, FrameSeconds), ReadUInt32(frame, FrameNanoseconds));
                    handler.OnPacket(RawSyscalls.HostToNetwork(address.Protocol), frame.Slice(network, length), address.InterfaceIndex, stamp);
                }
            }
            var next = ReadUInt32(frame, FrameNextOffset);
            if (next == 0)
            {
                walked++;
                break;
            }
            offset += next;
        }
        return walked;
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> bytes, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(bytes[offset..]);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        RawSyscalls.MUnmap(_ring, (nuint)Size);
    }

    /// <summary>
    /// Turns the kernel's receive time of a packet (CLOCK_REALTIME) into a timestamp of the engine's clock: the time the
    /// block was read, less the packet's age then. A block may wait up to its timeout before it is handed over, and the
    /// round-trip estimate should not grow by that wait.
    /// </summary>
    /// <param name="Now">The engine clock's timestamp when the block was read.</param>
    /// <param name="RealtimeNanoseconds">CLOCK_REALTIME at the same moment, nanoseconds since 1970; 0 stamps every packet with <paramref name="Now"/>.</param>
    /// <param name="Frequency">Ticks of the engine's clock a second.</param>
    internal readonly record struct FrameClock(long Now, long RealtimeNanoseconds, long Frequency)
    {
        /// <summary>The longest age believed; beyond it (the wall clock was set meanwhile) the packet is taken as new.</summary>
        private const long MaxAgeNanoseconds = 1_000_000_000;

        public long Stamp(uint seconds, uint nanoseconds)
        {
            if (RealtimeNanoseconds == 0)
            {
                return Now;
            }
            var age = RealtimeNanoseconds - ((seconds * 1_000_000_000L) + nanoseconds);
            return age is > 0 and <= MaxAgeNanoseconds ? Now - (long)((double)age * Frequency / 1_000_000_000) : Now;
        }
    }

    /// <summary>struct tpacket_req3.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Request
    {
        public uint BlockSize;
        public uint BlockCount;
        public uint FrameSize;
        public uint FrameCount;
        public uint BlockTimeout;
        public uint PrivateSize;
        public uint FeatureRequest;
    }
}
