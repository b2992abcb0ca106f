using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using PortAtlas.Scanning;
using PortAtlas.Storage;

namespace PortAtlas.Web;

/// <summary>One event of a host's timeline: what changed between two scans that saw the host.</summary>
internal sealed record TimelineEvent(ScanRef Scan, DateTimeOffset When, string Kind, string Port, string Detail);

/// <summary>A host as one scan (or one scan group, its shards joined) saw it.</summary>
internal sealed record HostSighting(ScanRef Ref, ScanSummary Scan, HostResult Host)
{
    public int OpenCount => Host.Ports.Count(p => p.State == PortState.Open);
}

/// <summary>One distinct finding across scans: where, what, and in which scans it was seen.</summary>
internal sealed record FindingRow(Finding Finding, string? Service, long FirstScan, long LastScan, int Seen, DateTimeOffset LastSeen);

/// <summary>What the findings page filters by; null or empty for no filter.</summary>
internal sealed record FindingFilter(string? Severity, string? Rule, string? Service, string? Network, int Scans);

/// <summary>A scan as the pages name it: a stored scan's id, or a scan group's name (its shards read as one scan).</summary>
internal readonly record struct ScanRef(long Id, string? Group)
{
    /// <summary>A positive number is a scan id; any other valid group name (as <c>--group</c> takes) is a group.</summary>
    public static bool TryParse(string? text, out ScanRef value)
    {
        value = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        if (text.All(char.IsAsciiDigit))
        {
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                value = new ScanRef(id, null);
                return true;
            }
            return false;
        }
        if (ScanGroups.IsValidName(text))
        {
            value = new ScanRef(0, text);
            return true;
        }
        return false;
    }

    /// <summary>What goes into a URL: the id, or the group's name.</summary>
    public override string ToString() => Group ?? Id.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// A scan to show, with its entity tag when it can no longer change (every saved scan; a group once all its shards are
/// done) and null while it still may (a group with shards running or interrupted).
/// </summary>
internal sealed record ScanView(ScanRef Ref, StoredScan Scan, string? ETag);

/// <summary>The scan list: stored scans that belong to no group, and the groups.</summary>
internal sealed record ScanListing(IReadOnlyList<ScanSummary> Scans, IReadOnlyList<ScanGroupSummary> Groups, IReadOnlyDictionary<long, ScanSummary> ShardScans);

/// <summary>
/// The store as the pages and the API read it. Stored scans never change once saved, so each is parsed once and kept
/// (a few dozen at most); a group is kept once every shard is done, under the ids of its shards' scans (a shard run
/// again replaces its scan, so the key changes); the scan list is read afresh every time.
/// </summary>
internal sealed class WebData
{
    private const int CacheSize = 32;
    private readonly ConcurrentDictionary<long, Lazy<Task<StoredScan?>>> _scans = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<StoredScan?>>> _groups = new(StringComparer.Ordinal);

