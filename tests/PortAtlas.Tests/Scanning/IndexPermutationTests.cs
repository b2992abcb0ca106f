using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Scanning;

public sealed class IndexPermutationTests
{
    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    [InlineData(7UL)]
    [InlineData(257UL)]
    [InlineData(65521UL)] // largest prime below 2^16
    [InlineData(65535UL)]
    [InlineData(65536UL)]
    [InlineData(131071UL)] // Mersenne prime
    public void Map_OverTheWholeRange_IsABijection(ulong size)
    {
        var permutation = new IndexPermutation(size, seed: 42);
        var seen = new bool[size];
        for (ulong i = 0; i < size; i++)
        {
            var image = permutation.Map(i);
            Assert.True(image < size);
            Assert.False(seen[image], $"{image} reached twice");
            seen[image] = true;
        }
    }

    [Property(MaxTest = 200)]
    public Property Map_AnySizeAndSeed_IsABijection() =>
        Prop.ForAll(Gen.Choose(1, 5000).ToArbitrary(), ArbMap.Default.ArbFor<ulong>(), (size, seed) =>
        {
            var permutation = new IndexPermutation((ulong)size, seed);
            var images = new HashSet<ulong>();
            for (ulong i = 0; i < (ulong)size; i++)
            {
                var image = permutation.Map(i);
                if (image >= (ulong)size || !images.Add(image))
                {
                    return false;
                }
            }
            return images.Count == size;
        });

    [Fact]
    public void Map_SameSeed_GivesTheSameOrder()
    {
        var a = new IndexPermutation(10_000, seed: 7);
        var b = new IndexPermutation(10_000, seed: 7);
        for (ulong i = 0; i < 10_000; i++)
        {
            Assert.Equal(a.Map(i), b.Map(i));
        }
    }

    [Fact]
    public void Map_DifferentSeeds_GiveDifferentOrders()
    {
        var a = new IndexPermutation(65_535, seed: 1);
        var b = new IndexPermutation(65_535, seed: 2);
        var same = 0;
        for (ulong i = 0; i < 65_535; i++)
        {
            same += a.Map(i) == b.Map(i) ? 1 : 0;
        }
        Assert.True(same < 100, $"{same} fixed points shared");
    }

    [Fact]
    public void Map_ConsecutiveIndices_AreScattered()
    {
        // The order must not walk the ports in sequence: few consecutive images should be neighbours.
        var permutation = new IndexPermutation(65_535, seed: 3);
        var neighbours = 0;
        for (ulong i = 1; i < 65_535; i++)
        {
            var step = (long)permutation.Map(i) - (long)permutation.Map(i - 1);
            neighbours += Math.Abs(step) == 1 ? 1 : 0;
        }
        Assert.True(neighbours < 50, $"{neighbours} steps of one");
    }

    [Fact]
    public void Map_LargeDomain_StaysInRange()
    {
        var size = (1UL << 40) + 12345;
        var permutation = new IndexPermutation(size, seed: 9);
        for (ulong i = size - 1000; i < size; i++)
        {
            Assert.True(permutation.Map(i) < size);
        }
    }

    [Fact]
    public void Map_IndexOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new IndexPermutation(10, 0).Map(10));
}
