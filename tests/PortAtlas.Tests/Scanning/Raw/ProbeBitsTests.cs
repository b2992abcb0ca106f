using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PortAtlas.Scanning;
using PortAtlas.Scanning.Raw;
using PortAtlas.Targets;

namespace PortAtlas.Tests.Scanning.Raw;

/// <summary>The raw engine's probe bits (answered probes, resets held back), counted per window, held in chunks on first answer, and the per-probe test of another shard's pair (issue 17).</summary>
public sealed class ProbeBitsTests
{
    [Fact]
    public void SilentSlash8_Top100_HoldsTheDirectoryOnly()
    {
        // A /8 × 100 ports and 3 canaries: 1.73 G probes, which a flat bitmap holds in 216 MB.
        var total = (1UL << 24) * 103;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var answered = new ProbeBits(total);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.InRange(allocated, 1, 4L << 20);
        Assert.False(answered.AnyIn(0, 100));
        Assert.False(answered.AnyIn(total - 100, 100));
        Assert.Equal(0, answered.AllocatedChunks);

        // One answering host costs one chunk, not the range.
        var host = 12_345_678UL * 103;
        Assert.True(answered.TryAdd(host + 42));
        Assert.Equal(1, answered.AllocatedChunks);
        Assert.True(answered.AnyIn(host, 100));
        Assert.False(answered.AnyIn(host + 103, 100));
        Assert.False(answered.AnyIn(host - 103, 100));
    }

    [Property(MaxTest = 200)]
    public Property Bits_AgreeWithASet() =>
        Prop.ForAll(Gen.Choose(1, 40_000).ToArbitrary(), Gen.ListOf(Gen.Choose(0, int.MaxValue)).ToArbitrary(), (size, picks) =>
        {
            var total = (ulong)size;
            var answered = new ProbeBits(total);
            var model = new HashSet<ulong>();
            foreach (var pick in picks)
            {
                var index = (ulong)pick % total;
                if (answered.TryAdd(index) != model.Add(index))
                {
                    return false;
                }
            }
            for (ulong index = 0; index < total; index++)
            {
                if (answered.Contains(index) != model.Contains(index))
                {
                    return false;
                }
            }
            // Any answer in a window of a host's probes, windows across chunk edges included.
            for (ulong first = 0; first < total; first += 97)
            {
                var count = (int)Math.Min(130, total - first);
                var expected = 0;
                for (var i = first; i < first + (ulong)count; i++)
                {
                    expected += model.Contains(i) ? 1 : 0;
                }
                if (answered.AnyIn(first, count) != expected > 0 || answered.CountIn(first, count) != expected)
                {
                    return false;
                }
            }
            var chunks = model.Select(i => i >> ProbeBits.ChunkShift).Distinct().Count();
            return answered.AllocatedChunks == chunks;
        });

    [Fact]
    public void TryAdd_FromManyThreads_WinsOncePerProbe()
    {
        const ulong total = 1 << 16;
        var answered = new ProbeBits(total);
        var wins = new long[4];
        Parallel.For(0, 4, t =>
        {
            // Every thread adds every probe, each in its own order, so chunk allocation races too.
            for (ulong i = 0; i < total; i++)
            {
                var index = (i * 40_503UL * (ulong)(t + 1)) % total;
                if (answered.TryAdd(index))
                {
                    Interlocked.Increment(ref wins[t]);
                }
            }
        });
        Assert.Equal((long)total, wins.Sum());
        Assert.True(answered.AnyIn(0, (int)total));
    }

    [Fact]
    public void TryAdd_PastTheEnd_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProbeBits(100).TryAdd(100));

    [Property(MaxTest = 60)]
    public Property ShardFilters_GiveEveryPortProbeToOneShard_AndEveryCanaryToAll() =>
        Prop.ForAll(Gen.Choose(1, 300).ToArbitrary(), Gen.Choose(1, 30).ToArbitrary(), ShardCase.ToArbitrary(), (hostCount, slots, shardCase) =>
            {
                var (canaries, shards, seed) = shardCase;
                var hosts = Hosts(hostCount);
                var stride = slots + canaries;
                var total = (ulong)hostCount * (ulong)stride;
                var owners = new int[total];
                for (var i = 0; i < shards; i++)
                {
                    var filter = new ShardFilter(hosts, hosts, slots, stride, new ScanShard(i, shards), seed, sequential: false);
                    ulong foreign = 0;
                    for (ulong index = 0; index < total; index++)
                    {
                        if (filter.IsForeign(index))
                        {
                            foreign++;
                        }
                        else
                        {
                            owners[index]++;
                        }
                    }
                    if (foreign != filter.ForeignCount)
                    {
                        return false;
                    }
                }
                for (ulong index = 0; index < total; index++)
                {
                    var canary = index % (ulong)stride >= (ulong)slots;
                    if (owners[index] != (canary ? shards : 1))
                    {
                        return false;
                    }
                }
                return true;
            });

    [Fact]
    public void ShardFilter_OverHostsDiscoveryKept_CutsAsThePlanDoes()
    {
        // Discovery kept every third host: each kept host's pairs belong to the shard that owns them in the whole plan.
        var planned = Hosts(90);
        var kept = TargetSet.FromAddresses(Enumerable.Range(0, 90).Where(i => i % 3 == 0).Select(i => planned.GetAddress((ulong)i)));
        const int slots = 7;
        for (var i = 0; i < 3; i++)
        {
            var shard = new ScanShard(i, 3);
            var whole = new ShardFilter(planned, planned, slots, slots, shard, 99, sequential: false);
            var part = new ShardFilter(kept, planned, slots, slots, shard, 99, sequential: false);
            ulong foreign = 0;
            for (ulong host = 0; host < kept.Count; host++)
            {
                for (ulong slot = 0; slot < slots; slot++)
                {
                    var isForeign = part.IsForeign((host * slots) + slot);
                    Assert.Equal(whole.IsForeign((host * 3 * slots) + slot), isForeign);
                    foreign += isForeign ? 1UL : 0;
                }
            }
            Assert.Equal(foreign, part.ForeignCount);
        }
    }

    private static Gen<(int Canaries, int Shards, ulong Seed)> ShardCase =>
        from canaries in Gen.Choose(0, 3)
        from shards in Gen.Choose(1, 7)
        from seed in ArbMap.Default.GeneratorFor<ulong>()
        select (canaries, shards, seed);

    private static TargetSet Hosts(int count) =>
        TargetSet.FromAddresses(Enumerable.Range(0, count).Select(i => new System.Net.IPAddress(new byte[] { 198, 19, (byte)(i >> 8), (byte)i })));
}
