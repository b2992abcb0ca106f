using System.Diagnostics;

namespace PortAtlas.Model;

/// <summary>The ports to scan, per transport, each list sorted and without duplicates.</summary>
public sealed class PortList
{
    private readonly int[] _tcp;
    private readonly int[] _udp;
    private readonly int[] _sctp;

    /// <summary>Builds a list; inputs are sorted and deduplicated, each port must be 0-65535.</summary>
    public PortList(IEnumerable<int>? tcp = null, IEnumerable<int>? udp = null, IEnumerable<int>? sctp = null)
    {
        _tcp = Normalise(tcp);
        _udp = Normalise(udp);
        _sctp = Normalise(sctp);
    }

    // For parsers that already hold sorted, distinct ports: no copy, no re-sort.
    private PortList(int[] tcp, int[] udp, int[] sctp, bool sorted)
    {
        Debug.Assert(sorted);
        _tcp = tcp;
        _udp = udp;
        _sctp = sctp;
    }

    /// <summary>Builds a list from one bitmap per transport, each indexed by port (65536 entries).</summary>
    internal static PortList FromMaps(bool[] tcp, bool[] udp, bool[] sctp) => new(Ports(tcp), Ports(udp), Ports(sctp), sorted: true);

    /// <summary>TCP ports, ascending.</summary>
    public IReadOnlyList<int> Tcp => _tcp;
    /// <summary>UDP ports, ascending.</summary>
    public IReadOnlyList<int> Udp => _udp;
    /// <summary>SCTP ports, ascending.</summary>
    public IReadOnlyList<int> Sctp => _sctp;

    /// <summary>The ports of one transport (DCCP is never scanned: empty).</summary>
    public IReadOnlyList<int> For(Transport transport) => transport switch
    {
        Transport.Tcp => _tcp,
        Transport.Udp => _udp,
        Transport.Sctp => _sctp,
        _ => [],
    };

    /// <summary>Total number of (transport, port) pairs.</summary>
    public int Count => _tcp.Length + _udp.Length + _sctp.Length;

    /// <summary>The pair at <paramref name="index"/> in the order TCP, UDP, SCTP; random access for the scheduler.</summary>
    public (Transport Transport, int Port) this[int index] =>
        index < _tcp.Length ? (Transport.Tcp, _tcp[index])
        : index < _tcp.Length + _udp.Length ? (Transport.Udp, _udp[index - _tcp.Length])
        : (Transport.Sctp, _sctp[index - _tcp.Length - _udp.Length]);

    private static int[] Ports(bool[] map)
    {
        var ports = new int[map.AsSpan().Count(true)];
        var n = 0;
        for (var port = 0; port < map.Length; port++)
        {
            if (map[port])
            {
                ports[n++] = port;
            }
        }
        return ports;
    }

    private static int[] Normalise(IEnumerable<int>? ports)
    {
        if (ports is null)
        {
            return [];
        }
        var array = ports.ToArray();
        var ascending = true;
        for (var i = 0; i < array.Length; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(array[i]);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(array[i], 65535);
            ascending &= i == 0 || array[i] > array[i - 1];
        }
        if (ascending)
        {
            // Most callers hand over another list's ports, already sorted and distinct: no sort, no set (a SortedSet of
            // 65,535 ports cost a connect scan of -p- about 20 ms before its first probe).
            return array;
        }
        Array.Sort(array);
        var n = 0;
        for (var i = 0; i < array.Length; i++)
        {
            if (n == 0 || array[i] != array[n - 1])
            {
                array[n++] = array[i];
            }
        }
        return array[..n];
    }

    /// <summary>This list's TCP ports alone, sharing the array.</summary>
    internal PortList TcpOnly() => _udp.Length == 0 && _sctp.Length == 0 ? this : new(_tcp, [], [], sorted: true);
}
