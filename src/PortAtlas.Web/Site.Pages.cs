using System.Net;
using Microsoft.AspNetCore.Http;
using PortAtlas.Registry;
using PortAtlas.Reports;
using PortAtlas.Sanitizing;
using PortAtlas.Storage;

namespace PortAtlas.Web;

internal sealed partial class Site
{
    /// <summary>Hosts per page of a scan's page: a /24 × 1000 ports scan is four pages, not one of half a megabyte.</summary>
    internal const int HostsPerPage = 64;

    public async Task ScanListPage(HttpContext context)
    {
        var target = Query(context, "target");
        var limit = QueryInt(context, "limit", 100, 1, 10_000);
        var listing = await _data.ListingAsync(limit, target, context.RequestAborted).ConfigureAwait(false);
        var scans = listing.Scans;
        // Rows newest first: a group sorts by when its first shard joined.
        var rows = scans.Select(s => (When: s.Started, Scan: (ScanSummary?)s, Group: (ScanGroupSummary?)null))
            .Concat(listing.Groups.Select(g => (When: g.Created, Scan: (ScanSummary?)null, Group: (ScanGroupSummary?)g)))
            .OrderByDescending(r => r.When).Take(limit).ToList();
        var points = rows.AsEnumerable().Reverse().Select(r => r.Scan is { } s
            ? ($"#{s.Id} {Time(s.Started)}", s.OpenPorts)
            : ($"{r.Group!.Name} {Time(r.When)}", GroupOpenPorts(r.Group, listing.ShardScans))).ToList();
        await SendHtml(context, Layout("Scans", h =>
        {
            h.El("h1", "Scans");
            h.Raw("<form class=\"inline\" method=\"get\" action=\"/\"><label>Target contains<input name=\"target\" value=\"").Attr(target).Raw("\"></label>")
                .Raw("<label>Most<input name=\"limit\" type=\"number\" min=\"1\" max=\"10000\" value=\"").Num(limit).Raw("\"></label><button>Filter</button></form>");
            h.Raw("<div class=\"charts\">").Raw(Svg.Line("Open ports per scan", points)).Raw("</div>");
            if (rows.Count == 0)
            {
                h.El("p", "No scans in the store yet: run 'ports scan HOST' (or import one with 'ports import').", "muted");
                return;
            }
            h.Raw("<form class=\"inline\" method=\"get\" action=\"/diff\"><label>Diff from scan<input name=\"a\"></label><label>to scan<input name=\"b\"></label><button>Compare</button></form>");
            h.Raw("<table id=\"scans\"><thead><tr><th>ID</th><th>Started</th><th>Type</th><th>Targets</th><th>Hosts up</th><th>Ports decided</th><th>Open</th><th></th></tr></thead><tbody>");
            foreach (var row in rows)
            {
                if (row.Scan is { } s)
                {
                    h.Raw("<tr><td class=\"num\">").Link($"/scans/{s.Id}", $"{s.Id}").Raw("</td><td>").Text(Time(s.Started)).Raw("</td><td>").Text(s.ScanType)
                        .Raw("</td><td>").Text(Targets(s.Targets)).Raw("</td><td class=\"num\">").Num(s.HostsUp).Raw("</td><td class=\"num\">").Num(s.PortsScanned)
                        .Raw("</td><td class=\"num\">").Num(s.OpenPorts).Raw("</td><td>").Text(s.Interrupted ? "interrupted" : "").Raw("</td></tr>");
                }
                else if (row.Group is { } g)
                {
                    GroupRow(h, g, listing.ShardScans);
                }
            }
            h.Raw("</tbody></table>");
        })).ConfigureAwait(false);
    }

