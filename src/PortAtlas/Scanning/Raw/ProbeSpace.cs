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
/// The source address the kernel would use for each destination (its routing decision), learnt by connecting a UDP
/// socket, which sends nothing; cached per host for up to a million hosts, per /24 or /64 beyond. Both send lanes read
/// and fill it at once: the prefix cache is concurrent, and a host's 16-byte entry, which two lanes may write while a
/// third reads it, counts as unknown while either half still holds the unknown pattern, so a torn read is learnt again
/// rather than used.
/// </summary>
internal sealed class SourceAddresses(TargetSet hosts)
{
    private const ulong ArrayLimit = 1 << 20;
    private static readonly UInt128 s_unknown = UInt128.MaxValue;
    // No source is the zero address: the kernel has no route to the destination.
    private static readonly UInt128 s_noRoute = UInt128.Zero;
    private readonly TargetSet _hosts = hosts;
    private readonly UInt128[]? _byHost = hosts.Count <= ArrayLimit ? NewArray((int)hosts.Count) : null;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<UInt128, UInt128> _byPrefix = new();

    /// <summary>The source for host <paramref name="index"/>, or false when the kernel has no route to it.</summary>
    public bool TryGet(ulong index, UInt128 destination, bool isIPv6, out UInt128 source)
    {
        if (_byHost is not null)
        {
            source = _byHost[index];
            if (IsUnknown(source))
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
                _byPrefix.TryAdd(prefix, source);
            }
        }
        return source != s_noRoute;
    }

    public TargetSet Hosts => _hosts;

    // No source address has a half of all ones (IPv4 sources use the low 32 bits; an IPv6 prefix of all ones is
    // multicast, an all-ones interface identifier reserved).
    private static bool IsUnknown(UInt128 value) => (ulong)value == ulong.MaxValue || (ulong)(value >> 64) == ulong.MaxValue;

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
            return s_noRoute;
        }
    }

    private static UInt128[] NewArray(int length)
    {
        var array = new UInt128[length];
        Array.Fill(array, s_unknown);
        return array;
    }
}
