using System.Net;
using PortAtlas.Scanning;
using PortAtlas.Storage;

namespace PortAtlas.Tests.Storage;

/// <summary>Scan groups in the store (issue 17), against SQLite and PostgreSQL alike.</summary>
public sealed class ScanGroupStoreTests
{
    private static async Task<ScanPlan> PlanAsync(int shard, int count = 2, string ports = "22,80,443", ulong seed = 99) =>
        (await ScanPlan.ParseAsync(new ScanPlanInput
        {
            Targets = ["198.18.200.0/30"],
            Ports = ports,
            Seed = seed,
            Shard = new ScanShard(shard, count),
            Techniques = [ScanTechnique.Connect],
        }, cancellationToken: TestContext.Current.CancellationToken)).Plan!;

    private static ScanReport Report(ScanPlan plan, params (string Address, int Port, PortState State)[] ports)
    {
        var collector = new ScanCollector(listEveryState: true);
        foreach (var (address, port, state) in ports)
        {
            collector.Add(new PortResult { Address = IPAddress.Parse(address), Port = port, State = state, Reason = "test" });
        }
        return collector.Build(new ScanStats
        {
            Started = new DateTimeOffset(2026, 12, 1, 20, 0, 0, TimeSpan.Zero),
            Finished = new DateTimeOffset(2026, 12, 1, 20, 1, 0, TimeSpan.Zero),
            ScanType = "connect",
            HostsScanned = 4,
            CommandLine = $"ports scan --shard {plan.Options.Shard}",
        });
    }

    private static IScanGroupStore Groups(TestStore test) => Assert.IsAssignableFrom<IScanGroupStore>(test.Store);

    [Theory]
    [MemberData(nameof(TestStore.Kinds), MemberType = typeof(TestStore))]
    public async Task Join_ShardsOfOnePlan_ShareAGroup_AndAnotherPlanIsRefused(string kind)
    {
        await using var test = await TestStore.CreateAsync(kind);
        var ct = TestContext.Current.CancellationToken;
        var first = await Groups(test).JoinGroupAsync(await PlanAsync(0), ct);
        var second = await Groups(test).JoinGroupAsync(await PlanAsync(1), ct);
        Assert.Null(first.Refusal);
        Assert.True(first.Created);
        Assert.Null(second.Refusal);
        Assert.False(second.Created);

        var otherPorts = await Groups(test).JoinGroupAsync(await PlanAsync(1, ports: "22,80"), ct);
        Assert.Contains("ports differ", otherPorts.Refusal, StringComparison.Ordinal);
        var otherCount = await Groups(test).JoinGroupAsync((await PlanAsync(1, count: 3)) with { Group = (await PlanAsync(0)).Group }, ct);
        Assert.Contains("shard count differs", otherCount.Refusal, StringComparison.Ordinal);

        var groups = await Groups(test).ListGroupsAsync(ct);
        var group = Assert.Single(groups);
        Assert.Equal(2, group.ShardCount);
        Assert.Equal([0, 1], group.Shards.Select(s => s.Index));
        Assert.All(group.Shards, s => Assert.Equal(ShardStatus.Running, s.State));
        Assert.False(group.IsComplete);
    }

    [Theory]
    [MemberData(nameof(TestStore.Kinds), MemberType = typeof(TestStore))]
    public async Task Group_ReadsAsOneScan_AndARerunShardReplacesItsRows(string kind)
    {
        await using var test = await TestStore.CreateAsync(kind);
        var ct = TestContext.Current.CancellationToken;
        var plan0 = await PlanAsync(0);
        var plan1 = await PlanAsync(1);
        await Groups(test).JoinGroupAsync(plan0, ct);
        await Groups(test).JoinGroupAsync(plan1, ct);
        var meta = new ScanMetadata { Targets = ["198.18.200.0/30"] };
        await Groups(test).SaveShardAsync(Report(plan0, ("198.18.200.1", 22, PortState.Open), ("198.18.200.2", 80, PortState.Closed)), meta, plan0.Group!, 0, 0, ct);

        var half = await Groups(test).GetGroupAsync(plan0.Group!, ct);
        Assert.NotNull(half);
        Assert.True(half.Report.Stats.Interrupted);

        var firstRun = await Groups(test).SaveShardAsync(Report(plan1, ("198.18.200.1", 80, PortState.Closed)), meta, plan1.Group!, 1, 0, ct);
        await Groups(test).JoinGroupAsync(plan1, ct);
        var rerun = await Groups(test).SaveShardAsync(Report(plan1, ("198.18.200.1", 80, PortState.Open), ("198.18.200.3", 443, PortState.Open)), meta, plan1.Group!, 1, 0, ct);
        Assert.Null(await test.Store.GetAsync(firstRun, ct));
        Assert.NotNull(await test.Store.GetAsync(rerun, ct));

        var whole = await Groups(test).GetGroupAsync(plan0.Group!, ct);
        Assert.NotNull(whole);
        Assert.False(whole.Report.Stats.Interrupted);
        var ports = whole.Report.Hosts.SelectMany(h => h.Ports).Select(p => $"{p.Address}:{p.Port}:{p.State.ToName()}").Order(StringComparer.Ordinal);
        Assert.Equal(["198.18.200.1:22:open", "198.18.200.1:80:open", "198.18.200.2:80:closed", "198.18.200.3:443:open"], ports);
        Assert.Equal(3, whole.Summary.OpenPorts);
        var group = Assert.Single(await Groups(test).ListGroupsAsync(ct));
        Assert.True(group.IsComplete);
        Assert.Equal(rerun, group.Shards[1].ScanId);
        Assert.Null(await Groups(test).GetGroupAsync("no-such-group", ct));
    }

    [Theory]
    [MemberData(nameof(TestStore.Kinds), MemberType = typeof(TestStore))]
    public async Task AShardThatStopped_ResumesFromItsOwnCheckpoint(string kind)
    {
        await using var test = await TestStore.CreateAsync(kind);
        var ct = TestContext.Current.CancellationToken;
        var plan = await PlanAsync(1);
        await Groups(test).JoinGroupAsync(await PlanAsync(0), ct);
        Assert.Null((await Groups(test).JoinGroupAsync(plan, ct)).Resume);
        var sink = new ShardCheckpointSink(test.Store, Groups(test), plan);
        var checkpoint = new ScanCheckpoint { Plan = plan, Position = 5, Partial = Report(plan, ("198.18.200.1", 80, PortState.Open)) };
        var id = await sink.SaveCheckpointAsync(checkpoint, ct);
        await sink.MarkInterruptedAsync(1, ct);

        var status = Assert.Single(await Groups(test).ListGroupsAsync(ct)).Shards[1];
        Assert.Equal(ShardStatus.Interrupted, status.State);
        Assert.Equal(id, status.CheckpointId);
        Assert.Equal(ShardCheckpointSink.PairsOf(plan), status.Total);

        var again = await Groups(test).JoinGroupAsync(plan, ct);
        Assert.NotNull(again.Resume);
        Assert.Equal(id, again.Resume.Id);
        Assert.Equal(5UL, again.Resume.Position);
        // The other shard has no checkpoint: it starts from its beginning.
        Assert.Null((await Groups(test).JoinGroupAsync(await PlanAsync(0), ct)).Resume);
        // An unfinished group reads with the checkpoint's results.
        var partial = await Groups(test).GetGroupAsync(plan.Group!, ct);
        Assert.Equal(["198.18.200.1"], partial!.Report.Hosts.Select(h => h.Address.ToString()));
    }
}
