using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace PortAtlas.Scanning.Raw;

/// <summary>
/// Sends whole IP packets through raw sockets (IPv4 with IP_HDRINCL, IPv6 IPPROTO_RAW which implies IPV6_HDRINCL), in
/// batches of up to <see cref="BatchSize"/> per sendmmsg call. Packets are built in place in native slot buffers
/// allocated once, so the hot path neither allocates nor copies. Not thread safe: one send loop owns it.
/// </summary>
internal sealed unsafe class RawSender : IDisposable
{
    public const int DefaultBatchSize = 64;
    public const int SlotSize = 1024;

    private readonly Batch _v4;
    private readonly Batch _v6;
    private bool _disposed;

    /// <param name="batchSize">Packets per sendmmsg call, 1 to 1024; 1 measures the cost of one system call per packet.</param>
    public RawSender(int batchSize = DefaultBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, 1024);
        BatchSize = batchSize;
        _v4 = new Batch(false, batchSize);
        _v6 = new Batch(true, batchSize);
    }

    public int BatchSize { get; }

    /// <summary>Packets handed to the kernel.</summary>
    public long Sent { get; private set; }

    /// <summary>Times the kernel said its buffers were full (ENOBUFS or EAGAIN): a sign to slow down.</summary>
    public long BufferFullEvents { get; private set; }

    /// <summary>Packets dropped after the kernel refused them repeatedly.</summary>
    public long Failed { get; private set; }

    /// <summary>A slot to build the next packet to <paramref name="destination"/> in; finish it with <see cref="Commit"/>.</summary>
    /// <exception cref="InvalidOperationException">The safe-targets guard refuses the destination.</exception>
    public Span<byte> Rent(bool isIPv6, UInt128 destination)
    {
        SafeTargets.Check(destination, isIPv6);
        var batch = isIPv6 ? _v6 : _v4;
        if (batch.Count == BatchSize)
        {
            Flush(batch);
        }
        batch.SetDestination(destination);
        return batch.Slot;
    }

    /// <summary>Queues the packet written in the last rented slot; sends the batch when it is full.</summary>
    public void Commit(bool isIPv6, int length)
    {
        var batch = isIPv6 ? _v6 : _v4;
        batch.Commit(length);
        if (batch.Count == BatchSize)
        {
            Flush(batch);
        }
    }

    /// <summary>Sends everything queued.</summary>
    public void Flush()
    {
        Flush(_v4);
        Flush(_v6);
    }

    private void Flush(Batch batch)
    {
        var offset = 0;
        var stalls = 0;
        while (offset < batch.Count)
        {
            var sent = RawSyscalls.SendMMsg(batch.Fd, batch.Messages + offset, (uint)(batch.Count - offset), 0);
            if (sent > 0)
            {
                offset += sent;
                Sent += sent;
                continue;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == RawSyscalls.EIntr)
            {
                continue;
            }
            if (errno is RawSyscalls.ENoBufs or RawSyscalls.EAgain && stalls++ < 100)
            {
                BufferFullEvents++;
                // The engine's synchronous send thread gives the kernel a millisecond to drain the socket buffer; a
                // yield rather than a measured wait, so no clock of ours is involved.
#pragma warning disable RS0030
                Thread.Sleep(1);
#pragma warning restore RS0030
                continue;
            }
            // A packet the kernel will not take (no route, refused by a local firewall): skip it, keep the rest.
            Failed++;
            offset++;
        }
        batch.Count = 0;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _v4.Dispose();
        _v6.Dispose();
    }

    private sealed class Batch : IDisposable
    {
        private const int AddressSize = 32;
        private readonly bool _v6;
        private readonly byte* _buffers;
        private readonly byte* _addresses;
        private readonly RawSyscalls.IoVec* _iovs;

        private readonly int _capacity;

        public Batch(bool v6, int capacity)
        {
            _v6 = v6;
            _capacity = capacity;
            Fd = RawSyscalls.Socket(v6 ? RawSyscalls.AfInet6 : RawSyscalls.AfInet, RawSyscalls.SockRaw | RawSyscalls.SockCloExec, RawSyscalls.IpProtoRaw);
            if (Fd < 0)
            {
                throw new RawScanUnavailableException($"raw IPv{(v6 ? 6 : 4)} socket failed with errno {Marshal.GetLastPInvokeError()}");
            }
            var one = 1;
            if (!v6)
            {
                RawSyscalls.SetSockOpt(Fd, RawSyscalls.IpProtoIp, RawSyscalls.IpHdrIncl, &one, sizeof(int));
            }
            var sendBuffer = 4 << 20;
            RawSyscalls.SetSockOpt(Fd, RawSyscalls.SolSocket, RawSyscalls.SoSndBufForce, &sendBuffer, sizeof(int));
            _buffers = (byte*)NativeMemory.AllocZeroed((nuint)(_capacity * SlotSize));
            _addresses = (byte*)NativeMemory.AllocZeroed((nuint)(_capacity * AddressSize));
            _iovs = (RawSyscalls.IoVec*)NativeMemory.AllocZeroed((nuint)(_capacity * sizeof(RawSyscalls.IoVec)));
            Messages = (RawSyscalls.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(_capacity * sizeof(RawSyscalls.MMsgHdr)));
            for (var i = 0; i < _capacity; i++)
            {
                _iovs[i].Base = _buffers + (i * SlotSize);
                Messages[i].Header.Iov = _iovs + i;
                Messages[i].Header.IovLength = 1;
                Messages[i].Header.Name = _addresses + (i * AddressSize);
                Messages[i].Header.NameLength = v6 ? 28u : 16u;
            }
        }

        public int Fd { get; }
        public RawSyscalls.MMsgHdr* Messages { get; }
        public int Count { get; set; }
        public Span<byte> Slot => new(_buffers + (Count * SlotSize), SlotSize);

        public void SetDestination(UInt128 destination)
        {
            var address = new Span<byte>(_addresses + (Count * AddressSize), AddressSize);
            address.Clear();
            // sockaddr_in / sockaddr_in6 with port 0: raw sockets route on the address alone.
            BinaryPrimitives.WriteUInt16LittleEndian(address, (ushort)(_v6 ? RawSyscalls.AfInet6 : RawSyscalls.AfInet));
            if (_v6)
            {
                BinaryPrimitives.WriteUInt128BigEndian(address[8..], destination);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(address[4..], (uint)destination);
            }
        }

        public void Commit(int length)
        {
            _iovs[Count].Length = (nuint)length;
            Count++;
        }

        public void Dispose()
        {
            RawSyscalls.Close(Fd);
            NativeMemory.Free(_buffers);
            NativeMemory.Free(_addresses);
            NativeMemory.Free(_iovs);
            NativeMemory.Free(Messages);
        }
    }
}
