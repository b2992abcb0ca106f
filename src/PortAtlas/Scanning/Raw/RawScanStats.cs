using System.Net;

namespace PortAtlas.Scanning.Raw;

/// <summary>What the raw engine did and noticed during a scan, beyond the per-port results.</summary>
public sealed record RawScanStats
{
    /// <summary>Scan type: syn, udp or sctp.</summary>
    public required string ScanType { get; init; }
    /// <summary>Hosts in the target set.</summary>
    public long HostsTargeted { get; init; }
    /// <summary>Hosts found up by discovery and scanned (all targets when discovery was skipped).</summary>
    public long HostsScanned { get; init; }
    /// <summary>Host × port pairs decided.</summary>
    public long PortsScanned { get; init; }
    /// <summary>Packets sent, discovery, canaries and retransmissions included.</summary>
    public long PacketsSent { get; init; }
    /// <summary>Packets received and decoded as answers to our probes.</summary>
    public long RepliesValidated { get; init; }
    /// <summary>Packets that looked like answers but failed the cookie check (stale, spoofed, or another scanner's).</summary>
    public long RepliesRejected { get; init; }
    /// <summary>Passes over the probe space (the first pass plus retransmission passes).</summary>
    public int Passes { get; init; }
    /// <summary>Times the engine halved its rate on evidence of drops.</summary>
    public int RateBackoffs { get; init; }
    /// <summary>The rate ceiling at the end of the scan, packets per second.</summary>
    public double FinalRate { get; init; }
    /// <summary>The highest send rate measured over one congestion window (40 ms or more), packets per second.</summary>
    public double PeakRate { get; init; }
    /// <summary>Packets the kernel dropped on the receive socket (too fast for the receive thread).</summary>
    public long ReceiveDrops { get; init; }
    /// <summary>Smoothed round-trip time measured, when any sample was taken.</summary>
    public TimeSpan? SmoothedRoundTrip { get; init; }
    /// <summary>Hosts that answered SYN-ACK on their canary ports: they answer SYN-ACK everywhere, and their open ports were confirmed by connect.</summary>
    public IReadOnlyList<IPAddress> SynAckEverywhereHosts { get; init; } = [];
    /// <summary>Ports of such hosts whose SYN-ACK a full connect did not confirm (reported filtered, reason "syn-ack-unconfirmed").</summary>
    public long UnconfirmedOpenPorts { get; init; }
    /// <summary>Hosts whose ICMP port-unreachable messages were rate limited (UDP).</summary>
    public IReadOnlyList<IPAddress> IcmpRateLimitedHosts { get; init; } = [];
    /// <summary>Time spent pacing probes to rate-limited hosts so their closed ports are told from silent ones (UDP).</summary>
    public TimeSpan IcmpPacingTime { get; init; }
    /// <summary>Human-readable remarks on anything that made the scan slow or its results less certain.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
    /// <summary>Where the engine's time went, phase by phase in order (discovery and sweep passes, each sending then waiting; pacing; the connect check; the silent remainder).</summary>
    public IReadOnlyList<RawScanPhase> Phases { get; init; } = [];
    /// <summary>Time the engine's thread waited, within the phases, for the consumer to take queued results (back-pressure).</summary>
    public TimeSpan ConsumerWait { get; init; }
    /// <summary>How many times the engine's thread waited for the consumer (see <see cref="ConsumerWait"/>).</summary>
    public int ConsumerWaits { get; init; }
}

/// <summary>One phase of a raw scan's engine thread: what it was, how long it took, how many packets it sent.</summary>
public sealed record RawScanPhase
{
    /// <summary>The phase: "discovery pass N send|wait", "pass N send|wait", "icmp pacing", "verify" or "remainder".</summary>
    public required string Name { get; init; }
    /// <summary>Wall-clock time the phase took.</summary>
    public TimeSpan Elapsed { get; init; }
    /// <summary>Packets sent during the phase.</summary>
    public long Packets { get; init; }
}

/// <summary>A finished raw scan: the shared report model and the raw engine's own statistics.</summary>
public sealed record RawScanReport
{
    /// <summary>Hosts and ports, in the model every report writer reads.</summary>
    public required ScanReport Report { get; init; }
    /// <summary>What the raw engine did and noticed.</summary>
    public required RawScanStats Raw { get; init; }
}

/// <summary>The verdict of host discovery on one target.</summary>
public sealed record HostDiscoveryResult
{
    /// <summary>The target.</summary>
    public required IPAddress Address { get; init; }
    /// <summary>True when any probe drew an answer from the host.</summary>
    public required bool IsUp { get; init; }
    /// <summary>The first answer: echo-reply, timestamp-reply, syn-ack, reset, port-unreach, udp-response, arp-response; no-response when down.</summary>
    public required string Reason { get; init; }
    /// <summary>Round trip of that answer, when measured.</summary>
    public TimeSpan? RoundTrip { get; init; }
}
