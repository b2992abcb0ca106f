using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using PortAtlas.Scanning;

namespace PortAtlas.Storage;

internal sealed partial class SqliteScanStore
{
    /// <summary>
    /// The report's JSON goes into a blob of its final size, host by host (SQLite's incremental blob I/O): measured in a
    /// first pass, written in a second, so that a scan of many hosts is never held as one string.
    /// </summary>
    private protected override async Task<long> InsertScanWithReportAsync(DbConnection connection, DbTransaction transaction, ScanReport report,
        ScanMetadata metadata, long up, long open, CancellationToken cancellationToken)
    {
        var length = MeasureJson(writer => ScanReportJson.Write(writer, report));
        var id = await InsertScanRowAsync(connection, transaction, report.Stats, metadata, up, open, "zeroblob(@report)", length, cancellationToken).ConfigureAwait(false);
        WriteBlob((SqliteConnection)connection, "scans", "report_json", id, length, writer => ScanReportJson.Write(writer, report));
        return id;
    }

    /// <summary>As the report: the checkpoint's JSON (a whole report for a finished scan) is written into a blob of its final size.</summary>
    private protected override async Task<long> WriteCheckpointRowAsync(DbConnection connection, DbTransaction transaction, ScanCheckpoint checkpoint, long id,
        CancellationToken cancellationToken)
    {
        var length = MeasureJson(writer => ScanCheckpointJson.Write(writer, checkpoint));
        if (id == 0)
        {
            await using var insert = Command(connection, transaction,
                "INSERT INTO checkpoints (created_at, updated_at, targets, position, checkpoint_json) VALUES (@created_at, @updated_at, @targets, @position, zeroblob(@json)) RETURNING id");
            AddCheckpoint(insert, checkpoint, length);
            id = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
        else
        {
            await using var update = Command(connection, transaction,
                "UPDATE checkpoints SET updated_at = @updated_at, targets = @targets, position = @position, checkpoint_json = zeroblob(@json) WHERE id = @id");
            AddCheckpoint(update, checkpoint, length);
            Add(update, "id", id);
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return 0;
            }
        }
        WriteBlob((SqliteConnection)connection, "checkpoints", "checkpoint_json", id, length, writer => ScanCheckpointJson.Write(writer, checkpoint));
        return id;
    }

    private static void WriteBlob(SqliteConnection connection, string table, string column, long rowid, long length, Action<Utf8JsonWriter> write)
    {
        using var blob = new SqliteBlob(connection, table, column, rowid, readOnly: false);
        using (var writer = new Utf8JsonWriter(new ForwardingBufferWriter(span => blob.Write(span))))
        {
            write(writer);
            writer.Flush();
        }
        if (blob.Position != length)
        {
            // The two passes must agree: a report that changed between them would store broken JSON.
            throw new InvalidOperationException($"the stored JSON is {blob.Position} bytes, not the {length} reserved");
        }
    }
}
