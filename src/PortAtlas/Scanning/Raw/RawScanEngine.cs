using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using PortAtlas.Detection.Udp;
using PortAtlas.Registry;
using PortAtlas.Scanning.Packets;
using PortAtlas.Targets;

namespace PortAtlas.Scanning.Raw;

/// <summary>
/// The raw-packet engine. A send loop walks a permutation of hosts × probe slots in passes, sending every probe not yet
/// answered; a receive thread decodes every incoming packet, validates it by recomputing the cookie hidden in the probe
/// (<see cref="ProbeCookie"/>), and sets one bit per answered probe. That bitmap is the only per-probe state: it decides
/// what the next pass retransmits. Passes continue while retransmissions still draw new answers (loss, not filtering),
/// within <see cref="RawScanOptions.MinRetries"/> and <see cref="RawScanOptions.MaxRetries"/>; the rate halves on drops.
/// </summary>
internal sealed partial class RawScanEngine : IPacketHandler, IDisposable
{
    private const int SampleTableSize = 4096;
    private static readonly byte[] s_synOptions = [2, 4, 0x05, 0xB4];

    private readonly RawScanOptions _options;
    private readonly TimeProvider _time;
    private readonly ProbeCookie _cookie;
    private readonly ulong _seed;
    private readonly RawSender _sender;
    private readonly PacketReceiver _receiver;
    private readonly ushort _sourcePort;
    private readonly ushort _canaryPort;
    private readonly List<Socket> _reservations = [];
    private readonly CancellationToken _cancellationToken;
    private readonly Lock _rttLock = new();
    private Thread? _receiveThread;
    private volatile bool _stopReceiving;
    private volatile Sweep? _sweep;
    private double _rate;
    private double _peakRate;
    private RttEstimator _rtt;
    private long _validated;
    private long _rejected;
    private long _receiveDrops;
    private int _backoffs;
    private int _passes;
    private long _pollGeneration;

    public RawScanEngine(RawScanOptions options, CancellationToken cancellationToken)
    {
        _options = options;
        _time = options.TimeProvider;
        _cancellationToken = cancellationToken;
        _seed = options.Seed ?? (ulong)Random.Shared.NextInt64();
        _cookie = new ProbeCookie(options.Seed);
        _rate = Math.Clamp(options.StartRate ?? options.Rate, options.MinRate, options.Rate);
        _sender = new RawSender(options.SendBatchSize);
        try
        {
            _receiver = new PacketReceiver(_time, options.IgnoreOutgoing, options.ReceiveRing);
        }
        catch
        {
            _sender.Dispose();
            throw;
        }
        _sourcePort = ReservePorts(options.SourcePort);
        _canaryPort = (ushort)(_sourcePort + 1);
        // Only what can answer our probes reaches the receive thread; without the filter it still validates everything.
        _receiver.AttachFilter(ReplyFilter.Build(_sourcePort, _canaryPort));
    }

    public long PacketsSent => _sender.Sent + ExtraPacketsSent;

    public long Validated => Interlocked.Read(ref _validated);

    public long Rejected => Interlocked.Read(ref _rejected);

    public int Passes => _passes;

    public int Backoffs => _backoffs;

    public double Rate => Volatile.Read(ref _rate);

    /// <summary>The highest send rate measured over one congestion window, packets per second.</summary>
    public double PeakRate => Volatile.Read(ref _peakRate);

    /// <summary>Records <paramref name="rate"/> as the peak when it is higher (only the send thread writes it).</summary>
    private void RaisePeakRate(double rate)
    {
        if (rate > Volatile.Read(ref _peakRate))
        {
            Volatile.Write(ref _peakRate, rate);
        }
    }

    public long ReceiveDrops => Interlocked.Read(ref _receiveDrops);

    public TimeSpan? SmoothedRtt
    {
        get
        {
            lock (_rttLock)
            {
                return _rtt.HasSample ? _rtt.SmoothedRtt : null;
            }
        }
    }

