using PortAtlas.Assessment;
using PortAtlas.Detection;

namespace PortAtlas.Scanning;

/// <summary>How a <see cref="ScanSession"/> runs its plan beyond the plan itself: where checkpoints go, what it resumes, its clock.</summary>
public sealed record ScanSessionOptions
{
    /// <summary>Where checkpoints are saved (a scan store is one); null for none. A checkpoint that cannot be saved is a warning, never the end of the scan.</summary>
    public IScanCheckpointSink? Checkpoints { get; init; }

    /// <summary>A checkpoint of an interrupted scan to continue (its plan should be the session's); null for a new scan.</summary>
    public ScanCheckpoint? Resume { get; init; }

    /// <summary>Save a checkpoint at least this often while results arrive; default 1 s.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Save a checkpoint after this many results even within <see cref="CheckpointInterval"/>; default 100 000.</summary>
    public int CheckpointResults { get; init; } = 100_000;

    /// <summary>The assessor; null builds one from the plan's rule files and NVD store when the plan assesses.</summary>
    public Assessor? Assessor { get; init; }

    /// <summary>Detection's timeouts and limits; <see cref="DetectionOptions.Default"/> when null.</summary>
    public DetectionOptions? Detection { get; init; }

    /// <summary>The detector; null for one on <see cref="TimeProvider"/>.</summary>
    public ServiceDetector? Detector { get; init; }

    /// <summary>The clock of engines, detection, checkpoints and statistics; default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The reverse-DNS resolver for the plan's <see cref="ScanPlan.ReverseDns"/>; null for one over the plan's servers (<see cref="ReverseDns.ForServers"/>).</summary>
    public ReverseDns? ReverseDns { get; init; }

    /// <summary>Results in flight between two stages of the pipeline (engines, detection, the consumer); default 4096.</summary>
    public int ChannelCapacity { get; init; } = 4096;

    /// <summary>Tests: pretend raw sockets are (or are not) permitted; null asks the system.</summary>
    internal bool? RawAvailable { get; init; }

    /// <summary>Tests: makes the TCP engine in place of the connect or SYN engine, from the engine settings the session chose.</summary>
    internal Func<ScanOptions, IScanEngine>? TcpEngine { get; init; }
}
