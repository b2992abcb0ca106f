using PortAtlas.Scanning;

namespace PortAtlas.Storage;

/// <summary>
/// The checkpoint sink of a shard: saves each checkpoint in the store, then records the shard's progress in its group,
/// so that <c>ports history</c> shows how far every shard got and a rerun of the shard finds its checkpoint.
/// </summary>
public sealed class ShardCheckpointSink : IScanCheckpointSink
{
    private readonly IScanStore _store;
    private readonly IScanGroupStore _groups;
    private readonly string _group;
    private readonly int _shard;
    private readonly long _total;

    /// <param name="store">Where checkpoints go.</param>
    /// <param name="groups">The same store's groups.</param>
    /// <param name="plan">The shard's plan (<see cref="ScanPlan.Group"/> and <see cref="ScanOptions.Shard"/> set).</param>
    public ShardCheckpointSink(IScanStore store, IScanGroupStore groups, ScanPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _groups = groups ?? throw new ArgumentNullException(nameof(groups));
        _group = plan.Group ?? throw new ArgumentException("The plan has no group.", nameof(plan));
        var shard = plan.Options.Shard ?? throw new ArgumentException("The plan has no shard.", nameof(plan));
        _shard = shard.Index;
        _total = PairsOf(plan);
    }

    /// <summary>The id of the last checkpoint saved; 0 before the first.</summary>
    public long CheckpointId { get; private set; }

    /// <summary>Pairs the shard of <paramref name="plan"/> decides: its range of each transport's permutation.</summary>
    public static long PairsOf(ScanPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var shard = plan.Options.Shard ?? new ScanShard(0, 1);
        ulong pairs = 0;
        foreach (var count in (int[])[plan.Ports.Tcp.Count, plan.Ports.Udp.Count, plan.Ports.Sctp.Count])
        {
            var (start, end) = shard.Range(plan.Targets.Count * (ulong)count);
            pairs += end - start;
        }
        return (long)Math.Min(pairs, long.MaxValue);
    }

    /// <inheritdoc/>
    public async Task<long> SaveCheckpointAsync(ScanCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        CheckpointId = await _store.SaveCheckpointAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        await _groups.UpdateShardAsync(_group, _shard, ShardStatus.Running, CheckpointId, checkpoint.Partial.Stats.PortsScanned, _total, cancellationToken).ConfigureAwait(false);
        return CheckpointId;
    }

    /// <summary>Marks the shard interrupted (stopped by a signal): its checkpoint resumes it.</summary>
    public Task MarkInterruptedAsync(long decided, CancellationToken cancellationToken = default) =>
        _groups.UpdateShardAsync(_group, _shard, ShardStatus.Interrupted, CheckpointId, decided, _total, cancellationToken);
}
