using System.Net;
using PortAtlas.Registry;
using PortAtlas.Targets;

namespace PortAtlas.Scanning;

/// <summary>
/// Gathers streamed results into a <see cref="ScanReport"/> with bounded memory, as nmap reports them: every
/// open, open|filtered and unfiltered port is kept; closed and filtered ports are kept only while a host has few
/// of them (<see cref="MaxListedPerState"/>), otherwise they are only counted and reported as extra ports.
/// </summary>
public sealed class ScanCollector
{
    /// <summary>How many closed or filtered ports of one host are listed before the rest are only counted.</summary>
    public const int MaxListedPerState = 25;

    private readonly Dictionary<IPAddress, HostBucket> _hosts = [];
    private readonly long[] _totals = new long[(int)PortState.Unfiltered + 1];
    private readonly bool _listEveryState;

    /// <summary>Creates a collector; <paramref name="listEveryState"/> keeps every port whatever its state.</summary>
    public ScanCollector(bool listEveryState = false) => _listEveryState = listEveryState;

    /// <summary>Number of results added.</summary>
    public long Count { get; private set; }

    /// <summary>Adds one result.</summary>
    public void Add(PortResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!_hosts.TryGetValue(result.Address, out var bucket))
        {
            _hosts[result.Address] = bucket = new HostBucket();
        }
        var state = (int)result.State;
        bucket.Counts[state]++;
        _totals[state]++;
        Count++;
        var listed = result.State is not (PortState.Closed or PortState.Filtered) || _listEveryState;
        if (listed)
        {
            bucket.Listed.Add(result);
        }
        else if (bucket.Counts[state] <= MaxListedPerState + 1)
        {
            bucket.Unlisted.Add(result);
        }
    }

    /// <summary>The report so far. Hosts in address order, each host's ports by protocol then number.</summary>
    public ScanReport Build(ScanStats stats, TargetSet? targets = null)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var hosts = new List<HostResult>(_hosts.Count);
        foreach (var (address, bucket) in _hosts)
        {
            var ports = new List<PortResult>(bucket.Listed);
            foreach (var state in (ReadOnlySpan<PortState>)[PortState.Closed, PortState.Filtered])
            {
                // A state with more ports than can be listed is summarised, as nmap's "Not shown: N closed ports".
                if (bucket.Counts[(int)state] <= MaxListedPerState)
                {
                    ports.AddRange(bucket.Unlisted.Where(r => r.State == state));
                }
            }
            ports.Sort(static (a, b) => a.Protocol != b.Protocol ? a.Protocol.CompareTo(b.Protocol) : a.Port.CompareTo(b.Port));
            hosts.Add(new HostResult
            {
                Address = address,
                Hostname = targets?.HostnameOf(address),
                State = bucket.Counts[(int)PortState.Open] + bucket.Counts[(int)PortState.Closed] > 0 ? "up" : "unknown",
                Ports = ports,
                StateCounts = StateNames(bucket.Counts),
            });
        }
        hosts.Sort(static (a, b) => IPAddressComparer.Instance.Compare(a.Address, b.Address));
        return new ScanReport
        {
            Hosts = hosts,
            Stats = stats with
            {
                PortsScanned = Count,
                HostsScanned = stats.HostsScanned == 0 ? hosts.Count : stats.HostsScanned,
                StateCounts = StateNames(_totals),
            },
        };
    }

    private static Dictionary<string, long> StateNames(long[] counts)
    {
        var names = new Dictionary<string, long>();
        for (var s = 0; s < counts.Length; s++)
        {
            if (counts[s] > 0)
            {
                names[((PortState)s).ToName()] = counts[s];
            }
        }
        return names;
    }

    private sealed class HostBucket
    {
        public long[] Counts { get; } = new long[(int)PortState.Unfiltered + 1];
        public List<PortResult> Listed { get; } = [];
        public List<PortResult> Unlisted { get; } = [];
    }
}
