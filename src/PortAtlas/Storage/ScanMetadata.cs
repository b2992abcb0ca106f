using PortAtlas.Scanning;

namespace PortAtlas.Storage;

/// <summary>What the store keeps about a scan beside its report: how it was asked for.</summary>
public sealed record ScanMetadata
{
    /// <summary>The target specs as the user gave them (addresses, ranges, names); searched by <see cref="ScanFilter.Target"/> and <see cref="IScanStore.LatestForTargetAsync"/>.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>The scan's configuration as a JSON document of the caller's choosing (options, port spec, formats); stored as given, <see langword="null"/> when none.</summary>
    public string? ConfigJson { get; init; }
}

/// <summary>One stored scan, as listed: counters from the normalised tables, without the report.</summary>
public sealed record ScanSummary
{
    /// <summary>The scan's id in its store, positive and increasing with each save.</summary>
    public required long Id { get; init; }
    /// <summary>When the store saved it.</summary>
    public DateTimeOffset SavedAt { get; init; }
    /// <summary>When the scan started (<see cref="ScanStats.Started"/>).</summary>
    public DateTimeOffset Started { get; init; }
    /// <summary>When the scan ended (<see cref="ScanStats.Finished"/>).</summary>
    public DateTimeOffset Finished { get; init; }
    /// <summary>Scan type (connect, syn, udp ...).</summary>
    public string ScanType { get; init; } = "";
    /// <summary>The command line recorded in the report.</summary>
    public string CommandLine { get; init; } = "";
    /// <summary>The target specs of <see cref="ScanMetadata.Targets"/>.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];
    /// <summary>Hosts scanned (<see cref="ScanStats.HostsScanned"/>).</summary>
    public long HostsScanned { get; init; }
    /// <summary>Hosts reported up.</summary>
    public long HostsUp { get; init; }
    /// <summary>Host × port pairs decided (<see cref="ScanStats.PortsScanned"/>).</summary>
    public long PortsScanned { get; init; }
    /// <summary>Ports found open, over all hosts.</summary>
    public long OpenPorts { get; init; }
    /// <summary>True when the scan was interrupted and its results are partial.</summary>
    public bool Interrupted { get; init; }
}

/// <summary>A stored scan in full: its summary, how it was asked for, and its report.</summary>
public sealed record StoredScan
{
    /// <summary>Id, times and counters.</summary>
    public required ScanSummary Summary { get; init; }
    /// <summary>Targets and configuration as saved.</summary>
    public required ScanMetadata Metadata { get; init; }
    /// <summary>The report as saved, every field included.</summary>
    public required ScanReport Report { get; init; }
}

/// <summary>Which stored scans <see cref="IScanStore.ListAsync"/> returns.</summary>
public sealed record ScanFilter
{
    /// <summary>Only scans with a target spec containing this text, ignoring case; <see langword="null"/> (default) for all.</summary>
    public string? Target { get; init; }

    /// <summary>At most this many scans, newest first; default 50, at least 1.</summary>
    public int Limit { get; init; } = 50;
}
