using System.Net.Sockets;
using System.Runtime.InteropServices;
using static PortAtlas.Scanning.LinuxSockets;

namespace PortAtlas.Scanning;

/// <summary>
/// The Linux mechanism: a few event-loop threads, each owning an epoll instance and a table of attempts in flight on raw
/// non-blocking sockets. An attempt is socket, connect, getsockopt(SO_ERROR) and close; only attempts still pending after
/// connect() are registered with epoll. On loopback the kernel has already processed the RST (or the SYN-ACK) when
/// connect() returns, so a closed port costs two system calls on a reused socket and no wake-up; to a loopback address
/// the socket is blocking with the shortest send timeout, which makes it one (see <see cref="EpollLoop"/>). The thread
/// that opens a descriptor is the only one that waits on it and closes it, so a timeout can never close a descriptor
/// that was reused.
/// </summary>
internal sealed partial class ConnectScanEngine
{
    private const int MaxLoops = 2;
    private const int MaxWaitMilliseconds = 20;

    private Task RunEpollLoopsAsync(CancellationTokenSource stop, CancellationToken abandon)
    {
        // Small scans need no second loop; large ones use up to one per core (the kernel's share of the work runs on the sending core).
        var loops = (int)Math.Clamp(Math.Min((ulong)Environment.ProcessorCount, _total / 1024), 1, MaxLoops);
        var capacity = Math.Max(1, _workers / loops);
        var tasks = new Task[loops];
        for (var i = 0; i < loops; i++)
        {
            var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var loop = new EpollLoop(this, capacity);
            var thread = new Thread(() =>
            {
                try
                {
                    loop.Run(stop.Token, abandon);
                    completion.SetResult();
                }
                catch (Exception ex)
                {
                    stop.Cancel();
                    completion.SetException(ex);
                }
            })
            {
                IsBackground = true,
                Name = "PortAtlas connect loop " + i,
            };
            thread.Start();
            tasks[i] = completion.Task;
        }
        return Task.WhenAll(tasks);
    }

    /// <summary>A port waiting for its next attempt.</summary>
    private struct Attempt
    {
        public HostState Host;
        public int Port;
        public ulong Index;
        public int Number;
        public int BackOffs;
        public long NotBefore;
    }

    /// <summary>An attempt in flight.</summary>
    private struct Slot
    {
        public static readonly Slot Empty = new() { Fd = -1 };

        public int Fd;
        public Attempt Attempt;
        public long StartedAt;
        public long Deadline;
    }

    /// <remarks>
    /// Inline connects: a non-blocking connect() returns EINPROGRESS even when loopback has already answered inside it, so
    /// a second connect() is needed to read the answer. A blocking one reads it in the same call, and its wait is bounded
    /// by SO_SNDTIMEO to one clock tick (4-8 ms here) for the rare loopback port that does not answer at once (a firewall
    /// that drops): such a port is then registered with epoll as any other, and the loop connects its next
    /// <c>_inlineBackOff</c> loopback attempts without blocking, doubling that count at each such port, so that a range
    /// dropped whole costs a few ticks, not one a port. Measured on 65,535 loopback ports with one thread: 0.44 s
    /// against 0.50 s (bench/RESULTS.md, issue 16).
    /// </remarks>
    private sealed unsafe class EpollLoop(ConnectScanEngine engine, int capacity)
    {
        private const int OutputLimit = 16;
        private const int BatchSize = 256;
        private const int FirstInlineBackOff = 64;
        private const int MaxInlineBackOff = 1 << 20;

        private readonly ConnectScanEngine _engine = engine;
        private readonly TimeProvider _time = engine._timeProvider;
        private readonly Slot[] _slots = Enumerable.Repeat(Slot.Empty, capacity).ToArray();
        private readonly Stack<int> _free = new(Enumerable.Range(0, capacity).Reverse());
        private readonly Queue<Attempt> _retries = new();
        private readonly Queue<ResultChunk> _output = new();
        private PortResult[]? _batch;
        private ulong[]? _batchIndices;
        private int _batchCount;
        private readonly EpollEvent[] _events = new EpollEvent[256];
        private Attempt? _held;
        private bool _exhausted;
        private int _epoll = -1;
        private long _earliestDeadline = long.MaxValue;
        // One unconnected socket kept for reuse per family (IPv4, IPv6) and kind (non-blocking, inline).
        private readonly int[] _spares = [-1, -1, -1, -1];
        private int _inlineSkip;
        private int _inlineBackOff = FirstInlineBackOff;
        private bool _inlineDisabled;

