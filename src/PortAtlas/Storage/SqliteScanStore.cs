using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace PortAtlas.Storage;

/// <summary>
/// The embedded store: one SQLite file in write-ahead-log mode (readers never block the writer), a busy timeout so that
/// concurrent writers (threads or processes) wait for each other instead of failing, and BEGIN IMMEDIATE transactions.
/// A writer waits at most <see cref="WriterWait"/> for another's lock, then fails (a scan then prints and writes its
/// results and says it was not saved); readers open read-only and read past a writer.
/// <c>synchronous=NORMAL</c>: a committed save survives the process being killed; only a power loss can take the last ones.
/// </summary>
internal sealed partial class SqliteScanStore : SqlScanStore
{
    private const int BusyTimeoutMilliseconds = 5_000;

    /// <summary>How long a writer waits for another process's write lock before giving up: 5 s.</summary>
    public static TimeSpan WriterWait => TimeSpan.FromMilliseconds(BusyTimeoutMilliseconds);

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
        // 2: scan groups (issue 17): the shards of one plan, stored as one scan.
        [
            "CREATE TABLE scan_groups (name TEXT NOT NULL PRIMARY KEY, fingerprint TEXT NOT NULL, shard_count INTEGER NOT NULL, created_at BIGINT NOT NULL, targets TEXT NOT NULL, plan_json TEXT NOT NULL)",
            """
            CREATE TABLE group_shards (
                group_name TEXT NOT NULL REFERENCES scan_groups (name), shard_index INTEGER NOT NULL, state TEXT NOT NULL,
                checkpoint_id BIGINT, scan_id BIGINT, decided BIGINT NOT NULL, total BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (group_name, shard_index))
            """,
        ],
    ];

    private readonly string _connectionString;

    // Scan results say what is exposed where: only the owner reads them (issue 13).
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <param name="path">The database file.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="readOnly">Open with Mode=ReadOnly: no file, directory or schema is created.</param>
    /// <param name="isDefault">The default location: its missing directories are created (0700); elsewhere they must exist.</param>
    public SqliteScanStore(string path, TimeProvider timeProvider, bool readOnly = false, bool isDefault = false)
        : base(timeProvider)
    {
        Path = System.IO.Path.GetFullPath(path);
        IsReadOnly = readOnly;
        if (Directory.Exists(Path))
        {
            throw new ScanStoreException($"'{path}' is a directory: give the path of a database file") { IsBadLocation = true };
        }
        if (File.Exists(Path) && !IsRegularFile(Path))
        {
            throw new ScanStoreException($"'{path}' is not a regular file: give the path of a database file") { IsBadLocation = true };
        }
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!readOnly && directory is { Length: > 0 } && !Directory.Exists(directory))
        {
            if (!isDefault)
            {
                // Creating directories wherever a mistyped --db points is worse than asking.
                throw new ScanStoreException($"the directory of '{path}' does not exist: create it first") { IsBadLocation = true };
            }
            CreatePrivateDirectory(directory);
        }
        if (!readOnly && !File.Exists(Path))
        {
            CreatePrivateFile(Path);
        }
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
            Pooling = true,
            // Microsoft.Data.Sqlite retries a busy statement for this long (0 would be for ever): the same bound.
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();
    }

    private static bool IsRegularFile(string path)
    {
        try
        {
            // Devices (/dev/null), FIFOs and sockets are not database files; their attributes carry no size or a "device" flag.
            var info = new FileInfo(path);
            var target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
            return !target.Attributes.HasFlag(FileAttributes.Device) && !target.FullName.StartsWith("/dev/", StringComparison.Ordinal)
                && !target.FullName.StartsWith("/proc/", StringComparison.Ordinal) && !target.FullName.StartsWith("/sys/", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static void CreatePrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }
        Directory.CreateDirectory(directory, DirectoryMode);
    }

    private static void CreatePrivateFile(string path)
    {
        try
        {
            var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = FileMode;
            }
            // An empty file is an empty SQLite database; SQLite gives its -wal and -shm files the same mode.
            using var created = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first.
        }
    }

    /// <summary>Whether the store was opened to read only.</summary>
    public bool IsReadOnly { get; }

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
            pragmas.CommandText = IsReadOnly
                ? $"PRAGMA busy_timeout = {ReaderBusyMilliseconds}; PRAGMA query_only = ON;"
                : $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA synchronous = NORMAL;";
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

    protected override bool ReadOnly => IsReadOnly;

    // A reader waits at most this long (only a writer without the write-ahead log can block it).
    private const int ReaderBusyMilliseconds = 5_000;

    protected override async Task<int?> CurrentSchemaVersionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var read = connection.CreateCommand();
        // Two statements: one naming a missing table would not even compile.
        read.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
        if (Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }
        read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
        return Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    protected override async Task BeforeMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var wal = connection.CreateCommand();
        // Reading the mode takes no lock; setting it can wait behind another writer, so only a file not yet in WAL mode is set.
        wal.CommandText = "PRAGMA journal_mode";
        if (string.Equals(await wal.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string, "wal", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
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
