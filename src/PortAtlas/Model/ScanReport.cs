using System.Net;

namespace PortAtlas.Model;

/// <summary>One host and the ports reported for it.</summary>
public sealed record HostResult
{
    /// <summary>The address scanned.</summary>
    public required IPAddress Address { get; init; }
    /// <summary>The name the user gave, or a reverse name, when known.</summary>
    public string? Hostname { get; init; }
    /// <summary>up, down or unknown.</summary>
    public string State { get; init; } = "up";
    /// <summary>Ports, sorted by protocol then number; usually only the interesting ones.</summary>
    public IReadOnlyList<PortResult> Ports { get; init; } = [];
    /// <summary>
    /// Count of this host's ports per state, by state name, the listed <see cref="Ports"/> included;
    /// empty when the scanner did not count per host. Reports summarise the unlisted remainder
    /// (Nmap XML's extraports, grepable "Ignored State").
    /// </summary>
    public IReadOnlyDictionary<string, long> StateCounts { get; init; } = new Dictionary<string, long>();
    /// <summary>Why the host is judged up or down (syn-ack, echo-reply, arp-response, no-response, user-set), when known.</summary>
    public string? StateReason { get; init; }
    /// <summary>
    /// Every name known for the host with where it came from (the user's name, reverse DNS), in the scanner's order;
    /// empty when none. <see cref="Hostname"/> is the one shown.
    /// </summary>
    public IReadOnlyList<HostName> Hostnames { get; init; } = [];
    /// <summary>The host's MAC address (upper case, colon-separated) when it was on the scanner's link; null otherwise.</summary>
    public string? MacAddress { get; init; }
    /// <summary>The vendor of <see cref="MacAddress"/> as the scanner named it, when it did.</summary>
    public string? MacVendor { get; init; }
    /// <summary>Operating system guesses, best first (Nmap's -O); empty when none were made.</summary>
    public IReadOnlyList<OsMatch> OsMatches { get; init; } = [];
    /// <summary>Scripts run against the host as a whole (Nmap's hostscript), in the scanner's order; empty when none.</summary>
    public IReadOnlyList<ScriptResult> Scripts { get; init; } = [];
    /// <summary>IP protocols probed on the host (Nmap's -sO), by number; empty unless a protocol scan ran.</summary>
    public IReadOnlyList<ProtocolResult> Protocols { get; init; } = [];
    /// <summary>When scanning this host began, when the scanner recorded it per host.</summary>
    public DateTimeOffset? Started { get; init; }
    /// <summary>When scanning this host ended, when the scanner recorded it per host.</summary>
    public DateTimeOffset? Finished { get; init; }
}

/// <summary>Counters and settings of a scan.</summary>
public sealed record ScanStats
{
    /// <summary>When the scan started.</summary>
    public DateTimeOffset Started { get; init; }
    /// <summary>When the scan ended.</summary>
    public DateTimeOffset Finished { get; init; }
    /// <summary>Scan type: connect, syn, udp, sctp.</summary>
    public string ScanType { get; init; } = "connect";
    /// <summary>The command line, for reports that record it.</summary>
    public string CommandLine { get; init; } = "";
    /// <summary>The ports probed on every host, per transport, when the scanner records them (Nmap XML's scaninfo); null when unknown.</summary>
    public PortList? Ports { get; init; }
    /// <summary>Number of hosts scanned.</summary>
    public long HostsScanned { get; init; }
    /// <summary>Number of host×port pairs decided.</summary>
    public long PortsScanned { get; init; }
    /// <summary>Probes sent, retransmissions included.</summary>
    public long ProbesSent { get; init; }
    /// <summary>Count of ports per state, by state name.</summary>
    public IReadOnlyDictionary<string, long> StateCounts { get; init; } = new Dictionary<string, long>();
    /// <summary>
    /// The scanner that produced the report when it was not PortAtlas (<c>nmap</c>, <c>masscan</c>, <c>rustscan</c>,
    /// <c>naabu</c>): set by import; null for PortAtlas's own scans.
    /// </summary>
    public string? Scanner { get; init; }
    /// <summary>That scanner's version, when its output named it.</summary>
    public string? ScannerVersion { get; init; }
    /// <summary>True when the user interrupted the scan: results are partial.</summary>
    public bool Interrupted { get; init; }
    /// <summary>Elapsed wall time.</summary>
    public TimeSpan Elapsed => Finished - Started;
}

/// <summary>A finished (or interrupted) scan: hosts with their ports, and statistics.</summary>
public sealed record ScanReport
{
    /// <summary>The hosts, in address order.</summary>
    public IReadOnlyList<HostResult> Hosts { get; init; } = [];
    /// <summary>Counters and settings.</summary>
    public required ScanStats Stats { get; init; }
}
