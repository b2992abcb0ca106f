using System.Numerics;

namespace PortAtlas.Targets;

/// <summary>An inclusive range of addresses held as unsigned integers (uint for IPv4, UInt128 for IPv6).</summary>
internal readonly record struct AddressRange<T>(T First, T Last)
    where T : struct, IBinaryInteger<T>, IUnsignedNumber<T>
{
    /// <summary>How many addresses the range holds, saturated at UInt128.MaxValue (a whole IPv6 space is 2^128).</summary>
    public UInt128 Count
    {
        get
        {
            var span = UInt128.CreateTruncating(Last - First);
            return span == UInt128.MaxValue ? UInt128.MaxValue : span + 1;
        }
    }
}

/// <summary>Set operations over lists of address ranges; results are sorted, disjoint and non-adjacent.</summary>
internal static class AddressRanges
{
    /// <summary>Sorts the ranges and merges every overlapping or adjacent pair, in place.</summary>
    public static void Normalize<T>(List<AddressRange<T>> ranges)
        where T : struct, IBinaryInteger<T>, IUnsignedNumber<T>
    {
        if (ranges.Count < 2)
        {
            return;
        }
        ranges.Sort(static (a, b) => a.First.CompareTo(b.First));
        var write = 0;
        for (var read = 1; read < ranges.Count; read++)
        {
            var current = ranges[write];
            var next = ranges[read];
            // Adjacent ranges merge too: Last + 1 cannot overflow when Last < next.First.
            if (next.First <= current.Last || next.First == current.Last + T.One)
            {
                if (next.Last > current.Last)
                {
                    ranges[write] = current with { Last = next.Last };
                }
            }
            else
            {
                ranges[++write] = next;
            }
        }
        ranges.RemoveRange(write + 1, ranges.Count - write - 1);
    }

    /// <summary>The ranges of <paramref name="set"/> not in <paramref name="remove"/>; both must be normalized.</summary>
    public static List<AddressRange<T>> Subtract<T>(List<AddressRange<T>> set, List<AddressRange<T>> remove)
        where T : struct, IBinaryInteger<T>, IUnsignedNumber<T>
    {
        if (remove.Count == 0)
        {
            return set;
        }
        var result = new List<AddressRange<T>>(set.Count);
        var r = 0;
        foreach (var range in set)
        {
            var first = range.First;
            var last = range.Last;
            var empty = false;
            while (r < remove.Count && remove[r].Last < first)
            {
                r++;
            }
            for (var k = r; k < remove.Count && remove[k].First <= last; k++)
            {
                var cut = remove[k];
                if (cut.First > first)
                {
                    result.Add(new AddressRange<T>(first, cut.First - T.One));
                }
                if (cut.Last >= last)
                {
                    empty = true;
                    break;
                }
                first = cut.Last + T.One;
            }
            if (!empty)
            {
                result.Add(new AddressRange<T>(first, last));
            }
        }
        return result;
    }

    /// <summary>The total number of addresses, saturated at UInt128.MaxValue.</summary>
    public static UInt128 Count<T>(List<AddressRange<T>> ranges)
        where T : struct, IBinaryInteger<T>, IUnsignedNumber<T>
    {
        UInt128 total = 0;
        foreach (var range in ranges)
        {
            var count = range.Count;
            total = UInt128.MaxValue - total < count ? UInt128.MaxValue : total + count;
        }
        return total;
    }

    /// <summary>The range covering an address prefix: host bits of <paramref name="address"/> are masked off, as nmap does.</summary>
    public static AddressRange<T> FromPrefix<T>(T address, int prefixLength)
        where T : struct, IBinaryInteger<T>, IUnsignedNumber<T>
    {
        var bits = T.PopCount(T.AllBitsSet);
        var hostBits = int.CreateTruncating(bits) - prefixLength;
        var hostMask = hostBits == 0 ? T.Zero : T.AllBitsSet >>> (int.CreateTruncating(bits) - hostBits);
        var first = address & ~hostMask;
        return new AddressRange<T>(first, first | hostMask);
    }
}
