using System.Net;
using PortAtlas.Targets;

namespace PortAtlas.Scanning;

/// <summary>How <see cref="ScanCollector"/> lists ports.</summary>
public sealed record ScanCollectorOptions
{
    /// <summary>List closed ports whatever their number; default false (they are listed while a host has few).</summary>
    public bool ListClosed { get; init; }

    /// <summary>List filtered ports whatever their number; default false (they are listed while a host has few).</summary>
    public bool ListFiltered { get; init; }

    /// <summary>
    /// How many closed (or filtered) ports of one host are listed before the rest of that state are only counted;
    /// default <see cref="ScanCollector.MaxListedPerState"/>; 0 lists none.
    /// </summary>
    public int MaxListedPerState { get; init; } = ScanCollector.MaxListedPerState;
}

/// <summary>
/// The one place where results become a <see cref="ScanReport"/>, with bounded memory, as nmap reports them: every
/// open, open|filtered and unfiltered port is kept; closed and filtered ports are kept only while a host has few of
/// them (<see cref="ScanCollectorOptions.MaxListedPerState"/>), otherwise only counted and reported as extra ports.
/// Seedable from earlier reports (<see cref="Add(ScanReport)"/>), so that the parts of a scan run at different times
/// add up to the report an uninterrupted run would have given. Not thread-safe: one writer.
/// </summary>
public sealed class ScanCollector
{
    /// <summary>How many closed or filtered ports of one host are listed, by default, before the rest are only counted.</summary>
    public const int MaxListedPerState = 25;

    private const int States = (int)PortState.Unfiltered + 1;

    private readonly Dictionary<IPAddress, HostBucket> _hosts = [];
    private readonly long[] _totals = new long[States];
    private readonly ScanCollectorOptions _options;

    /// <summary>Creates a collector; <paramref name="listEveryState"/> keeps every port whatever its state.</summary>
    public ScanCollector(bool listEveryState = false)
        : this(new ScanCollectorOptions { ListClosed = listEveryState, ListFiltered = listEveryState })
    {
    }

