using System.Net;
using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Scanning;

/// <summary>Shards of one plan: every pair once between them; the parser names bad input; real connect scans of the test's own ports.</summary>
public sealed class ScanShardTests : IDisposable
{
    private readonly LoopbackPorts _ports = new();

    public void Dispose() => _ports.Dispose();

    [Property(MaxTest = 300)]
    public Property Ranges_OfAllShards_CoverEveryPositionOnce() =>
        Prop.ForAll(Gen.Choose(0, 100_000).ToArbitrary(), Gen.Choose(1, 64).ToArbitrary(), (total, count) =>
        {
            ulong next = 0;
            for (var i = 0; i < count; i++)
            {
                var (start, end) = new ScanShard(i, count).Range((ulong)total);
                if (start != next || end < start)
                {
                    return false;
                }
                // Balanced: no shard is more than one pair larger than another.
                if (end - start > ((ulong)total / (ulong)count) + 1)
                {
                    return false;
                }
                next = end;
            }
            return next == (ulong)total;
        });

    [Property(MaxTest = 100)]
    public Property Shards_OfOnePermutation_ProbeEveryPairExactlyOnce() =>
        Prop.ForAll(Gen.Choose(1, 3000).ToArbitrary(), Gen.Choose(1, 9).ToArbitrary(), ArbMap.Default.ArbFor<ulong>(), (total, count, seed) =>
        {
            var permutation = new IndexPermutation((ulong)total, seed);
            var owner = new int[total];
            Array.Fill(owner, -1);
            for (var i = 0; i < count; i++)
            {
                var shard = new ScanShard(i, count);
                var (start, end) = shard.Range((ulong)total);
                for (var position = start; position < end; position++)
                {
                    var pair = permutation.Map(position);
                    if (owner[pair] != -1)
                    {
                        return false;
                    }
                    owner[pair] = i;
                    // The raw engines decide membership from the pair: the inverse must agree with the walk.
                    if (!shard.ContainsPosition(permutation.Inverse(pair), (ulong)total))
                    {
                        return false;
                    }
                }
            }
            return owner.All(o => o >= 0);
        });

    [Property(MaxTest = 200)]
    public Property Inverse_UndoesMap() =>
        Prop.ForAll(Gen.Choose(1, 1 << 20).ToArbitrary(), ArbMap.Default.ArbFor<ulong>(), ArbMap.Default.ArbFor<uint>(), (size, seed, pick) =>
        {
            var permutation = new IndexPermutation((ulong)size, seed);
            var index = pick % (ulong)size;
            return permutation.Inverse(permutation.Map(index)) == index;
        });

    [Fact]
    public void Range_OfAHugeScan_DoesNotOverflow()
    {
        var total = (1UL << 24) * 65535; // a /8 × every port
        var (start, end) = new ScanShard(99_999, 100_000).Range(total);
        Assert.Equal(total, end);
        Assert.True(start < end);
    }

    [Theory]
    [InlineData("0/4", 0, 4)]
    [InlineData("3/4", 3, 4)]
    [InlineData("0/1", 0, 1)]
    public void TryParse_CountsFromZero(string text, int index, int count)
    {
        Assert.True(ScanShard.TryParse(text, out var shard, out var error), error);
        Assert.Equal(new ScanShard(index, count), shard);
        Assert.Equal(text, shard.ToString());
    }

