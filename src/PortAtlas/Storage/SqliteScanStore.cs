using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace PortAtlas.Storage;

/// <summary>
/// The embedded store: one SQLite file in write-ahead-log mode (readers never block the writer), a busy timeout so that
/// concurrent writers (threads or processes) wait for each other instead of failing, and BEGIN IMMEDIATE transactions.
/// <c>synchronous=NORMAL</c>: a committed save survives the process being killed; only a power loss can take the last ones.
/// </summary>
internal sealed class SqliteScanStore : SqlScanStore
{
    private const int BusyTimeoutMilliseconds = 30_000;

    private static readonly string[][] s_migrations =
    [
        [
            """
            CREATE TABLE scans (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                saved_at INTEGER NOT NULL, started INTEGER NOT NULL, finished INTEGER NOT NULL,
                scan_type TEXT NOT NULL, command_line TEXT NOT NULL, targets TEXT NOT NULL,
                hosts_scanned INTEGER NOT NULL, hosts_up INTEGER NOT NULL, ports_scanned INTEGER NOT NULL,
                probes_sent INTEGER NOT NULL, open_ports INTEGER NOT NULL, interrupted INTEGER NOT NULL,
                config_json TEXT, report_json TEXT NOT NULL)
            """,
            "CREATE TABLE scan_targets (scan_id INTEGER NOT NULL REFERENCES scans (id), target TEXT NOT NULL, PRIMARY KEY (scan_id, target))",
            "CREATE INDEX scan_targets_by_target ON scan_targets (target, scan_id)",
            """
            CREATE TABLE hosts (
                scan_id INTEGER NOT NULL REFERENCES scans (id), address TEXT NOT NULL, hostname TEXT, state TEXT NOT NULL,
                open_count INTEGER NOT NULL, closed_count INTEGER NOT NULL, filtered_count INTEGER NOT NULL, listed_ports INTEGER NOT NULL,
                PRIMARY KEY (scan_id, address))
            """,
            """
            CREATE TABLE ports (
                scan_id INTEGER NOT NULL REFERENCES scans (id), address TEXT NOT NULL, protocol TEXT NOT NULL, port INTEGER NOT NULL,
                state TEXT NOT NULL, reason TEXT, service TEXT, product TEXT, version TEXT,
                PRIMARY KEY (scan_id, address, protocol, port))
            """,
            "CREATE INDEX ports_by_port ON ports (port, protocol, state)",
            """
            CREATE TABLE checkpoints (
                id INTEGER PRIMARY KEY AUTOINCREMENT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                targets TEXT NOT NULL, position INTEGER NOT NULL, checkpoint_json TEXT NOT NULL)
            """,
        ],
    ];

    private readonly string _connectionString;

    public SqliteScanStore(string path, TimeProvider timeProvider)
        : base(timeProvider)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    public override string Location => Path;

    protected override IReadOnlyList<string[]> Migrations => s_migrations;

    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA synchronous = NORMAL;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override async ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // Microsoft.Data.Sqlite begins Serializable, non-deferred transactions with BEGIN IMMEDIATE: the write lock is
        // taken up front, so two writers queue on the busy timeout instead of deadlocking on a lock upgrade.
        await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);

    protected override async Task BeforeMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode = WAL";
        await wal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them so the file can be moved or deleted.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
