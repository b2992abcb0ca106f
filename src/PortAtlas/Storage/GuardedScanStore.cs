using PortAtlas.Scanning;

namespace PortAtlas.Storage;

/// <summary>
/// Wraps a store so that every provider failure (SQLite, Npgsql, file system) surfaces as a
/// <see cref="ScanStoreException"/> with one readable sentence naming the store; cancellations and bugs pass unchanged.
/// </summary>
internal sealed class GuardedScanStore(IScanStore inner) : IScanStore, IScanGroupStore
{
    private IScanGroupStore Groups => inner as IScanGroupStore ?? throw new NotSupportedException($"{inner.Location} keeps no scan groups");

    public Task<ShardJoin> JoinGroupAsync(ScanPlan plan, CancellationToken cancellationToken = default) =>
        Guard(() => Groups.JoinGroupAsync(plan, cancellationToken));

    public Task UpdateShardAsync(string group, int shard, string state, long checkpointId, long decided, long total, CancellationToken cancellationToken = default) =>
        Guard(async () =>
        {
            await Groups.UpdateShardAsync(group, shard, state, checkpointId, decided, total, cancellationToken).ConfigureAwait(false);
            return true;
        });

    public Task<long> SaveShardAsync(ScanReport report, ScanMetadata metadata, string group, int shard, long checkpointId, CancellationToken cancellationToken = default) =>
        Guard(() => Groups.SaveShardAsync(report, metadata, group, shard, checkpointId, cancellationToken));

    public Task<IReadOnlyList<ScanGroupSummary>> ListGroupsAsync(CancellationToken cancellationToken = default) =>
        Guard(() => Groups.ListGroupsAsync(cancellationToken));

    public Task<StoredScan?> GetGroupAsync(string name, CancellationToken cancellationToken = default) =>
        Guard(() => Groups.GetGroupAsync(name, cancellationToken));

    public string Location => inner.Location;

    /// <summary>The store inside, for operations only some stores offer (a streamed import into SQLite).</summary>
    public IScanStore Inner => inner;

    /// <summary>Runs <paramref name="operation"/> with provider failures turned into <see cref="ScanStoreException"/>.</summary>
    public Task<T> GuardAsync<T>(Func<Task<T>> operation) => Guard(operation);

    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default) =>
        Guard(() => inner.GetSchemaVersionAsync(cancellationToken));

    public Task<long> SaveAsync(ScanReport report, ScanMetadata metadata, CancellationToken cancellationToken = default) =>
        Guard(() => inner.SaveAsync(report, metadata, cancellationToken));

    public Task<IReadOnlyList<ScanSummary>> ListAsync(ScanFilter? filter = null, CancellationToken cancellationToken = default) =>
        Guard(() => inner.ListAsync(filter, cancellationToken));

    public Task<StoredScan?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        Guard(() => inner.GetAsync(id, cancellationToken));

    public Task<StoredScan?> LatestForTargetAsync(string target, int skip = 0, CancellationToken cancellationToken = default) =>
        Guard(() => inner.LatestForTargetAsync(target, skip, cancellationToken));

    public Task<bool> DeleteAsync(long id, CancellationToken cancellationToken = default) =>
        Guard(() => inner.DeleteAsync(id, cancellationToken));

    public Task<IReadOnlyList<StoredPort>> ListPortsAsync(long scanId, CancellationToken cancellationToken = default) =>
        Guard(() => inner.ListPortsAsync(scanId, cancellationToken));

    public Task<long> SaveCheckpointAsync(ScanCheckpoint checkpoint, CancellationToken cancellationToken = default) =>
        Guard(() => inner.SaveCheckpointAsync(checkpoint, cancellationToken));

    public Task<ScanCheckpoint?> GetCheckpointAsync(long id, CancellationToken cancellationToken = default) =>
        Guard(() => inner.GetCheckpointAsync(id, cancellationToken));

    public Task<IReadOnlyList<ScanCheckpoint>> ListCheckpointsAsync(CancellationToken cancellationToken = default) =>
        Guard(() => inner.ListCheckpointsAsync(cancellationToken));

    public Task<bool> DeleteCheckpointAsync(long id, CancellationToken cancellationToken = default) =>
        Guard(() => inner.DeleteCheckpointAsync(id, cancellationToken));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ScanStoreException.From(ex, Location) is not null)
        {
            // Closing a store that failed to open has nothing left to report.
        }
    }

    private async Task<T> Guard<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception ex) when (ScanStoreException.From(ex, Location) is { } translated)
        {
            throw translated;
        }
    }
}
