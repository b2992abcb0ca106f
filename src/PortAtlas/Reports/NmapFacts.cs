using System.Globalization;
using System.Net.Sockets;
using System.Text;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Reports;

/// <summary>What Nmap's XML and grepable outputs share: its date format, host summaries and port summaries.</summary>
internal static class NmapFacts
{
    /// <summary>C's ctime layout, which Nmap prints: "Thu Jan  4 10:00:00 2024", in the value's own offset.</summary>
    public static string CTime(DateTimeOffset time) =>
        string.Create(CultureInfo.InvariantCulture, $"{time:ddd MMM} {time.Day,2} {time:HH:mm:ss yyyy}");

    public static string AddressType(HostResult host) =>
        host.Address.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";

    /// <summary>True for transports Nmap's DTD can name (DCCP is never scanned and has no place there).</summary>
    public static bool IsNmapProtocol(Transport transport) => transport is Transport.Tcp or Transport.Udp or Transport.Sctp;

    /// <summary>Why the host counts as up or down: the first answer from a port, else "user-set" or "no-response".</summary>
    public static string HostReason(HostResult host)
    {
        foreach (var port in host.Ports)
        {
            if (port.State is PortState.Open or PortState.Closed or PortState.Unfiltered && !string.IsNullOrEmpty(port.Reason))
            {
                return port.Reason;
            }
        }
        return string.Equals(host.State, "up", StringComparison.OrdinalIgnoreCase) ? "user-set" : "no-response";
    }

    /// <summary>up, down or unknown, lowercase, as the DTD's host_states allow.</summary>
    public static string HostState(HostResult host) => host.State.ToLowerInvariant() switch
    {
        "up" => "up",
        "down" => "down",
        _ => "unknown",
    };

    public static bool IsUp(HostResult host) => string.Equals(host.State, "up", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The ports of <paramref name="host"/> that were counted but not listed, per state, largest count first.
    /// Per-host counts come from <see cref="HostResult.StateCounts"/>; a report of a single host without them
    /// falls back to the scan's counts, which are then that host's.
    /// </summary>
    public static IReadOnlyList<(string State, long Count)> ExtraPorts(HostResult host, ScanReport report)
    {
        var counts = host.StateCounts.Count > 0 ? host.StateCounts
            : report.Hosts.Count == 1 ? report.Stats.StateCounts
            : null;
        if (counts is null)
        {
            return [];
        }
        var extra = new List<(string State, long Count)>();
        foreach (var (state, count) in counts)
        {
            long listed = 0;
            foreach (var port in host.Ports)
            {
                if (string.Equals(port.State.ToName(), state, StringComparison.OrdinalIgnoreCase))
                {
                    listed++;
                }
            }
            if (count - listed > 0)
            {
                extra.Add((state, count - listed));
            }
        }
        extra.Sort((a, b) => a.Count != b.Count ? b.Count.CompareTo(a.Count) : StateOrder(a.State).CompareTo(StateOrder(b.State)));
        return extra;
    }

    /// <summary>Host totals for the run summary: hosts up, down, and total (hosts scanned, at least those listed).</summary>
    public static (long Up, long Down, long Total) HostTotals(ScanReport report)
    {
        long up = report.Hosts.Count(IsUp);
        var total = Math.Max(report.Stats.HostsScanned, report.Hosts.Count);
        return (up, total - up, total);
    }

    /// <summary>"5 IP addresses (2 hosts up)", as Nmap words its summary.</summary>
    public static string HostSummary(ScanReport report)
    {
        var (up, _, total) = HostTotals(report);
        return string.Create(CultureInfo.InvariantCulture,
            $"{total} IP address{(total == 1 ? "" : "es")} ({up} host{(up == 1 ? "" : "s")} up)");
    }

    /// <summary>Ascending ports as Nmap's scaninfo writes them: "22,80-90,443".</summary>
    public static string PortRanges(IReadOnlyList<int> sortedPorts)
    {
        var text = new StringBuilder();
        for (var i = 0; i < sortedPorts.Count; i++)
        {
            var first = sortedPorts[i];
            var last = first;
            while (i + 1 < sortedPorts.Count && sortedPorts[i + 1] == last + 1)
            {
                last = sortedPorts[++i];
            }
            if (text.Length > 0)
            {
                text.Append(',');
            }
            text.Append(CultureInfo.InvariantCulture, $"{first}");
            if (last != first)
            {
                text.Append(CultureInfo.InvariantCulture, $"-{last}");
            }
        }
        return text.ToString();
    }

    private static int StateOrder(string state) =>
        PortStateNames.TryParse(state, out var parsed) ? (int)parsed : int.MaxValue;
}