    [Theory]
    [InlineData("4/4", "4/4")]
    [InlineData("1/0", "1/0")]
    [InlineData("-1/4", "-1/4")]
    [InlineData("a/b", "a/b")]
    [InlineData("1", "'1'")]
    [InlineData("/4", "/4")]
    [InlineData("1/4/2", "1/4/2")]
    [InlineData("0/100001", "0/100001")]
    [InlineData("99999999999/2", "99999999999/2")]
    [InlineData("", "''")]
    public void TryParse_BadShard_NamesTheToken(string text, string named)
    {
        Assert.False(ScanShard.TryParse(text, out _, out var error));
        Assert.Contains(named, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("g-0a1b2c", true)]
    [InlineData("nightly.dc1_web", true)]
    [InlineData("", false)]
    [InlineData("-leading", false)]
    [InlineData("has space", false)]
    [InlineData("semi;colon", false)]
    [InlineData("ünicode", false)]
    public void GroupNames_AreCheckedStrictly(string name, bool valid) => Assert.Equal(valid, ScanGroups.IsValidName(name));

    [Fact]
    public async Task ParseAsync_ShardWithoutSeed_IsRefused()
    {
        var result = await ScanPlan.ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Ports = "80", Shard = new ScanShard(0, 2) },
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(result.Success);
        Assert.Contains("--seed", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_WithAShard_SurvivesItsJson_AndNamesAGroupFromTargetsAndSeed()
    {
        var plan = (await ScanPlan.ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Ports = "80", Seed = 7, Shard = new ScanShard(1, 3) },
            cancellationToken: TestContext.Current.CancellationToken)).Plan!;
        var again = ScanPlan.FromJson(plan.ToJson()).Plan!;
        Assert.Equal(new ScanShard(1, 3), again.Options.Shard);
        Assert.Equal(plan.Group, again.Group);
        Assert.StartsWith("g-", plan.Group, StringComparison.Ordinal);
        Assert.Equal(ScanGroups.Fingerprint(plan), ScanGroups.Fingerprint(again));
        var otherShard = (await ScanPlan.ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Ports = "80", Seed = 7, Shard = new ScanShard(2, 3) },
            cancellationToken: TestContext.Current.CancellationToken)).Plan!;
        Assert.Equal(plan.Group, otherShard.Group);
        Assert.Equal(ScanGroups.Fingerprint(plan), ScanGroups.Fingerprint(otherShard));
        var otherPorts = (await ScanPlan.ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Ports = "81", Seed = 7, Shard = new ScanShard(2, 3) },
            cancellationToken: TestContext.Current.CancellationToken)).Plan!;
        Assert.Equal("ports differ", ScanGroups.Difference(plan, otherPorts));
    }

    [Fact]
    public async Task FourShards_OfAConnectScan_DecideEveryPortOnce_AsOneProcessDoes()
    {
        var (open, closed) = _ports.Take(24, 16);
        var ports = open.Concat(closed).ToList();
        async Task<List<PortResult>> RunAsync(ScanShard? shard)
        {
            var plan = (await ScanPlan.ParseAsync(new ScanPlanInput
            {
                Targets = ["127.0.0.1"],
                Ports = string.Join(',', ports),
                Seed = 1234,
                Shard = shard,
                ListEveryState = true,
                Assess = false,
            }, cancellationToken: TestContext.Current.CancellationToken)).Plan!;
            await using var session = new ScanSession(plan, new ScanSessionOptions { RawAvailable = false });
            var results = new List<PortResult>();
            await foreach (var result in session.RunAsync(TestContext.Current.CancellationToken))
            {
                results.Add(result);
            }
            Assert.Equal((long)ScanShardSinkPairs(plan), session.Progress.Total);
            return results;
        }
        var whole = await RunAsync(null);
        var parts = new List<PortResult>();
        var sizes = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            var part = await RunAsync(new ScanShard(i, 4));
            sizes.Add(part.Count);
            parts.AddRange(part);
        }
        Assert.Equal([10, 10, 10, 10], sizes);
        Assert.Equal(ports.Count, parts.Select(p => p.Port).Distinct().Count());
        Assert.Equal(Summary(whole), Summary(parts));
        Assert.Equal(24, parts.Count(p => p.State == PortState.Open));

        static string Summary(IEnumerable<PortResult> results) =>
            string.Join(',', results.OrderBy(r => r.Port).Select(r => $"{r.Port}:{r.State.ToName()}"));
    }

    private static ulong ScanShardSinkPairs(ScanPlan plan) => (ulong)PortAtlas.Storage.ShardCheckpointSink.PairsOf(plan);
}
