using PortAtlas.Scanning;

namespace PortAtlas.Storage;

/// <summary>
/// A scan in progress, saved so that it can be resumed after a crash or Ctrl-C: everything needed to rebuild the same
/// scan (target specs, port spec, options with the permutation seed), how far the permutation is settled, and the
/// results of that settled prefix. Resuming scans from <see cref="Position"/> with the same seed and merges its report
/// with <see cref="Partial"/> (<see cref="ScanReportMerge.Merge"/>); <see cref="ResumableScan"/> does both.
/// </summary>
public sealed record ScanCheckpoint
{
    /// <summary>The checkpoint's id in its store; 0 before the first save.</summary>
    public long Id { get; init; }

    /// <summary>The target specs, as given to <see cref="Targets.TargetSpecParser"/>.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>The port spec, as given to <see cref="Targets.PortSpecParser"/> (the canonical form of <see cref="Targets.PortSpecParser.Format"/> is best).</summary>
    public string Ports { get; init; } = "";

    /// <summary>
    /// The scan's options; <see cref="ScanOptions.Seed"/> is set (a checkpoint without a seed cannot be resumed).
    /// <see cref="ScanOptions.TimeProvider"/> and <see cref="ScanOptions.StartIndex"/> are not stored.
    /// </summary>
    public ScanOptions Options { get; init; } = ScanOptions.Default;

    /// <summary>Further configuration of the caller's (detection, output), stored as given.</summary>
    public string? ConfigJson { get; init; }

    /// <summary>The count of leading permutation indices settled: their results are in <see cref="Partial"/>, and a resumed scan starts here.</summary>
    public ulong Position { get; init; }

    /// <summary>The results of the indices below <see cref="Position"/>: listed ports and per-host counts, as <see cref="ScanCollector"/> keeps them.</summary>
    public required ScanReport Partial { get; init; }

    /// <summary>When the scan was first checkpointed.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>When this checkpoint was taken.</summary>
    public DateTimeOffset Updated { get; init; }
}
