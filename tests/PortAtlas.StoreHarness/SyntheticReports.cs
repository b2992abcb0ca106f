using System.Net;
using PortAtlas.Registry;
using PortAtlas.Scanning;
using PortAtlas.Targets;

namespace PortAtlas.StoreHarness;

/// <summary>Constructed scan reports for store tests and benchmarks: reproducible from a seed, shaped like the scanner's.</summary>
public static class SyntheticReports
{
    /// <summary>
    /// A scan of <paramref name="hosts"/> hosts of 198.18.0.0/15 × ports 1..<paramref name="ports"/>, about
    /// <paramref name="openFraction"/> of them open (with a service on some), the rest closed; every port listed when
    /// <paramref name="listEveryPort"/>, otherwise open ports listed and the rest counted, as the scanner reports.
    /// </summary>
    public static ScanReport Create(int hosts, int ports, double openFraction, int seed, bool listEveryPort = false)
    {
        var random = new Random(seed);
        var started = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero).AddMinutes(seed);
        var list = new List<HostResult>(hosts);
        var totals = new Dictionary<string, long>();
        for (var h = 0; h < hosts; h++)
        {
            var address = new IPAddress([198, 18, (byte)(h >> 8), (byte)h]);
            var listed = new List<PortResult>();
            long open = 0;
            for (var port = 1; port <= ports; port++)
            {
                var isOpen = random.NextDouble() < openFraction;
                if (isOpen)
                {
                    open++;
                }
                if (isOpen || listEveryPort)
                {
                    listed.Add(new PortResult
                    {
                        Address = address,
                        Port = port,
                        State = isOpen ? PortState.Open : PortState.Closed,
                        Reason = isOpen ? "syn-ack" : "conn-refused",
                        RoundTrip = TimeSpan.FromTicks(random.Next(100, 100_000)),
                        Service = isOpen && port % 3 == 0 ? new ServiceInfo { Name = "http", Product = "nginx", Version = "1." + random.Next(20, 28), Method = "probe" } : null,
                    });
                }
            }
            var counts = new Dictionary<string, long> { ["open"] = open, ["closed"] = ports - open };
            totals["open"] = totals.GetValueOrDefault("open") + open;
            totals["closed"] = totals.GetValueOrDefault("closed") + ports - open;
            list.Add(new HostResult { Address = address, State = "up", Ports = listed, StateCounts = counts });
        }
        return new ScanReport
        {
            Hosts = list,
            Stats = new ScanStats
            {
                Started = started,
                Finished = started.AddSeconds(90),
                CommandLine = $"ports scan 198.18.0.0/24 -p 1-{ports}",
                Ports = new PortList(tcp: Enumerable.Range(1, ports)),
                HostsScanned = hosts,
                PortsScanned = (long)hosts * ports,
                ProbesSent = (long)hosts * ports,
                StateCounts = totals,
            },
        };
    }

    /// <summary><paramref name="report"/> with a few changes: some open ports closed, some opened, some versions bumped.</summary>
    public static ScanReport Mutate(ScanReport report, int seed)
    {
        var random = new Random(seed);
        var hosts = report.Hosts.Select(host =>
        {
            var ports = host.Ports.Where(_ => random.NextDouble() > 0.05)
                .Select(p => p.Service is { } s && random.NextDouble() < 0.1 ? p with { Service = s with { Version = s.Version + ".1" } } : p)
                .ToList();
            if (random.NextDouble() < 0.3)
            {
                var port = random.Next(1, 65536);
                if (!ports.Exists(p => p.Port == port))
                {
                    ports.Add(new PortResult { Address = host.Address, Port = port, Protocol = Transport.Tcp, State = PortState.Open, Reason = "syn-ack" });
                    ports.Sort((a, b) => a.Port.CompareTo(b.Port));
                }
            }
            return host with { Ports = ports };
        }).ToList();
        return report with { Hosts = hosts };
    }
}
