using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PortAtlas.Targets;

/// <summary>
/// The addresses to scan, enumerated lazily and addressable by index so that the scheduler can walk a
/// random permutation over hosts × ports without materialising either.
/// </summary>
/// <remarks>
/// The set is held as sorted, disjoint address ranges with prefix sums: <see cref="GetAddress"/> is a binary
/// search and some arithmetic, and a /8 costs one range, not sixteen million addresses.
/// Addresses are in ascending order, IPv4 before IPv6. Immutable and safe to share between threads.
/// </remarks>
public sealed partial class TargetSet
{
    private readonly AddressRange<uint>[] _v4;
    private readonly ulong[] _v4Starts;
    private readonly AddressRange<UInt128>[] _v6;
    private readonly ulong[] _v6Starts;
    private readonly ulong _v4Count;
    private readonly Dictionary<IPAddress, string> _hostnames;

    /// <summary>A target set of explicit addresses (for library users and tests); duplicates collapse, order becomes ascending.</summary>
    /// <param name="addresses">The addresses; IPv6 addresses with a scope id (zone) are refused.</param>
    /// <param name="hostnames">Optional names to report for some of the addresses.</param>
    /// <exception cref="ArgumentException">An address has a scope id or is neither IPv4 nor IPv6.</exception>
    public static TargetSet FromAddresses(IEnumerable<IPAddress> addresses, IReadOnlyDictionary<IPAddress, string>? hostnames = null)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var v4 = new List<AddressRange<uint>>();
        var v6 = new List<AddressRange<UInt128>>();
        foreach (var address in addresses)
        {
            ArgumentNullException.ThrowIfNull(address, nameof(addresses));
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                var value = ToUInt32(address);
                v4.Add(new AddressRange<uint>(value, value));
            }
            else if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId == 0)
            {
                var value = ToUInt128(address);
                v6.Add(new AddressRange<UInt128>(value, value));
            }
            else
            {
                throw new ArgumentException($"'{address}' is not an IPv4 or unscoped IPv6 address", nameof(addresses));
            }
        }
        AddressRanges.Normalize(v4);
        AddressRanges.Normalize(v6);
        return new TargetSet(v4, v6, hostnames);
    }

    /// <summary>Builds a set from normalized ranges whose total count fits in a ulong.</summary>
    internal TargetSet(List<AddressRange<uint>> v4, List<AddressRange<UInt128>> v6, IReadOnlyDictionary<IPAddress, string>? hostnames)
    {
        _v4 = [.. v4];
        _v6 = [.. v6];
        _v4Starts = new ulong[_v4.Length];
        _v6Starts = new ulong[_v6.Length];
        ulong total = 0;
        for (var i = 0; i < _v4.Length; i++)
        {
            _v4Starts[i] = total;
            total += (ulong)_v4[i].Count;
        }
        _v4Count = total;
        for (var i = 0; i < _v6.Length; i++)
        {
            _v6Starts[i] = total;
            total = checked(total + (ulong)_v6[i].Count);
        }
        Count = total;
        _hostnames = [];
        if (hostnames is not null)
        {
            foreach (var (address, name) in hostnames)
            {
                if (Contains(address))
                {
                    _hostnames[address] = name;
                }
            }
        }
    }

    /// <summary>Number of addresses.</summary>
    public ulong Count { get; }

    /// <summary>The address at <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>); allocates only the returned address.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not less than <see cref="Count"/>.</exception>
    public IPAddress GetAddress(ulong index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        if (index < _v4Count)
        {
            var i = FindRange(_v4Starts, index);
            var value = _v4[i].First + (uint)(index - _v4Starts[i]);
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
            return new IPAddress(bytes);
        }
        else
        {
            var i = FindRange(_v6Starts, index);
            var value = _v6[i].First + (index - _v6Starts[i]);
            Span<byte> bytes = stackalloc byte[16];
            BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
            return new IPAddress(bytes);
        }
    }

    /// <summary>Every address, in order (ascending, IPv4 before IPv6).</summary>
    public IEnumerable<IPAddress> Enumerate()
    {
        for (ulong i = 0; i < Count; i++)
        {
            yield return GetAddress(i);
        }
    }

    /// <summary>True when <paramref name="address"/> is in the set (a scoped IPv6 address never is).</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return ContainsValue(_v4, ToUInt32(address));
        }
        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId == 0 && ContainsValue(_v6, ToUInt128(address));
    }

    /// <summary>The host name the user gave for an address, when it came from a name.</summary>
    public string? HostnameOf(IPAddress address) => _hostnames.GetValueOrDefault(address);

    /// <summary>Every address that came from a host name, with that name.</summary>
    public IReadOnlyDictionary<IPAddress, string> Hostnames => _hostnames;

    /// <summary>This set with <paramref name="hostnames"/> as its names (those of addresses outside the set are dropped).</summary>
    internal TargetSet WithHostnames(IReadOnlyDictionary<IPAddress, string> hostnames) => new([.. _v4], [.. _v6], hostnames);

    /// <summary>
    /// The set as target specs, one per merged range: a single address, a CIDR block when the range is exactly one,
    /// else a full dash range (<c>198.18.0.1-198.18.0.20</c>). Parsing them gives this set back (without host names).
    /// </summary>
    public IEnumerable<string> ToSpecs()
    {
        foreach (var range in _v4)
        {
            yield return FormatRange(range, static v => FormatV4(v), 32);
        }
        foreach (var range in _v6)
        {
            yield return FormatRange(range, static v => FormatV6(v), 128);
        }
    }

    internal static uint ToUInt32(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    internal static UInt128 ToUInt128(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    internal static string FormatV4(uint value) => string.Create(CultureInfo.InvariantCulture,
        $"{value >> 24}.{(value >> 16) & 0xFF}.{(value >> 8) & 0xFF}.{value & 0xFF}");

    internal static string FormatV6(UInt128 value)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes).ToString();
    }

    private static string FormatRange<T>(AddressRange<T> range, Func<T, string> format, int bits)
        where T : struct, System.Numerics.IBinaryInteger<T>, System.Numerics.IUnsignedNumber<T>
    {
        if (range.First == range.Last)
        {
            return format(range.First);
        }
        // A CIDR block: the size is a power of two and the first address is aligned to it.
        var span = range.Last - range.First;
        if (((span + T.One) & span) == T.Zero && (range.First & span) == T.Zero)
        {
            var hostBits = span == T.AllBitsSet ? bits : int.CreateTruncating(T.PopCount(span));
            return string.Create(CultureInfo.InvariantCulture, $"{format(range.First)}/{bits - hostBits}");
        }
        return $"{format(range.First)}-{format(range.Last)}";
    }

    private static int FindRange(ulong[] starts, ulong index)
    {
        var i = Array.BinarySearch(starts, index);
        return i >= 0 ? i : ~i - 1;
    }

    private static bool ContainsValue<T>(AddressRange<T>[] ranges, T value)
        where T : struct, System.Numerics.IBinaryInteger<T>, System.Numerics.IUnsignedNumber<T> => FindValue(ranges, value) >= 0;
}