    /// <summary>
    /// A scan group as one row: its shards' progress and state. Open ports are summed over the done shards' scans (shards
    /// split the pairs, so none is counted twice); hosts up are not (one host is in several shards), the group's page has them.
    /// </summary>
    private static void GroupRow(Html h, ScanGroupSummary g, IReadOnlyDictionary<long, ScanSummary> shardScans)
    {
        var (state, detail) = GroupState(g);
        var scanType = g.Shards.Select(x => x.ScanId is { } id && shardScans.TryGetValue(id, out var scan) ? scan.ScanType : null).FirstOrDefault(t => t is not null) ?? "";
        var open = GroupOpenPorts(g, shardScans);
        h.Raw("<tr class=\"group group-").Raw(state).Raw("\"><td>").Link($"/scans/{Html.Url(g.Name)}", g.Name).Raw("</td><td>").Text(Time(g.Created)).Raw("</td><td>").Text(scanType)
            .Raw("</td><td>").Text(Targets(g.Targets)).Raw("</td><td class=\"num\"></td><td class=\"num\">").Num(g.Shards.Sum(x => x.Decided))
            .Raw("</td><td class=\"num\">").Num(open).Raw("</td><td>").Text($"group: {detail}").Raw("</td></tr>");
    }

    private static long GroupOpenPorts(ScanGroupSummary g, IReadOnlyDictionary<long, ScanSummary> shardScans) =>
        g.Shards.Sum(x => x.ScanId is { } id && shardScans.TryGetValue(id, out var scan) ? scan.OpenPorts : 0);

    /// <summary>complete, running or interrupted, and "1/2 shards done, 73%" for people.</summary>
    internal static (string State, string Detail) GroupState(ScanGroupSummary g)
    {
        var done = g.Shards.Count(x => x.State == ShardStatus.Done);
        var total = g.Shards.Sum(x => x.Total);
        var decided = g.Shards.Sum(x => x.State == ShardStatus.Done && x.Total > 0 ? x.Total : x.Decided);
        var state = g.IsComplete ? "complete" : g.Shards.Any(x => x.State == ShardStatus.Interrupted) ? "interrupted" : "running";
        var percent = g.IsComplete ? 100 : total > 0 ? (int)Math.Min(99, decided * 100 / total) : 0;
        return (state, $"{state}, {done}/{g.ShardCount} shards done, {percent}%");
    }

    public async Task ScanPage(HttpContext context)
    {
        if (!ScanRef.TryParse(context.Request.RouteValues["id"] as string, out var scanRef))
        {
            await BadRequest(context, "a scan is its id (a positive number) or a scan group's name").ConfigureAwait(false);
            return;
        }
        var view = await _data.GetAsync(scanRef, context.RequestAborted).ConfigureAwait(false);
        if (view is null)
        {
            await NotFound(context, scanRef.Group is null ? $"there is no scan {scanRef} in the store" : $"there is no scan group '{scanRef.Group}' in the store").ConfigureAwait(false);
            return;
        }
        var hosts = view.Scan.Report.Hosts;
        var pages = Math.Max(1, (hosts.Count + HostsPerPage - 1) / HostsPerPage);
        var page = QueryInt(context, "page", 1, 1, pages);
        // ?host=ADDRESS opens the page that holds the host (the timeline links to a host inside a scan).
        if (IPAddress.TryParse(Query(context, "host"), out var wanted))
        {
            for (var i = 0; i < hosts.Count; i++)
            {
                if (hosts[i].Address.Equals(wanted))
                {
                    page = i / HostsPerPage + 1;
                    break;
                }
            }
        }
        if (NotModified(context, view.ETag))
        {
            return;
        }
        var html = view.ETag is null
            ? System.Text.Encoding.UTF8.GetBytes(RenderScan(view, page, pages))
            : _bodies.GetOrAdd($"{view.ETag} page {page}", () => System.Text.Encoding.UTF8.GetBytes(RenderScan(view, page, pages)));
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.Body.WriteAsync(html, context.RequestAborted).ConfigureAwait(false);
    }

