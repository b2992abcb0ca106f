using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using PortAtlas.Registry;
using PortAtlas.Scanning.Packets;
using PortAtlas.Targets;

namespace PortAtlas.Scanning.Raw;

internal sealed partial class RawScanEngine
{
    private readonly Lock _heldLock = new();
    private readonly List<(ulong Host, PortResult Result)> _held = [];
    private readonly List<IPAddress> _synAckEverywhere = [];
    private readonly List<IPAddress> _rateLimited = [];
    private readonly List<string> _notes = [];
    private ChannelWriter<PortResult>? _writer;
    private IPAddress?[]? _addressCache;
    private int[]? _canarySynAcks;
    private int[]? _canaryAnswers;
    private int[]? _unreachables;
    private bool _canaryReady;
    private long _decided;
    private long _closedHeld;
    // The hosts below this one have had their closed ports held as bits handed over (the remainder walks them in order).
    private ulong _closedReleasedBelow;
    private long _openVerdicts;
    private long _unconfirmed;
    private long _hostsScanned;
    private TimeSpan _pacingTime;
    private Transport _transport;

    public long Decided => Interlocked.Read(ref _decided);

    /// <summary>Closed ports decided but held as bits, not streamed yet (<see cref="Sweep.Closed"/>): for progress.</summary>
    public long ClosedHeld => Interlocked.Read(ref _closedHeld);

    /// <summary>
    /// The hosts of the sweep that answered nothing or a reset on every port, not streamed
    /// (<see cref="RawScanOptions.UniformHostsImplicit"/>); null otherwise.
    /// </summary>
    public UniformHosts? Uniform { get; private set; }

    /// <summary>Open verdicts of the port sweep so far, counted as they arrive (before any are held for the canaries).</summary>
    public long OpenVerdicts => Interlocked.Read(ref _openVerdicts);

    /// <summary>Runs discovery (unless skipped), then the port sweep, pacing and verification; writes every verdict to <paramref name="writer"/>.</summary>
    public void RunScan(TargetSet targets, PortList ports, ChannelWriter<PortResult> writer)
    {
        _writer = writer;
        BeginPhase();
        var hosts = targets;
        _hostsScanned = (long)targets.Count;
        if (!_options.SkipDiscovery && targets.Count > 1)
        {
            var up = new List<IPAddress>();
            var names = new Dictionary<IPAddress, string>();
            RunDiscovery(targets, result =>
            {
                if (result.IsUp)
                {
                    lock (up)
                    {
                        up.Add(result.Address);
                        if (targets.HostnameOf(result.Address) is { } name)
                        {
                            names[result.Address] = name;
                        }
                    }
                }
            });
            _hostsScanned = up.Count;
            if (up.Count == 0)
            {
                _notes.Add("no host answered discovery; nothing scanned (-Pn scans them anyway)");
                return;
            }
            hosts = TargetSet.FromAddresses(up, names);
        }

        var (kind, list) = _options.ScanType switch
        {
            RawScanType.Udp => (ProbeKind.Udp, ports.Udp),
            RawScanType.Sctp => (ProbeKind.SctpInit, ports.Sctp),
            _ => (ProbeKind.TcpSyn, ports.Tcp),
        };
        _transport = _options.ScanType switch
        {
            RawScanType.Udp => Transport.Udp,
            RawScanType.Sctp => Transport.Sctp,
            _ => Transport.Tcp,
        };
        if (list.Count == 0 || hosts.Count == 0)
        {
            return;
        }
        var slots = new ProbeSlot[list.Count];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = new ProbeSlot(kind, (ushort)list[i]);
        }
        var canaries = kind == ProbeKind.TcpSyn && _options.VerifyOpen ? _options.CanaryPorts : 0;
        var small = hosts.Count <= 1 << 20;
        _addressCache = small ? new IPAddress?[hosts.Count] : null;
        _canarySynAcks = canaries > 0 && small ? new int[hosts.Count] : null;
        _canaryAnswers = _canarySynAcks is null ? null : new int[hosts.Count];
        _unreachables = kind == ProbeKind.Udp && small ? new int[hosts.Count] : null;
        _canaryReady = canaries == 0 || _canarySynAcks is null;

