using System.CommandLine;
using System.Globalization;
using PortAtlas.Scanning;
using PortAtlas.Storage;

namespace PortAtlas.Cli.Commands;

/// <summary>
/// The sharding options of `ports scan` (issue 17): which part of the plan this process scans and which scan group it
/// stores it under. Shards count from 0, as Kubernetes' Indexed Jobs do (JOB_COMPLETION_INDEX).
/// </summary>
internal sealed class ShardOptions
{
    /// <summary>The environment variable an Indexed Job sets to the pod's index (0-based).</summary>
    public const string IndexVariable = "JOB_COMPLETION_INDEX";

    /// <summary>The environment variable that gives the shard count when --shard-count is not given.</summary>
    public const string CountVariable = "PORTATLAS_SHARD_COUNT";

    private readonly Option<string?> _shard = new("--shard") { Description = "Scan only shard I of N of the plan, I counted from 0 (0/4 .. 3/4); needs --seed, the same for every shard", HelpName = "I/N" };
    private readonly Option<bool> _fromEnv = new("--shard-from-env") { Description = $"Take the shard index from ${IndexVariable} (Kubernetes Indexed Job, 0-based) and the count from --shard-count or ${CountVariable}" };
    private readonly Option<int?> _count = new("--shard-count") { Description = "With --shard-from-env: how many shards the scan is split into", CustomParser = OptionParsers.NullableInt(1, ScanShard.MaxCount, "shards") };
    private readonly Option<string?> _group = new("--group") { Description = "Store the shards under this scan group (default: named after the targets and seed)", HelpName = "NAME" };

    /// <summary>Adds the options to the scan command.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _shard, _fromEnv, _count, _group })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// The shard and group the command line (and for --shard-from-env the environment) names; false with a one-line
    /// error naming the bad value otherwise.
    /// </summary>
    public bool TryRead(ParseResult parse, Func<string, string?> environment, out ScanShard? shard, out string? group, out string? error)
    {
        shard = null;
        error = null;
        group = parse.GetValue(_group);
        var text = parse.GetValue(_shard);
        var fromEnv = parse.GetValue(_fromEnv);
        var count = parse.GetValue(_count);
        if (text is not null && fromEnv)
        {
            error = "give either --shard I/N or --shard-from-env, not both";
            return false;
        }
        if (count is not null && !fromEnv)
        {
            error = "--shard-count goes with --shard-from-env (with --shard, write I/N)";
            return false;
        }
        if (text is not null)
        {
            if (!ScanShard.TryParse(text, out var parsed, out error))
            {
                return false;
            }
            shard = parsed;
        }
        else if (fromEnv)
        {
            var indexText = environment(IndexVariable);
            if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                error = $"--shard-from-env: bad or missing ${IndexVariable} '{indexText}': give the 0-based shard index (Kubernetes sets it in an Indexed Job)";
                return false;
            }
            if (count is null)
            {
                var countText = environment(CountVariable);
                if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var fromVariable))
                {
                    error = $"--shard-from-env: give --shard-count N or set ${CountVariable} (bad or missing: '{countText}')";
                    return false;
                }
                count = fromVariable;
            }
            if (!ScanShard.TryCreate(index, count.Value, $"{index}/{count}", out var created, out error))
            {
                return false;
            }
            shard = created;
        }
        if (group is not null && !ScanGroups.IsValidName(group))
        {
            error = $"bad --group '{PortAtlas.Sanitizing.OutsideText.Excerpt(group)}': use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit";
            return false;
        }
        if (group is not null && shard is null)
        {
            error = "--group names the group of a sharded scan: give --shard or --shard-from-env with it";
            return false;
        }
        return true;
    }
}

/// <summary>How `ports scan` runs one shard: joins its group, resumes its checkpoint, saves into the group.</summary>
internal static class ShardRun
{
    /// <summary>
    /// Joins the group of the sharded <paramref name="plan"/>; returns an exit code on refusal (2) or a store failure (1),
    /// null to go on, with the plan to run (the checkpoint's, when the shard resumes) and the sink for checkpoints.
    /// </summary>
    public static async Task<(int? Exit, ScanPlan Plan, ScanCheckpoint? Resume, ShardCheckpointSink? Sink)> JoinAsync(
        CliContext cli, IScanStore? store, ScanPlan plan, ScanCheckpoint? resumed, CancellationToken cancellationToken)
    {
        if (store is not IScanGroupStore groups)
        {
            return (cli.Fail(ExitCodes.Failure, "a sharded scan needs the scan store (--db): its shards come together there"), plan, resumed, null);
        }
        // The technique an automatic choice settles on is part of what shards must share: resolve it before joining.
        await using (var probe = new ScanSession(plan))
        {
            plan = probe.Plan;
        }
        var join = await groups.JoinGroupAsync(plan, cancellationToken).ConfigureAwait(false);
        if (join.Refusal is not null)
        {
            return (cli.Fail(ExitCodes.BadInput, join.Refusal), plan, resumed, null);
        }
        if (resumed is null && join.Resume is { } checkpoint)
        {
            resumed = checkpoint;
            plan = checkpoint.Plan with { OutputPaths = plan.OutputPaths };
            cli.Error.WriteLine($"ports: shard {plan.Options.Shard} of group {plan.Group} resumes its interrupted run (checkpoint {checkpoint.Id})");
        }
        else
        {
            cli.Error.WriteLine($"ports: shard {plan.Options.Shard} of group {plan.Group}{(join.Created ? " (new group)" : "")}");
        }
        return (null, plan, resumed, new ShardCheckpointSink(store, groups, plan));
    }

    /// <summary>Saves a finished shard into its group (replacing an earlier run of it), or marks an interrupted one.</summary>
    public static async Task<int> SaveAsync(CliContext cli, IScanStore store, ShardCheckpointSink sink, ScanSession session, ScanReport report)
    {
        var plan = session.Plan;
        var shard = plan.Options.Shard!.Value;
        try
        {
            if (session.Interrupted)
            {
                await sink.MarkInterruptedAsync(report.Stats.PortsScanned, CancellationToken.None).ConfigureAwait(false);
                cli.Error.WriteLine($"ports: interrupted; shard {shard} of group {plan.Group} resumes when run again with the same command");
                return ExitCodes.Interrupted;
            }
            var saved = await ((IScanGroupStore)store).SaveShardAsync(report, new ScanMetadata { Targets = [.. plan.Targets.ToSpecs()], ConfigJson = plan.ToJson() },
                plan.Group!, shard.Index, session.CheckpointId, CancellationToken.None).ConfigureAwait(false);
            cli.Error.WriteLine($"ports: saved shard {shard} as scan {saved} of group {plan.Group} in {store.Location}");
            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is ScanStoreException or IOException or InvalidOperationException or System.Data.Common.DbException)
        {
            return cli.Fail(ExitCodes.Failure, $"cannot save shard {shard} in {store.Location}: {ex.Message.Split('\n')[0]}");
        }
    }
}