    private string RenderScan(ScanView view, int page, int pages)
    {
        var scan = view.Scan;
        var s = scan.Summary;
        var name = view.Ref.Group is { } group ? $"Scan group {group}" : $"Scan {s.Id}";
        var url = $"/scans/{Html.Url(view.Ref.ToString())}";
        var ports = scan.Report.Hosts.SelectMany(h => h.Ports).ToList();
        var findings = ports.SelectMany(p => p.Findings).ToList();
        var bySeverity = Enum.GetValues<RiskLevel>().Reverse().Select(r => (r.ToName(), (long)findings.Count(f => f.Severity == r))).ToList();
        var services = ports.Where(p => p.State == PortState.Open)
            .GroupBy(p => p.Service?.Name ?? PortRegistry.Default.Explain(p.Port, p.Protocol)?.Name ?? "unknown")
            .Select(g => (g.Key, (long)g.Count())).OrderByDescending(g => g.Item2).ThenBy(g => g.Key, StringComparer.Ordinal).Take(10).ToList();
        var hosts = scan.Report.Hosts;
        var first = (page - 1) * HostsPerPage;
        var shown = hosts.Skip(first).Take(HostsPerPage).ToList();
        return Layout(page > 1 ? $"{name} (page {page})" : name, h =>
        {
            h.El("h1", name);
            h.Raw("<p>").Text($"{s.ScanType} scan of {Targets(s.Targets)}, started {Time(s.Started)}, took {(s.Finished - s.Started).TotalSeconds:0.#} s; {s.HostsUp} hosts up, {s.PortsScanned} ports decided, {s.OpenPorts} open{(s.Interrupted ? " (interrupted: partial results)" : "")}.").Raw("</p>");
            if (view.Ref.Group is not null)
            {
                h.Raw("<p id=\"group-state\">").Text(view.ETag is null ? "Not every shard is done: the hosts below are what the shards have found so far." : "Every shard is done: the shards' results joined as one scan.").Raw("</p>");
            }
            h.Raw("<p class=\"muted\">").Text(Secrets.MaskCredentials(s.CommandLine)).Raw("</p>");
            h.Raw("<p>Export: ");
            foreach (var format in new[] { ReportFormat.Json, ReportFormat.Csv, ReportFormat.Sarif, ReportFormat.Html, ReportFormat.Xml })
            {
                h.Link($"{url}/export/{format.ToName()}", format.ToName().ToUpperInvariant()).Raw(" ");
            }
            h.Raw(" · ").Link($"/api{url}", "API").Raw("</p>");
            h.Raw("<div class=\"charts\">").Raw(Svg.Bars("Findings by severity", bySeverity, SeverityCss)).Raw(Svg.Bars("Top services (open ports)", services)).Raw("</div>");
            Pager(h, url, page, pages, first, shown.Count, hosts.Count);
            foreach (var host in shown)
            {
                var address = host.Address.ToString();
                h.Raw("<section class=\"host\" id=\"host-").Attr(address).Raw("\"><h2>").Text(address);
                if (!string.IsNullOrEmpty(host.Hostname))
                {
                    h.Raw(" (").Text(host.Hostname).Raw(")");
                }
                h.Raw("</h2><p>").Text($"{host.State}; ").Text(string.Join(", ", host.StateCounts.Select(c => $"{c.Value} {c.Key}"))).Raw(" · ")
                    .Link($"/hosts/{Html.Url(address)}", "timeline across scans").Raw("</p>");
                if (host.Ports.Count == 0)
                {
                    h.Raw("</section>");
                    continue;
                }
                h.Raw("<table class=\"ports\"><thead><tr><th>Port</th><th>State</th><th>Service</th><th>Product</th><th>Version</th><th>Extra</th><th>TLS</th><th>Findings</th></tr></thead><tbody>");
                foreach (var port in host.Ports)
                {
                    PortRow(h, port);
                }
                h.Raw("</tbody></table></section>");
            }
            if (pages > 1)
            {
                Pager(h, url, page, pages, first, shown.Count, hosts.Count);
            }
        });
    }