        var sweep = new Sweep(hosts, slots, _canarySynAcks is null ? 0 : canaries, isDiscovery: false, OnPortVerdict);
        if (_options.Shard is { } shard)
        {
            SetAsideOtherShards(sweep, targets, shard);
        }
        if (_options.UniformHostsImplicit && kind == ProbeKind.TcpSyn)
        {
            // A closed range answered a result a port, and each host took a slot in the report: about 380 bytes a host.
            sweep.HoldClosed();
        }
        var pacing = kind == ProbeKind.Udp && _options.PaceIcmpRateLimit;
        EndPhase("setup");
        try
        {
            RunPasses(sweep, _options.MinRetries, pacing ? _options.MinRetries : _options.MaxRetries, () =>
            {
                ReleaseHeld();
                RecordFirstPassBurst();
            });
        }
        catch (OperationCanceledException)
        {
            // Stopped: every open port decided so far goes out, except those of hosts the canaries flagged (unconfirmed), and
            // every closed one held as a bit.
            Quiesce();
            ReleaseHeld();
            ReleaseClosed(sweep, from: 0);
            throw;
        }
        ReleaseHeld();
        try
        {
            if (pacing)
            {
                PaceRateLimitedHosts(sweep);
                EndPhase("icmp pacing");
            }
            // No verdict of this sweep may arrive from here on: held results and the silent remainder are final.
            Quiesce();
            VerifyHeld(hosts);
            EndPhase("verify");
            EmitUnanswered(sweep, kind == ProbeKind.Udp ? PortState.OpenFiltered : PortState.Filtered);
            EndPhase("remainder");
        }
        catch (OperationCanceledException)
        {
            // Stopped after the passes: the closed ports of the hosts the remainder had not reached yet go out too.
            Quiesce();
            ReleaseClosed(sweep, _closedReleasedBelow);
            throw;
        }
    }

    /// <summary>
    /// Leaves every pair of other shards out: no pass sends to it and no verdict is made for it. Shards are cut from a
    /// permutation of the plan's own hosts × ports (not the hosts discovery kept), so every shard cuts the same way
    /// whatever its discovery saw.
    /// </summary>
    private void SetAsideOtherShards(Sweep sweep, TargetSet planned, ScanShard shard) =>
        sweep.SetShard(new ShardFilter(sweep.Hosts, planned, sweep.Slots.Length, sweep.Stride, shard, _seed ^ 0x5348415244UL, _options.Sequential));

    public RawScanStats BuildStats(TargetSet targets) => new()
    {
        ScanType = _options.ScanType.ToString().ToLowerInvariant(),
        HostsTargeted = (long)targets.Count,
        HostsScanned = _hostsScanned,
        PortsScanned = Decided,
        PacketsSent = PacketsSent,
        RepliesValidated = Validated,
        RepliesRejected = Rejected,
        Passes = Passes,
        RateBackoffs = Backoffs,
        FinalRate = Rate,
        PeakRate = PeakRate,
        ReceiveDrops = ReceiveDrops,
        SmoothedRoundTrip = SmoothedRtt,
        SynAckEverywhereHosts = [.. _synAckEverywhere],
        UnconfirmedOpenPorts = Interlocked.Read(ref _unconfirmed),
        IcmpRateLimitedHosts = [.. _rateLimited],
        IcmpPacingTime = _pacingTime,
        Notes = PacketsSent >= 1000 ? [.. _notes, RateNote()] : [.. _notes],
        Phases = [.. _phases],
        ConsumerWait = ConsumerWait.Time,
        ConsumerWaits = ConsumerWait.Count,
    };

    /// <summary>The rate the scan reached, for the user: the pace is found, not fixed, unless a ceiling was given.</summary>
    private string RateNote()
    {
        var how = _options.StartRate is null
            ? string.Create(CultureInfo.InvariantCulture, $"ceiling {_options.Rate:N0} set")
            : Backoffs > 0
                ? $"no ceiling set: the rate grew while answers kept pace and halved {Backoffs} time(s) on drops"
                : "no ceiling set: the rate grew while answers kept pace";
        return string.Create(CultureInfo.InvariantCulture,
            $"{_options.ScanType.ToString().ToLowerInvariant()}: {PacketsSent:N0} packets, at up to {PeakRate:N0} per second ({how})");
    }

    private void OnPortVerdict(Sweep sweep, ulong host, int slot, PortState state, string reason, TimeSpan? roundTrip)
    {
        if (slot >= sweep.Slots.Length)
        {
            if (_canarySynAcks is not null)
            {
                if (state == PortState.Open)
                {
                    Interlocked.Increment(ref _canarySynAcks[host]);
                }
                if (Interlocked.Increment(ref _canaryAnswers![host]) == sweep.Canaries)
                {
                    ReleaseHeld(host);
                }
            }
            return;
        }
        if (state == PortState.Open)
        {
            Interlocked.Increment(ref _openVerdicts);
        }
        if (state == PortState.Closed && _unreachables is not null && reason != Reasons.UdpResponse)
        {
            Interlocked.Increment(ref _unreachables[host]);
            OnUnreachableArrived(host);
        }
        // A reset becomes a bit until the sweep ends, unless it carries a round-trip sample (a few thousand a pass), which
        // the report keeps with the port: the host then lists its closed ports one by one, as before.
        if (state == PortState.Closed && roundTrip is null && sweep.Closed is { } closed && reason == Reasons.Reset)
        {
            closed.TryAdd((host * (ulong)sweep.Stride) + (ulong)slot);
            Interlocked.Increment(ref _decided);
            Interlocked.Increment(ref _closedHeld);
            return;
        }
        var result = new PortResult
        {
            Address = AddressOf(sweep.Hosts, host),
            Port = sweep.Slots[slot].Port,
            Protocol = _transport,
            State = state,
            Reason = reason,
            RoundTrip = roundTrip,
        };
        if (state == PortState.Open && _canarySynAcks is not null)
        {
            lock (_heldLock)
            {
                if (!(_canaryReady || IsCleared(host)) || IsFlagged(host))
                {
                    _held.Add((host, result));
                    return;
                }
            }
        }
        Emit(result);
    }

    private void Emit(PortResult result)
    {
        Interlocked.Increment(ref _decided);
        _writer!.TryWrite(result);
    }

    /// <summary>Every canary of the host has answered, and too few with SYN-ACK to flag it: its open ports need not wait for the pass to end.</summary>
    private bool IsCleared(ulong host) =>
        _canaryAnswers is not null && Volatile.Read(ref _canaryAnswers[host]) >= _options.CanaryPorts && !IsFlagged(host);

    /// <summary>The held open ports of one host, once its canaries have all answered: JSONL and -v stream them as found, not at the end of the first pass.</summary>
    private void ReleaseHeld(ulong host)
    {
        if (IsFlagged(host))
        {
            return;
        }
        lock (_heldLock)
        {
            for (var i = _held.Count - 1; i >= 0; i--)
            {
                if (_held[i].Host == host)
                {
                    Emit(_held[i].Result);
                    _held.RemoveAt(i);
                }
            }
        }
    }

    private bool IsFlagged(ulong host) =>
        _canarySynAcks is not null && Volatile.Read(ref _canarySynAcks[host]) >= Math.Max(1, (_options.CanaryPorts + 1) / 2);

    /// <summary>After the first pass the canaries have spoken: open ports of ordinary hosts go out, those of SYN-ACK-everywhere hosts wait for connect.</summary>
    private void ReleaseHeld()
    {
        lock (_heldLock)
        {
            _canaryReady = true;
            for (var i = _held.Count - 1; i >= 0; i--)
            {
                if (!IsFlagged(_held[i].Host))
                {
                    Emit(_held[i].Result);
                    _held.RemoveAt(i);
                }
            }
        }
    }

    private void VerifyHeld(TargetSet hosts)
    {
        if (_canarySynAcks is null)
        {
            return;
        }
        for (ulong host = 0; host < hosts.Count; host++)
        {
            if (IsFlagged(host))
            {
                _synAckEverywhere.Add(AddressOf(hosts, host));
            }
        }
        List<(ulong Host, PortResult Result)> held;
        lock (_heldLock)
        {
            held = [.. _held];
            _held.Clear();
        }
        if (_synAckEverywhere.Count > 0)
        {
            _notes.Add($"{_synAckEverywhere.Count} host(s) answered SYN-ACK on canary ports; their {held.Count} open port(s) were checked with a full connect");
        }
        var grace = TimeSpan.FromMilliseconds(100) + (2 * (SmoothedRtt ?? TimeSpan.FromMilliseconds(50)));
        var timeout = CurrentTimeout() * 2 + TimeSpan.FromMilliseconds(200);
        // VerifyHeld runs once, at the end, on the engine's own send thread (a dedicated thread, not the pool): blocking it
        // while pool threads connect cannot starve anything, and the synchronous pass loop has no caller to await it.
#pragma warning disable RS0030
        Parallel.ForEachAsync(held, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = _cancellationToken }, async (item, token) =>
        {
            var confirmed = await ConfirmByConnectAsync(item.Result.Address, item.Result.Port, timeout, grace, _time, token).ConfigureAwait(false);
            if (!confirmed)
            {
                Interlocked.Increment(ref _unconfirmed);
            }
            Emit(confirmed
                ? item.Result with { Reason = Reasons.Confirmed }
                : item.Result with { State = PortState.Filtered, Reason = Reasons.Unconfirmed });
        }).GetAwaiter().GetResult();
