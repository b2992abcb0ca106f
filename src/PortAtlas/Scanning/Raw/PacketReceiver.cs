using System.Runtime.InteropServices;

namespace PortAtlas.Scanning.Raw;

/// <summary>Receives what a <see cref="PacketReceiver"/> reads; called on the receive thread.</summary>
internal interface IPacketHandler
{
    /// <summary>One incoming packet: its EtherType (0x0800 IPv4, 0x86DD IPv6, 0x0806 ARP) and its network-layer bytes.</summary>
    void OnPacket(ushort etherType, ReadOnlySpan<byte> packet, int interfaceIndex, long timestamp);
}

/// <summary>
/// Reads every incoming packet of the network namespace from one AF_PACKET socket in cooked mode (SOCK_DGRAM: the
/// link-layer header is removed, the EtherType kept). By default through a TPACKET_V3 receive ring
/// (<see cref="PacketRing"/>: one wake-up a block of packets, read in place); where the kernel refuses the ring, in
/// batches of up to <see cref="BatchSize"/> per recvmmsg into native buffers allocated once. Outgoing packets are
/// skipped. It sees IPv4, IPv6 and ARP alike, on loopback and veth.
/// </summary>
internal sealed unsafe class PacketReceiver : IDisposable
{
    public const int BatchSize = 64;
    private const int SlotSize = 2048;

    private readonly int _fd;
    private readonly PacketRing? _ring;
    private readonly byte* _buffers;
    private readonly RawSyscalls.SockAddrLl* _addresses;
    private readonly RawSyscalls.IoVec* _iovs;
    private readonly RawSyscalls.MMsgHdr* _messages;
    private readonly TimeProvider _timeProvider;
    private readonly Func<PacketRing.FrameClock> _clock;
    private bool _disposed;

    /// <param name="timeProvider">The clock that stamps each batch read.</param>
    /// <param name="ignoreOutgoing">Ask the kernel not to copy outgoing packets to this socket at all (PACKET_IGNORE_OUTGOING).</param>
    /// <param name="useRing">Read through a TPACKET_V3 receive ring when the kernel allows one; false reads with recvmmsg.</param>
    public PacketReceiver(TimeProvider timeProvider, bool ignoreOutgoing = false, bool useRing = true)
    {
        _timeProvider = timeProvider;
        _clock = Clock;
        _fd = RawSyscalls.Socket(RawSyscalls.AfPacket, RawSyscalls.SockDgram | RawSyscalls.SockCloExec, RawSyscalls.HostToNetwork(RawSyscalls.EthPAll));
        if (_fd < 0)
        {
            throw new RawScanUnavailableException($"packet socket failed with errno {Marshal.GetLastPInvokeError()}");
        }
        if (ignoreOutgoing)
        {
            // Linux 4.20+; older kernels refuse the option and the reads below skip outgoing packets as before.
            var one = 1;
            RawSyscalls.SetSockOpt(_fd, RawSyscalls.SolPacket, RawSyscalls.PacketIgnoreOutgoing, &one, sizeof(int));
        }
        _ring = useRing ? PacketRing.TryCreate(_fd) : null;
        if (_ring is not null)
        {
            ReadDrops();
            return;
        }
        // A large buffer rides out bursts of replies while the receive thread is descheduled (2 cores, shared).
        var size = 32 << 20;
        RawSyscalls.SetSockOpt(_fd, RawSyscalls.SolSocket, RawSyscalls.SoRcvBufForce, &size, sizeof(int));
        _buffers = (byte*)NativeMemory.AllocZeroed((nuint)(BatchSize * SlotSize));
        _addresses = (RawSyscalls.SockAddrLl*)NativeMemory.AllocZeroed((nuint)(BatchSize * sizeof(RawSyscalls.SockAddrLl)));
        _iovs = (RawSyscalls.IoVec*)NativeMemory.AllocZeroed((nuint)(BatchSize * sizeof(RawSyscalls.IoVec)));
        _messages = (RawSyscalls.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(BatchSize * sizeof(RawSyscalls.MMsgHdr)));
        for (var i = 0; i < BatchSize; i++)
        {
            _iovs[i].Base = _buffers + (i * SlotSize);
            _iovs[i].Length = SlotSize;
            _messages[i].Header.Iov = _iovs + i;
            _messages[i].Header.IovLength = 1;
            _messages[i].Header.Name = _addresses + i;
        }
        ReadDrops();
    }

    /// <summary>Packets read and handed on.</summary>
    public long Received { get; private set; }