    /// <summary>"Hosts 65-128 of 256" with a link to every page (a /16 has 1,024 pages: the first, last and nearby ones).</summary>
    private static void Pager(Html h, string url, int page, int pages, int first, int count, int total)
    {
        h.Raw("<nav class=\"pager\"><span>").Text(total == 0 ? "No hosts." : $"Hosts {first + 1}-{first + count} of {total}").Raw("</span>");
        if (pages > 1)
        {
            if (page > 1)
            {
                h.Raw(" ").Link($"{url}?page={page - 1}", "previous");
            }
            for (var p = 1; p <= pages; p++)
            {
                if (p != 1 && p != pages && Math.Abs(p - page) > 3)
                {
                    continue;
                }
                h.Raw(" ");
                if (p == page)
                {
                    h.Raw("<b>").Num(p).Raw("</b>");
                }
                else
                {
                    h.Link($"{url}?page={p}", $"{p}");
                }
            }
            if (page < pages)
            {
                h.Raw(" ").Link($"{url}?page={page + 1}", "next");
            }
        }
        h.Raw("</nav>");
    }

    private static void PortRow(Html h, PortResult port)
    {
        var service = port.Service;
        h.Raw("<tr><td>").Text(WebData.PortName(port)).Raw("</td><td>").Text(port.State.ToName()).Raw("<br><span class=\"muted\">").Text(port.Reason).Raw("</span></td><td>")
            .Text(service?.Name ?? PortRegistry.Default.Explain(port.Port, port.Protocol)?.Name);
        if (service is not null)
        {
            h.Raw("<br><span class=\"muted\">").Text($"{service.Method}{(service.Confidence is int c ? $", conf {c}" : "")}").Raw("</span>");
        }
        h.Raw("</td><td>").Text(service?.Product).Raw("</td><td>").Text(service?.Version).Raw("</td><td>").Text(service?.ExtraInfo);
        if (service?.Evidence is { Length: > 0 } evidence)
        {
            h.Raw("<div class=\"evidence\">").Text(evidence).Raw("</div>");
        }
        h.Raw("</td><td>");
        if (service?.Tls is { } tls)
        {
            h.Text(tls.Protocol).Raw(" ").Text(tls.CipherSuite);
            if (tls.Subject is not null)
            {
                h.Raw("<br>subject ").Text(tls.Subject);
            }
            if (tls.Issuer is not null)
            {
                h.Raw("<br>issuer ").Text(tls.Issuer);
            }
            if (tls.NotAfter is { } notAfter)
            {
                h.Raw("<br>until ").Text(Time(notAfter));
            }
            if (tls.SelfSigned == true)
            {
                h.Raw("<br>self-signed");
            }
            if (tls.Expired == true)
            {
                h.Raw("<br>expired");
            }
        }
        h.Raw("</td><td>");
        foreach (var finding in port.Findings)
        {
            h.Raw("<div class=\"finding\">");
            Severity(h, finding.Severity);
            h.Raw(" <b>").Text(finding.Id).Raw("</b> ").Text(finding.Title).Raw("<div class=\"evidence\">").Text(finding.Evidence).Raw("</div></div>");
        }
        h.Raw("</td></tr>");
    }

