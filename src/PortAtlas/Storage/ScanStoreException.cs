using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace PortAtlas.Storage;

/// <summary>
/// A scan store that cannot be opened, read or written: the message is one sentence naming the store and the reason
/// (read-only, locked, not a PortAtlas database, unreachable server, ...), fit to show as is.
/// </summary>
public sealed class ScanStoreException : Exception
{
    /// <summary>An exception with the given message.</summary>
    public ScanStoreException(string message)
        : base(message)
    {
    }

    /// <summary>An exception with the given message and cause.</summary>
    public ScanStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>An exception without a message (for serializers).</summary>
    public ScanStoreException()
    {
    }

    /// <summary>Whether the store's location itself was malformed (a bad argument rather than a runtime failure).</summary>
    public bool IsBadLocation { get; init; }

    /// <summary>
    /// Translates a provider's exception into one readable sentence about the store at <paramref name="location"/>;
    /// null when <paramref name="error"/> is not a storage failure (a bug, a cancellation).
    /// </summary>
    public static ScanStoreException? From(Exception error, string location)
    {
        ArgumentNullException.ThrowIfNull(error);
        var reason = error switch
        {
            ScanStoreException => null,
            SqliteException sqlite => Sqlite(sqlite),
            PostgresException pg => $"PostgreSQL refused: {pg.MessageText} ({pg.SqlState})",
            NpgsqlException npgsql => $"cannot reach PostgreSQL: {Innermost(npgsql)}",
            DbException db => db.Message,
            UnauthorizedAccessException => "permission denied",
            DirectoryNotFoundException => "its directory does not exist",
            IOException io => io.Message,
            TimeoutException => "timed out",
            _ => null,
        };
        return reason is null ? null : new ScanStoreException($"scan store {location}: {reason}", error);
    }

    private static string Sqlite(SqliteException error) => (error.SqliteErrorCode & 0xff) switch
    {
        3 or 23 => "permission denied",
        5 or 6 => string.Create(CultureInfo.InvariantCulture, $"the database is locked by another process (gave up after {SqliteScanStore.WriterWait.TotalSeconds:0} s)"),
        8 => "the database is read-only (file, directory or mount)",
        10 => $"disk I/O error ({error.SqliteExtendedErrorCode})",
        11 => "the database file is corrupt",
        13 => "the disk is full",
        14 => "cannot open the database file (missing directory, no permission, or not a file)",
        26 => "not a SQLite database (is this the right file?)",
        _ => $"SQLite error {error.SqliteErrorCode}: {error.Message}",
    };

    private static string Innermost(Exception error)
    {
        while (error.InnerException is { } inner)
        {
            error = inner;
        }
        return error.Message;
    }
}
