using System.Runtime.CompilerServices;
using PortAtlas.Scanning;
using PortAtlas.Targets;

namespace PortAtlas.Storage;

/// <summary>Settings of <see cref="ResumableScan"/>.</summary>
public sealed record ResumableScanOptions
{
    /// <summary>Save a checkpoint at least this often while results arrive; default 1 s.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Save a checkpoint after this many results even within <see cref="Interval"/>; default 100 000.</summary>
    public int Results { get; init; } = 100_000;

    /// <summary>List every port in the checkpoint and the report, whatever its state (as <see cref="ScanCollector"/>'s option); default false.</summary>
    public bool ListEveryState { get; init; }

    /// <summary>The clock for checkpoint times and intervals; <see cref="TimeProvider.System"/> when null.</summary>
    public TimeProvider? TimeProvider { get; init; }
}

/// <summary>
/// A connect scan that saves its progress in a <see cref="IScanStore"/> as it goes, so that a scan stopped by Ctrl-C, a
/// crash or SIGKILL can be resumed where it stopped. Checkpoints hold the results of the settled prefix of the
/// scan's permutation (<see cref="ScanProgress.DecidedPrefix"/>); a resumed run starts there with the same seed, so the
/// two runs together decide every host × port pair exactly once.
/// </summary>
/// <remarks>
/// A new scan: <see cref="BeginAsync"/>, then <see cref="RunAsync"/>, then <see cref="BuildReport"/>, save the report and
/// delete the checkpoint. A resumed scan: <see cref="IScanStore.GetCheckpointAsync"/>, parse its
/// <see cref="ScanCheckpoint.Targets"/> and <see cref="ScanCheckpoint.Ports"/> again, then the same.
/// </remarks>
public sealed class ResumableScan
{
    private readonly IScanStore _store;
    private readonly ResumableScanOptions _options;
    private readonly TimeProvider _timeProvider;
    private ScanCheckpoint? _checkpoint;
    private ScanAccumulator? _committed;
    private List<IndexedResult> _pending = [];

    /// <summary>A resumable scan that checkpoints into <paramref name="store"/>.</summary>
    public ResumableScan(IScanStore store, ResumableScanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new ResumableScanOptions();
        _timeProvider = _options.TimeProvider ?? TimeProvider.System;
    }

    /// <summary>The last checkpoint saved (or loaded) by this instance; <see langword="null"/> before the first.</summary>
    public ScanCheckpoint? LastCheckpoint => _checkpoint;