    public async Task HostPage(HttpContext context)
    {
        if (!IPAddress.TryParse(context.Request.RouteValues["address"] as string, out var address))
        {
            await BadRequest(context, "a host is an IPv4 or IPv6 address").ConfigureAwait(false);
            return;
        }
        var scans = QueryInt(context, "scans", 100, 1, 1000);
        var sightings = await _data.SightingsAsync(address, scans, context.RequestAborted).ConfigureAwait(false);
        var events = WebData.Timeline(sightings);
        await SendHtml(context, Layout($"Host {address}", h =>
        {
            h.El("h1", $"Host {address}");
            if (sightings.Count == 0)
            {
                h.El("p", $"No scan among the newest {scans} saw this host.", "muted");
                return;
            }
            h.Raw("<div class=\"charts\">").Raw(Svg.Line("Open ports over time", [.. sightings.Select(x => ($"#{x.Ref} {Time(x.Scan.Started)}", (long)x.OpenCount))])).Raw("</div>");
            h.El("h2", "Timeline");
            h.Raw("<table id=\"timeline\"><thead><tr><th>When</th><th>Scan</th><th>Change</th><th>Port</th><th>Detail</th></tr></thead><tbody>");
            foreach (var e in events)
            {
                h.Raw("<tr class=\"ev-").Raw(e.Kind.Replace(' ', '-')).Raw("\"><td>").Text(Time(e.When)).Raw("</td><td>").Link($"/scans/{Html.Url(e.Scan.ToString())}?host={Html.Url(address.ToString())}#host-{address}", $"#{e.Scan}")
                    .Raw("</td><td>").Text(e.Kind).Raw("</td><td>").Text(e.Port).Raw("</td><td>").Text(e.Detail).Raw("</td></tr>");
            }
            h.Raw("</tbody></table>");
            h.El("h2", "Scans that saw it");
            h.Raw("<table><thead><tr><th>Scan</th><th>Started</th><th>State</th><th>Open ports</th></tr></thead><tbody>");
            foreach (var x in sightings)
            {
                h.Raw("<tr><td>").Link($"/scans/{Html.Url(x.Ref.ToString())}?host={Html.Url(address.ToString())}#host-{address}", $"#{x.Ref}").Raw("</td><td>").Text(Time(x.Scan.Started)).Raw("</td><td>").Text(x.Host.State)
                    .Raw("</td><td>").Text(string.Join(", ", x.Host.Ports.Where(p => p.State == PortState.Open).Select(WebData.PortName))).Raw("</td></tr>");
            }
            h.Raw("</tbody></table>");
        })).ConfigureAwait(false);
    }

    public async Task DiffPage(HttpContext context)
    {
        var hasA = ScanRef.TryParse(Query(context, "a").Trim(), out var a);
        var hasB = ScanRef.TryParse(Query(context, "b").Trim(), out var b);
        StoredScan? before = null, after = null;
        string? error = null;
        if (hasA && hasB)
        {
            before = (await _data.GetAsync(a, context.RequestAborted).ConfigureAwait(false))?.Scan;
            after = (await _data.GetAsync(b, context.RequestAborted).ConfigureAwait(false))?.Scan;
            error = before is null ? $"there is no scan {a}" : after is null ? $"there is no scan {b}" : null;
        }
        else if (context.Request.Query.ContainsKey("a") || context.Request.Query.ContainsKey("b"))
        {
            error = "give two scans: ids (positive numbers) or scan group names";
        }
        var diff = before is not null && after is not null ? ScanDiff.Compare(before.Report, after.Report) : null;
        await SendHtml(context, Layout("Diff", h =>
        {
            h.El("h1", diff is null ? "Diff of two scans" : $"Diff of scan {a} → scan {b}");
            h.Raw("<form class=\"inline\" method=\"get\" action=\"/diff\"><label>From scan<input name=\"a\" value=\"").Attr(hasA ? $"{a}" : "")
                .Raw("\"></label><label>to scan<input name=\"b\" value=\"").Attr(hasB ? $"{b}" : "").Raw("\"></label><button>Compare</button></form>");
            if (error is not null)
            {
                h.El("p", error, "error");
            }
            if (diff is null)
            {
                return;
            }
            if (diff.IsEmpty)
            {
                h.El("p", "No changes.", "muted");
            }
            Hosts(h, "Hosts new", diff.HostsNew);
            Hosts(h, "Hosts gone", diff.HostsGone);
            Changes(h, "Ports opened", diff.PortsOpened, "opened");
            Changes(h, "Ports closed", diff.PortsClosed, "closed");
            Changes(h, "Services changed", diff.ServicesChanged, "changed");
            Findings(h, "Findings new", diff.FindingsNew, "finding-appeared");
            Findings(h, "Findings gone", diff.FindingsGone, "finding-fixed");
        })).ConfigureAwait(false);

        static void Hosts(Html h, string title, IReadOnlyList<HostResult> hosts)
        {
            if (hosts.Count == 0)
            {
                return;
            }
            h.El("h2", $"{title} ({hosts.Count})").Raw("<ul>");
            foreach (var host in hosts)
            {
                h.Raw("<li>").Link($"/hosts/{Html.Url(host.Address.ToString())}", host.Address.ToString()).Raw("</li>");
            }
            h.Raw("</ul>");
        }

        static void Changes(Html h, string title, IReadOnlyList<PortChange> changes, string css)
        {
            if (changes.Count == 0)
            {
                return;
            }
            h.El("h2", $"{title} ({changes.Count})").Raw("<table class=\"diff-").Raw(css).Raw("\"><thead><tr><th>Host</th><th>Port</th><th>Before</th><th>After</th></tr></thead><tbody>");
            foreach (var c in changes)
            {
                h.Raw("<tr class=\"ev-").Raw(css).Raw("\"><td>").Link($"/hosts/{Html.Url(c.Address.ToString())}", c.Address.ToString()).Raw("</td><td>").Text($"{c.Port}/{c.Protocol.ToName()}")
                    .Raw("</td><td>").Text(c.Before is null ? "" : $"{c.Before.State.ToName()} {WebData.Describe(c.Before.Service)}")
                    .Raw("</td><td>").Text(c.After is null ? "" : $"{c.After.State.ToName()} {WebData.Describe(c.After.Service)}").Raw("</td></tr>");
            }
            h.Raw("</tbody></table>");
        }

        static void Findings(Html h, string title, IReadOnlyList<DiffFinding> findings, string css)
        {
            if (findings.Count == 0)
            {
                return;
            }
            h.El("h2", $"{title} ({findings.Count})").Raw("<table><thead><tr><th>Where</th><th>Rule</th><th>Severity</th><th>Title</th></tr></thead><tbody>");
            foreach (var f in findings)
            {
                h.Raw("<tr class=\"ev-").Raw(css).Raw("\"><td>").Text($"{f.Address}:{f.Port}/{f.Protocol.ToName()}").Raw("</td><td>").Text(f.Id).Raw("</td><td>").Text(f.Severity)
                    .Raw("</td><td>").Text(f.Title).Raw("</td></tr>");
            }
            h.Raw("</tbody></table>");
        }
    }

