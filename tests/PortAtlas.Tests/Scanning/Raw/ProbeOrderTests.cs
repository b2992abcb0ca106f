using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PortAtlas.Scanning;
using PortAtlas.Scanning.Raw;
using PortAtlas.Targets;

namespace PortAtlas.Tests.Scanning.Raw;

/// <summary>The order a pass walks: every probe of the sweep once, or for a shard its own pairs and every canary once, nothing else.</summary>
public sealed class ProbeOrderTests
{
    [Property(MaxTest = 80)]
    public Property Order_VisitsWhatTheShardOwns_ExactlyOnce() =>
        Prop.ForAll(Gen.Choose(1, 200).ToArbitrary(), Gen.Choose(1, 25).ToArbitrary(), Case.ToArbitrary(), (hostCount, slots, c) =>
        {
            var (canaries, shards, seed, subset) = c;
            var planned = Hosts(hostCount);
            // Discovery may keep a subset of the plan's hosts; then the order walks them all and leaves other shards' out.
            var hosts = subset ? TargetSet.FromAddresses(Enumerable.Range(0, hostCount).Where(i => i % 2 == 0).Select(i => planned.GetAddress((ulong)i))) : planned;
            var stride = slots + canaries;
            var total = hosts.Count * (ulong)stride;
            for (var i = 0; i < shards; i++)
            {
                var filter = shards == 1 && !subset ? null : new ShardFilter(hosts, planned, slots, stride, new ScanShard(i, shards), seed ^ 1, sequential: false);
                var order = new ProbeOrder(total, slots, canaries, filter, seed, sequential: false);
                var seen = new int[total];
                for (ulong position = 0; position < order.Positions; position++)
                {
                    if (order.TryGetIndex(position, out var index))
                    {
                        seen[index]++;
                    }
                }
                for (ulong index = 0; index < total; index++)
                {
                    var expected = filter is null || !filter.IsForeign(index) ? 1 : 0;
                    if (seen[index] != expected)
                    {
                        return false;
                    }
                }
                // A shard of the whole plan walks its share, not the whole sweep.
                if (filter is { SamePlan: true } && order.Positions != total - filter.ForeignCount)
                {
                    return false;
                }
            }
            return true;
        });

    [Fact]
    public void Unsharded_WalksThePermutationTheEngineAlwaysWalked()
    {
        var order = new ProbeOrder(5000, 97, 3, null, 42, sequential: false);
        var permutation = new IndexPermutation(5000, 42);

        for (ulong position = 0; position < 5000; position++)
        {
            Assert.True(order.TryGetIndex(position, out var index));
            Assert.Equal(permutation.Map(position), index);
        }
    }

    private static Gen<(int Canaries, int Shards, ulong Seed, bool Subset)> Case =>
        from canaries in Gen.Choose(0, 3)
        from shards in Gen.Choose(1, 6)
        from seed in ArbMap.Default.GeneratorFor<ulong>()
        from subset in ArbMap.Default.GeneratorFor<bool>()
        select (canaries, shards, seed, subset);

    private static TargetSet Hosts(int count) =>
        TargetSet.FromAddresses(Enumerable.Range(0, count).Select(i => new System.Net.IPAddress(new byte[] { 198, 19, (byte)(i >> 8), (byte)i })));
}