    /// <summary>Creates a collector with <paramref name="options"/>.</summary>
    public ScanCollector(ScanCollectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxListedPerState, nameof(options));
        _options = options;
    }

    /// <summary>Number of results added (seeded reports' counted ports included).</summary>
    public long Count { get; private set; }

    /// <summary>Number of open ports added.</summary>
    public long OpenCount => _totals[(int)PortState.Open];

    /// <summary>Adds one result.</summary>
    public void Add(PortResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var bucket = BucketOf(result.Address, null, "unknown");
        var state = (int)result.State;
        bucket.Counts[state]++;
        _totals[state]++;
        Count++;
        AddListed(bucket, result);
        Prune(bucket, result.State);
    }

    /// <summary>
    /// Adds an earlier part of the scan: each host's counts (from <see cref="HostResult.StateCounts"/>, else its listed
    /// ports), listed ports, name and state. Each port must be in one part only.
    /// </summary>
    public void Add(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
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
                Prune(bucket, (PortState)s);
            }
        }
    }

    /// <summary>Number of hosts held.</summary>
    public int HostCount => _hosts.Count;

    /// <summary>The ports held as listed (every open, open|filtered and unfiltered one, and those of states listed in full), in no order.</summary>
    public IEnumerable<PortResult> ListedPorts()
    {
        foreach (var bucket in _hosts.Values)
        {
            if (bucket.Listed is { } listed)
            {
                foreach (var port in listed)
                {
                    yield return port;
                }
            }
        }
    }

    /// <summary>The report so far, with <paramref name="stats"/>' fields and this collector's counts. Hosts in address order, each host's ports by protocol then number.</summary>
    /// <param name="stats">Statistics; <see cref="ScanStats.PortsScanned"/> and <see cref="ScanStats.StateCounts"/> are replaced.</param>
    /// <param name="targets">Where host names come from, for hosts that have none yet.</param>
    public ScanReport Build(ScanStats stats, TargetSet? targets = null)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var hosts = new List<HostResult>(_hosts.Count);
        // Hosts with nothing listed (a silent or closed host of a large scan) share one read-only count table per pattern.
        var shared = new SharedCounts();
        foreach (var (address, bucket) in _hosts)
        {
            IReadOnlyList<PortResult> ports = [];
            if (bucket.Listed is not null || bucket.Unlisted is not null)
            {
                var list = new List<PortResult>(bucket.Listed ?? []);
                foreach (var state in (ReadOnlySpan<PortState>)[PortState.Closed, PortState.Filtered])
                {
                    // A state with more ports than can be listed is summarised, as nmap's "Not shown: N closed ports".
                    if (bucket.Counts[(int)state] <= _options.MaxListedPerState && bucket.Unlisted is not null)
                    {
                        list.AddRange(bucket.Unlisted.Where(r => r.State == state));
                    }
                }
                list.Sort(static (a, b) => a.Protocol != b.Protocol ? a.Protocol.CompareTo(b.Protocol) : a.Port.CompareTo(b.Port));
                ports = list;
            }
            var answered = bucket.Counts[(int)PortState.Open] + bucket.Counts[(int)PortState.Closed] > 0;
            hosts.Add(new HostResult
            {
                Address = address,
                Hostname = bucket.Hostname ?? targets?.HostnameOf(address),
                State = answered ? "up" : bucket.State,
                Ports = ports,
                StateCounts = ports.Count == 0 ? shared.Of(bucket.Counts) : StateNames(bucket.Counts),
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

    /// <summary>Marks a host as one that was scanned but could not be decided (a host timeout): reported "unknown" without ports.</summary>
    public void AddUnknownHost(IPAddress address, string? hostname = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        BucketOf(address, hostname, "unknown");
    }

    private HostBucket BucketOf(IPAddress address, string? hostname, string state)
    {
        if (!_hosts.TryGetValue(address, out var bucket))
        {
            _hosts[address] = bucket = new HostBucket { State = state };
        }
        bucket.Hostname ??= hostname;
        if (state == "up")
        {
            bucket.State = state;
        }
        return bucket;
    }

    private void AddListed(HostBucket bucket, PortResult result)
    {
        var listAll = result.State switch
        {
            PortState.Closed => _options.ListClosed,
            PortState.Filtered => _options.ListFiltered,
            _ => true,
        };
        if (listAll)
        {
            (bucket.Listed ??= []).Add(result);
        }
        else if (bucket.Counts[(int)result.State] <= _options.MaxListedPerState)
        {
            (bucket.Unlisted ??= []).Add(result);
        }
    }

    /// <summary>
    /// Drops the held ports of a summarised state once the host has more of them than are listed: they will never be
    /// shown, and holding them would cost memory per host in every large scan (most hosts of a silent range).
    /// </summary>
    private void Prune(HostBucket bucket, PortState state)
    {
        if (bucket.Unlisted is { } unlisted && bucket.Counts[(int)state] > _options.MaxListedPerState
            && state is PortState.Closed or PortState.Filtered)
        {
            unlisted.RemoveAll(r => r.State == state);
            if (unlisted.Count == 0)
            {
                bucket.Unlisted = null;
            }
        }
    }

    private static Dictionary<string, long> StateNames(ReadOnlySpan<long> counts)
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

    /// <summary>What is held per host: counts inline, lists only once a port must be kept (about 100 bytes for a host with none).</summary>
    private sealed class HostBucket
    {
        public StateCountArray Counts;
        public List<PortResult>? Listed { get; set; }
        public List<PortResult>? Unlisted { get; set; }
        public string? Hostname { get; set; }
        public string State { get; set; } = "unknown";
    }

    /// <summary>One count per <see cref="PortState"/>, inline in its bucket.</summary>
    [System.Runtime.CompilerServices.InlineArray(States)]
    private struct StateCountArray
    {
        private long _first;
    }

    /// <summary>One count table per distinct pattern of counts, for hosts that list no port.</summary>
    private sealed class SharedCounts
    {
        private readonly Dictionary<(long, long, long, long, long), Dictionary<string, long>> _tables = [];

        public Dictionary<string, long> Of(in StateCountArray counts)
        {
            var key = (counts[0], counts[1], counts[2], counts[3], counts[4]);
            if (!_tables.TryGetValue(key, out var table))
            {
                // Bounded: a scan with many distinct patterns gets its own tables past this point.
                table = StateNames(counts);
                if (_tables.Count < 4096)
                {
                    _tables[key] = table;
                }
            }
            return table;
        }
    }
}
