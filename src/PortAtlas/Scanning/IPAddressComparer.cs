using System.Net;

namespace PortAtlas.Scanning;

/// <summary>Orders addresses numerically: IPv4 before IPv6, then byte by byte, then by scope.</summary>
internal sealed class IPAddressComparer : IComparer<IPAddress>
{
    public static IPAddressComparer Instance { get; } = new();

    public int Compare(IPAddress? x, IPAddress? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }
        var family = x.AddressFamily.CompareTo(y.AddressFamily);
        if (family != 0)
        {
            return family;
        }
        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        x.TryWriteBytes(a, out var lengthA);
        y.TryWriteBytes(b, out var lengthB);
        var bytes = a[..lengthA].SequenceCompareTo(b[..lengthB]);
        return bytes != 0 ? bytes : x.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? x.ScopeId.CompareTo(y.ScopeId) : 0;
    }
}
