using PortAtlas.Scanning;

namespace PortAtlas.Tests.Scanning;

public sealed class DecidedPrefixTrackerTests
{
    [Fact]
    public void Prefix_AdvancesOnlyOverAContiguousRun()
    {
        var tracker = new DecidedPrefixTracker(10);
        Assert.Equal(10UL, tracker.Prefix);
        tracker.Mark(12);
        tracker.Mark(11);
        Assert.Equal(10UL, tracker.Prefix);
        tracker.Mark(10);
        Assert.Equal(13UL, tracker.Prefix);
        tracker.Mark(5);
        tracker.Mark(12);
        Assert.Equal(13UL, tracker.Prefix);
    }

    [Fact]
    public void Prefix_OfAShuffledSequence_GrowsPastTheRing_AndEndsAtTheCount()
    {
        var random = new Random(42);
        var indices = Enumerable.Range(0, 100_000).Select(i => (ulong)i).ToArray();
        // Locally shuffled, with a few stragglers far behind: the ring has to grow.
        for (var i = 0; i < indices.Length; i++)
        {
            var j = Math.Min(indices.Length - 1, i + random.Next(0, i % 997 == 0 ? 20_000 : 50));
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
        var tracker = new DecidedPrefixTracker(0);
        var marked = new HashSet<ulong>();
        foreach (var index in indices)
        {
            tracker.Mark(index);
            marked.Add(index);
            var prefix = tracker.Prefix;
            Assert.True(prefix == 0 || marked.Contains(prefix - 1));
            Assert.DoesNotContain(prefix, marked);
        }
        Assert.Equal(100_000UL, tracker.Prefix);
    }
}
