using PortAtlas.Scanning.Packets;
using PortAtlas.Targets;

namespace PortAtlas.Scanning.Raw;

internal sealed partial class RawScanEngine
{
    /// <summary>A decided probe: which host and slot, what it says, and the round trip when sampled.</summary>
    private delegate void VerdictHandler(Sweep sweep, ulong host, int slot, PortState state, string reason, TimeSpan? roundTrip);

    /// <summary>One sweep over hosts × slots (plus canary slots): the answered probes and the lookups from a reply back to its probe.</summary>
    private sealed class Sweep
    {
        private readonly int[]? _tcpSlot;
        private readonly int[]? _udpSlot;
        private readonly int[]? _sctpSlot;

        public Sweep(TargetSet hosts, ProbeSlot[] slots, int canaries, bool isDiscovery, VerdictHandler onVerdict)
        {
            Hosts = hosts;
            Slots = slots;
            Canaries = canaries;
            IsDiscovery = isDiscovery;
            OnVerdict = onVerdict;
            Stride = slots.Length + canaries;
            Total = checked(hosts.Count * (ulong)Stride);
            Owned = Total;
            Answered = new ProbeBits(Total);
            Sources = new SourceAddresses(hosts);
            SampleStride = Math.Max(1, (long)(Total / 2048));
            for (var i = 0; i < slots.Length; i++)
            {
                var map = slots[i].Kind switch
                {
                    ProbeKind.TcpSyn or ProbeKind.TcpAck => _tcpSlot ??= NewMap(),
                    ProbeKind.Udp => _udpSlot ??= NewMap(),
                    ProbeKind.SctpInit => _sctpSlot ??= NewMap(),
                    _ => null,
                };
                if (map is not null)
                {
                    map[slots[i].Port] = i;
                }
                else if (slots[i].Kind == ProbeKind.IcmpEcho)
                {
                    EchoSlot = i;
                }
                else
                {
                    TimestampSlot = i;
                }
            }
            if (isDiscovery)
            {
                HostUp = new ulong[(hosts.Count + 63) / 64];
            }
        }

        public TargetSet Hosts { get; }
        public ProbeSlot[] Slots { get; }
        public int Canaries { get; }
        public bool IsDiscovery { get; }
        public VerdictHandler OnVerdict { get; }
        public int Stride { get; }
        public ulong Total { get; }

        /// <summary>Probes this engine decides: all of <see cref="Total"/>, or a shard's share of the port probes plus every canary.</summary>
        public ulong Owned { get; private set; }

        /// <summary>The other shards' probes, when this sweep is one shard of a plan; null otherwise.</summary>
        public ShardFilter? OtherShards { get; private set; }

        public ProbeBits Answered { get; }

        /// <summary>
        /// Probes answered with a reset whose result is held back as a bit until the sweep ends (<see cref="HoldClosed"/>),
        /// so that a host closed on every port becomes one bit, not a result a port; null when closed ports stream.
        /// </summary>
        public ProbeBits? Closed { get; private set; }
        public ulong[]? HostUp { get; }
        public SourceAddresses Sources { get; }
        public int EchoSlot { get; } = -1;
        public int TimestampSlot { get; } = -1;
        public long SampleStride { get; }
        public (ulong Index, long Timestamp)[] Samples { get; } = new (ulong, long)[SampleTableSize];
        public long AnsweredCount;

        public int SlotFor(byte protocol, ushort port) => protocol switch
        {
            IpPacket.Tcp => _tcpSlot?[port] ?? -1,
            IpPacket.Udp => _udpSlot?[port] ?? -1,
            IpPacket.Sctp => _sctpSlot?[port] ?? -1,
            _ => -1,
        };

        public bool IsAnswered(ulong index) => Answered.Contains(index);

        /// <summary>Discovery stops probing a host once it is known to be up.</summary>
        public bool Skip(ulong index) => HostUp is not null && IsHostUp(index / (ulong)Stride);

        public bool IsForeign(ulong index) => OtherShards is { } filter && filter.IsForeign(index);

