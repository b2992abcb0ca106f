using System.Net;
using System.Net.Sockets;
using PortAtlas.Scanning.Packets;
using PortAtlas.Targets;

namespace PortAtlas.Scanning.Raw;

/// <summary>The kinds of probe the raw engine sends.</summary>
internal enum ProbeKind : byte
{
    TcpSyn,
    TcpAck,
    Udp,
    SctpInit,
    IcmpEcho,
    IcmpTimestamp,
}

/// <summary>One probe per host: its kind and destination port (0 for ICMP).</summary>
internal readonly record struct ProbeSlot(ProbeKind Kind, ushort Port);

/// <summary>
/// A seeded bijection of [0, n) as an affine map i → (a·i + b) mod n with gcd(a, n) = 1: no table, O(1) per index, and
/// consecutive indices land far apart (a is near n/φ), which spreads probes over hosts and ports as a scan should.
/// </summary>
internal readonly struct AffinePermutation
{
    private readonly ulong _n;
    private readonly ulong _a;
    private readonly ulong _b;

    public AffinePermutation(ulong n, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfZero(n);
        _n = n;
        _b = seed % n;
        var a = (ulong)(n * 0.6180339887498949) | 1;
        a = Math.Max(1, (a + (seed >> 32) % Math.Max(1, n / 16)) % n);
        while (Gcd(a, n) != 1)
        {
            a = (a + 1) % n == 0 ? 1 : a + 1;
        }
        _a = a;
    }

    public ulong Map(ulong index) => (ulong)(((UInt128)_a * index + _b) % _n);

    private static ulong Gcd(ulong x, ulong y)
    {
        while (y != 0)
        {
            (x, y) = (y, x % y);
        }
        return x;
    }
}

/// <summary>
/// The source address the kernel would use for each destination (its routing decision), learnt by connecting a UDP
/// socket, which sends nothing; cached per host for up to a million hosts, per /24 or /64 beyond.
/// </summary>
internal sealed class SourceAddresses(TargetSet hosts)
{
    private const ulong ArrayLimit = 1 << 20;
    private static readonly UInt128 s_unknown = UInt128.MaxValue;
    private readonly TargetSet _hosts = hosts;
    private readonly UInt128[]? _byHost = hosts.Count <= ArrayLimit ? NewArray((int)hosts.Count) : null;
    private readonly Dictionary<UInt128, UInt128> _byPrefix = [];

    /// <summary>The source for host <paramref name="index"/>, or false when the kernel has no route to it.</summary>
    public bool TryGet(ulong index, UInt128 destination, bool isIPv6, out UInt128 source)
    {
        if (_byHost is not null)
        {
            source = _byHost[index];
            if (source == s_unknown)
            {
                source = Resolve(destination, isIPv6);
                _byHost[index] = source;
            }
        }
        else
        {
            var prefix = isIPv6 ? (destination >> 64) | ((UInt128)1 << 127) : destination >> 8;
            if (!_byPrefix.TryGetValue(prefix, out source))
            {
                source = Resolve(destination, isIPv6);
                _byPrefix[prefix] = source;
            }
        }
        return source != s_unknown - 1;
    }

    public TargetSet Hosts => _hosts;

    internal static UInt128 Resolve(UInt128 destination, bool isIPv6)
    {
        try
        {
            using var socket = new Socket(isIPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(new IPEndPoint(IpPair.ToAddress(destination, isIPv6), 9));
            return IpPair.ToValue(((IPEndPoint)socket.LocalEndPoint!).Address);
        }
        catch (SocketException)
        {
            return s_unknown - 1;
        }
    }

    private static UInt128[] NewArray(int length)
    {
        var array = new UInt128[length];
        Array.Fill(array, s_unknown);
        return array;
    }
}
