using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Storage;

/// <summary>
/// The SQL shared by the SQLite and PostgreSQL stores: parameters are <c>@name</c> (both providers accept it), times
/// are Unix milliseconds in BIGINT columns, flags are INTEGER 0/1. Each operation takes a pooled connection of its own,
/// so one store serves several threads; each save is one transaction.
/// </summary>
internal abstract partial class SqlScanStore : IScanStore, IScanGroupStore
{
    private readonly SemaphoreSlim _migrateLock = new(1, 1);
    private volatile bool _migrated;
    private int _schemaVersion;

    protected SqlScanStore(TimeProvider timeProvider) => TimeProvider = timeProvider;

    protected TimeProvider TimeProvider { get; }

    public abstract string Location { get; }

    /// <summary>The schema steps, in order: step i (from 0) brings the schema to version i + 1.</summary>
    protected abstract IReadOnlyList<string[]> Migrations { get; }

    /// <summary>An open connection with the session settings applied.</summary>
    protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Begins a write transaction that excludes other writers from the start (SQLite's BEGIN IMMEDIATE).</summary>
    protected virtual ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);

    /// <summary>Runs before migrations in their transaction: a lock against a second process migrating at once.</summary>
    protected virtual Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Whether the store only reads: no migration runs, the schema must be there already.</summary>
    protected virtual bool ReadOnly => false;

    /// <summary>The schema version read without a write lock, or null when it cannot be told that way (then migrations decide).</summary>
    protected virtual Task<int?> CurrentSchemaVersionAsync(DbConnection connection, CancellationToken cancellationToken) => Task.FromResult<int?>(null);

