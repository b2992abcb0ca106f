using System.Net;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Storage;

/// <summary>A finding as the diff sees it: keyed by address, port, protocol and the finding's id.</summary>
/// <param name="Address">The host.</param>
/// <param name="Port">The port.</param>
/// <param name="Protocol">The transport.</param>
/// <param name="Id">The finding's stable id (a rule name, a CVE).</param>
/// <param name="Title">A one-line description, for output.</param>
/// <param name="Severity">Its severity name, when known.</param>
public sealed record DiffFinding(IPAddress Address, int Port, Transport Protocol, string Id, string? Title = null, string? Severity = null);

/// <summary>One port that differs between two scans.</summary>
public sealed record PortChange
{
    /// <summary>The host.</summary>
    public required IPAddress Address { get; init; }
    /// <summary>The port.</summary>
    public required int Port { get; init; }
    /// <summary>The transport.</summary>
    public required Transport Protocol { get; init; }
    /// <summary>The port in the first scan; <see langword="null"/> when it was not listed there.</summary>
    public PortResult? Before { get; init; }
    /// <summary>The port in the second scan; <see langword="null"/> when it is not listed there.</summary>
    public PortResult? After { get; init; }
}

/// <summary>What changed from one scan to the next. Every list is sorted by address, protocol, port (and finding id).</summary>
public sealed record ScanDiffResult
{
    /// <summary>Hosts up in the second scan and not in the first.</summary>
    public IReadOnlyList<HostResult> HostsNew { get; init; } = [];
    /// <summary>Hosts up in the first scan and not in the second (absent, down or unknown).</summary>
    public IReadOnlyList<HostResult> HostsGone { get; init; } = [];
    /// <summary>Ports open in the second scan that were not open in the first (absent or in another state), new hosts' included.</summary>
    public IReadOnlyList<PortChange> PortsOpened { get; init; } = [];
    /// <summary>Ports open in the first scan that are not open in the second (closed, filtered, unlisted, or their host gone).</summary>
    public IReadOnlyList<PortChange> PortsClosed { get; init; } = [];
    /// <summary>Ports open in both whose detected service, product, version or extra information differ.</summary>
    public IReadOnlyList<PortChange> ServicesChanged { get; init; } = [];
    /// <summary>Findings in the second scan and not in the first.</summary>
    public IReadOnlyList<DiffFinding> FindingsNew { get; init; } = [];
    /// <summary>Findings in the first scan and not in the second.</summary>
    public IReadOnlyList<DiffFinding> FindingsGone { get; init; } = [];

    /// <summary>True when nothing changed.</summary>
    public bool IsEmpty => HostsNew.Count == 0 && HostsGone.Count == 0 && PortsOpened.Count == 0 && PortsClosed.Count == 0
        && ServicesChanged.Count == 0 && FindingsNew.Count == 0 && FindingsGone.Count == 0;
}

/// <summary>Compares two scans, as ndiff does: hosts that came and went, ports that opened and closed, services that changed.</summary>
public static class ScanDiff
{
    /// <summary>Every finding of every listed port of a report.</summary>
    public static IEnumerable<DiffFinding> PortFindings(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Hosts.SelectMany(h => h.Ports).SelectMany(p => p.Findings)
            .Select(f => new DiffFinding(f.Address, f.Port, f.Protocol, f.Id, f.Title, f.Severity.ToName()));
    }

    /// <summary>
    /// The changes from <paramref name="before"/> to <paramref name="after"/>. Ports are keyed by (address, protocol, port);
    /// a port counts as open only in state open. Services compare by name, product, version and extra information, and
    /// only where both scans name one (a scan without detection does not make every service "changed").
    /// </summary>
    /// <param name="before">The earlier scan.</param>
    /// <param name="after">The later scan.</param>
    /// <param name="findings">
    /// The findings of a report, keyed by (address, port, protocol, id). <see langword="null"/> (default): each port's
    /// <see cref="PortResult.Findings"/>.
    /// </param>
    public static ScanDiffResult Compare(ScanReport before, ScanReport after, Func<ScanReport, IEnumerable<DiffFinding>>? findings = null)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        findings ??= PortFindings;
        var hostsBefore = before.Hosts.GroupBy(h => h.Address).ToDictionary(g => g.Key, g => g.First());
        var hostsAfter = after.Hosts.GroupBy(h => h.Address).ToDictionary(g => g.Key, g => g.First());
        var portsBefore = Ports(before);
        var portsAfter = Ports(after);

        var hostsNew = after.Hosts.Where(h => IsUp(h) && !(hostsBefore.TryGetValue(h.Address, out var old) && IsUp(old))).ToList();
        var hostsGone = before.Hosts.Where(h => IsUp(h) && !(hostsAfter.TryGetValue(h.Address, out var now) && IsUp(now))).ToList();