        /// <summary>From here on, resets without a round-trip sample are held as bits in <see cref="Closed"/>.</summary>
        public void HoldClosed() => Closed = new ProbeBits(Total);

        /// <summary>Leaves the other shards' probes to them: checked per probe, so no bit is held for them (issue 17).</summary>
        public void SetShard(ShardFilter filter)
        {
            OtherShards = filter;
            Owned = Total - filter.ForeignCount;
        }

        public bool IsHostUp(ulong host) => (Volatile.Read(ref HostUp![host >> 6]) & (1UL << (int)(host & 63))) != 0;

        /// <summary>Sets the answered bit; false when it was already set (a duplicate answer).</summary>
        public bool TryMarkAnswered(ulong index)
        {
            if (!Answered.TryAdd(index))
            {
                return false;
            }
            Interlocked.Increment(ref AnsweredCount);
            return true;
        }

        public bool TryMarkUp(ulong host)
        {
            var bit = 1UL << (int)(host & 63);
            return (Interlocked.Or(ref HostUp![host >> 6], bit) & bit) == 0;
        }

        private static int[] NewMap()
        {
            var map = new int[65536];
            Array.Fill(map, -1);
            return map;
        }
    }

    /// <inheritdoc/>
    public void OnPacket(ushort etherType, ReadOnlySpan<byte> packet, int interfaceIndex, long timestamp)
    {
        var sweep = _sweep;
        if (sweep is null)
        {
            return;
        }
        if (etherType == RawSyscalls.EthPArp)
        {
            OnArp(sweep, packet, interfaceIndex);
            return;
        }
        if (etherType is not (RawSyscalls.EthPIp or RawSyscalls.EthPIpv6) || !ProbeReply.TryParse(packet, out var reply))
        {
            return;
        }
        var v6 = reply.Addresses.IsIPv6;
        if (!sweep.Hosts.TryGetIndex(reply.Addresses.Destination, v6, out var host))
        {
            return;
        }
        int slot;
        ushort expectedSourcePort = _sourcePort;
        uint expected;
        switch (reply.Kind)
        {
            case ReplyKind.EchoReply or ReplyKind.TimestampReply:
                slot = reply.Kind == ReplyKind.EchoReply ? sweep.EchoSlot : sweep.TimestampSlot;
                expected = reply.Kind == ReplyKind.EchoReply
                    ? _cookie.Compute(reply.Addresses.Source, reply.Addresses.Destination, 0, 8, reply.ProbeProtocol)
                    : _cookie.Compute(reply.Addresses.Source, reply.Addresses.Destination, 0, 13, IpPacket.Icmp);
                expectedSourcePort = 0;
                break;
            case ReplyKind.Unreachable when reply.ProbeProtocol is IpPacket.Icmp or IpPacket.IcmpV6:
                slot = reply.Cookie == _cookie.Compute(reply.Addresses.Source, reply.Addresses.Destination, 0, 8, reply.ProbeProtocol) ? sweep.EchoSlot
                    : reply.Cookie == _cookie.Compute(reply.Addresses.Source, reply.Addresses.Destination, 0, 13, IpPacket.Icmp) ? sweep.TimestampSlot : -1;
                expected = reply.Cookie;
                expectedSourcePort = 0;
                break;
            default:
                if (reply.LocalPort == _canaryPort && sweep.Canaries > 0 && reply.ProbeProtocol == IpPacket.Tcp)
                {
                    slot = -1;
                    for (var k = 0; k < sweep.Canaries; k++)
                    {
                        if (CanaryPort(reply.Addresses.Destination, k) == reply.RemotePort)
                        {
                            slot = sweep.Slots.Length + k;
                        }
                    }
                    expectedSourcePort = _canaryPort;
                }
                else
                {
                    slot = sweep.SlotFor(reply.ProbeProtocol, reply.RemotePort);
                }
                var raw = _cookie.Compute(reply.Addresses.Source, reply.Addresses.Destination, expectedSourcePort, reply.RemotePort, reply.ProbeProtocol);
                expected = reply.ProbeProtocol == IpPacket.Sctp ? SctpTag(raw) : raw;
                break;
        }
        if (slot < 0 || reply.LocalPort != expectedSourcePort)
        {
            return;
        }
        if (reply.HasCookie && reply.Cookie != expected)
        {
            Interlocked.Increment(ref _rejected);
            return;
        }
        Interlocked.Increment(ref _validated);
        var (state, reason) = Classify(sweep, reply);
        if (reason is null)
        {
            return;
        }
        var index = (host * (ulong)sweep.Stride) + (ulong)slot;
        // A reply that validates for another shard's probe (same address, same seed) is that shard's to decide.
        if (sweep.IsForeign(index) || !sweep.TryMarkAnswered(index))
        {
            return;
        }
        TimeSpan? roundTrip = null;
        var sample = sweep.Samples[index % SampleTableSize];
        // A reply stamped before its probe was built (clocks read apart) gives no sample rather than a round trip below zero.
        if (sample.Index == index && sample.Timestamp != 0 && timestamp >= sample.Timestamp)
        {
            roundTrip = _time.GetElapsedTime(sample.Timestamp, timestamp);
            lock (_rttLock)
            {
                _rtt.AddSample(roundTrip.Value);
            }
        }
        sweep.OnVerdict(sweep, host, slot, state, reason, roundTrip);
    }

