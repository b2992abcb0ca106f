using System.Numerics;
using PortAtlas.Targets;

namespace PortAtlas.Scanning;

/// <summary>
/// The hosts of an engine's sweep whose every port came out in one state with nothing to list, handed over as one bit
/// each instead of a result per port (issue 17): silent hosts (no probe brought any answer), each standing for
/// <see cref="Ports"/> ports in <see cref="State"/> with no response, and closed hosts (every port answered with a
/// reset), each standing for <see cref="Ports"/> closed ports (a shard's host: as many as it had pairs of the shard's own). A silent /8 × the top 100 is 2 MiB here; as results it was
/// 1.7 G objects, and as collector slots about 1 GB; a closed host cost about 380 bytes as collector slots and results.
/// </summary>
/// <remarks>Written by one engine thread until the engine ends, then read (and trimmed) by the collector's one writer.</remarks>
internal sealed class UniformHosts
{
    // Ranks are kept per block of 64 words (4,096 hosts): a /8's directory is 32 KB.
    private const int BlockShift = 12;

    private readonly ulong[] _bits;
    // Which of the held hosts are closed rather than silent; made on the first closed host.
    private ulong[]? _closed;
    // Per host, how many ports fewer than Ports it was probed on (a shard's own pairs); made on the first such host.
    private ushort[]? _fewer;

