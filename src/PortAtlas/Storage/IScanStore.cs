using PortAtlas.Scanning;

namespace PortAtlas.Storage;

/// <summary>
/// Scan history: finished scans with their reports, and checkpoints of scans in progress. Every save is one transaction:
/// a save that is interrupted (even by SIGKILL) leaves the store as it was, with every earlier save intact. Implementations
/// are safe to use from several threads, and several processes may use one store at once.
/// Open one with <see cref="ScanStore.Open"/>.
/// </summary>
public interface IScanStore : IScanCheckpointSink, IAsyncDisposable
{
    /// <summary>Where the store is, for messages: a file path, or a PostgreSQL host and database (never a password).</summary>
    string Location { get; }

    /// <summary>The schema version of the database, after migrating it to the newest this library knows.</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default);

    /// <summary>Saves a scan: its full report as JSON, plus hosts and listed ports in tables for queries. Returns its id.</summary>
    Task<long> SaveAsync(ScanReport report, ScanMetadata metadata, CancellationToken cancellationToken = default);

    /// <summary>Summaries of stored scans, newest first (highest id first).</summary>
    Task<IReadOnlyList<ScanSummary>> ListAsync(ScanFilter? filter = null, CancellationToken cancellationToken = default);

    /// <summary>One stored scan, or <see langword="null"/> when there is none with that id.</summary>
    Task<StoredScan?> GetAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>
    /// The newest scan that had <paramref name="target"/> among its target specs (exact, case-insensitive), skipping the
    /// <paramref name="skip"/> newest such scans (1 gives the one before the latest); <see langword="null"/> when there is none.
    /// </summary>
    Task<StoredScan?> LatestForTargetAsync(string target, int skip = 0, CancellationToken cancellationToken = default);

    /// <summary>Deletes a scan with its hosts and ports; false when there was none.</summary>
    Task<bool> DeleteAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>The listed ports of a stored scan, from the ports table (no JSON parsed), by address, protocol and port; empty for an unknown id.</summary>
    Task<IReadOnlyList<StoredPort>> ListPortsAsync(long scanId, CancellationToken cancellationToken = default);

    /// <summary>A checkpoint, or <see langword="null"/> when there is none with that id.</summary>
    Task<ScanCheckpoint?> GetCheckpointAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>All checkpoints (scans that can be resumed), newest first.</summary>
    Task<IReadOnlyList<ScanCheckpoint>> ListCheckpointsAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes a checkpoint (once its scan is saved); false when there was none.</summary>
    Task<bool> DeleteCheckpointAsync(long id, CancellationToken cancellationToken = default);
}

/// <summary>A row of the ports table: one listed port of one stored scan.</summary>
public sealed record StoredPort
{
    /// <summary>The scan it belongs to.</summary>
    public required long ScanId { get; init; }
    /// <summary>The host's address, as text.</summary>
    public required string Address { get; init; }
    /// <summary>The port number.</summary>
    public required int Port { get; init; }
    /// <summary>tcp, udp or sctp.</summary>
    public required string Protocol { get; init; }
    /// <summary>open, closed, filtered, open|filtered or unfiltered.</summary>
    public required string State { get; init; }
    /// <summary>Why the state was decided.</summary>
    public string? Reason { get; init; }
    /// <summary>Detected service name, when detection ran.</summary>
    public string? Service { get; init; }
    /// <summary>Detected product.</summary>
    public string? Product { get; init; }
    /// <summary>Detected version.</summary>
    public string? Version { get; init; }
}