    /// <summary>Starts the receive thread; packets arriving before a sweep begins are ignored.</summary>
    public void StartReceiving()
    {
        _receiveThread = new Thread(ReceiveLoop) { IsBackground = true, Name = "PortAtlas raw receive" };
        _receiveThread.Start();
    }

    /// <summary>
    /// Runs one sweep to the end: passes of sends and waits, until nothing is left to retransmit. Verdicts go to the
    /// sweep's callback as they are decided (on the receive thread); unanswered probes are left for the caller.
    /// </summary>
    private void RunPasses(Sweep sweep, int minRetries, int maxRetries, Action? afterFirstPass)
    {
        _sweep = sweep;
        var order = new ProbeOrder(sweep.Total, sweep.Slots.Length, sweep.Canaries, sweep.OtherShards, _seed, _options.Sequential);
        var lossSeen = false;
        var emptyPasses = 0;
        long firstPassAnswers = 0;
        long secondPassAnswers = 0;
        for (var pass = 0; ; pass++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var answeredBefore = Interlocked.Read(ref sweep.AnsweredCount);
            var passStart = _time.GetTimestamp();
            var sent = SendPass(sweep, order, pass);
            var sendTime = _time.GetElapsedTime(passStart) + (SmoothedRtt ?? TimeSpan.Zero);
            _passes++;
            var phase = sweep.IsDiscovery ? "discovery pass " : "pass ";
            EndPhase(string.Create(CultureInfo.InvariantCulture, $"{phase}{pass + 1} send"));
            WaitForReplies(sweep);
            EndPhase(string.Create(CultureInfo.InvariantCulture, $"{phase}{pass + 1} wait"));
            var newAnswers = Interlocked.Read(ref sweep.AnsweredCount) - answeredBefore;
            if (ShouldSlowToDelivered(sweep.IsDiscovery, sent, newAnswers))
            {
                // Answers were lost: retransmit no faster than the path delivered answers in this pass (its bottleneck).
                var delivered = newAnswers / Math.Max(0.001, sendTime.TotalSeconds);
                if (delivered < Volatile.Read(ref _rate))
                {
                    Volatile.Write(ref _rate, Math.Max(_options.MinRate, delivered));
                    Interlocked.Increment(ref _backoffs);
                }
            }
            if (pass == 0)
            {
                firstPassAnswers = newAnswers;
                afterFirstPass?.Invoke();
            }
            else if (sent > 0)
            {
                if (pass == 1)
                {
                    secondPassAnswers = newAnswers;
                }
                lossSeen |= newAnswers > 0;
                emptyPasses = newAnswers == 0 ? emptyPasses + 1 : 0;
            }
            if (sent == 0 || pass >= maxRetries || Interlocked.Read(ref sweep.AnsweredCount) == (long)sweep.Owned)
            {
                break;
            }
            // Without evidence of loss one silent retransmission pass settles it; once loss has been seen, enough silent
            // passes in a row that a port which would answer is left unanswered by chance less than once in a thousand.
            if (pass >= minRetries && pass > 0 && emptyPasses >= EmptyPassesToStop(lossSeen, firstPassAnswers, secondPassAnswers, Interlocked.Read(ref sweep.AnsweredCount)))
            {
                break;
            }
            if (pass >= minRetries && pass == 0 && minRetries == 0)
            {
                break;
            }
        }
    }

