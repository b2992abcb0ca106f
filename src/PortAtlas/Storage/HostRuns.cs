using System.Net.Sockets;
using System.Text.Json;
using PortAtlas.Scanning.Packets;
using PortAtlas.Targets;

namespace PortAtlas.Storage;

/// <summary>
/// Runs of plain hosts in the stored report (format 2): IPv4 hosts at consecutive addresses that list no port and differ
/// in nothing but their address (the silent hosts of a sweep, all "up, 100 filtered") are stored as the first of them with
/// <c>"repeat": N</c>, the N hosts after it. A silent /8 is then one entry, not 1.9 GB of hosts that neither SQLite's nor
/// PostgreSQL's 1 GB value limit takes (issue 17), and reads back as a list that makes each host when it is read.
/// </summary>
internal static class HostRuns
{
    /// <summary>Writes hosts, merging runs of plain hosts as they come; <see cref="Flush"/> ends the last run.</summary>
    internal sealed class Writer(Utf8JsonWriter json)
    {
        private HostResult? _first;
        private uint _firstKey;
        private long _count;

        public void Add(HostResult host)
        {
            var plain = IsPlain(host);
            if (plain && _first is not null && TargetSet.ToUInt32(host.Address) == _firstKey + (ulong)_count && SameButAddress(_first, host))
            {
                _count++;
                return;
            }
            Flush();
            if (plain)
            {
                _first = host;
                _firstKey = TargetSet.ToUInt32(host.Address);
                _count = 1;
            }
            else
            {
                ScanReportJson.WriteHost(json, host);
            }
        }

        public void Flush()
        {
            if (_first is not null)
            {
                ScanReportJson.WriteHost(json, _first, _count - 1);
                _first = null;
            }
        }
    }

    /// <summary>Whether <paramref name="host"/> may be part of a run: IPv4, and nothing of its own beside its state and counts.</summary>
    internal static bool IsPlain(HostResult host) =>
        host.Address.AddressFamily == AddressFamily.InterNetwork && host.Hostname is null && host.Ports.Count == 0 && host.Hostnames.Count == 0
        && host.MacAddress is null && host.MacVendor is null && host.OsMatches.Count == 0 && host.Scripts.Count == 0 && host.Protocols.Count == 0
        && host.Started is null && host.Finished is null;

    private static bool SameButAddress(HostResult a, HostResult b)
    {
        if (a.State != b.State || a.StateReason != b.StateReason || a.StateCounts.Count != b.StateCounts.Count)
        {
            return false;
        }
        // A loop, not LINQ: this runs once a host of a saved /8.
        foreach (var (state, count) in a.StateCounts)
        {
            if (!b.StateCounts.TryGetValue(state, out var other) || other != count)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The hosts read from a stored report: each entry with the hosts its <c>"repeat"</c> stands for. Holds one entry per
    /// stored entry; a run's hosts are made as they are read.
    /// </summary>
    internal sealed class List : IReadOnlyList<HostResult>, Model.IHostListView
    {
        private readonly HostResult[] _entries;
        private readonly int[] _starts;
        private readonly Func<HostResult, HostResult>? _map;

        /// <param name="entries">Each stored host with the number of hosts after it that it stands for.</param>
        /// <exception cref="FormatException">A run is not IPv4, runs past 255.255.255.255, or the hosts number more than a list holds.</exception>
        public List(IReadOnlyList<(HostResult Host, long Repeat)> entries)
        {
            _entries = new HostResult[entries.Count];
            _starts = new int[entries.Count];
            long count = 0;
            for (var i = 0; i < entries.Count; i++)
            {
                var (host, repeat) = entries[i];
                if (repeat < 0 || (repeat > 0 && (host.Address.AddressFamily != AddressFamily.InterNetwork || TargetSet.ToUInt32(host.Address) + (ulong)repeat > uint.MaxValue)))
                {
                    throw new FormatException($"Bad repeat {repeat} for host {host.Address}.");
                }
                // Only what the writer merges may repeat: copies of a host with ports, names or scripts would multiply
                // them by the repeat (16 million copies of one port list), far past anything a scan stored.
                if (repeat > 0 && !IsPlain(host))
                {
                    throw new FormatException($"Bad repeat {repeat} for host {host.Address}: only a host with no ports, names, scripts or times stands for a run.");
                }
                _entries[i] = host;
                _starts[i] = (int)count;
                count += 1 + repeat;
                if (count > Array.MaxLength)
                {
                    throw new FormatException($"A stored report of more than {Array.MaxLength} hosts.");
                }
            }
            Count = (int)count;
        }

        private List(List source, Func<HostResult, HostResult> map)
        {
            _entries = source._entries;
            _starts = source._starts;
            Count = source.Count;
            _map = source._map is { } inner ? h => map(inner(h)) : map;
        }

        public int Count { get; }

        public HostResult this[int index]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfNegative(index);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
                var entry = Array.BinarySearch(_starts, index);
                entry = entry >= 0 ? entry : ~entry - 1;
                var first = _entries[entry];
                var offset = (uint)(index - _starts[entry]);
                var host = offset == 0 ? first : first with { Address = IpPair.ToAddress(TargetSet.ToUInt32(first.Address) + offset, isIPv6: false) };
                return _map is null ? host : _map(host);
            }
        }

        public IReadOnlyList<HostResult> Map(Func<HostResult, HostResult> map) => new List(this, map);

        public IEnumerator<HostResult> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
