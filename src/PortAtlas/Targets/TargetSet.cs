using System.Net;

namespace PortAtlas.Targets;

/// <summary>
/// The addresses to scan, enumerated lazily and addressable by index so that the scheduler can walk a
/// random permutation over hosts × ports without materialising either.
/// </summary>
public sealed partial class TargetSet
{
    private readonly IReadOnlyList<IPAddress> _addresses;
    private readonly Dictionary<IPAddress, string> _hostnames;

    /// <summary>A target set of explicit addresses (for library users and tests).</summary>
    public static TargetSet FromAddresses(IEnumerable<IPAddress> addresses, IReadOnlyDictionary<IPAddress, string>? hostnames = null)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        return new TargetSet([.. addresses.Distinct()], hostnames);
    }

    private TargetSet(IReadOnlyList<IPAddress> addresses, IReadOnlyDictionary<IPAddress, string>? hostnames)
    {
        _addresses = addresses;
        _hostnames = hostnames is null ? [] : new Dictionary<IPAddress, string>(hostnames);
    }

    /// <summary>Number of addresses.</summary>
    public ulong Count => (ulong)_addresses.Count;

    /// <summary>The address at <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    public IPAddress GetAddress(ulong index) => _addresses[checked((int)index)];

    /// <summary>Every address, in order.</summary>
    public IEnumerable<IPAddress> Enumerate()
    {
        for (ulong i = 0; i < Count; i++)
        {
            yield return GetAddress(i);
        }
    }

    /// <summary>The host name the user gave for an address, when it came from a name.</summary>
    public string? HostnameOf(IPAddress address) => _hostnames.GetValueOrDefault(address);
}