    public async Task FindingsPage(HttpContext context)
    {
        var filter = ReadFindingFilter(context);
        IReadOnlyList<FindingRow> rows;
        try
        {
            rows = await _data.FindingsAsync(filter, context.RequestAborted).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            await BadRequest(context, ex.Message).ConfigureAwait(false);
            return;
        }
        var bySeverity = Enum.GetValues<RiskLevel>().Reverse().Select(r => (r.ToName(), (long)rows.Count(x => x.Finding.Severity == r))).ToList();
        await SendHtml(context, Layout("Findings", h =>
        {
            h.El("h1", "Findings across scans");
            h.Raw("<form class=\"inline\" method=\"get\" action=\"/findings\"><label>Severity<select name=\"severity\"><option value=\"\">any</option>");
            foreach (var r in Enum.GetValues<RiskLevel>().Reverse())
            {
                h.Raw("<option").Raw(string.Equals(filter.Severity, r.ToName(), StringComparison.OrdinalIgnoreCase) ? " selected" : "").Raw(">").Text(r.ToName()).Raw("</option>");
            }
            h.Raw("</select></label><label>Rule<input name=\"rule\" value=\"").Attr(filter.Rule).Raw("\"></label><label>Service<input name=\"service\" value=\"").Attr(filter.Service)
                .Raw("\"></label><label>Network<input name=\"network\" placeholder=\"198.18.0.0/24\" value=\"").Attr(filter.Network)
                .Raw("\"></label><label>Newest scans<input name=\"scans\" type=\"number\" min=\"1\" max=\"1000\" value=\"").Num(filter.Scans).Raw("\"></label><button>Filter</button></form>");
            h.Raw("<div class=\"charts\">").Raw(Svg.Bars("Findings by severity", bySeverity, SeverityCss)).Raw("</div>");
            h.Raw("<table id=\"findings\"><thead><tr><th>Severity</th><th>Rule</th><th>Where</th><th>Service</th><th>Title and evidence</th><th>First seen</th><th>Last seen</th><th>Scans</th></tr></thead><tbody>");
            foreach (var row in rows)
            {
                var f = row.Finding;
                h.Raw("<tr><td>");
                Severity(h, f.Severity);
                h.Raw("</td><td>").Text(f.Id).Raw("</td><td>").Link($"/hosts/{Html.Url(f.Address.ToString())}", f.Location).Raw("</td><td>").Text(row.Service)
                    .Raw("</td><td>").Text(f.Title).Raw("<div class=\"evidence\">").Text(f.Evidence).Raw("</div></td><td>").Link($"/scans/{row.FirstScan}", $"#{row.FirstScan}")
                    .Raw("</td><td>").Link($"/scans/{row.LastScan}", $"#{row.LastScan}").Raw("</td><td class=\"num\">").Num(row.Seen).Raw("</td></tr>");
            }
            h.Raw("</tbody></table>");
        })).ConfigureAwait(false);
    }

