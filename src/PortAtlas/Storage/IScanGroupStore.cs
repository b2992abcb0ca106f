using PortAtlas.Scanning;

namespace PortAtlas.Storage;

/// <summary>
/// Scan groups: the shards of one plan (<see cref="ScanOptions.Shard"/>), run by separate processes into one store and
/// read back as one scan. Several processes may join and save shards of one group at once. The SQLite and PostgreSQL
/// stores implement it; <see cref="ScanStore.Open"/>'s stores can be cast to it.
/// </summary>
public interface IScanGroupStore
{
    /// <summary>
    /// Joins shard <see cref="ScanShard.Index"/> of <paramref name="plan"/> to its group (<see cref="ScanPlan.Group"/>),
    /// creating the group when it is the first. Refuses (<see cref="ShardJoin.Refusal"/>) a plan that differs from the
    /// group's in anything shards must share. Returns the shard's checkpoint when an earlier run of it stopped midway.
    /// </summary>
    Task<ShardJoin> JoinGroupAsync(ScanPlan plan, CancellationToken cancellationToken = default);

    /// <summary>Records a shard's progress: its state (<c>running</c> or <c>interrupted</c>), checkpoint, and pairs decided of its total.</summary>
    Task UpdateShardAsync(string group, int shard, string state, long checkpointId, long decided, long total, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves a finished shard's report in one transaction: the new scan replaces any earlier saved run of the same
    /// shard, its checkpoint is deleted, and the shard is marked <c>done</c>. Returns the scan's id.
    /// </summary>
    Task<long> SaveShardAsync(ScanReport report, ScanMetadata metadata, string group, int shard, long checkpointId, CancellationToken cancellationToken = default);

    /// <summary>Every group with its shards, newest first.</summary>
    Task<IReadOnlyList<ScanGroupSummary>> ListGroupsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// A group as one scan: the finished shards' reports and the unfinished ones' checkpointed results, joined (hosts by
    /// address, every pair from the one shard that decided it). Interrupted unless every shard is done. Null for no such group.
    /// </summary>
    Task<StoredScan?> GetGroupAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>What joining a group found.</summary>
public sealed record ShardJoin
{
    /// <summary>Why the shard may not join (its plan differs from the group's), in one line; null when it joined.</summary>
    public string? Refusal { get; init; }

    /// <summary>The checkpoint of an earlier, unfinished run of this shard to resume; null to start from its beginning.</summary>
    public ScanCheckpoint? Resume { get; init; }

    /// <summary>Whether the group was created by this join.</summary>
    public bool Created { get; init; }
}

/// <summary>One group as <c>ports history</c> lists it.</summary>
public sealed record ScanGroupSummary
{
    /// <summary>The group's name.</summary>
    public required string Name { get; init; }
    /// <summary>How many shards the plan is split into.</summary>
    public int ShardCount { get; init; }
    /// <summary>When the first shard joined.</summary>
    public DateTimeOffset Created { get; init; }
    /// <summary>The target specs of the plan.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];
    /// <summary>The shards that have joined, by index.</summary>
    public IReadOnlyList<ShardStatus> Shards { get; init; } = [];
    /// <summary>True when every shard is done.</summary>
    public bool IsComplete => Shards.Count == ShardCount && Shards.All(s => s.State == ShardStatus.Done);
}

/// <summary>One shard's progress and state.</summary>
public sealed record ShardStatus
{
    /// <summary>A shard whose run finished and was saved.</summary>
    public const string Done = "done";
    /// <summary>A shard that is running, or whose process died without a word (see <see cref="Updated"/>).</summary>
    public const string Running = "running";
    /// <summary>A shard stopped by a signal; its checkpoint resumes it.</summary>
    public const string Interrupted = "interrupted";

    /// <summary>The shard's index (from 0).</summary>
    public int Index { get; init; }
    /// <summary><see cref="Done"/>, <see cref="Running"/> or <see cref="Interrupted"/>.</summary>
    public string State { get; init; } = Running;
    /// <summary>Pairs decided so far (as of the last checkpoint).</summary>
    public long Decided { get; init; }
    /// <summary>Pairs of this shard.</summary>
    public long Total { get; init; }
    /// <summary>The saved scan of a done shard.</summary>
    public long? ScanId { get; init; }
    /// <summary>The checkpoint of an unfinished shard.</summary>
    public long? CheckpointId { get; init; }
    /// <summary>When the shard last reported.</summary>
    public DateTimeOffset Updated { get; init; }
}