    public UniformHosts(TargetSet hosts, int ports, PortState state)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ports);
        Hosts = hosts;
        Ports = ports;
        State = state;
        _bits = new ulong[(hosts.Count + 63) / 64];
    }

    /// <summary>The sweep's hosts; a held host is an index into them.</summary>
    public TargetSet Hosts { get; }

    /// <summary>Ports a host was probed on, unless it was held with fewer (<see cref="PortsOf"/>).</summary>
    public int Ports { get; }

    /// <summary>The state of every port of a silent host (filtered, or open|filtered for UDP), with no response as the reason.</summary>
    public PortState State { get; }

    /// <summary>Hosts held, silent and closed.</summary>
    public long Count { get; private set; }

    /// <summary>Closed hosts held (every port answered with a reset).</summary>
    public long ClosedCount { get; private set; }

    /// <summary>Silent hosts held (no port answered).</summary>
    public long SilentCount => Count - ClosedCount;

    /// <summary>Ports of the silent hosts held, all in <see cref="State"/>.</summary>
    public long SilentPorts { get; private set; }

    /// <summary>Ports of the closed hosts held.</summary>
    public long ClosedPorts { get; private set; }

    /// <summary>Holds a silent host probed on <paramref name="ports"/> ports (<see cref="Ports"/> by default).</summary>
    public void Add(ulong host, int ports = 0) => Hold(host, ports, closed: false);

    /// <summary>
    /// Holds a host whose every port, of <paramref name="ports"/> (<see cref="Ports"/> by default), answered with a reset;
    /// or the closed ports of a host with results of other states, which the collector adds to that host's.
    /// </summary>
    public void AddClosed(ulong host, int ports = 0) => Hold(host, ports, closed: true);

    private void Hold(ulong host, int ports, bool closed)
    {
        ports = ports == 0 ? Ports : ports;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ports, Ports);
        ArgumentOutOfRangeException.ThrowIfNegative(ports);
        if (Contains(host))
        {
            return;
        }
        var bit = 1UL << (int)(host & 63);
        _bits[host >> 6] |= bit;
        Count++;
        if (ports != Ports)
        {
            // At least one port, so the difference fits: at most 65,535 of 65,536.
            (_fewer ??= new ushort[Hosts.Count])[host] = checked((ushort)(Ports - ports));
        }
        if (closed)
        {
            (_closed ??= new ulong[_bits.Length])[host >> 6] |= bit;
            ClosedCount++;
            ClosedPorts += ports;
        }
        else
        {
            SilentPorts += ports;
        }
    }

    public bool Contains(ulong host) => (_bits[host >> 6] & (1UL << (int)(host & 63))) != 0;

    /// <summary>The state of every port of held host <paramref name="host"/>: closed, or <see cref="State"/> for a silent one.</summary>
    public PortState StateOf(ulong host) =>
        _closed is not null && (_closed[host >> 6] & (1UL << (int)(host & 63))) != 0 ? PortState.Closed : State;

    /// <summary>The ports held host <paramref name="host"/> was probed on.</summary>
    public int PortsOf(ulong host) => Ports - (_fewer?[host] ?? 0);

    /// <summary>
    /// Takes the host with IPv4 address <paramref name="key"/> out, with the state its ports had and how many they were;
    /// false when it is not held here.
    /// </summary>
    public bool Remove(uint key, out PortState state, out int ports)
    {
        state = State;
        ports = 0;
        if (!Hosts.TryGetIndex(key, isIPv6: false, out var host) || !Contains(host))
        {
            return false;
        }
        state = StateOf(host);
        ports = PortsOf(host);
        var bit = 1UL << (int)(host & 63);
        _bits[host >> 6] &= ~bit;
        Count--;
        if (state == PortState.Closed)
        {
            _closed![host >> 6] &= ~bit;
            ClosedCount--;
            ClosedPorts -= ports;
        }
        else
        {
            SilentPorts -= ports;
        }
        return true;
    }

    /// <summary>The first held host at or after <paramref name="from"/>; <see cref="TargetSet.Count"/> of the hosts when none.</summary>
    public ulong Next(ulong from)
    {
        var end = Hosts.Count;
        if (from >= end)
        {
            return end;
        }
        var w = (int)(from >> 6);
        var word = _bits[w] & (ulong.MaxValue << (int)(from & 63));
        while (word == 0)
        {
            if (++w == _bits.Length)
            {
                return end;
            }
            word = _bits[w];
        }
        return ((ulong)w << 6) + (ulong)BitOperations.TrailingZeroCount(word);
    }

    /// <summary>Held hosts before each block of 4,096: what <see cref="Rank"/> and <see cref="Select"/> read. Valid until the bits change.</summary>
    public long[] BlockRanks()
    {
        // One more than the blocks: Rank of the end reads it.
        var ranks = new long[((_bits.Length + 63) >> 6) + 1];
        long total = 0;
        for (var w = 0; w < _bits.Length; w++)
        {
            if ((w & 63) == 0)
            {
                ranks[w >> 6] = total;
            }
            total += BitOperations.PopCount(_bits[w]);
        }
        ranks[^1] = total;
        return ranks;
    }

    /// <summary>Held hosts with an index below <paramref name="host"/>.</summary>
    public long Rank(ulong host, long[] ranks)
    {
        host = Math.Min(host, (ulong)_bits.Length << 6);
        var w = (int)(host >> 6);
        var rank = ranks[host >> BlockShift];
        for (var i = w & ~63; i < w; i++)
        {
            rank += BitOperations.PopCount(_bits[i]);
        }
        if (w < _bits.Length)
        {
            rank += BitOperations.PopCount(_bits[w] & ((1UL << (int)(host & 63)) - 1));
        }
        return rank;
    }

    /// <summary>The index of the held host with <paramref name="ordinal"/> held hosts before it.</summary>
    public ulong Select(long ordinal, long[] ranks)
    {
        int low = 0, high = ranks.Length - 1;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (ranks[mid] <= ordinal)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }
        var left = ordinal - ranks[low];
        for (var w = low << 6; w < _bits.Length; w++)
        {
            var word = _bits[w];
            var count = BitOperations.PopCount(word);
            if (left < count)
            {
                for (; left > 0; left--)
                {
                    word &= word - 1;
                }
                return ((ulong)w << 6) + (ulong)BitOperations.TrailingZeroCount(word);
            }
            left -= count;
        }
        throw new ArgumentOutOfRangeException(nameof(ordinal));
    }
}
