namespace PortAtlas.Targets;

public sealed partial class TargetSet
{
    /// <summary>
    /// The index of an address given as a 128-bit value (IPv4 in the low 32 bits): the inverse of <see cref="GetAddress"/>,
    /// without allocating. Raw scanners map a reply's source back to its host this way, keeping no table of their own.
    /// </summary>
    internal bool TryGetIndex(UInt128 value, bool isIPv6, out ulong index)
    {
        index = 0;
        if (!isIPv6)
        {
            if (value > uint.MaxValue)
            {
                return false;
            }
            var i = FindValue(_v4, (uint)value);
            if (i < 0)
            {
                return false;
            }
            index = _v4Starts[i] + ((uint)value - _v4[i].First);
            return true;
        }
        var j = FindValue(_v6, value);
        if (j < 0)
        {
            return false;
        }
        index = _v6Starts[j] + (ulong)(value - _v6[j].First);
        return true;
    }

    /// <summary>The address at <paramref name="index"/> as a 128-bit value (IPv4 in the low 32 bits), without allocating.</summary>
    internal UInt128 GetValue(ulong index, out bool isIPv6)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        if (index < _v4Count)
        {
            var i = FindRange(_v4Starts, index);
            isIPv6 = false;
            return _v4[i].First + (uint)(index - _v4Starts[i]);
        }
        var j = FindRange(_v6Starts, index);
        isIPv6 = true;
        return _v6[j].First + (index - _v6Starts[j]);
    }

    /// <summary>Whether every address is IPv4 (IPv4 sorts before IPv6, so such a set is in the order of its values).</summary>
    internal bool IsIPv4Only => _v4Count == Count;

    /// <summary>How many IPv4 addresses of the set are below <paramref name="value"/>: the index it has or would have.</summary>
    internal ulong CountBelow(uint value)
    {
        int low = 0, high = _v4.Length;
        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            if (_v4[mid].Last < value)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        // _v4[low] is the first range that reaches value: value is inside it or before it.
        return low == _v4.Length ? _v4Count : _v4Starts[low] + (value > _v4[low].First ? value - _v4[low].First : 0);
    }

    private static int FindValue<T>(AddressRange<T>[] ranges, T value)
        where T : struct, System.Numerics.IBinaryInteger<T>, System.Numerics.IUnsignedNumber<T>
    {
        int low = 0, high = ranges.Length - 1;
        while (low <= high)
        {
            var mid = low + ((high - low) / 2);
            if (value < ranges[mid].First)
            {
                high = mid - 1;
            }
            else if (value > ranges[mid].Last)
            {
                low = mid + 1;
            }
            else
            {
                return mid;
            }
        }
        return -1;
    }
}