        public void Run(CancellationToken stop, CancellationToken abandon)
        {
            _epoll = EpollCreate1(EpollCloExec);
            if (_epoll < 0)
            {
                throw new SocketException(Marshal.GetLastPInvokeError());
            }
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    Flush();
                    var wait = Fill(stop);
                    if (_exhausted && _held is null && _retries.Count == 0 && _free.Count == _slots.Length)
                    {
                        break;
                    }
                    Wait(wait);
                    Expire();
                }
            }
            finally
            {
                // Attempts still in flight are undecided: drop them.
                for (var i = 0; i < _slots.Length; i++)
                {
                    if (_slots[i].Fd >= 0)
                    {
                        Close(_slots[i].Fd);
                        _slots[i].Fd = -1;
                    }
                }
                Close(_epoll);
                foreach (var spare in _spares)
                {
                    if (spare >= 0)
                    {
                        Close(spare);
                    }
                }
            }
            // Deliver what was decided, even when stopping, unless the consumer has gone.
            SealBatch();
            while (_output.Count > 0 && !abandon.IsCancellationRequested)
            {
                Flush();
                if (_output.Count > 0)
                {
                    // The epoll loop owns its thread and is synchronous: a short yield while the consumer catches up,
                    // not a measured wait, so no clock of ours is involved.
#pragma warning disable RS0030
                    Thread.Sleep(1);
#pragma warning restore RS0030
                }
            }
        }

        /// <summary>Starts attempts while there is room; returns the longest the loop may then sleep, in milliseconds.</summary>
        private int Fill(CancellationToken stop)
        {
            var wait = MaxWaitMilliseconds;
            var started = 0;
            while (_free.Count > 0 && _output.Count < OutputLimit)
            {
                if ((++started & 255) == 0 && stop.IsCancellationRequested)
                {
                    return 0;
                }
                var now = _time.GetTimestamp();
                Attempt attempt;
                if (_held is { } held)
                {
                    attempt = held;
                    _held = null;
                }
                else if (_retries.Count > 0 && _retries.Peek().NotBefore <= now)
                {
                    attempt = _retries.Dequeue();
                }
                else if (!_exhausted && _engine.TryTakeNext(out var host, out var port, out var index))
                {
                    attempt = new Attempt { Host = host, Port = port, Index = index };
                }
                else
                {
                    _exhausted = true;
                    if (_retries.Count > 0)
                    {
                        wait = Math.Min(wait, Milliseconds(_retries.Peek().NotBefore - now));
                    }
                    break;
                }
                if (attempt.Host.CheckTimeout(_engine._options.HostTimeout, _time))
                {
                    _engine.Progress.OnSkipped(attempt.Index);
                    continue;
                }
                if (_engine._rateLimiter is { } limiter && !limiter.TryAcquire(out var retryAfter))
                {
                    _held = attempt;
                    wait = Math.Min(wait, Math.Max(1, (int)Math.Ceiling(retryAfter.TotalMilliseconds)));
                    break;
                }
                Start(attempt);
            }
            if (_output.Count >= OutputLimit)
            {
                wait = 1;
            }
            if (_free.Count < _slots.Length && _earliestDeadline != long.MaxValue)
            {
                wait = Math.Min(wait, Milliseconds(_earliestDeadline - _time.GetTimestamp()));
            }
            return wait;
        }

        private int Milliseconds(long timestampTicks) =>
            timestampTicks <= 0 ? 0 : (int)Math.Min(MaxWaitMilliseconds, Math.Ceiling(timestampTicks * 1000.0 / _time.TimestampFrequency));

        private void Start(Attempt attempt)
        {
            var address = attempt.Host.Address;
            var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
            var family = v6 ? AfInet6 : AfInet;
            var inline = ConnectsInline(attempt.Host);
            var spareIndex = (v6 ? 1 : 0) + (inline ? 2 : 0);
            var sockaddr = stackalloc byte[28];
            var length = WriteSockaddr(sockaddr, address, attempt.Port);
            var recycled = true;
            var fd = _spares[spareIndex];
            _spares[spareIndex] = -1;
            if (fd < 0)
            {
                recycled = false;
                fd = Socket(family, SockStream | SockCloExec | (inline ? 0 : SockNonBlock), 0);
                if (fd < 0)
                {
                    var error = ToSocketError(Marshal.GetLastPInvokeError());
                    if (ProbeOutcome.Classify(error).Action != ProbeAction.BackOff)
                    {
                        throw new SocketException((int)error);
                    }
                    var now = _time.GetTimestamp();
                    Finish(attempt, fd: -1, error, now, now, spareIndex: -1);
                    return;
                }
                if (inline && !SetShortestConnectWait(fd))
                {
                    // Without the bound a blocking connect could wait minutes: never block on this loop.
                    Close(fd);
                    _inlineDisabled = true;
                    Start(attempt);
                    return;
                }
            }
            var startedAt = _time.GetTimestamp();
            var errno = Connect(fd, sockaddr, length) == 0 ? 0 : Marshal.GetLastPInvokeError();
            if (recycled && errno is EAlready or EIsConn or EInval)
            {
                // The recycled socket was not back in the unconnected state after all: use a fresh one.
                Close(fd);
                Start(attempt);
                return;
            }
            if (inline)
            {
                if (errno is EInProgress or EIntr or EAlready)
                {
                    // No answer within a tick: the attempt goes on, waited for by epoll; the next loopback ones do not block.
                    _inlineSkip = _inlineBackOff;
                    _inlineBackOff = Math.Min(_inlineBackOff * 2, MaxInlineBackOff);
                    Register(attempt, fd, startedAt);
                    return;
                }
                // A refusal puts the socket back in the unconnected state (Linux's __inet_stream_connect), as below.
                Finish(attempt, fd, ToSocketError(errno), startedAt, _time.GetTimestamp(), errno == EConnRefused ? spareIndex : -1);
                return;
            }
            if (errno is EInProgress or EIntr)
            {
                // Loopback answers inside connect(): the RST (or SYN-ACK) is usually here already. A second connect() reports
                // it, and after a refusal puts the socket back in the unconnected state (Linux's __inet_stream_connect),
                // so that the next probe can reuse it without socket() and close().
                errno = Connect(fd, sockaddr, length) == 0 ? 0 : Marshal.GetLastPInvokeError();
                if (errno == EIsConn)
                {
                    errno = 0;
                }
                else if (errno is EAlready or EInProgress or EIntr)
                {
                    Register(attempt, fd, startedAt);
                    return;
                }
                Finish(attempt, fd, ToSocketError(errno), startedAt, _time.GetTimestamp(), spareIndex);
                return;
            }
            Finish(attempt, fd, ToSocketError(errno), startedAt, _time.GetTimestamp(), spareIndex: -1);
        }

        /// <summary>Whether this attempt connects inline: to a loopback address, unless a recent one did not answer at once.</summary>
        private bool ConnectsInline(HostState host)
        {
            if (_inlineDisabled || !host.IsLoopback)
            {
                return false;
            }
            if (_inlineSkip > 0)
            {
                _inlineSkip--;
                return false;
            }
            return true;
        }

        private void Register(Attempt attempt, int fd, long startedAt)
        {
            var slot = _free.Pop();
            var ev = new EpollEvent { Events = EpollOut, Data = (ulong)slot };
            if (EpollCtl(_epoll, EpollCtlAdd, fd, &ev) != 0)
            {
                _free.Push(slot);
                Close(fd);
                throw new SocketException((int)ToSocketError(Marshal.GetLastPInvokeError()));
            }
            var deadline = startedAt + attempt.Host.Timeout(_engine._options, attempt.Number).Ticks * _time.TimestampFrequency / TimeSpan.TicksPerSecond;
            _slots[slot] = new Slot { Fd = fd, Attempt = attempt, StartedAt = startedAt, Deadline = deadline };
            _earliestDeadline = Math.Min(_earliestDeadline, deadline);
        }

        private void Wait(int timeoutMilliseconds)
        {
            int count;
            fixed (EpollEvent* events = _events)
            {
                count = EpollWait(_epoll, events, _events.Length, timeoutMilliseconds);
            }
            if (count < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EIntr)
                {
                    return;
                }
                throw new SocketException((int)ToSocketError(errno));
            }
            var now = _time.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                var index = (int)_events[i].Data;
                ref var slot = ref _slots[index];
                var fd = slot.Fd;
                var attempt = slot.Attempt;
                var startedAt = slot.StartedAt;
                slot = Slot.Empty;
                _free.Push(index);
                // Registered descriptors are not recycled: they would have to leave the epoll set first.
                Finish(attempt, fd, ToSocketError(PendingError(fd)), startedAt, now, spareIndex: -1);
            }
        }

        /// <summary>Closes attempts past their deadline: no answer.</summary>
        private void Expire()
        {
            var now = _time.GetTimestamp();
            if (now < _earliestDeadline)
            {
                return;
            }
            var earliest = long.MaxValue;
            for (var i = 0; i < _slots.Length; i++)
            {
                ref var slot = ref _slots[i];
                if (slot.Fd < 0)
                {
                    continue;
                }
                if (slot.Deadline > now)
                {
                    earliest = Math.Min(earliest, slot.Deadline);
                    continue;
                }
                var attempt = slot.Attempt;
                Close(slot.Fd);
                var startedAt = slot.StartedAt;
                slot = Slot.Empty;
                _free.Push(i);
                Settle(attempt, ProbeOutcome.NoResponse, startedAt, now);
            }
            _earliestDeadline = earliest;
        }

        /// <summary>Settles an attempt and closes its socket, or keeps it as the spare at <paramref name="spareIndex"/> (-1: not reusable).</summary>
        private void Finish(Attempt attempt, int fd, SocketError error, long startedAt, long completedAt, int spareIndex)
        {
            var outcome = ProbeOutcome.Classify(error);
            if (error == SocketError.Success)
            {
                if (IsSelfConnect(fd, attempt.Host.Address, attempt.Port))
                {
                    outcome = ProbeOutcome.SelfConnect;
                }
                else if (_engine._options.ResetOpenConnections)
                {
                    SetResetOnClose(fd);
                }
            }
            if (fd >= 0)
            {
                if (spareIndex >= 0 && error != SocketError.Success && _spares[spareIndex] < 0)
                {
                    _spares[spareIndex] = fd;
                }
                else
                {
                    Close(fd);
                }
            }
            Settle(attempt, outcome, startedAt, completedAt);
        }

        private void Settle(Attempt attempt, ProbeOutcome outcome, long startedAt, long completedAt)
        {
            var roundTrip = _time.GetElapsedTime(startedAt, completedAt);
            var result = _engine.Settle(attempt.Host, attempt.Port, outcome, ref attempt.Number, ref attempt.BackOffs, roundTrip, out var backOff);
            if (result is not null)
            {
                _engine.Progress.OnDecided(result.State);
                _batch ??= System.Buffers.ArrayPool<PortResult>.Shared.Rent(BatchSize);
                _batchIndices ??= System.Buffers.ArrayPool<ulong>.Shared.Rent(BatchSize);
                _batchIndices[_batchCount] = attempt.Index;
                _batch[_batchCount++] = result;
                if (_batchCount == BatchSize)
                {
                    Flush();
                }
                return;
            }
            attempt.NotBefore = completedAt + backOff.Ticks * _time.TimestampFrequency / TimeSpan.TicksPerSecond;
            _retries.Enqueue(attempt);
        }

        private void SealBatch()
        {
            if (_batchCount > 0)
            {
                _output.Enqueue(new ResultChunk(null, 0, _batch, _batchIndices, _batchCount));
                _batch = null;
                _batchIndices = null;
                _batchCount = 0;
            }
        }

        /// <summary>Hands decided results to the reader, as far as the channel has room.</summary>
        private void Flush()
        {
            SealBatch();
            while (_output.Count > 0 && _engine._channel.Writer.TryWrite(_output.Peek()))
            {
                _output.Dequeue();
            }
        }

        private static bool IsSelfConnect(int fd, System.Net.IPAddress address, int port)
        {
            var local = stackalloc byte[28];
            var length = 28;
            if (GetSockName(fd, local, &length) != 0)
            {
                return false;
            }
            var remote = stackalloc byte[28];
            var remoteLength = WriteSockaddr(remote, address, port);
            // Family, port and address; IPv6 flow information (bytes 4-7) is not part of the endpoint.
            var addressOffset = address.AddressFamily == AddressFamily.InterNetworkV6 ? 8 : 4;
            var addressLength = address.AddressFamily == AddressFamily.InterNetworkV6 ? 16 : 4;
            return length >= addressOffset + addressLength
                && new ReadOnlySpan<byte>(local, 4).SequenceEqual(new ReadOnlySpan<byte>(remote, 4))
                && remoteLength >= addressOffset + addressLength
                && new ReadOnlySpan<byte>(local + addressOffset, addressLength).SequenceEqual(new ReadOnlySpan<byte>(remote + addressOffset, addressLength));
        }

        /// <summary>Writes a sockaddr_in or sockaddr_in6 and returns its length.</summary>
        private static int WriteSockaddr(byte* buffer, System.Net.IPAddress address, int port)
        {
            var span = new Span<byte>(buffer, 28);
            span.Clear();
            var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
            // sa_family in host order, sin_port in network order.
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(v6 ? AfInet6 : AfInet));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)port);
            if (v6)
            {
                address.TryWriteBytes(span.Slice(8, 16), out _);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)address.ScopeId);
                return 28;
            }
            address.TryWriteBytes(span.Slice(4, 4), out _);
            return 16;
        }
    }
}