    /// <summary>
    /// How many retransmission passes in a row must bring no answer before the rest is taken as silent. Without loss
    /// one. With loss, the round trip's loss rate is estimated from the answers, and a port that would answer stays
    /// silent for k passes with that rate to the power k, so k grows until that is under 1/1000 (2 passes at 3 % loss,
    /// 5 at 19 %, at most 8). Two silent passes alone left the last closed port of a 10 %-loss link unanswered in about
    /// 4 % of scans. The estimate comes from the first retransmission pass when it drew enough answers: of the probes it
    /// got answers for in the end, the share that needed a later pass. The first pass's own loss is no measure of the
    /// link when it ran faster than a queue on the path (a first pass that outran a delaying stage lost 85 % of its
    /// probes on a link losing 1 % each way, and the estimate from it asked for 8 silent passes instead of 2).
    /// Only with too few retransmitted answers does the first pass's share of all answers stand in.
    /// </summary>
    internal static int EmptyPassesToStop(bool lossSeen, long firstPassAnswers, long secondPassAnswers, long answered)
    {
        if (!lossSeen)
        {
            return 1;
        }
        var retransmitted = answered - firstPassAnswers;
        var lost = secondPassAnswers >= 100 && retransmitted > 0
            ? 1.0 - ((double)secondPassAnswers / retransmitted)
            : answered <= 0 ? 0 : 1.0 - ((double)firstPassAnswers / answered);
        lost = Math.Clamp(lost, 0, 0.5);
        return lost <= 0.001 ? 2 : Math.Clamp((int)Math.Ceiling(Math.Log(0.001) / Math.Log(lost)), 2, 8);
    }

    /// <summary>
    /// Whether a pass's answers say the path lost probes, so that the rate should fall to what it delivered: many more
    /// probes sent than answered. Never after a discovery pass: a host answers few of its five probes by design (an
    /// echo reply and no timestamp reply, no UDP answer), and its remaining probes are skipped once it is up, so fewer
    /// answers than probes are no evidence of loss. Taking them as such (issue 16) cut a sweep's starting rate to the
    /// few hundred answers per second of a 254-host discovery pass and left the sweep of 254,000 probes at 3,000 per
    /// second for 90 s.
    /// </summary>
    internal static bool ShouldSlowToDelivered(bool discovery, long sent, long newAnswers) =>
        !discovery && newAnswers >= 100 && sent > newAnswers + (sent / 50);

    private long SendPass(Sweep sweep, ProbeOrder order, int pass)
    {
        var passBegin = _time.GetTimestamp();
        Interlocked.Exchange(ref _laneSent, 0);
        var rate = Volatile.Read(ref _rate);
        var congestion = new CongestionWindow(this, sweep, new RateController(rate, _options.MinRate, _options.Rate, allowIncrease: pass == 0, slowStart: _backoffs == 0));
        // The first pass of a sweep of few hosts sends each host's canaries before its ports: they answer at once, and
        // the host's open ports stream as they are found instead of waiting, held, for the pass to end.
        var canaries = (ulong)sweep.Canaries;
        var prologue = pass == 0 && canaries > 0 && sweep.Hosts.Count <= CanariesFirstHosts ? sweep.Hosts.Count * canaries : 0;
        // Probes in order (-r) leave in order: one thread.
        var threads = _options.Sequential ? 1 : SendThreadsFor(_options.SendThreads, Environment.ProcessorCount, pass, sweep.Owned, _options.Rate, _options.StartRate is not null);
        long sent;
        if (threads <= 1)
        {
            sent = SendRange(OwnLane, sweep, order, pass, prologue, 0, prologue + order.Positions, congestion);
        }
        else
        {
            // Canaries on this thread first (few, and they must lead), then the permutation cut into one part a thread.
            sent = SendRange(OwnLane, sweep, order, pass, prologue, 0, prologue, congestion);
            sent += SendInParallel(threads, sweep, order, pass, prologue, congestion);
        }
        // A pass too short for a congestion window still says how fast the sender went.
        var passSeconds = _time.GetElapsedTime(passBegin).TotalSeconds;
        if (sent >= 1000 && passSeconds > 0)
        {
            RaisePeakRate(sent / passSeconds);
        }
        return sent;
    }