    private static (PortState State, string? Reason) Classify(Sweep sweep, in ProbeReply reply) => reply.Kind switch
    {
        ReplyKind.TcpSynAck => (PortState.Open, Reasons.SynAck),
        ReplyKind.TcpRst => (sweep.IsDiscovery ? PortState.Open : PortState.Closed, Reasons.Reset),
        ReplyKind.Udp => (PortState.Open, Reasons.UdpResponse),
        ReplyKind.SctpInitAck => (PortState.Open, Reasons.InitAck),
        ReplyKind.SctpAbort => (PortState.Closed, Reasons.Abort),
        ReplyKind.EchoReply => (PortState.Open, Reasons.EchoReply),
        ReplyKind.TimestampReply => (PortState.Open, Reasons.TimestampReply),
        ReplyKind.Unreachable => Unreachable(reply),
        _ => (PortState.Filtered, null),
    };

    private static (PortState, string?) Unreachable(in ProbeReply reply)
    {
        var v6 = reply.Addresses.IsIPv6;
        var portUnreachable = v6 ? reply.IcmpType == IcmpHeader.V6DestinationUnreachable && reply.IcmpCode == 4 : reply.IcmpCode == 3;
        var reason = v6 && reply.IcmpType == IcmpHeader.V6ParameterProblem ? "proto-unreach" : Reasons.ForUnreachable(v6, reply.IcmpCode);
        // A port unreachable closes a UDP port (RFC 1122, 4.1.3.1); for TCP and SCTP, unreachables mean a filter (as nmap reads them).
        if (reply.ProbeProtocol == IpPacket.Udp && portUnreachable && reply.IcmpSource == reply.Addresses.Destination)
        {
            return (PortState.Closed, reason);
        }
        return (PortState.Filtered, reason);
    }

    /// <summary>nmap's reason names, as interned strings: verdicts allocate none.</summary>
    internal static class Reasons
    {
        public const string SynAck = "syn-ack";
        public const string Reset = "reset";
        public const string UdpResponse = "udp-response";
        public const string InitAck = "init-ack";
        public const string Abort = "abort";
        public const string EchoReply = "echo-reply";
        public const string TimestampReply = "timestamp-reply";
        public const string ArpResponse = "arp-response";
        public const string NoResponse = "no-response";
        public const string Confirmed = "syn-ack+connect";
        public const string Unconfirmed = "syn-ack-unconfirmed";

        public static string ForUnreachable(bool v6, byte code) => v6
            ? code switch
            {
                0 => "net-unreach",
                1 => "admin-prohibited",
                3 => "host-unreach",
                4 => "port-unreach",
                _ => "unreach",
            }
            : code switch
            {
                0 => "net-unreach",
                1 => "host-unreach",
                2 => "proto-unreach",
                3 => "port-unreach",
                9 => "net-prohibited",
                10 => "host-prohibited",
                13 => "admin-prohibited",
                _ => "unreach",
            };
    }
}
