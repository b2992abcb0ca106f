using System.Net;

namespace PortAtlas.Targets;

/// <summary>How <see cref="TargetSpecParser"/> turns specs into a <see cref="TargetSet"/>.</summary>
public sealed record TargetParseOptions
{
    /// <summary>The largest set accepted without <see cref="AllowHuge"/>: 2^24 addresses, a /8 or an IPv6 /104.</summary>
    public const ulong DefaultMaxAddresses = 1UL << 24;

    /// <summary>Specs whose addresses are removed from the set (same syntax; host names exclude every address they resolve to). Default none.</summary>
    public IReadOnlyList<TargetSpec> Excludes { get; init; } = [];

    /// <summary>Scan every address a host name resolves to; by default only the first (IPv4 preferred, as nmap does). Default false.</summary>
    public bool ResolveAll { get; init; }

    /// <summary>Accept sets larger than <see cref="MaxAddresses"/>. A set of more than 2^64 - 1 addresses is refused anyway. Default false.</summary>
    public bool AllowHuge { get; init; }

    /// <summary>The most addresses one spec, or the whole set, may hold unless <see cref="AllowHuge"/>. Default <see cref="DefaultMaxAddresses"/>.</summary>
    public ulong MaxAddresses { get; init; } = DefaultMaxAddresses;

    /// <summary>
    /// Resolves a host name to its addresses; null (the default) uses the system resolver,
    /// <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>. Tests and offline users inject their own.
    /// </summary>
    public Func<string, CancellationToken, Task<IPAddress[]>>? Resolver { get; init; }
}