    /// <summary>Whether packets are read through the receive ring rather than recvmmsg.</summary>
    public bool UsesRing => _ring is not null;

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> for packets and hands every one to <paramref name="handler"/>;
    /// returns how many were read.
    /// </summary>
    public int Poll(IPacketHandler handler, int timeoutMilliseconds)
    {
        if (_ring is not null)
        {
            return PollRing(_ring, handler, timeoutMilliseconds);
        }
        var pollFd = new RawSyscalls.PollFd { Fd = _fd, Events = RawSyscalls.PollIn };
        if (RawSyscalls.Poll(&pollFd, 1, timeoutMilliseconds) <= 0)
        {
            return 0;
        }
        var total = 0;
        while (true)
        {
            for (var i = 0; i < BatchSize; i++)
            {
                _messages[i].Header.NameLength = (uint)sizeof(RawSyscalls.SockAddrLl);
                _messages[i].Header.Flags = 0;
            }
            var count = RawSyscalls.RecvMMsg(_fd, _messages, BatchSize, RawSyscalls.MsgDontWait, null);
            if (count <= 0)
            {
                return total;
            }
            var now = _timeProvider.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                var from = _addresses + i;
                if (from->PacketType == RawSyscalls.PacketOutgoing)
                {
                    continue;
                }
                var length = (int)Math.Min(_messages[i].Length, SlotSize);
                handler.OnPacket(RawSyscalls.HostToNetwork(from->Protocol), new ReadOnlySpan<byte>(_buffers + (i * SlotSize), length), from->InterfaceIndex, now);
            }
            Received += count;
            total += count;
            if (count < BatchSize)
            {
                return total;
            }
        }
    }

    private int PollRing(PacketRing ring, IPacketHandler handler, int timeoutMilliseconds)
    {
        if (!ring.HasBlock)
        {
            // The kernel wakes poll when it hands over a block: full, or at its timeout.
            var pollFd = new RawSyscalls.PollFd { Fd = _fd, Events = RawSyscalls.PollIn };
            if (RawSyscalls.Poll(&pollFd, 1, timeoutMilliseconds) <= 0 || !ring.HasBlock)
            {
                return 0;
            }
        }
        var count = ring.Drain(handler, _clock);
        Received += count;
        return count;
    }

    /// <summary>The clock that stamps a ring's packets: the engine's, with each packet's age taken from the kernel's time of receipt.</summary>
    private PacketRing.FrameClock Clock()
    {
        // The kernel stamps packets with CLOCK_REALTIME; only the system clock shares that time line.
        if (!ReferenceEquals(_timeProvider, TimeProvider.System))
        {
            return new PacketRing.FrameClock(_timeProvider.GetTimestamp(), 0, _timeProvider.TimestampFrequency);
        }
        // The two clocks are read one after the other; a thread preempted between them (a loaded VM) would shift every
        // packet's age by the pause, so the reading is bracketed and the tightest of three kept.
        long now = 0, realtime = 0, spread = long.MaxValue;
        for (var attempt = 0; attempt < 3 && spread > _timeProvider.TimestampFrequency / 100_000; attempt++)
        {
            var before = _timeProvider.GetTimestamp();
            var wall = (_timeProvider.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
            var after = _timeProvider.GetTimestamp();
            if (after - before < spread)
            {
                spread = after - before;
                now = before + ((after - before) / 2);
                realtime = wall;
            }
        }
        return new PacketRing.FrameClock(now, realtime, _timeProvider.TimestampFrequency);
    }

    /// <summary>
    /// Has the kernel pass only packets that <paramref name="program"/> accepts (SO_ATTACH_FILTER); false when it refused
    /// the program, and the socket then keeps receiving everything.
    /// </summary>
    public bool AttachFilter(ReadOnlySpan<ReplyFilter.Instruction> program)
    {
        fixed (ReplyFilter.Instruction* instructions = program)
        {
            var fprog = new ReplyFilter.Program { Length = (ushort)program.Length, Filter = instructions };
            return RawSyscalls.SetSockOpt(_fd, RawSyscalls.SolSocket, ReplyFilter.SoAttachFilter, &fprog, (uint)sizeof(ReplyFilter.Program)) == 0;
        }
    }

    /// <summary>Packets the kernel dropped for want of buffer since the last call (PACKET_STATISTICS resets on read).</summary>
    public long ReadDrops()
    {
        RawSyscalls.TPacketStats stats;
        var length = (uint)sizeof(RawSyscalls.TPacketStats);
        return RawSyscalls.GetSockOpt(_fd, RawSyscalls.SolPacket, RawSyscalls.PacketStatistics, &stats, &length) == 0 ? stats.Drops : 0;
    }

    /// <summary>Sends a link-layer frame body (cooked: the kernel adds the Ethernet header) out of one interface; for ARP.</summary>
    public bool SendLinkLayer(int interfaceIndex, ushort etherType, ulong destinationMac, ReadOnlySpan<byte> payload)
    {
        var address = new RawSyscalls.SockAddrLl
        {
            Family = RawSyscalls.AfPacket,
            Protocol = RawSyscalls.HostToNetwork(etherType),
            InterfaceIndex = interfaceIndex,
            AddressLength = 6,
        };
        Span<byte> mac = stackalloc byte[8];
        Packets.ArpPacket.WriteMac(mac, destinationMac);
        address.Address = MemoryMarshal.Read<ulong>(mac);
        fixed (byte* data = payload)
        {
            return RawSyscalls.SendTo(_fd, data, (nuint)payload.Length, 0, &address, (uint)sizeof(RawSyscalls.SockAddrLl)) == payload.Length;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        // The receive thread has stopped (the engine joins it first): nothing reads the ring any more.
        _ring?.Dispose();
        RawSyscalls.Close(_fd);
        NativeMemory.Free(_buffers);
        NativeMemory.Free(_addresses);
        NativeMemory.Free(_iovs);
        NativeMemory.Free(_messages);
    }
}