    /// <summary>
    /// Saves the first checkpoint of a new scan and returns it with its id: <paramref name="template"/> with a random
    /// <see cref="ScanOptions.Seed"/> when it has none, position 0, and creation time now.
    /// </summary>
    /// <param name="template">Targets, ports, options, configuration; <see cref="ScanCheckpoint.Partial"/> carries the command line and port list in its statistics.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public async Task<ScanCheckpoint> BeginAsync(ScanCheckpoint template, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        var now = _timeProvider.GetUtcNow();
        var checkpoint = template with
        {
            Id = 0,
            Options = template.Options.Seed is null ? template.Options with { Seed = (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue) } : template.Options,
            Position = 0,
            Created = now,
            Updated = now,
            Partial = template.Partial with { Hosts = [], Stats = template.Partial.Stats with { Started = now, Finished = now } },
        };
        var id = await _store.SaveCheckpointAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        return _checkpoint = checkpoint with { Id = id };
    }

    /// <summary>
    /// Runs the scan of <paramref name="checkpoint"/> from its <see cref="ScanCheckpoint.Position"/> and yields each port
    /// decided in this run. Saves a checkpoint every <see cref="ResumableScanOptions.Interval"/> or
    /// <see cref="ResumableScanOptions.Results"/> results, and a last one when the scan ends, completed or cancelled.
    /// </summary>
    /// <param name="scanner">The scanner; its <see cref="PortScanner.Progress"/> shows this run.</param>
    /// <param name="checkpoint">A checkpoint from <see cref="BeginAsync"/> or the store.</param>
    /// <param name="targets">The parsed <see cref="ScanCheckpoint.Targets"/>.</param>
    /// <param name="ports">The parsed <see cref="ScanCheckpoint.Ports"/>.</param>
    /// <param name="cancellationToken">Stops the scan; results decided so far are yielded and checkpointed, then <see cref="OperationCanceledException"/> is thrown.</param>
    public async IAsyncEnumerable<PortResult> RunAsync(PortScanner scanner, ScanCheckpoint checkpoint, TargetSet targets, PortList ports,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scanner);
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.Id == 0 || checkpoint.Options.Seed is null)
        {
            throw new ArgumentException("The checkpoint must be saved (BeginAsync) and carry a seed.", nameof(checkpoint));
        }
        _checkpoint = checkpoint;
        _committed = new ScanAccumulator(_options.ListEveryState);
        _committed.Add(checkpoint.Partial);
        _pending = [];
        var baseStats = checkpoint.Partial.Stats with { HostsScanned = (long)targets.Count };
        var options = checkpoint.Options with { StartIndex = checkpoint.Position, TimeProvider = _timeProvider };
        var stream = scanner.ScanIndexedAsync(targets, ports, options, cancellationToken);
        var progress = scanner.Progress!;
        var lastSave = _timeProvider.GetTimestamp();
        var sinceSave = 0;
        var completed = false;
        try
        {
            await foreach (var item in stream.ConfigureAwait(false))
            {
                _pending.Add(item);
                yield return item.Result;
                if (++sinceSave >= _options.Results || _timeProvider.GetElapsedTime(lastSave) >= _options.Interval)
                {
                    // Everything below the prefix was delivered and is in _pending or _committed: the yield above returned.
                    await SaveAsync(progress.DecidedPrefix, progress, baseStats, interrupted: true, CancellationToken.None).ConfigureAwait(false);
                    lastSave = _timeProvider.GetTimestamp();
                    sinceSave = 0;
                }
            }
            completed = true;
        }
        finally
        {
            // Completed: every pair is settled. Stopped: the prefix, as the consumer saw it. Saved even when cancelled.
            var position = completed ? (ulong)progress.Total + checkpoint.Position : progress.DecidedPrefix;
            await SaveAsync(position, progress, baseStats, interrupted: !completed, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The report of everything decided so far, the checkpoint's earlier results included: after a completed
    /// <see cref="RunAsync"/>, the whole scan's report.
    /// </summary>
    public ScanReport BuildReport()
    {
        _ = _committed ?? throw new InvalidOperationException("RunAsync has not run.");
        var report = _checkpoint!.Partial;
        if (_pending.Count == 0)
        {
            return report;
        }
        var pending = new ScanAccumulator(_options.ListEveryState);
        foreach (var item in _pending)
        {
            pending.Add(item.Result);
        }
        return ScanReportMerge.Merge(report, pending.Build(report.Stats with { ProbesSent = 0 }), _options.ListEveryState);
    }

    private async Task SaveAsync(ulong position, ScanProgress progress, ScanStats baseStats, bool interrupted, CancellationToken cancellationToken)
    {
        var remaining = new List<IndexedResult>();
        foreach (var item in _pending)
        {
            if (item.Index < position)
            {
                _committed!.Add(item.Result);
            }
            else
            {
                remaining.Add(item);
            }
        }
        _pending = remaining;
        var now = _timeProvider.GetUtcNow();
        var checkpoint = _checkpoint!;
        var stats = baseStats with
        {
            Finished = now,
            ProbesSent = baseStats.ProbesSent + progress.ProbesSent,
            Interrupted = interrupted,
        };
        var partial = _committed!.Build(stats);
        var next = checkpoint with { Position = position, Partial = partial, Updated = now };
        await _store.SaveCheckpointAsync(next, cancellationToken).ConfigureAwait(false);
        _checkpoint = next;
    }
}