#pragma warning restore RS0030
    }

    /// <summary>
    /// A full TCP connect, then a short wait: a real listener keeps the connection (or closes it with FIN); a box that
    /// answers SYN-ACK for every port without a listener behind it resets it as soon as our ACK arrives.
    /// </summary>
    internal static async Task<bool> ConfirmByConnectAsync(IPAddress address, int port, TimeSpan timeout, TimeSpan grace, TimeProvider time, CancellationToken cancellationToken)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timer = new CancellationTokenSource(timeout, time);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            var remote = new IPEndPoint(address, port);
            await socket.ConnectAsync(remote, cts.Token).ConfigureAwait(false);
            // A loopback socket can connect to itself in the ephemeral range: that is not a listener.
            if (remote.Equals(socket.LocalEndPoint))
            {
                return false;
            }
            if (socket.Poll(grace, SelectMode.SelectRead))
            {
                var one = new byte[1];
                socket.Receive(one, SocketFlags.Peek);
            }
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (SocketException)
            {
            }
        }
    }

    private void EmitUnanswered(Sweep sweep, PortState state)
    {
        var stride = (ulong)sweep.Stride;
        // A shard's host that answered none of its own pairs counts those as silent: it may answer in another shard's, which
        // the group's report adds.
        var uniform = _options.UniformHostsImplicit ? new UniformHosts(sweep.Hosts, sweep.Slots.Length, state) : null;
        Uniform = uniform;
        for (ulong host = 0; host < sweep.Hosts.Count; host++)
        {
            if (uniform is not null && !AnyAnswered(sweep, host))
            {
                // One bit, not a result per port: a silent /8 would be 1.7 G results.
                _cancellationToken.ThrowIfCancellationRequested();
                var own = OwnPorts(sweep, host);
                if (own > 0)
                {
                    uniform.Add(host, own);
                }
                Interlocked.Add(ref _decided, own);
                continue;
            }
            var released = uniform is not null && ReleaseClosed(sweep, host, uniform);
            _closedReleasedBelow = host + 1;
            if (released)
            {
                continue;
            }
            WaitForRoom(_sender);
            for (var slot = 0; slot < sweep.Slots.Length; slot++)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                var index = (host * stride) + (ulong)slot;
                if (!sweep.IsAnswered(index) && !sweep.IsForeign(index) && sweep.TryMarkAnswered(index))
                {
                    Emit(new PortResult
                    {
                        Address = AddressOf(sweep.Hosts, host),
                        Port = sweep.Slots[slot].Port,
                        Protocol = _transport,
                        State = state,
                        Reason = Reasons.NoResponse,
                    });
                }
            }
        }
    }

    /// <summary>The closed ports held as bits of every host from <paramref name="from"/> on, when the scan stops before the sweep's end.</summary>
    private void ReleaseClosed(Sweep sweep, ulong from)
    {
        if (sweep.Closed is null)
        {
            return;
        }
        var uniform = Uniform ?? new UniformHosts(sweep.Hosts, sweep.Slots.Length, PortState.Filtered);
        for (var host = from; host < sweep.Hosts.Count; host++)
        {
            ReleaseClosed(sweep, host, uniform);
        }
        Uniform = uniform;
    }

    /// <summary>
    /// Hands over the closed ports held as bits of <paramref name="host"/>: as a count in <paramref name="uniform"/> when
    /// every port answered with a reset (then true: nothing is left to decide) or when they are more than a report lists
    /// (the collector adds them to the host's other ports), else as a result a port.
    /// </summary>
    private bool ReleaseClosed(Sweep sweep, ulong host, UniformHosts uniform)
    {
        if (sweep.Closed is not { } closed)
        {
            return false;
        }
        var first = host * (ulong)sweep.Stride;
        var count = closed.CountIn(first, sweep.Slots.Length);
        if (count == 0)
        {
            return false;
        }
        var all = count == OwnPorts(sweep, host);
        if (all || count > ScanCollector.MaxListedPerState)
        {
            // A host with three open ports and 97 closed: the 97 as one count, not as results at the sweep's end.
            uniform.AddClosed(host, count);
            Interlocked.Add(ref _closedHeld, -count);
            return all;
        }
        if (!_cancellationToken.IsCancellationRequested)
        {
            // Stopped, what was found goes out without waiting for the consumer.
            WaitForRoom(_sender);
        }
        for (var slot = 0; slot < sweep.Slots.Length; slot++)
        {
            if (closed.Contains(first + (ulong)slot))
            {
                // Counted as decided when its bit was set.
                _writer!.TryWrite(new PortResult
                {
                    Address = AddressOf(sweep.Hosts, host),
                    Port = sweep.Slots[slot].Port,
                    Protocol = _transport,
                    State = PortState.Closed,
                    Reason = Reasons.Reset,
                });
                Interlocked.Decrement(ref _closedHeld);
            }
        }
        return false;
    }

    /// <summary>The port probes of <paramref name="host"/> this engine decides: all, or those of a shard's own pairs.</summary>
    private static int OwnPorts(Sweep sweep, ulong host)
    {
        if (sweep.OtherShards is null)
        {
            return sweep.Slots.Length;
        }
        var own = 0;
        var first = host * (ulong)sweep.Stride;
        for (var slot = 0; slot < sweep.Slots.Length; slot++)
        {
            own += sweep.IsForeign(first + (ulong)slot) ? 0 : 1;
        }
        return own;
    }

    /// <summary>Whether any port probe of <paramref name="host"/> (canaries aside: they are never reported) was answered.</summary>
    private static bool AnyAnswered(Sweep sweep, ulong host) => sweep.Answered.AnyIn(host * (ulong)sweep.Stride, sweep.Slots.Length);

    private IPAddress AddressOf(TargetSet hosts, ulong host)
    {
        if (_addressCache is null || host >= (ulong)_addressCache.Length)
        {
            return hosts.GetAddress(host);
        }
        var cached = Volatile.Read(ref _addressCache[host]);
        if (cached is null)
        {
            cached = hosts.GetAddress(host);
            Volatile.Write(ref _addressCache[host], cached);
        }
        return cached;
    }
}