    // Entity tags name this server process too: another build may render the same scan differently.
    private readonly string _instance = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next()));

    public WebData(IScanStore store) => Store = store;

    public IScanStore Store { get; }

    public Task<IReadOnlyList<ScanSummary>> ListAsync(int limit, string? target, CancellationToken cancellationToken) =>
        Store.ListAsync(new ScanFilter { Limit = Math.Clamp(limit, 1, 10_000), Target = string.IsNullOrWhiteSpace(target) ? null : target }, cancellationToken);

    /// <summary>Every group (newest first) whose target specs contain <paramref name="target"/>; empty for a store without groups.</summary>
    public async Task<IReadOnlyList<ScanGroupSummary>> GroupsAsync(string? target, CancellationToken cancellationToken)
    {
        if (Store is not IScanGroupStore groups)
        {
            return [];
        }
        var all = await groups.ListGroupsAsync(cancellationToken).ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(target) ? all : [.. all.Where(g => g.Targets.Any(t => t.Contains(target.Trim(), StringComparison.OrdinalIgnoreCase)))];
    }

    /// <summary>The scan list as people read it: a group is one row, its shards' own scans are not listed beside it.</summary>
    public async Task<ScanListing> ListingAsync(int limit, string? target, CancellationToken cancellationToken)
    {
        var groups = await GroupsAsync(target, cancellationToken).ConfigureAwait(false);
        var shardIds = groups.SelectMany(g => g.Shards).Where(s => s.ScanId is not null).Select(s => s.ScanId!.Value).ToHashSet();
        // Read past the limit by the shards' scans, so that hiding them leaves the limit's worth of other scans.
        var scans = await ListAsync(limit + shardIds.Count, target, cancellationToken).ConfigureAwait(false);
        var shardScans = scans.Where(s => shardIds.Contains(s.Id)).ToDictionary(s => s.Id);
        return new ScanListing([.. scans.Where(s => !shardIds.Contains(s.Id)).Take(limit)], [.. groups.Take(limit)], shardScans);
    }

    public async Task<StoredScan?> GetAsync(long id, CancellationToken cancellationToken) =>
        (await GetAsync(new ScanRef(id, null), cancellationToken).ConfigureAwait(false))?.Scan;

    /// <summary>A stored scan or a group as one scan, with its entity tag when it cannot change; null when there is none.</summary>
    public async Task<ScanView?> GetAsync(ScanRef scanRef, CancellationToken cancellationToken)
    {
        if (scanRef.Group is not { } name)
        {
            var scan = await Cached(_scans, scanRef.Id, id => Store.GetAsync(id, CancellationToken.None), cancellationToken).ConfigureAwait(false);
            return scan is null ? null : new ScanView(scanRef, scan, $"\"s{scanRef.Id}-{scan.Summary.SavedAt.ToUnixTimeMilliseconds()}-{_instance}\"");
        }
        if (Store is not IScanGroupStore groups)
        {
            return null;
        }
        var summary = (await groups.ListGroupsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(g => g.Name == name);
        if (summary is null)
        {
            return null;
        }
        if (!summary.IsComplete)
        {
            var live = await groups.GetGroupAsync(name, cancellationToken).ConfigureAwait(false);
            return live is null ? null : new ScanView(scanRef, live, null);
        }
        var key = name + "/" + string.Join(',', summary.Shards.Select(s => s.ScanId));
        var done = await Cached(_groups, key, _ => groups.GetGroupAsync(name, CancellationToken.None), cancellationToken).ConfigureAwait(false);
        var tag = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)).AsSpan(0, 8));
        return done is null ? null : new ScanView(scanRef, done, $"\"g{tag}-{_instance}\"");
    }

    private static async Task<StoredScan?> Cached<TKey>(ConcurrentDictionary<TKey, Lazy<Task<StoredScan?>>> cache, TKey key, Func<TKey, Task<StoredScan?>> load, CancellationToken cancellationToken)
        where TKey : notnull
    {
        if (cache.Count > CacheSize)
        {
            cache.Clear();
        }
        var lazy = cache.GetOrAdd(key, k => new Lazy<Task<StoredScan?>>(() => load(k)));
        try
        {
            var scan = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (scan is null)
            {
                // An id that is not there yet may be saved later (a scan started from the page).
                cache.TryRemove(key, out _);
            }
            return scan;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            cache.TryRemove(key, out _);
            throw;
        }
    }

    /// <summary>
    /// The scans that saw <paramref name="address"/>, oldest first, among the newest <paramref name="scans"/>. A scan group
    /// counts as one scan (its shards joined): each shard alone would show the other shards' ports as closed.
    /// </summary>
    public async Task<IReadOnlyList<HostSighting>> SightingsAsync(IPAddress address, int scans, CancellationToken cancellationToken)
    {
        var listing = await ListingAsync(scans, null, cancellationToken).ConfigureAwait(false);
        var refs = listing.Scans.Select(s => (When: s.Started, Ref: new ScanRef(s.Id, null)))
            .Concat(listing.Groups.Select(g => (When: g.Created, Ref: new ScanRef(0, g.Name))))
            .OrderByDescending(x => x.When).Take(scans).Reverse();
        var sightings = new List<HostSighting>();
        foreach (var (_, scanRef) in refs)
        {
            var view = await GetAsync(scanRef, cancellationToken).ConfigureAwait(false);
            var host = view?.Scan.Report.Hosts.FirstOrDefault(h => h.Address.Equals(address));
            if (view is not null && host is not null)
            {
                sightings.Add(new HostSighting(scanRef, view.Scan.Summary, host));
            }
        }
        return sightings;
    }

    /// <summary>What changed for one host from each sighting to the next: ports opened and closed, versions, findings.</summary>
    public static IReadOnlyList<TimelineEvent> Timeline(IReadOnlyList<HostSighting> sightings)
    {
        var events = new List<TimelineEvent>();
        HostSighting? previous = null;
        foreach (var sighting in sightings)
        {
            var when = sighting.Scan.Started;
            var id = sighting.Ref;
            if (previous is null)
            {
                foreach (var port in sighting.Host.Ports.Where(p => p.State == PortState.Open))
                {
                    events.Add(new TimelineEvent(id, when, "first seen open", PortName(port), Describe(port.Service)));
                }
                foreach (var finding in sighting.Host.Ports.SelectMany(p => p.Findings))
                {
                    events.Add(new TimelineEvent(id, when, "finding", $"{finding.Port}/{finding.Protocol.ToName()}", $"{finding.Severity.ToName()} {finding.Id}: {finding.Title}"));
                }
            }
            else
            {
                var diff = ScanDiff.Compare(One(previous.Host, previous.Scan), One(sighting.Host, sighting.Scan));
                foreach (var change in diff.PortsOpened)
                {
                    events.Add(new TimelineEvent(id, when, "opened", $"{change.Port}/{change.Protocol.ToName()}", Describe(change.After?.Service)));
                }
                foreach (var change in diff.PortsClosed)
                {
                    events.Add(new TimelineEvent(id, when, "closed", $"{change.Port}/{change.Protocol.ToName()}", change.After is null ? "not listed" : change.After.State.ToName()));
                }
                foreach (var change in diff.ServicesChanged)
                {
                    events.Add(new TimelineEvent(id, when, "version changed", $"{change.Port}/{change.Protocol.ToName()}", $"{Describe(change.Before?.Service)} → {Describe(change.After?.Service)}"));
                }
                foreach (var finding in diff.FindingsNew)
                {
                    events.Add(new TimelineEvent(id, when, "finding appeared", $"{finding.Port}/{finding.Protocol.ToName()}", $"{finding.Severity} {finding.Id}: {finding.Title}"));
                }
                foreach (var finding in diff.FindingsGone)
                {
                    events.Add(new TimelineEvent(id, when, "finding fixed", $"{finding.Port}/{finding.Protocol.ToName()}", $"{finding.Severity} {finding.Id}: {finding.Title}"));
                }
            }
            previous = sighting;
        }
        return events;
    }

    /// <summary>Distinct findings (address, protocol, port, rule) over the newest scans, most severe first, filtered.</summary>
    public async Task<IReadOnlyList<FindingRow>> FindingsAsync(FindingFilter filter, CancellationToken cancellationToken)
    {
        IPNetwork? network = null;
        if (!string.IsNullOrWhiteSpace(filter.Network))
        {
            var text = filter.Network.Trim();
            if (IPNetwork.TryParse(text, out var parsed))
            {
                network = parsed;
            }
            else if (IPAddress.TryParse(text, out var single))
            {
                network = new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            }
            else
            {
                throw new FormatException($"bad network '{text}': give an address or a CIDR block such as 198.18.0.0/24");
            }
        }
        RiskLevel? severity = null;
        if (!string.IsNullOrWhiteSpace(filter.Severity))
        {
            severity = RegistryNames.TryParseRisk(filter.Severity.Trim(), out var risk)
                ? risk
                : throw new FormatException($"bad severity '{filter.Severity}': give info, low, medium, high or critical");
        }
        var list = await ListAsync(filter.Scans, null, cancellationToken).ConfigureAwait(false);
        var rows = new Dictionary<(IPAddress, Transport, int, string), FindingRow>();
        foreach (var summary in list.Reverse())
        {
            var scan = await GetAsync(summary.Id, cancellationToken).ConfigureAwait(false);
            if (scan is null)
            {
                continue;
            }
            foreach (var host in scan.Report.Hosts)
            {
                if (network is { } n && !n.Contains(host.Address))
                {
                    continue;
                }
                foreach (var port in host.Ports)
                {
                    if (port.Findings.Count == 0)
                    {
                        continue;
                    }
                    var service = port.Service?.Name;
                    if (!string.IsNullOrWhiteSpace(filter.Service) && !string.Equals(service, filter.Service.Trim(), StringComparison.OrdinalIgnoreCase))
                    {
                        continue;
                    }
                    foreach (var finding in port.Findings)
                    {
                        if ((severity is { } s && finding.Severity != s)
                            || (!string.IsNullOrWhiteSpace(filter.Rule) && !finding.Id.Contains(filter.Rule.Trim(), StringComparison.OrdinalIgnoreCase)))
                        {
                            continue;
                        }
                        var key = (finding.Address, finding.Protocol, finding.Port, finding.Id);
                        rows[key] = rows.TryGetValue(key, out var row)
                            ? row with { Finding = finding, Service = service, LastScan = summary.Id, Seen = row.Seen + 1, LastSeen = summary.Started }
                            : new FindingRow(finding, service, summary.Id, summary.Id, 1, summary.Started);
                    }
                }
            }
        }
        return [.. rows.Values.OrderByDescending(r => r.Finding.Severity).ThenBy(r => r.Finding.Id, StringComparer.Ordinal).ThenBy(r => r.Finding.Location, StringComparer.Ordinal)];
    }

    /// <summary>"ssh OpenSSH 9.6" from what detection found; "" when nothing.</summary>
    public static string Describe(ServiceInfo? service) =>
        service is null ? "" : string.Join(' ', new[] { service.Name, service.Product, service.Version }.Where(s => !string.IsNullOrEmpty(s)));

    public static string PortName(PortResult port) => $"{port.Port}/{port.Protocol.ToName()}";

    private static ScanReport One(HostResult host, ScanSummary summary) =>
        new() { Hosts = [host], Stats = new ScanStats { Started = summary.Started, Finished = summary.Finished } };
}
