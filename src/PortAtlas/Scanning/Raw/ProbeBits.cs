using System.Numerics;

namespace PortAtlas.Scanning.Raw;

/// <summary>
/// One bit a probe of a sweep (which probes were answered; which were answered with a reset not streamed yet), held in
/// chunks of 4,096 bits that are allocated on the first bit they hold. A silent range allocates none, so a /8 × 100
/// ports costs the chunk directory (3.3 MB) instead of a 210 MB bitmap (issue 17); a range that answers costs what a
/// flat bitmap costs. Safe for one writer per bit and any number of readers and writers at once.
/// </summary>
internal sealed class ProbeBits
{
    // 64 words: 512 bytes a chunk, about 40 hosts of 100 ports, so one answering host in a silent range costs little.
    internal const int ChunkShift = 12;
    private const int WordsPerChunk = (1 << ChunkShift) / 64;

    private readonly ulong[]?[] _chunks;

    public ProbeBits(ulong total)
    {
        Total = total;
        _chunks = new ulong[]?[checked((int)((total + (1UL << ChunkShift) - 1) >> ChunkShift))];
    }

    /// <summary>Probes the sweep holds bits for.</summary>
    public ulong Total { get; }

    /// <summary>Chunks allocated so far (a chunk holds at least one answer, or an unanswered probe settled at the end).</summary>
    public int AllocatedChunks
    {
        get
        {
            var count = 0;
            foreach (var chunk in _chunks)
            {
                count += chunk is null ? 0 : 1;
            }
            return count;
        }
    }

    public bool Contains(ulong index)
    {
        var chunk = Volatile.Read(ref _chunks[index >> ChunkShift]);
        return chunk is not null && (Volatile.Read(ref chunk[(int)(index >> 6) & (WordsPerChunk - 1)]) & (1UL << (int)(index & 63))) != 0;
    }

    /// <summary>Sets the bit; false when it was set already.</summary>
    public bool TryAdd(ulong index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Total);
        ref var slot = ref _chunks[index >> ChunkShift];
        var chunk = Volatile.Read(ref slot);
        if (chunk is null)
        {
            // Two threads may race to allocate; the loser takes the winner's chunk.
            var fresh = new ulong[WordsPerChunk];
            chunk = Interlocked.CompareExchange(ref slot, fresh, null) ?? fresh;
        }
        var bit = 1UL << (int)(index & 63);
        return (Interlocked.Or(ref chunk[(int)(index >> 6) & (WordsPerChunk - 1)], bit) & bit) == 0;
    }

    /// <summary>How many of the <paramref name="count"/> probes from <paramref name="first"/> on have their bit set; skips empty chunks whole.</summary>
    public int CountIn(ulong first, int count)
    {
        var end = first + (ulong)count;
        var total = 0;
        for (var index = first; index < end;)
        {
            var chunkEnd = Math.Min(end, ((index >> ChunkShift) + 1) << ChunkShift);
            var chunk = Volatile.Read(ref _chunks[index >> ChunkShift]);
            if (chunk is null)
            {
                index = chunkEnd;
                continue;
            }
            // A word at a time: a host's 100 probes are two or three words.
            while (index < chunkEnd)
            {
                var wordEnd = Math.Min(chunkEnd, ((index >> 6) + 1) << 6);
                var bits = (int)(wordEnd - index);
                var mask = bits == 64 ? ulong.MaxValue : ((1UL << bits) - 1) << (int)(index & 63);
                total += BitOperations.PopCount(Volatile.Read(ref chunk[(int)(index >> 6) & (WordsPerChunk - 1)]) & mask);
                index = wordEnd;
            }
        }
        return total;
    }

    /// <summary>Whether any of the <paramref name="count"/> probes from <paramref name="first"/> on has its bit set.</summary>
    public bool AnyIn(ulong first, int count) => CountIn(first, count) > 0;
}
