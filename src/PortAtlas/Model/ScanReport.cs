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
