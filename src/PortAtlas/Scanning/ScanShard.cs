using System.Globalization;

namespace PortAtlas.Scanning;

/// <summary>
/// One of <see cref="Count"/> disjoint parts of a scan: the part <see cref="Index"/> (counted from 0, as Kubernetes'
/// <c>JOB_COMPLETION_INDEX</c>) of the seeded permutation over hosts × ports. Shard i takes the permutation's positions
/// [⌊i·T/N⌋, ⌊(i+1)·T/N⌋) of every engine's T pairs, so N shards of one plan and seed probe every pair exactly once between
/// them, each in random order, each about T/N pairs, and each resumes on its own from a position inside its range.
/// </summary>
/// <param name="Index">The shard, 0 ≤ Index &lt; Count.</param>
/// <param name="Count">How many shards the scan is split into, 1 to <see cref="MaxCount"/>.</param>
public readonly record struct ScanShard(int Index, int Count)
{
    /// <summary>Most shards of one scan.</summary>
    public const int MaxCount = 100_000;

    /// <summary>True when <see cref="Index"/> and <see cref="Count"/> are in range.</summary>
    public bool IsValid => Count is >= 1 and <= MaxCount && Index >= 0 && Index < Count;

    /// <summary>The permutation positions [Start, End) this shard probes out of <paramref name="total"/>.</summary>
    public (ulong Start, ulong End) Range(ulong total) => (Bound(total, Index), Bound(total, Index + 1));

    /// <summary>Whether the pair at position <paramref name="position"/> of a permutation of <paramref name="total"/> pairs is this shard's.</summary>
    public bool ContainsPosition(ulong position, ulong total)
    {
        var (start, end) = Range(total);
        return position >= start && position < end;
    }

    /// <summary>"I/N" with I counted from 0, the form <see cref="TryParse"/> reads.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    /// <summary>
    /// Reads "I/N" (I counted from 0: the first of four shards is 0/4, the last 3/4). Returns false with a one-line
    /// <paramref name="error"/> naming the bad text otherwise.
    /// </summary>
    public static bool TryParse(string? text, out ScanShard shard, out string? error)
    {
        shard = default;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (text is null || slash < 1
            || !int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            error = $"bad --shard '{text}': give I/N with I counted from 0, e.g. 0/4 for the first of four shards";
            return false;
        }
        return TryCreate(index, count, text, out shard, out error);
    }

    /// <summary>A shard from its parts; false with a one-line <paramref name="error"/> naming <paramref name="token"/> when out of range.</summary>
    public static bool TryCreate(int index, int count, string token, out ScanShard shard, out string? error)
    {
        shard = new ScanShard(index, count);
        if (count is < 1 or > MaxCount)
        {
            error = $"bad shard count in '{token}': give 1 to {MaxCount}";
            return false;
        }
        if (index < 0 || index >= count)
        {
            error = $"bad shard index in '{token}': give 0 to {count - 1} (shards count from 0)";
            return false;
        }
        error = null;
        return true;
    }

    // ⌊total·k/N⌋ without overflow: total < 2^62 and k ≤ N ≤ 10^5 would overflow 64 bits, so in 128.
    private ulong Bound(ulong total, int k) => (ulong)((UInt128)total * (ulong)k / (ulong)Count);
}