    /// <summary>Runs once before migrations, outside any transaction (SQLite's journal mode).</summary>
    protected virtual Task BeforeMigrationAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Inserts the hosts and listed ports of a scan inside its transaction.</summary>
    protected virtual async Task InsertRowsAsync(DbConnection connection, DbTransaction transaction, long scanId, ScanReport report, CancellationToken cancellationToken)
    {
        await using (var hosts = Command(connection, transaction,
            "INSERT INTO hosts (scan_id, address, hostname, state, open_count, closed_count, filtered_count, listed_ports) " +
            "VALUES (@scan, @address, @hostname, @state, @open, @closed, @filtered, @listed)"))
        {
            var p = AddParameters(hosts, "scan", "address", "hostname", "state", "open", "closed", "filtered", "listed");
            p[0].Value = scanId;
            foreach (var host in report.Hosts)
            {
                if (!HostRow.IsStored(host))
                {
                    continue;
                }
                var row = HostRow.Of(host);
                p[1].Value = row.Address;
                p[2].Value = (object?)host.Hostname ?? DBNull.Value;
                p[3].Value = host.State;
                p[4].Value = row.Open;
                p[5].Value = row.Closed;
                p[6].Value = row.Filtered;
                p[7].Value = (long)host.Ports.Count;
                await hosts.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        await using var ports = Command(connection, transaction,
            "INSERT INTO ports (scan_id, address, protocol, port, state, reason, service, product, version) " +
            "VALUES (@scan, @address, @protocol, @port, @state, @reason, @service, @product, @version)");
        var q = AddParameters(ports, "scan", "address", "protocol", "port", "state", "reason", "service", "product", "version");
        q[0].Value = scanId;
        foreach (var host in report.Hosts)
        {
            q[1].Value = host.Address.ToString();
            foreach (var port in host.Ports)
            {
                q[2].Value = port.Protocol.ToName();
                q[3].Value = port.Port;
                q[4].Value = port.State.ToName();
                q[5].Value = port.Reason;
                q[6].Value = (object?)port.Service?.Name ?? DBNull.Value;
                q[7].Value = (object?)port.Service?.Product ?? DBNull.Value;
                q[8].Value = (object?)port.Service?.Version ?? DBNull.Value;
                await ports.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        return _schemaVersion;
    }

    public async Task<long> SaveAsync(ScanReport report, ScanMetadata metadata, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(metadata);
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var id = await InsertScanAsync(connection, transaction, report, metadata, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>Inserts a scan with its targets, hosts and ports inside <paramref name="transaction"/>; returns its id.</summary>
    private async Task<long> InsertScanAsync(DbConnection connection, DbTransaction transaction, ScanReport report, ScanMetadata metadata, CancellationToken cancellationToken)
    {
        long open = 0, up = 0;
        foreach (var host in report.Hosts)
        {
            open += HostRow.Of(host).Open;
            up += host.State == "up" ? 1 : 0;
        }
        var id = await InsertScanWithReportAsync(connection, transaction, report, metadata, up, open, cancellationToken).ConfigureAwait(false);
        await InsertRowsAsync(connection, transaction, id, report, cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>Inserts the scan's row with its report's JSON (<see cref="ScanReportJson"/>) and its targets; returns its id.</summary>
    private protected virtual Task<long> InsertScanWithReportAsync(DbConnection connection, DbTransaction transaction, ScanReport report, ScanMetadata metadata,
        long up, long open, CancellationToken cancellationToken)
    {
        var json = Encoding.UTF8.GetString(ScanReportJson.ToUtf8Bytes(report));
        return InsertScanRowAsync(connection, transaction, report.Stats, metadata, up, open, "@report", json, cancellationToken);
    }

    /// <summary>
    /// Writes a checkpoint's row (a new one when <paramref name="id"/> is 0, else that one) with its JSON
    /// (<see cref="ScanCheckpointJson"/>); returns its id, or 0 when there is no row <paramref name="id"/>.
    /// </summary>
    private protected virtual async Task<long> WriteCheckpointRowAsync(DbConnection connection, DbTransaction transaction, ScanCheckpoint checkpoint, long id,
        CancellationToken cancellationToken)
    {
        var json = Encoding.UTF8.GetString(ScanCheckpointJson.ToUtf8Bytes(checkpoint));
        if (id == 0)
        {
            await using var insert = Command(connection, transaction,
                "INSERT INTO checkpoints (created_at, updated_at, targets, position, checkpoint_json) VALUES (@created_at, @updated_at, @targets, @position, @json) RETURNING id");
            AddCheckpoint(insert, checkpoint, json);
            return Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
        await using var update = Command(connection, transaction,
            "UPDATE checkpoints SET updated_at = @updated_at, targets = @targets, position = @position, checkpoint_json = @json WHERE id = @id");
        AddCheckpoint(update, checkpoint, json);
        Add(update, "id", id);
        return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0 ? 0 : id;
    }

    /// <summary>
    /// Inserts a scan's row and its scan_targets rows; returns its id. The report column is <paramref name="reportSql"/>
    /// with <paramref name="report"/> bound to @report: the JSON itself, or <c>zeroblob(@report)</c> with its length for
    /// a report written afterwards in place.
    /// </summary>
    private protected async Task<long> InsertScanRowAsync(DbConnection connection, DbTransaction transaction, ScanStats stats, ScanMetadata metadata,
        long up, long open, string reportSql, object report, CancellationToken cancellationToken)
    {
        long id;
        var row = ScanRow(stats, metadata, up, open);
        await using (var insert = Command(connection, transaction,
            $"INSERT INTO scans ({string.Join(", ", row.Select(c => c.Column))}, report_json) " +
            $"VALUES ({string.Join(", ", row.Select(c => "@" + c.Column))}, {reportSql}) RETURNING id"))
        {
            foreach (var (column, value) in row)
            {
                Add(insert, column, value);
            }
            Add(insert, "report", report);
            id = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
        await InsertTargetsAsync(connection, transaction, id, metadata, cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>The scans row of a report, all its columns but id and report_json: BIGINT ones as long, TEXT ones as string or null.</summary>
    private protected (string Column, object? Value)[] ScanRow(ScanStats stats, ScanMetadata metadata, long up, long open) =>
    [
        ("saved_at", TimeProvider.GetUtcNow().ToUnixTimeMilliseconds()),
        ("started", stats.Started.ToUnixTimeMilliseconds()),
        ("finished", stats.Finished.ToUnixTimeMilliseconds()),
        ("scan_type", stats.ScanType),
        ("command_line", Sanitizing.Secrets.MaskCredentials(stats.CommandLine)),
        ("targets", string.Join('\n', metadata.Targets)),
        ("hosts_scanned", stats.HostsScanned),
        ("hosts_up", up),
        ("ports_scanned", stats.PortsScanned),
        ("probes_sent", stats.ProbesSent),
        ("open_ports", open),
        ("interrupted", stats.Interrupted ? 1L : 0L),
        ("config_json", metadata.ConfigJson),
    ];

    /// <summary>Inserts a scan's scan_targets rows.</summary>
    private protected static async Task InsertTargetsAsync(DbConnection connection, DbTransaction transaction, long id, ScanMetadata metadata, CancellationToken cancellationToken)
    {
        await using var targets = Command(connection, transaction, "INSERT INTO scan_targets (scan_id, target) VALUES (@scan, @target)");
        var p = AddParameters(targets, "scan", "target");
        p[0].Value = id;
        foreach (var target in metadata.Targets.Select(t => t.ToLowerInvariant()).Distinct())
        {
            p[1].Value = target;
            await targets.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<ScanSummary>> ListAsync(ScanFilter? filter = null, CancellationToken cancellationToken = default)
    {
        filter ??= new ScanFilter();
        ArgumentOutOfRangeException.ThrowIfLessThan(filter.Limit, 1, nameof(filter));
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var sql = new StringBuilder("SELECT ").Append(SummaryColumns).Append(" FROM scans s");
        await using var command = Command(connection, null, "");
        if (!string.IsNullOrEmpty(filter.Target))
        {
            sql.Append(" WHERE EXISTS (SELECT 1 FROM scan_targets t WHERE t.scan_id = s.id AND t.target LIKE @pattern ESCAPE '\\')");
            Add(command, "pattern", "%" + EscapeLike(filter.Target.ToLowerInvariant()) + "%");
        }
        sql.Append(" ORDER BY s.id DESC LIMIT @limit");
        Add(command, "limit", (long)filter.Limit);
        command.CommandText = sql.ToString();
        var list = new List<ScanSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(ReadSummary(reader));
        }
        return list;
    }

    public async Task<StoredScan?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT " + SummaryColumns + ", s.config_json, s.report_json FROM scans s WHERE s.id = @id");
        Add(command, "id", id);
        return await ReadStoredAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredScan?> LatestForTargetAsync(string target, int skip = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null,
            "SELECT " + SummaryColumns + ", s.config_json, s.report_json FROM scans s " +
            "WHERE s.id IN (SELECT t.scan_id FROM scan_targets t WHERE t.target = @target) ORDER BY s.id DESC LIMIT 1 OFFSET @skip");
        Add(command, "target", target.ToLowerInvariant());
        Add(command, "skip", (long)skip);
        return await ReadStoredAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var deleted = await DeleteScanRowsAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <summary>Deletes a scan's rows inside <paramref name="transaction"/>; false when there was none.</summary>
    private static async Task<bool> DeleteScanRowsAsync(DbConnection connection, DbTransaction transaction, long id, CancellationToken cancellationToken)
    {
        foreach (var table in (string[])["ports", "hosts", "scan_targets"])
        {
            await using var child = Command(connection, transaction, $"DELETE FROM {table} WHERE scan_id = @id");
            Add(child, "id", id);
            await child.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using var scan = Command(connection, transaction, "DELETE FROM scans WHERE id = @id");
        Add(scan, "id", id);
        return await scan.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<IReadOnlyList<StoredPort>> ListPortsAsync(long scanId, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null,
            "SELECT address, protocol, port, state, reason, service, product, version FROM ports WHERE scan_id = @id");
        Add(command, "id", scanId);
        var list = new List<StoredPort>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new StoredPort
                {
                    ScanId = scanId,
                    Address = reader.GetString(0),
                    Protocol = reader.GetString(1),
                    Port = Convert.ToInt32(reader.GetValue(2), CultureInfo.InvariantCulture),
                    State = reader.GetString(3),
                    Reason = NullableString(reader, 4),
                    Service = NullableString(reader, 5),
                    Product = NullableString(reader, 6),
                    Version = NullableString(reader, 7),
                });
            }
        }
        // Sorted here, not in SQL: address order is numeric, which text collation is not.
        list.Sort(static (a, b) =>
        {
            var byAddress = IPAddressComparer.Instance.Compare(System.Net.IPAddress.Parse(a.Address), System.Net.IPAddress.Parse(b.Address));
            return byAddress != 0 ? byAddress : string.CompareOrdinal(a.Protocol, b.Protocol) is var byProtocol and not 0 ? byProtocol : a.Port.CompareTo(b.Port);
        });
        return list;
    }

    public async Task<long> SaveCheckpointAsync(ScanCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.Plan.Options.Seed is null)
        {
            throw new ArgumentException("A checkpoint needs the scan's seed: without it the scan cannot be resumed in the same order.", nameof(checkpoint));
        }
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var id = await WriteCheckpointRowAsync(connection, transaction, checkpoint, checkpoint.Id, cancellationToken).ConfigureAwait(false);
        if (id == 0)
        {
            throw new InvalidOperationException($"There is no checkpoint {checkpoint.Id} to update.");
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return id;
    }

    public async Task<ScanCheckpoint?> GetCheckpointAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT id, checkpoint_json FROM checkpoints WHERE id = @id");
        Add(command, "id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadCheckpoint(reader.GetInt64(0), reader.GetString(1)) : null;
    }

    public async Task<IReadOnlyList<ScanCheckpoint>> ListCheckpointsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT id, checkpoint_json FROM checkpoints ORDER BY id DESC");
        var list = new List<ScanCheckpoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(ReadCheckpoint(reader.GetInt64(0), reader.GetString(1)));
        }
        return list;
    }

    public async Task<bool> DeleteCheckpointAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "DELETE FROM checkpoints WHERE id = @id");
        Add(command, "id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>An open connection to a migrated database.</summary>
    protected async ValueTask<DbConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        return await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureMigratedAsync(CancellationToken cancellationToken)
    {
        if (_migrated)
        {
            return;
        }
        await _migrateLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_migrated)
            {
                return;
            }
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            if (ReadOnly)
            {
                _schemaVersion = await ReadSchemaVersionAsync(connection, cancellationToken).ConfigureAwait(false);
                _migrated = true;
                return;
            }
            await BeforeMigrationAsync(connection, cancellationToken).ConfigureAwait(false);
            // A schema that is already current needs no write lock: opening then never waits behind another writer.
            _schemaVersion = await CurrentSchemaVersionAsync(connection, cancellationToken).ConfigureAwait(false) is { } current && current == Migrations.Count
                ? current
                : await MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
            _migrated = true;
        }
        finally
        {
            _migrateLock.Release();
        }
    }

    /// <summary>A read-only store's schema version: it must be one this PortAtlas knows, with every step applied.</summary>
    private async Task<int> ReadSchemaVersionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using (var exists = Command(connection, null, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"))
        {
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
            {
                throw new ScanStoreException($"scan store {Location}: not a PortAtlas scan history (no schema_version table)");
            }
        }
        await using var read = Command(connection, null, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
        var current = Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (current != Migrations.Count)
        {
            throw new ScanStoreException(current > Migrations.Count
                ? $"scan store {Location} has schema version {current}, newer than this PortAtlas knows ({Migrations.Count}): use a newer PortAtlas"
                : $"scan store {Location} has schema version {current}: run a scan (which upgrades it) before reading it");
        }
        return (int)current;
    }

    /// <summary>Applies the steps the database lacks, all in one transaction; returns the resulting version.</summary>
    private async Task<int> MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await LockForMigrationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await using (var create = Command(connection, transaction,
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        long current;
        await using (var read = Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version"))
        {
            current = Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
        if (current > Migrations.Count)
        {
            throw new InvalidOperationException(
                $"The scan store at {Location} has schema version {current}, newer than this PortAtlas knows ({Migrations.Count}): use a newer PortAtlas.");
        }
        for (var version = (int)current + 1; version <= Migrations.Count; version++)
        {
            foreach (var statement in Migrations[version - 1])
            {
                await using var step = Command(connection, transaction, statement);
                await step.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await using var record = Command(connection, transaction, "INSERT INTO schema_version (version, applied_at) VALUES (@version, @at)");
            Add(record, "version", (long)version);
            Add(record, "at", TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Migrations.Count;
    }

    private const string SummaryColumns =
        "s.id, s.saved_at, s.started, s.finished, s.scan_type, s.command_line, s.targets, s.hosts_scanned, s.hosts_up, s.ports_scanned, s.open_ports, s.interrupted";

    private static ScanSummary ReadSummary(DbDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        SavedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
        Started = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
        Finished = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
        ScanType = reader.GetString(4),
        CommandLine = reader.GetString(5),
        Targets = SplitTargets(reader.GetString(6)),
        HostsScanned = reader.GetInt64(7),
        HostsUp = reader.GetInt64(8),
        PortsScanned = reader.GetInt64(9),
        OpenPorts = reader.GetInt64(10),
        Interrupted = reader.GetInt64(11) != 0,
    };

    private async Task<StoredScan?> ReadStoredAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var summary = ReadSummary(reader);
        return new StoredScan
        {
            Summary = summary,
            Metadata = new ScanMetadata { Targets = summary.Targets, ConfigJson = NullableString(reader, 12) },
            Report = ReadReport(summary.Id, reader.GetString(13)),
        };
    }

    /// <summary>
    /// A stored report that does not read back (edited by hand, written by another tool, cut short) fails the read in
    /// one line naming the store, the scan and the reason, as a damaged store does, not as a bug.
    /// </summary>
    private protected ScanReport ReadReport(long scanId, string json)
    {
        try
        {
            return ScanReportJson.Read(json);
        }
        catch (FormatException ex)
        {
            throw new ScanStoreException($"scan store {Location}: the stored report of scan {scanId} is damaged: {ex.Message}", ex);
        }
    }

    /// <summary>A checkpoint that does not read back: as <see cref="ReadReport"/>; its message names the checkpoint.</summary>
    private protected ScanCheckpoint ReadCheckpoint(long id, string json)
    {
        try
        {
            return ScanCheckpointJson.Read(id, json);
        }
        catch (FormatException ex)
        {
            throw new ScanStoreException($"scan store {Location}: {ex.Message}", ex);
        }
    }

    private static string[] SplitTargets(string text) => text.Length == 0 ? [] : text.Split('\n');

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private protected void AddCheckpoint(DbCommand command, ScanCheckpoint checkpoint, object json)
    {
        foreach (var (column, value) in CheckpointRow(checkpoint))
        {
            Add(command, column, value);
        }
        Add(command, "json", json);
    }

    /// <summary>The checkpoints row of <paramref name="checkpoint"/>, all its columns but id and checkpoint_json, created_at first.</summary>
    private protected (string Column, object? Value)[] CheckpointRow(ScanCheckpoint checkpoint)
    {
        var now = TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        return
        [
            ("created_at", checkpoint.Created == default ? now : checkpoint.Created.ToUnixTimeMilliseconds()),
            ("updated_at", checkpoint.Updated == default ? now : checkpoint.Updated.ToUnixTimeMilliseconds()),
            ("targets", string.Join('\n', checkpoint.Targets)),
            ("position", checked((long)checkpoint.Position)),
        ];
    }

    /// <summary>The length in bytes of what <paramref name="write"/> writes, without keeping it.</summary>
    private protected static long MeasureJson(Action<Utf8JsonWriter> write)
    {
        long length = 0;
        using (var writer = new Utf8JsonWriter(new ForwardingBufferWriter(span => length += span.Length)))
        {
            write(writer);
            writer.Flush();
        }
        return length;
    }

    private static string EscapeLike(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    protected static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    private static DbParameter[] AddParameters(DbCommand command, params string[] names)
    {
        var parameters = new DbParameter[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            parameters[i] = command.CreateParameter();
            parameters[i].ParameterName = names[i];
            command.Parameters.Add(parameters[i]);
        }
        return parameters;
    }

    /// <summary>The counts a host row carries: from the host's counts when the scanner kept them, else from its listed ports.</summary>
    protected readonly record struct HostRow(string Address, long Open, long Closed, long Filtered)
    {
        /// <summary>
        /// Whether a host gets a row in the hosts table: one that answered (any state but "unknown"), has a name or lists
        /// a port. A host that answered nothing is in the scan's report only (stored as runs): a silent /8 would otherwise
        /// be 16.8 million rows that say nothing the report does not.
        /// </summary>
        public static bool IsStored(HostResult host) => host.State != "unknown" || host.Hostname is not null || host.Ports.Count > 0;

        public static HostRow Of(HostResult host)
        {
            long Count(PortState state) => host.StateCounts.TryGetValue(state.ToName(), out var n) ? n : host.Ports.LongCount(p => p.State == state);
            return new HostRow(host.Address.ToString(), Count(PortState.Open), Count(PortState.Closed), Count(PortState.Filtered));
        }
    }
}
