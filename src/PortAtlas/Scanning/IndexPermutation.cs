namespace PortAtlas.Scanning;

/// <summary>
/// A seeded bijection of [0, size) onto itself, computed per index without any table: a four-round balanced Feistel
/// network over the smallest even-bit power of two that holds <c>size</c>, with cycle walking to stay inside the range
/// (Black and Rogaway, "Ciphers with Arbitrary Finite Domains", 2002). The domain is less than 4 × size, so a lookup
/// walks fewer than four times on average.
/// </summary>
internal sealed class IndexPermutation
{
    private const int Rounds = 4;

    private readonly ulong _size;
    private readonly int _halfBits;
    private readonly ulong _halfMask;
    private readonly ulong[] _keys = new ulong[Rounds];
    private readonly bool _identity;

    /// <param name="size">Number of indices.</param>
    /// <param name="seed">Key of the permutation.</param>
    /// <param name="identity">Map every index onto itself (nmap's -r: scan in order, not at random).</param>
    public IndexPermutation(ulong size, ulong seed, bool identity = false)
    {
        ArgumentOutOfRangeException.ThrowIfZero(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 1UL << 62);
        _size = size;
        _identity = identity;
        var bits = size == 1 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount(size - 1);
        _halfBits = (bits + 1) / 2;
        _halfMask = (1UL << _halfBits) - 1;
        var state = seed;
        for (var i = 0; i < Rounds; i++)
        {
            _keys[i] = SplitMix64(ref state);
        }
    }

    /// <summary>Number of indices permuted.</summary>
    public ulong Size => _size;

    /// <summary>The image of <paramref name="index"/>, 0 ≤ index &lt; <see cref="Size"/>.</summary>
    public ulong Map(ulong index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _size);
        if (_identity)
        {
            return index;
        }
        var x = index;
        do
        {
            x = Encrypt(x);
        }
        while (x >= _size);
        return x;
    }

    /// <summary>The index whose image is <paramref name="image"/>: the inverse of <see cref="Map"/> (the Feistel rounds run backwards, walking the cycle the same way).</summary>
    public ulong Inverse(ulong image)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(image, _size);
        if (_identity)
        {
            return image;
        }
        var x = image;
        do
        {
            x = Decrypt(x);
        }
        while (x >= _size);
        return x;
    }

    private ulong Decrypt(ulong x)
    {
        var left = x >> _halfBits;
        var right = x & _halfMask;
        for (var i = Rounds - 1; i >= 0; i--)
        {
            var previous = right ^ (Mix(left ^ _keys[i]) & _halfMask);
            right = left;
            left = previous;
        }
        return (left << _halfBits) | right;
    }

    private ulong Encrypt(ulong x)
    {
        var left = x >> _halfBits;
        var right = x & _halfMask;
        foreach (var key in _keys)
        {
            var next = left ^ (Mix(right ^ key) & _halfMask);
            left = right;
            right = next;
        }
        return (left << _halfBits) | right;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    // SplitMix64's finaliser (Steele, Lea and Flood, 2014): a cheap, well-distributed round function.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
