namespace PortAtlas.Model;

/// <summary>A list of hosts that makes its hosts as they are read (a large scan's report), and can be mapped without reading them all.</summary>
internal interface IHostListView
{
    /// <summary>The same hosts, each passed through <paramref name="map"/> when it is read.</summary>
    IReadOnlyList<HostResult> Map(Func<HostResult, HostResult> map);
}

/// <summary>Operations over <see cref="ScanReport.Hosts"/> that keep a streamed report streamed.</summary>
internal static class HostLists
{
    /// <summary>
    /// <paramref name="hosts"/> with <paramref name="map"/> applied to each: lazily when the list makes its hosts as they
    /// are read (the whole report is never held at once), otherwise into a new list at once.
    /// </summary>
    public static IReadOnlyList<HostResult> Select(IReadOnlyList<HostResult> hosts, Func<HostResult, HostResult> map) =>
        hosts is IHostListView view ? view.Map(map) : [.. hosts.Select(map)];
}
