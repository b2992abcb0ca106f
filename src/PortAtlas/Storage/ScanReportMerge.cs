using PortAtlas.Scanning;

namespace PortAtlas.Storage;

/// <summary>Joins the reports of disjoint parts of one scan (a checkpoint's results and the resumed run's).</summary>
public static class ScanReportMerge
{
    /// <summary>
    /// One report of both parts: hosts joined by address, listed ports and per-state counts added (each port must be in
    /// one part only, as a checkpoint and its resumption guarantee), closed and filtered ports listed only while a host has
    /// at most <see cref="ScanCollector.MaxListedPerState"/> of them (unless <paramref name="listEveryState"/>).
    /// Statistics: <paramref name="first"/>'s start, <paramref name="second"/>'s end, interruption and settings; counters added.
    /// </summary>
    /// <param name="first">The earlier part.</param>
    /// <param name="second">The later part.</param>
    /// <param name="listEveryState">Keep every listed port, whatever its state (as <see cref="ScanCollector"/>'s option).</param>
    public static ScanReport Merge(ScanReport first, ScanReport second, bool listEveryState = false)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var accumulator = new ScanCollector(listEveryState);
        accumulator.Add(first);
        accumulator.Add(second);
        return accumulator.Build(second.Stats with
        {
            Started = first.Stats.Started == default ? second.Stats.Started : first.Stats.Started,
            Ports = second.Stats.Ports ?? first.Stats.Ports,
            CommandLine = second.Stats.CommandLine.Length > 0 ? second.Stats.CommandLine : first.Stats.CommandLine,
            HostsScanned = Math.Max(first.Stats.HostsScanned, second.Stats.HostsScanned),
            ProbesSent = first.Stats.ProbesSent + second.Stats.ProbesSent,
        });
    }
}
