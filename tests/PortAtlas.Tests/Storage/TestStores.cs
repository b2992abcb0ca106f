using Npgsql;
using PortAtlas.Storage;

namespace PortAtlas.Tests.Storage;

/// <summary>
/// A fresh store per test: a SQLite file in a temporary directory, or a schema of its own in the PostgreSQL database of
/// PORTATLAS_TEST_POSTGRES (tests/ci/postgres.sh). PostgreSQL tests skip without it, and fail when PORTATLAS_LAB_REQUIRED=1.
/// </summary>
internal sealed class TestStore : IAsyncDisposable
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    private readonly string? _directory;
    private readonly string? _adminConnectionString;
    private readonly string? _schema;

    private TestStore(string location, string? directory, string? adminConnectionString, string? schema)
    {
        Location = location;
        _directory = directory;
        _adminConnectionString = adminConnectionString;
        _schema = schema;
        Store = ScanStore.Open(location);
    }

    public static TheoryData<string> Kinds => [Sqlite, Postgres];

    /// <summary>Where the store is: open a second instance of it with <see cref="ScanStore.Open"/>.</summary>
    public string Location { get; }

    public IScanStore Store { get; }

    public static async Task<TestStore> CreateAsync(string kind)
    {
        if (kind == Sqlite)
        {
            var directory = Path.Combine(Path.GetTempPath(), "pa-store-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(directory);
            return new TestStore(Path.Combine(directory, "history.db"), directory, null, null);
        }
        var connectionString = Environment.GetEnvironmentVariable("PORTATLAS_TEST_POSTGRES");
        if (string.IsNullOrEmpty(connectionString))
        {
            if (Environment.GetEnvironmentVariable("PORTATLAS_LAB_REQUIRED") == "1")
            {
                Assert.Fail("PORTATLAS_TEST_POSTGRES is not set and PORTATLAS_LAB_REQUIRED=1: run tests/ci/postgres.sh first.");
            }
            Assert.Skip("PORTATLAS_TEST_POSTGRES is not set (tests/ci/postgres.sh starts a server and prints it).");
        }
        var schema = "t_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema };
        return new TestStore(builder.ConnectionString, null, connectionString, schema);
    }

    /// <summary>The addresses of a scan's rows in the hosts table, sorted, read with plain SQL.</summary>
    public async Task<List<string>> HostRowAddressesAsync(long scanId)
    {
        await using System.Data.Common.DbConnection connection = _directory is not null
            ? new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Location};Pooling=False")
            : new NpgsqlConnection(Location);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT address FROM hosts WHERE scan_id = {scanId} ORDER BY address";
        var addresses = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            addresses.Add(reader.GetString(0));
        }
        return addresses;
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A second store of the test may still hold it; the temporary directory is left behind.
            }
        }
        if (_adminConnectionString is not null)
        {
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP SCHEMA {_schema} CASCADE", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