    public async Task RegistryPage(HttpContext context)
    {
        var q = Query(context, "q").Trim();
        var (entries, error) = Lookup(q);
        await SendHtml(context, Layout("Registry", h =>
        {
            h.El("h1", "Port registry");
            h.Raw("<form class=\"inline\" method=\"get\" action=\"/registry\"><label>Port, range, service name or words<input name=\"q\" autofocus value=\"").Attr(q)
                .Raw("\"></label><button>Look up</button></form>");
            if (error is not null)
            {
                h.El("p", error, "error");
            }
            if (entries.Count == 0)
            {
                return;
            }
            h.Raw("<table id=\"registry\"><thead><tr><th>Port</th><th>Protocol</th><th>Name</th><th>What it is</th><th>Risk</th><th>Source</th></tr></thead><tbody>");
            foreach (var e in entries)
            {
                h.Raw("<tr><td>").Text(e.PortText).Raw("</td><td>").Text(e.Protocol?.ToName()).Raw("</td><td>").Text(e.Name).Raw("</td><td>")
                    .Text(e.Title ?? e.Description);
                if (!string.IsNullOrEmpty(e.Notes))
                {
                    h.Raw("<div class=\"muted\">").Text(e.Notes).Raw("</div>");
                }
                h.Raw("</td><td>");
                if (e.Risk is { } risk)
                {
                    Severity(h, risk);
                }
                h.Raw("</td><td>").Text(e.Source.ToName()).Raw("</td></tr>");
            }
            h.Raw("</tbody></table>");
        })).ConfigureAwait(false);
    }

    /// <summary>A port query (443, 22/udp, 6665-6669, ldaps) looked up; anything else searched as words, best first.</summary>
    internal static (IReadOnlyList<PortEntry> Entries, string? Error) Lookup(string q)
    {
        if (q.Length == 0)
        {
            return ([], null);
        }
        if (q.Length > 200)
        {
            return ([], "the query is too long (at most 200 characters)");
        }
        IReadOnlyList<PortEntry> entries = [];
        if (PortQuery.TryParse(q, out var query, out _))
        {
            entries = PortRegistry.Default.Lookup(query);
        }
        if (entries.Count == 0)
        {
            entries = PortRegistry.Default.Search(q, 100);
        }
        return (entries, entries.Count == 0 ? $"nothing in the registry matches '{OutsideText.Excerpt(q, 60)}'" : null);
    }

    private static FindingFilter ReadFindingFilter(HttpContext context) =>
        new(Query(context, "severity"), Query(context, "rule"), Query(context, "service"), Query(context, "network"), QueryInt(context, "scans", 50, 1, 1000));

    private static string Targets(IReadOnlyList<string> targets) =>
        targets.Count <= 5 ? string.Join(' ', targets) : $"{string.Join(' ', targets.Take(5))} (+{targets.Count - 5} more)";
}
