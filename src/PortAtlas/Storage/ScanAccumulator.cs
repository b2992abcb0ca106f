using System.Net;
using PortAtlas.Scanning;

namespace PortAtlas.Storage;

/// <summary>
/// Results gathered as <see cref="ScanCollector"/> gathers them (every port counted per host; open and the like listed;
/// closed and filtered listed only while a host has few), but seedable from reports, so that the parts of a scan run at
/// different times add up to the report an uninterrupted run would have given.
/// </summary>
internal sealed class ScanAccumulator(bool listEveryState)
{
    private const int States = (int)PortState.Unfiltered + 1;

    private readonly Dictionary<IPAddress, Bucket> _hosts = [];
    private readonly long[] _totals = new long[States];

    public long Count { get; private set; }

    public void Add(PortResult result)
    {
        var bucket = BucketOf(result.Address, null, "unknown");
        Count++;
        var state = (int)result.State;
        _totals[state]++;
        bucket.Counts[state]++;
        AddListed(bucket, result);
    }

    /// <summary>Adds a report's hosts: their counts (from <see cref="HostResult.StateCounts"/>, else their listed ports) and listed ports.</summary>
    public void Add(ScanReport report)
    {
        foreach (var host in report.Hosts)
        {
            var bucket = BucketOf(host.Address, host.Hostname, host.State);
            var counted = new long[States];
            foreach (var port in host.Ports)
            {
                counted[(int)port.State]++;
                AddListed(bucket, port);
            }
            foreach (var (name, count) in host.StateCounts)
            {
                if (PortStateNames.TryParse(name, out var state))
                {
                    counted[(int)state] = Math.Max(counted[(int)state], count);
                }
            }
            for (var s = 0; s < States; s++)
            {
                bucket.Counts[s] += counted[s];
                _totals[s] += counted[s];
                Count += counted[s];
            }
        }
    }

    public ScanReport Build(ScanStats stats)
    {
        var hosts = new List<HostResult>(_hosts.Count);
        foreach (var (address, bucket) in _hosts)
        {
            var ports = new List<PortResult>(bucket.Listed);
            foreach (var state in (ReadOnlySpan<PortState>)[PortState.Closed, PortState.Filtered])
            {
                if (bucket.Counts[(int)state] <= ScanCollector.MaxListedPerState)
                {
                    ports.AddRange(bucket.Unlisted.Where(r => r.State == state));
                }
            }
            ports.Sort(static (a, b) => a.Protocol != b.Protocol ? a.Protocol.CompareTo(b.Protocol) : a.Port.CompareTo(b.Port));
            var answered = bucket.Counts[(int)PortState.Open] + bucket.Counts[(int)PortState.Closed] > 0;
            hosts.Add(new HostResult
            {
                Address = address,
                Hostname = bucket.Hostname,
                State = answered ? "up" : bucket.State,
                Ports = ports,
                StateCounts = Names(bucket.Counts),
            });
        }
        hosts.Sort(static (a, b) => IPAddressComparer.Instance.Compare(a.Address, b.Address));
        return new ScanReport { Hosts = hosts, Stats = stats with { PortsScanned = Count, StateCounts = Names(_totals) } };
    }

    private Bucket BucketOf(IPAddress address, string? hostname, string state)
    {
        if (!_hosts.TryGetValue(address, out var bucket))
        {
            _hosts[address] = bucket = new Bucket { State = state };
        }
        bucket.Hostname ??= hostname;
        if (state == "up")
        {
            bucket.State = state;
        }
        return bucket;
    }

    private void AddListed(Bucket bucket, PortResult result)
    {
        if (listEveryState || result.State is not (PortState.Closed or PortState.Filtered))
        {
            bucket.Listed.Add(result);
        }
        else if (bucket.Unlisted.Count(r => r.State == result.State) <= ScanCollector.MaxListedPerState)
        {
            bucket.Unlisted.Add(result);
        }
    }

    private static Dictionary<string, long> Names(long[] counts)
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

    private sealed class Bucket
    {
        public long[] Counts { get; } = new long[States];
        public List<PortResult> Listed { get; } = [];
        public List<PortResult> Unlisted { get; } = [];
        public string? Hostname { get; set; }
        public string State { get; set; } = "unknown";
    }
}