    /// <summary>
    /// Sends positions [<paramref name="from"/>, <paramref name="to"/>) of the pass (the first <paramref name="prologue"/>
    /// positions are the canaries, the rest the permutation) through one lane: its own sender, paced at its share of the
    /// rate. Only the leading lane runs the congestion window (on the probes all lanes sent) and takes round-trip samples.
    /// </summary>
    private long SendRange(SendLane lane, Sweep sweep, ProbeOrder order, int pass, ulong prologue, ulong from, ulong to, CongestionWindow congestion)
    {
        long sent = 0;
        long counted = 0;
        var baseTime = _time.GetTimestamp();
        long baseSent = 0;
        var rate = Volatile.Read(ref _rate);
        var lastBufferFull = lane.Sender.BufferFullEvents;
        // The cap holds over any 100 ms window within 10 % plus one batch, so a batch never carries more than 10 ms of
        // the ceiling: at --rate 10 each packet leaves on its own, paced, instead of 64 at once.
        var burst = BurstFor(_options.Rate);
        var checkMask = burst >= 16 ? 15 : 0;
        var stride = (ulong)sweep.Stride;
        var canaries = (ulong)sweep.Canaries;
        for (var i = from; i < to; i++)
        {
            ulong index;
            if (i < prologue)
            {
                index = ((i / canaries) * stride) + (ulong)sweep.Slots.Length + (i % canaries);
            }
            else
            {
                if (!order.TryGetIndex(i - prologue, out index) || (prologue > 0 && index % stride >= (ulong)sweep.Slots.Length))
                {
                    continue;
                }
            }
            if (sweep.IsAnswered(index) || sweep.Skip(index))
            {
                continue;
            }
            if ((sent & checkMask) == 0)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                if (_sendFailed)
                {
                    break;
                }
                var current = Volatile.Read(ref _rate);
                if (current != rate || lane.Sender.BufferFullEvents != lastBufferFull)
                {
                    if (lane.Sender.BufferFullEvents > lastBufferFull + 10)
                    {
                        BackOff();
                        current = Volatile.Read(ref _rate);
                    }
                    lastBufferFull = lane.Sender.BufferFullEvents;
                    // Carry over how far ahead of the old rate the sender was: a fresh start would hand out a new
                    // burst of credit at every change, and changes come often when the send buffer fills under load.
                    var ahead = sent - baseSent - (_time.GetElapsedTime(baseTime).TotalSeconds * rate / lane.Lanes);
                    rate = current;
                    baseTime = _time.GetTimestamp();
                    baseSent = sent - (long)Math.Round(Math.Max(0, ahead));
                }
                var all = Interlocked.Add(ref _laneSent, sent - counted);
                counted = sent;
                if (lane.Leader)
                {
                    congestion.Check(all);
                }
                // A consumer far behind holds the sweep (Backlog.cs); Pace keeps no credit from the wait.
                WaitForRoom(lane.Sender);
                // Counting the sends until the next check keeps the cap exact however seldom the clock is read.
                Pace(lane.Sender, ref baseTime, ref baseSent, sent + checkMask, rate / lane.Lanes, burst);
            }
            if (SendProbe(lane, sweep, index, pass))
            {
                sent++;
                if (burst < lane.Sender.BatchSize && sent % burst == 0)
                {
                    lane.Sender.Flush();
                }
            }
        }
        lane.Sender.Flush();
        Interlocked.Add(ref _laneSent, sent - counted);
        return sent;
    }

    /// <summary>Sweeps of at most this many hosts send the canaries first (<see cref="SendPass"/>).</summary>
    private const ulong CanariesFirstHosts = 65536;

    /// <summary>Packets one send batch may carry at a ceiling of <paramref name="rate"/>: 10 ms of it, 1 to the sender's batch size.</summary>
    internal int BurstFor(double rate) => (int)Math.Clamp(rate / 100, 1, _sender.BatchSize);

    /// <summary>
    /// Sleeps until <paramref name="sent"/> probes are due at <paramref name="rate"/>: a token bucket whose line starts at
    /// <paramref name="baseTime"/>. The sender may run half a batch ahead of the line, and credit left over from a stall
    /// (descheduled, an oversleep, JIT at the start, the congestion window) is kept only up to 2 ms of the rate: enough
    /// to make up oversleeps at high rates, too little to leave as a rush above the cap.
    /// </summary>
    private void Pace(RawSender sender, ref long baseTime, ref long baseSent, long sent, double rate, int burst)
    {
        var lead = Math.Max(1, burst / 2);
        var keep = rate * 0.002;
        while (true)
        {
            var elapsed = _time.GetElapsedTime(baseTime).TotalSeconds;
            var ahead = sent - baseSent - (elapsed * rate) - lead;
            if (ahead <= 0)
            {
                if (-ahead - lead > keep)
                {
                    baseTime = _time.GetTimestamp() - (long)((sent - baseSent + keep) / rate * _time.TimestampFrequency);
                }
                return;
            }
            sender.Flush();
            Sleep(TimeSpan.FromSeconds(Math.Min(0.05, ahead / rate)));
        }
    }

    private bool SendProbe(SendLane lane, Sweep sweep, ulong index, int pass)
    {
        var host = index / (ulong)sweep.Stride;
        var slotIndex = (int)(index % (ulong)sweep.Stride);
        var destination = sweep.Hosts.GetValue(host, out var v6);
        if (!sweep.Sources.TryGet(host, destination, v6, out var source))
        {
            return false;
        }
        var addresses = new IpPair(v6, source, destination);
        ProbeSlot slot;
        var sourcePort = _sourcePort;
        if (slotIndex < sweep.Slots.Length)
        {
            slot = sweep.Slots[slotIndex];
        }
        else
        {
            slot = new ProbeSlot(ProbeKind.TcpSyn, CanaryPort(destination, slotIndex - sweep.Slots.Length));
            sourcePort = _canaryPort;
        }
        if (slot.Kind == ProbeKind.IcmpTimestamp && v6)
        {
            return false;
        }
        var buffer = lane.Sender.Rent(v6, destination);
        var id = (ushort)index;
        int length;
        switch (slot.Kind)
        {
            case ProbeKind.TcpSyn:
                length = PacketBuilder.WriteTcp(buffer, addresses, sourcePort, slot.Port, _cookie.Compute(source, destination, sourcePort, slot.Port, IpPacket.Tcp), 0, TcpFlags.Syn, 1024, s_synOptions, id);
                break;
            case ProbeKind.TcpAck:
                length = PacketBuilder.WriteTcp(buffer, addresses, sourcePort, slot.Port, (uint)index, _cookie.Compute(source, destination, sourcePort, slot.Port, IpPacket.Tcp), TcpFlags.Ack, 1024, default, id);
                break;
            case ProbeKind.Udp:
                length = PacketBuilder.WriteUdp(buffer, addresses, sourcePort, slot.Port, sweep.IsDiscovery ? default : UdpPayloads.For(slot.Port), id);
                break;
            case ProbeKind.SctpInit:
                length = PacketBuilder.WriteSctpInit(buffer, addresses, sourcePort, slot.Port, SctpTag(_cookie.Compute(source, destination, sourcePort, slot.Port, IpPacket.Sctp)), (uint)index, id);
                break;
            case ProbeKind.IcmpEcho:
                var echo = _cookie.Compute(source, destination, 0, 8, v6 ? IpPacket.IcmpV6 : IpPacket.Icmp);
                length = PacketBuilder.WriteEchoRequest(buffer, addresses, (ushort)(echo >> 16), (ushort)echo, default, id);
                break;
            default:
                var stamp = _cookie.Compute(source, destination, 0, 13, IpPacket.Icmp);
                length = PacketBuilder.WriteTimestampRequest(buffer, addresses, (ushort)(stamp >> 16), (ushort)stamp, (uint)(_time.GetUtcNow().ToUnixTimeMilliseconds() % 86_400_000), id);
                break;
        }
        // Round-trip samples come from the leading lane alone: the sample table is not shared between threads.
        if (lane.Leader && pass == 0 && (index % (ulong)sweep.SampleStride) == 0)
        {
            sweep.Samples[index % SampleTableSize] = (index, _time.GetTimestamp());
        }
        else if (lane.Leader && pass > 0 && sweep.Samples[index % SampleTableSize].Index == index)
        {
            // Karn's rule (RFC 6298, 3): an answer to a retransmitted probe could answer either copy; take no sample from it.
            sweep.Samples[index % SampleTableSize] = (ulong.MaxValue, 0);
        }
        lane.Sender.Commit(v6, length);
        return true;
    }

    /// <summary>An SCTP initiate tag must not be zero (RFC 9260, 3.3.2).</summary>
    internal static uint SctpTag(uint cookie) => cookie == 0 ? 1 : cookie;

    /// <summary>Canary port k of a host: random-looking, high, distinct per k, and the same on every pass.</summary>
    private ushort CanaryPort(UInt128 destination, int k) =>
        (ushort)(45000 + ((_cookie.Compute(destination, 0, 0, 0, 255) % 1250) * 16) + (uint)k);

    private void WaitForReplies(Sweep sweep)
    {
        var start = _time.GetTimestamp();
        var lastCount = Interlocked.Read(ref sweep.AnsweredCount);
        var lastChange = start;
        while (true)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            Sleep(TimeSpan.FromMilliseconds(10));
            var count = Interlocked.Read(ref sweep.AnsweredCount);
            var now = _time.GetTimestamp();
            if (count != lastCount)
            {
                lastCount = count;
                lastChange = now;
            }
            if (count == (long)sweep.Owned)
            {
                return;
            }
            var elapsed = _time.GetElapsedTime(start, now);
            // Round-trip samples arrive during the wait: the first pass starts with no estimate at all.
            var deadline = CurrentTimeout();
            // Past the timeout, keep waiting while answers still trickle in (a queue draining), up to the maximum.
            if (elapsed >= deadline && (_time.GetElapsedTime(lastChange, now) >= TimeSpan.FromMilliseconds(30) || elapsed >= _options.MaxTimeout))
            {
                return;
            }
        }
    }

    private TimeSpan CurrentTimeout()
    {
        TimeSpan rto;
        lock (_rttLock)
        {
            rto = _rtt.Timeout(_options.InitialTimeout, TimeSpan.Zero, TimeSpan.MaxValue);
        }
        return rto < _options.MinTimeout ? _options.MinTimeout : rto > _options.MaxTimeout ? _options.MaxTimeout : rto;
    }

    private void BackOff()
    {
        double current, next;
        do
        {
            current = Volatile.Read(ref _rate);
            next = Math.Max(_options.MinRate, current / 2);
        }
        while (Interlocked.CompareExchange(ref _rate, next, current) != current);
        if (next < current)
        {
            Interlocked.Increment(ref _backoffs);
        }
    }

    private void Sleep(TimeSpan duration)
    {
        if (ReferenceEquals(_time, TimeProvider.System))
        {
            // The send thread is the engine's own and synchronous: the kernel's sleep paces it with less jitter than a
            // thread-pool timer would, and allocates nothing per pause.
#pragma warning disable RS0030
            Thread.Sleep(duration);
#pragma warning restore RS0030
        }
        else
        {
            // Any other clock (a FakeTimeProvider in tests) decides when the pause ends through its own timer.
            using var elapsed = new ManualResetEventSlim();
            using var timer = _time.CreateTimer(static state => ((ManualResetEventSlim)state!).Set(), elapsed, duration, Timeout.InfiniteTimeSpan);
            elapsed.Wait();
        }
    }

    private void ReceiveLoop()
    {
        var lastDropCheck = _time.GetTimestamp();
        while (!_stopReceiving)
        {
            _receiver.Poll(this, 20);
            Interlocked.Increment(ref _pollGeneration);
            if (_time.GetElapsedTime(lastDropCheck) >= TimeSpan.FromMilliseconds(100))
            {
                lastDropCheck = _time.GetTimestamp();
                var drops = _receiver.ReadDrops();
                if (drops > 0)
                {
                    Interlocked.Add(ref _receiveDrops, drops);
                    BackOff();
                }
            }
        }
    }

    /// <summary>
    /// Detaches the current sweep and waits until the receive thread has finished whatever packet it was handling, so no
    /// verdict of that sweep can arrive afterwards.
    /// </summary>
    private void Quiesce()
    {
        _sweep = null;
        if (_receiveThread is not { IsAlive: true })
        {
            return;
        }
        var generation = Interlocked.Read(ref _pollGeneration);
        var spinner = default(SpinWait);
        while (Interlocked.Read(ref _pollGeneration) < generation + 2 && _receiveThread.IsAlive)
        {
            // Not a wait on time but on the receive thread's next two polls (each at most 20 ms): spin, yield, then sleep.
            spinner.SpinOnce();
        }
    }

    private ushort ReservePorts(int? requested)
    {
        // Binding TCP and UDP sockets to the source port keeps other programs off it for the scan's duration; the kernel
        // still answers our SYN-ACKs with RST (no listener), and swallows UDP replies instead of sending port-unreachables.
        for (var attempt = 0; attempt < 32; attempt++)
        {
            var port = requested ?? Random.Shared.Next(40000, 59999);
            var sockets = new List<Socket>();
            try
            {
                foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
                {
                    foreach (var (type, protocol) in new[] { (SocketType.Stream, ProtocolType.Tcp), (SocketType.Dgram, ProtocolType.Udp) })
                    {
                        for (var offset = 0; offset < 2; offset++)
                        {
                            var socket = new Socket(family, type, protocol);
                            sockets.Add(socket);
                            if (family == AddressFamily.InterNetworkV6)
                            {
                                socket.DualMode = false;
                            }
                            socket.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, port + offset));
                        }
                    }
                }
                _reservations.AddRange(sockets);
                return (ushort)port;
            }
            catch (SocketException) when (requested is null || attempt == 0)
            {
                foreach (var socket in sockets)
                {
                    socket.Dispose();
                }
                if (requested is not null)
                {
                    // An explicit port stays as asked, reserved or not.
                    return (ushort)requested.Value;
                }
            }
        }
        return (ushort)(requested ?? 47001);
    }

    public void Dispose()
    {
        _stopReceiving = true;
        _receiveThread?.Join();
        _sender.Dispose();
        DisposeExtraSenders();
        _receiver.Dispose();
        foreach (var socket in _reservations)
        {
            socket.Dispose();
        }
    }

    /// <summary>
    /// Congestion response within a pass (<see cref="RateController"/>): every window (at least 40 ms and two round trips)
    /// the answers that arrived are compared with the probes whose answers were due, and the controller grows or halves
    /// the rate. A decrease made meanwhile by the receive thread (socket drops) is taken over, never overwritten.
    /// </summary>
    private sealed class CongestionWindow(RawScanEngine engine, Sweep sweep, RateController controller)
    {
        private long _windowStart = engine._time.GetTimestamp();
        private long _answeredAtStart = Interlocked.Read(ref sweep.AnsweredCount);
        private long _sentAtStart;
        private long _sentInPreviousWindow;

        public void Check(long sent)
        {
            var now = engine._time.GetTimestamp();
            var srtt = engine.SmoothedRtt ?? TimeSpan.FromMilliseconds(10);
            var window = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(40).Ticks, 2 * srtt.Ticks));
            var elapsed = engine._time.GetElapsedTime(_windowStart, now);
            if (elapsed < window)
            {
                return;
            }
            var answered = Interlocked.Read(ref sweep.AnsweredCount);
            var sentThisWindow = sent - _sentAtStart;
            var current = Volatile.Read(ref engine._rate);
            controller.Observe(current);
            var due = RateController.Due(_sentInPreviousWindow, sentThisWindow, srtt, elapsed);
            var action = controller.OnWindow(due, answered - _answeredAtStart, sentThisWindow / elapsed.TotalSeconds);
            engine.RaisePeakRate(controller.PeakAchieved);
            if (action != RateAction.Hold && Interlocked.CompareExchange(ref engine._rate, controller.Rate, current) == current && action == RateAction.Decrease)
            {
                Interlocked.Increment(ref engine._backoffs);
            }
            _sentInPreviousWindow = sentThisWindow;
            _sentAtStart = sent;
            _answeredAtStart = answered;
            _windowStart = now;
        }
    }
}