        var opened = new List<PortChange>();
        var changed = new List<PortChange>();
        foreach (var (key, port) in portsAfter)
        {
            if (port.State != PortState.Open)
            {
                continue;
            }
            portsBefore.TryGetValue(key, out var old);
            if (old is not { State: PortState.Open })
            {
                opened.Add(Change(key, old, port));
            }
            else if (ServiceDiffers(old.Service, port.Service))
            {
                changed.Add(Change(key, old, port));
            }
        }
        var closed = new List<PortChange>();
        foreach (var (key, port) in portsBefore)
        {
            if (port.State == PortState.Open && !(portsAfter.TryGetValue(key, out var now) && now.State == PortState.Open))
            {
                closed.Add(Change(key, port, portsAfter.GetValueOrDefault(key)));
            }
        }

        var findingsNew = new List<DiffFinding>();
        var findingsGone = new List<DiffFinding>();
        if (findings is not null)
        {
            var a = Findings(findings(before));
            var b = Findings(findings(after));
            findingsNew.AddRange(b.Where(f => !a.ContainsKey(f.Key)).Select(f => f.Value));
            findingsGone.AddRange(a.Where(f => !b.ContainsKey(f.Key)).Select(f => f.Value));
            findingsNew.Sort(CompareFindings);
            findingsGone.Sort(CompareFindings);
        }

        hostsNew.Sort(static (x, y) => IPAddressComparer.Instance.Compare(x.Address, y.Address));
        hostsGone.Sort(static (x, y) => IPAddressComparer.Instance.Compare(x.Address, y.Address));
        opened.Sort(ComparePorts);
        closed.Sort(ComparePorts);
        changed.Sort(ComparePorts);
        return new ScanDiffResult
        {
            HostsNew = hostsNew,
            HostsGone = hostsGone,
            PortsOpened = opened,
            PortsClosed = closed,
            ServicesChanged = changed,
            FindingsNew = findingsNew,
            FindingsGone = findingsGone,
        };
    }

    private static bool IsUp(HostResult host) => host.State == "up" || host.Ports.Any(p => p.State is PortState.Open or PortState.Closed);

    private static Dictionary<(IPAddress, Transport, int), PortResult> Ports(ScanReport report)
    {
        var ports = new Dictionary<(IPAddress, Transport, int), PortResult>();
        foreach (var host in report.Hosts)
        {
            foreach (var port in host.Ports)
            {
                // Keyed by the host's address: a port result carries it too, but the host is the authority.
                ports.TryAdd((host.Address, port.Protocol, port.Port), port);
            }
        }
        return ports;
    }

    private static Dictionary<(IPAddress, int, Transport, string), DiffFinding> Findings(IEnumerable<DiffFinding> findings)
    {
        var map = new Dictionary<(IPAddress, int, Transport, string), DiffFinding>();
        foreach (var finding in findings)
        {
            map.TryAdd((finding.Address, finding.Port, finding.Protocol, finding.Id), finding);
        }
        return map;
    }

    private static bool ServiceDiffers(ServiceInfo? before, ServiceInfo? after) =>
        before is not null && after is not null
        && (!string.Equals(before.Name, after.Name, StringComparison.Ordinal)
            || !string.Equals(before.Product, after.Product, StringComparison.Ordinal)
            || !string.Equals(before.Version, after.Version, StringComparison.Ordinal)
            || !string.Equals(before.ExtraInfo, after.ExtraInfo, StringComparison.Ordinal));

    private static PortChange Change((IPAddress Address, Transport Protocol, int Port) key, PortResult? before, PortResult? after) =>
        new() { Address = key.Address, Protocol = key.Protocol, Port = key.Port, Before = before, After = after };

    private static int ComparePorts(PortChange x, PortChange y)
    {
        var byAddress = IPAddressComparer.Instance.Compare(x.Address, y.Address);
        if (byAddress != 0)
        {
            return byAddress;
        }
        return x.Protocol != y.Protocol ? x.Protocol.CompareTo(y.Protocol) : x.Port.CompareTo(y.Port);
    }

    private static int CompareFindings(DiffFinding x, DiffFinding y)
    {
        var byAddress = IPAddressComparer.Instance.Compare(x.Address, y.Address);
        if (byAddress != 0)
        {
            return byAddress;
        }
        if (x.Protocol != y.Protocol)
        {
            return x.Protocol.CompareTo(y.Protocol);
        }
        return x.Port != y.Port ? x.Port.CompareTo(y.Port) : string.CompareOrdinal(x.Id, y.Id);
    }
}
