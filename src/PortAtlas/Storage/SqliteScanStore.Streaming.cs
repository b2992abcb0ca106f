using System.Globalization;
using Microsoft.Data.Sqlite;
using PortAtlas.Registry;

namespace PortAtlas.Storage;

internal sealed partial class SqliteScanStore
{
    /// <summary>
    /// Saves a scan whose hosts were spooled by <see cref="SpoolingHostSink"/>, in one transaction as <see cref="SqlScanStore.SaveAsync"/>
    /// does, without the whole report in memory: the report's JSON is written into a blob of its final size, host by
    /// host (SQLite's incremental blob I/O), and the hosts and ports tables are filled on the way.
    /// </summary>
    public async Task<long> SaveSpooledAsync(ScanStats stats, ScanMetadata metadata, SpoolingHostSink hosts, CancellationToken cancellationToken)
    {
        // The report with no hosts ends in "[]}": its hosts go between the brackets, exactly as ScanReportJson.Write puts them.
        var empty = ScanReportJson.ToUtf8Bytes(new ScanReport { Stats = stats });
        if (!empty.AsSpan().EndsWith("[]}"u8))
        {
            throw new InvalidOperationException("the stored report's JSON does not end with its hosts array");
        }
        var head = empty.AsMemory(0, empty.Length - 2);
        var length = head.Length + hosts.JsonLength + 2;
        await using var connection = (SqliteConnection)await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var id = await InsertScanRowAsync(connection, transaction, stats, metadata, hosts.Up, hosts.OpenCount, "zeroblob(@report)", length, cancellationToken).ConfigureAwait(false);
        await using var hostRow = Command(connection, transaction,
            "INSERT INTO hosts (scan_id, address, hostname, state, open_count, closed_count, filtered_count, listed_ports) " +
            "VALUES (@scan, @address, @hostname, @state, @open, @closed, @filtered, @listed)");
        foreach (var name in (string[])["scan", "address", "hostname", "state", "open", "closed", "filtered", "listed"])
        {
            Add(hostRow, name, null);
        }
        hostRow.Parameters[0].Value = id;
        await using var portRow = Command(connection, transaction,
            "INSERT INTO ports (scan_id, address, protocol, port, state, reason, service, product, version) " +
            "VALUES (@scan, @address, @protocol, @port, @state, @reason, @service, @product, @version)");
        foreach (var name in (string[])["scan", "address", "protocol", "port", "state", "reason", "service", "product", "version"])
        {
            Add(portRow, name, null);
        }
        portRow.Parameters[0].Value = id;
        using (var blob = new SqliteBlob(connection, "scans", "report_json", id, readOnly: false))
        {
            blob.Write(head.Span);
            var first = true;
            foreach (var (host, json) in hosts.ReadAll())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!first)
                {
                    blob.Write(","u8);
                }
                first = false;
                blob.Write(json.Span);
                if (!HostRow.IsStored(host))
                {
                    continue;
                }
                var row = HostRow.Of(host);
                hostRow.Parameters[1].Value = row.Address;
                hostRow.Parameters[2].Value = (object?)host.Hostname ?? DBNull.Value;
                hostRow.Parameters[3].Value = host.State;
                hostRow.Parameters[4].Value = row.Open;
                hostRow.Parameters[5].Value = row.Closed;
                hostRow.Parameters[6].Value = row.Filtered;
                hostRow.Parameters[7].Value = (long)host.Ports.Count;
                hostRow.ExecuteNonQuery();
                portRow.Parameters[1].Value = row.Address;
                foreach (var port in host.Ports)
                {
                    portRow.Parameters[2].Value = port.Protocol.ToName();
                    portRow.Parameters[3].Value = port.Port;
                    portRow.Parameters[4].Value = port.State.ToName();
                    portRow.Parameters[5].Value = port.Reason;
                    portRow.Parameters[6].Value = (object?)port.Service?.Name ?? DBNull.Value;
                    portRow.Parameters[7].Value = (object?)port.Service?.Product ?? DBNull.Value;
                    portRow.Parameters[8].Value = (object?)port.Service?.Version ?? DBNull.Value;
                    portRow.ExecuteNonQuery();
                }
            }
            blob.Write("]}"u8);
            if (blob.Position != length)
            {
                throw new InvalidOperationException($"the stored report's JSON is {blob.Position} bytes, not the {length} reserved");
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return id;
    }
}
