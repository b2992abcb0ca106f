namespace PortAtlas.Scanning;

/// <summary>
/// A scan in progress, saved so that it can be resumed after a crash, Ctrl-C or SIGTERM: the plan it runs (resolved
/// addresses and seed included), how far each engine got, and the results settled so far. <see cref="ScanSession"/>
/// makes checkpoints and hands them to an <see cref="IScanCheckpointSink"/>; given one back
/// (<see cref="ScanSessionOptions.Resume"/>), it continues the scan so that both runs together decide every pair once.
/// </summary>
public sealed record ScanCheckpoint
{
    /// <summary>The checkpoint's id in its store; 0 before the first save.</summary>
    public long Id { get; init; }

    /// <summary>The scan being run.</summary>
    public required ScanPlan Plan { get; init; }

    /// <summary>The target specs of the plan (resolved address ranges), for listings.</summary>
    public IReadOnlyList<string> Targets => [.. Plan.Targets.ToSpecs()];

    /// <summary>The connect engine's settled prefix of its permutation: its results are in <see cref="Partial"/>, and a resumed connect scan starts here.</summary>
    public ulong Position { get; init; }

    /// <summary>The raw engines that had finished (<c>syn</c>, <c>udp</c>, <c>sctp</c>): their results are in <see cref="Partial"/> and a resumed scan skips them. Raw engines not listed sweep again from the start.</summary>
    public IReadOnlyList<string> FinishedEngines { get; init; } = [];

    /// <summary>The settled results: listed ports and per-host counts, as <see cref="ScanCollector"/> keeps them.</summary>
    public required ScanReport Partial { get; init; }

    /// <summary>Open ports decided but not yet settled whose service was identified: a resumed scan reuses the identification instead of probing again.</summary>
    public ScanReport? Identified { get; init; }

    /// <summary>When the scan was first checkpointed.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>When this checkpoint was taken.</summary>
    public DateTimeOffset Updated { get; init; }
}

/// <summary>Where a <see cref="ScanSession"/> saves its checkpoints; a scan store is one.</summary>
public interface IScanCheckpointSink
{
    /// <summary>
    /// Saves a checkpoint of a scan in progress, replacing the previous one of the same <see cref="ScanCheckpoint.Id"/>;
    /// an <see cref="ScanCheckpoint.Id"/> of 0 creates a new one. Returns the checkpoint's id.
    /// </summary>
    Task<long> SaveCheckpointAsync(ScanCheckpoint checkpoint, CancellationToken cancellationToken = default);
}
