using System.Data.Common;
using System.Globalization;
using PortAtlas.Scanning;

namespace PortAtlas.Storage;

/// <summary>Scan groups (issue 17): shards of one plan in the tables <c>scan_groups</c> and <c>group_shards</c>.</summary>
internal abstract partial class SqlScanStore
{
    public async Task<ShardJoin> JoinGroupAsync(ScanPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Group is not { } group || plan.Options.Shard is not { } shard)
        {
            throw new ArgumentException("Only a sharded plan with a group joins one.", nameof(plan));
        }
        var now = TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        bool created;
        // Shards start at once: the first insert wins, the others read its plan and compare.
        await using (var insert = Command(connection, transaction,
            "INSERT INTO scan_groups (name, fingerprint, shard_count, created_at, targets, plan_json) VALUES (@name, @fingerprint, @count, @now, @targets, @plan) " +
            "ON CONFLICT (name) DO NOTHING"))
        {
            Add(insert, "name", group);
            Add(insert, "fingerprint", ScanGroups.Fingerprint(plan));
            Add(insert, "count", (long)shard.Count);
            Add(insert, "now", now);
            Add(insert, "targets", string.Join('\n', plan.Targets.ToSpecs()));
            Add(insert, "plan", (plan with { CommandLine = "", OutputPaths = [] }).ToJson());
            created = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
        if (!created)
        {
            string fingerprint, planJson;
            await using (var read = Command(connection, transaction, "SELECT fingerprint, plan_json FROM scan_groups WHERE name = @name"))
            {
                Add(read, "name", group);
                await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                fingerprint = reader.GetString(0);
                planJson = reader.GetString(1);
            }
            if (fingerprint != ScanGroups.Fingerprint(plan))
            {
                var existing = ScanPlan.FromJson(planJson);
                var why = existing.Success ? ScanGroups.Difference(existing.Plan, plan) ?? "plans differ" : "the group's plan cannot be read";
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return new ShardJoin { Refusal = $"shard {shard} does not match scan group '{group}': {why}; give the same plan and seed as the other shards, or another --group" };
            }
        }
        long? checkpointId = null;
        string? state = null;
        await using (var read = Command(connection, transaction, "SELECT state, checkpoint_id FROM group_shards WHERE group_name = @group AND shard_index = @shard"))
        {
            Add(read, "group", group);
            Add(read, "shard", (long)shard.Index);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                state = reader.GetString(0);
                checkpointId = reader.IsDBNull(1) ? null : Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
            }
        }
        ScanCheckpoint? resume = null;
        if (state is not null and not ShardStatus.Done && checkpointId is { } id)
        {
            await using var read = Command(connection, transaction, "SELECT id, checkpoint_json FROM checkpoints WHERE id = @id");
            Add(read, "id", id);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                resume = ReadCheckpoint(reader.GetInt64(0), reader.GetString(1));
            }
        }
        await using (var upsert = Command(connection, transaction,
            "INSERT INTO group_shards (group_name, shard_index, state, decided, total, updated_at) VALUES (@group, @shard, @state, 0, 0, @now) " +
            "ON CONFLICT (group_name, shard_index) DO UPDATE SET state = @state, updated_at = @now"))
        {
            Add(upsert, "group", group);
            Add(upsert, "shard", (long)shard.Index);
            Add(upsert, "state", ShardStatus.Running);
            Add(upsert, "now", now);
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ShardJoin { Resume = resume, Created = created };
    }

    public async Task UpdateShardAsync(string group, int shard, string state, long checkpointId, long decided, long total, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var update = Command(connection, null,
            "UPDATE group_shards SET state = @state, checkpoint_id = @checkpoint, decided = @decided, total = @total, updated_at = @now " +
            "WHERE group_name = @group AND shard_index = @shard");
        Add(update, "state", state);
        Add(update, "checkpoint", checkpointId == 0 ? null : checkpointId);
        Add(update, "decided", decided);
        Add(update, "total", total);
        Add(update, "now", TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        Add(update, "group", group);
        Add(update, "shard", (long)shard);
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> SaveShardAsync(ScanReport report, ScanMetadata metadata, string group, int shard, long checkpointId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(metadata);
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        long? previous = null;
        await using (var read = Command(connection, transaction, "SELECT scan_id FROM group_shards WHERE group_name = @group AND shard_index = @shard"))
        {
            Add(read, "group", group);
            Add(read, "shard", (long)shard);
            var value = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            previous = value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
        }
        var id = await InsertScanAsync(connection, transaction, report, metadata, cancellationToken).ConfigureAwait(false);
        if (previous is { } old)
        {
            // A shard run again replaces its earlier rows: the group holds each pair once.
            await DeleteScanRowsAsync(connection, transaction, old, cancellationToken).ConfigureAwait(false);
        }
        if (checkpointId != 0)
        {
            await using var delete = Command(connection, transaction, "DELETE FROM checkpoints WHERE id = @id");
            Add(delete, "id", checkpointId);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var update = Command(connection, transaction,
            "UPDATE group_shards SET state = @state, scan_id = @scan, checkpoint_id = NULL, decided = @decided, " +
            "total = CASE WHEN total < @decided THEN @decided ELSE total END, updated_at = @now WHERE group_name = @group AND shard_index = @shard"))
        {
            Add(update, "state", ShardStatus.Done);
            Add(update, "scan", id);
            Add(update, "decided", report.Stats.PortsScanned);
            Add(update, "now", TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            Add(update, "group", group);
            Add(update, "shard", (long)shard);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return id;
    }

    public async Task<IReadOnlyList<ScanGroupSummary>> ListGroupsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await ReadGroupsAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredScan?> GetGroupAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var groups = await ReadGroupsAsync(connection, name, cancellationToken).ConfigureAwait(false);
        if (groups.Count == 0)
        {
            return null;
        }
        var group = groups[0];
        string planJson;
        await using (var read = Command(connection, null, "SELECT plan_json FROM scan_groups WHERE name = @name"))
        {
            Add(read, "name", name);
            planJson = (string)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        var plan = ScanPlan.FromJson(planJson).Plan;
        ScanReport? merged = null;
        var started = DateTimeOffset.MaxValue;
        var finished = DateTimeOffset.MinValue;
        var commandLine = "";
        foreach (var shard in group.Shards)
        {
            ScanReport? part = null;
            if (shard.ScanId is { } scanId)
            {
                // As text: SQLite keeps a report written in place as a blob.
                await using var read = Command(connection, null, "SELECT CAST(report_json AS TEXT) FROM scans WHERE id = @id");
                Add(read, "id", scanId);
                if (await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string json)
                {
                    part = ReadReport(scanId, json);
                }
            }
            else if (shard.CheckpointId is { } checkpointId)
            {
                await using var read = Command(connection, null, "SELECT id, checkpoint_json FROM checkpoints WHERE id = @id");
                Add(read, "id", checkpointId);
                await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    part = ReadCheckpoint(reader.GetInt64(0), reader.GetString(1)).Partial;
                }
            }
            if (part is null)
            {
                continue;
            }
            started = part.Stats.Started < started ? part.Stats.Started : started;
            finished = part.Stats.Finished > finished ? part.Stats.Finished : finished;
            commandLine = commandLine.Length == 0 ? part.Stats.CommandLine : commandLine;
            merged = merged is null ? part : ScanReportMerge.Merge(merged, part, plan?.ListEveryState ?? false);
        }
        merged ??= new ScanReport { Stats = new ScanStats { Started = group.Created, Finished = group.Created } };
        merged = merged with
        {
            Stats = merged.Stats with
            {
                Started = started == DateTimeOffset.MaxValue ? group.Created : started,
                Finished = finished == DateTimeOffset.MinValue ? group.Created : finished,
                CommandLine = commandLine,
                Interrupted = !group.IsComplete,
                HostsScanned = plan is null ? merged.Stats.HostsScanned : (long)Math.Min(plan.Targets.Count, long.MaxValue),
            },
        };
        return new StoredScan
        {
            Summary = new ScanSummary
            {
                Id = 0,
                SavedAt = group.Shards.Count == 0 ? group.Created : group.Shards.Max(s => s.Updated),
                Started = merged.Stats.Started,
                Finished = merged.Stats.Finished,
                ScanType = merged.Stats.ScanType,
                CommandLine = merged.Stats.CommandLine,
                Targets = group.Targets,
                HostsScanned = merged.Stats.HostsScanned,
                HostsUp = merged.Hosts.LongCount(h => h.State == "up"),
                PortsScanned = merged.Stats.PortsScanned,
                OpenPorts = merged.Hosts.Sum(h => HostRow.Of(h).Open),
                Interrupted = merged.Stats.Interrupted,
            },
            Metadata = new ScanMetadata { Targets = group.Targets, ConfigJson = planJson },
            Report = merged,
        };
    }

    private static async Task<List<ScanGroupSummary>> ReadGroupsAsync(DbConnection connection, string? name, CancellationToken cancellationToken)
    {
        var groups = new List<ScanGroupSummary>();
        await using (var read = Command(connection, null,
            "SELECT name, shard_count, created_at, targets FROM scan_groups" + (name is null ? "" : " WHERE name = @name") + " ORDER BY created_at DESC, name"))
        {
            if (name is not null)
            {
                Add(read, "name", name);
            }
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                groups.Add(new ScanGroupSummary
                {
                    Name = reader.GetString(0),
                    ShardCount = Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture),
                    Created = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                    Targets = reader.GetString(3) is { Length: > 0 } t ? t.Split('\n') : [],
                });
            }
        }
        if (groups.Count == 0)
        {
            return groups;
        }
        var shards = new Dictionary<string, List<ShardStatus>>(StringComparer.Ordinal);
        await using (var read = Command(connection, null,
            "SELECT group_name, shard_index, state, decided, total, scan_id, checkpoint_id, updated_at FROM group_shards" +
            (name is null ? "" : " WHERE group_name = @name") + " ORDER BY group_name, shard_index"))
        {
            if (name is not null)
            {
                Add(read, "name", name);
            }
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = reader.GetString(0);
                if (!shards.TryGetValue(key, out var list))
                {
                    shards[key] = list = [];
                }
                list.Add(new ShardStatus
                {
                    Index = Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture),
                    State = reader.GetString(2),
                    Decided = reader.GetInt64(3),
                    Total = reader.GetInt64(4),
                    ScanId = reader.IsDBNull(5) ? null : reader.GetInt64(5),
                    CheckpointId = reader.IsDBNull(6) ? null : reader.GetInt64(6),
                    Updated = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                });
            }
        }
        return [.. groups.Select(g => g with { Shards = shards.TryGetValue(g.Name, out var list) ? list : [] })];
    }
}
