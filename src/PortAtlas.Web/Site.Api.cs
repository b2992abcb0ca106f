using System.Buffers;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PortAtlas.Reports;
using PortAtlas.Sanitizing;
using PortAtlas.Storage;

namespace PortAtlas.Web;

internal sealed partial class Site
{
    private static readonly JsonWriterOptions s_json = new() { Indented = false };
    private static readonly byte[] s_reportProperty = ",\"report\":"u8.ToArray();
    private static readonly byte[] s_endObject = "}"u8.ToArray();

    private static async Task SendJson(HttpContext context, Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, s_json))
        {
            write(json);
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task JsonError(HttpContext context, int status, string message) =>
        SendJson(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("error", message);
            json.WriteEndObject();
        }, status);

    public async Task ApiScans(HttpContext context)
    {
        var target = Query(context, "target");
        var scans = await _data.ListAsync(QueryInt(context, "limit", 100, 1, 10_000), target, context.RequestAborted).ConfigureAwait(false);
        var groups = await _data.GroupsAsync(null, context.RequestAborted).ConfigureAwait(false);
        var shardOf = new Dictionary<long, (string Group, int Index)>();
        foreach (var g in groups)
        {
            foreach (var shard in g.Shards)
            {
                if (shard.ScanId is { } id)
                {
                    shardOf[id] = (g.Name, shard.Index);
                }
            }
        }
        await SendJson(context, json =>
        {
            json.WriteStartArray();
            foreach (var s in scans)
            {
                WriteSummary(json, s, shardOf.TryGetValue(s.Id, out var shard) ? shard : null);
            }
            json.WriteEndArray();
        }).ConfigureAwait(false);
    }

    /// <summary>Scan groups (sharded scans): each with its state, progress and shards, newest first.</summary>
    public async Task ApiGroups(HttpContext context)
    {
        var groups = await _data.GroupsAsync(Query(context, "target"), context.RequestAborted).ConfigureAwait(false);
        await SendJson(context, json =>
        {
            json.WriteStartArray();
            foreach (var g in groups)
            {
                var (state, _) = GroupState(g);
                json.WriteStartObject();
                json.WriteString("name", g.Name);
                json.WriteString("state", state);
                json.WriteNumber("shardCount", g.ShardCount);
                json.WriteString("created", Rfc3339(g.Created));
                json.WriteStartArray("targets");
                foreach (var t in g.Targets)
                {
                    json.WriteStringValue(t);
                }
                json.WriteEndArray();
                json.WriteStartArray("shards");
                foreach (var shard in g.Shards)
                {
                    json.WriteStartObject();
                    json.WriteNumber("index", shard.Index);
                    json.WriteString("state", shard.State);
                    json.WriteNumber("decided", shard.Decided);
                    json.WriteNumber("total", shard.Total);
                    if (shard.ScanId is { } id)
                    {
                        json.WriteNumber("scanId", id);
                    }
                    json.WriteString("updated", Rfc3339(shard.Updated));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }).ConfigureAwait(false);
    }

    /// <summary>A scan's id under <paramref name="idName"/>, or a group's name under "group".</summary>
    private static void WriteRef(Utf8JsonWriter json, ScanRef scanRef, string idName)
    {
        if (scanRef.Group is { } group)
        {
            json.WriteString("group", group);
        }
        else
        {
            json.WriteNumber(idName, scanRef.Id);
        }
    }

    private static void WriteSummary(Utf8JsonWriter json, ScanSummary s, (string Group, int Index)? shard = null, string? group = null)
    {
        json.WriteStartObject();
        if (group is not null)
        {
            json.WriteString("group", group);
        }
        else
        {
            json.WriteNumber("id", s.Id);
        }
        json.WriteString("started", Rfc3339(s.Started));
        json.WriteString("finished", Rfc3339(s.Finished));
        json.WriteString("savedAt", Rfc3339(s.SavedAt));
        json.WriteString("scanType", s.ScanType);
        json.WriteString("commandLine", Secrets.MaskCredentials(s.CommandLine));
        json.WriteStartArray("targets");
        foreach (var t in s.Targets)
        {
            json.WriteStringValue(t);
        }
        json.WriteEndArray();
        json.WriteNumber("hostsScanned", s.HostsScanned);
        json.WriteNumber("hostsUp", s.HostsUp);
        json.WriteNumber("portsScanned", s.PortsScanned);
        json.WriteNumber("openPorts", s.OpenPorts);
        json.WriteBoolean("interrupted", s.Interrupted);
        if (shard is { } x)
        {
            json.WriteString("group", x.Group);
            json.WriteNumber("shard", x.Index);
        }
        json.WriteEndObject();
    }

    /// <summary>
    /// One scan (or a scan group as one scan): its summary, and its report as the scan JSON of the machine contract,
    /// written to the response host by host (no copy of the whole report per request), with an entity tag.
    /// </summary>
    public async Task ApiScan(HttpContext context)
    {
        if (!ScanRef.TryParse(context.Request.RouteValues["id"] as string, out var scanRef))
        {
            await JsonError(context, StatusCodes.Status400BadRequest, "a scan is its id (a positive number) or a scan group's name").ConfigureAwait(false);
            return;
        }
        var view = await _data.GetAsync(scanRef, context.RequestAborted).ConfigureAwait(false);
        if (view is null)
        {
            await JsonError(context, StatusCodes.Status404NotFound, scanRef.Group is null ? $"there is no scan {scanRef}" : $"there is no scan group '{scanRef.Group}'").ConfigureAwait(false);
            return;
        }
        if (NotModified(context, view.ETag))
        {
            return;
        }
        context.Response.ContentType = "application/json; charset=utf-8";
        if (view.ETag is not null && Cacheable(view))
        {
            var whole = _bodies.GetOrAdd(view.ETag + " api", () =>
            {
                using var buffer = new MemoryStream();
                buffer.Write(SummaryHead(view).WrittenSpan);
                buffer.Write(s_reportProperty);
                ReportFormat.Json.CreateWriter().Write(view.Scan.Report, buffer);
                buffer.Write(s_endObject);
                return buffer.ToArray();
            });
            await context.Response.Body.WriteAsync(whole, context.RequestAborted).ConfigureAwait(false);
            return;
        }
        await WriteScanJsonAsync(view, context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Whether a scan's bodies may be kept whole (see <see cref="CacheablePorts"/>).</summary>
    private static bool Cacheable(ScanView view) => view.Scan.Report.Hosts.Sum(h => (long)h.Ports.Count) <= CacheablePorts;

    /// <summary><c>{"summary":{...}</c>: the start of the scan JSON of the API, up to its report.</summary>
    private static ArrayBufferWriter<byte> SummaryHead(ScanView view)
    {
        var head = new ArrayBufferWriter<byte>(1024);
        using var json = new Utf8JsonWriter(head, s_json);
        json.WriteStartObject();
        json.WritePropertyName("summary");
        WriteSummary(json, view.Scan.Summary, group: view.Ref.Group);
        json.Flush();
        return head;
    }

    /// <summary><c>{"summary": {...}, "report": SCAN JSON}</c>, the report written host by host.</summary>
    private static async Task WriteScanJsonAsync(ScanView view, Stream body, CancellationToken cancellationToken)
    {
        await body.WriteAsync(SummaryHead(view).WrittenMemory, cancellationToken).ConfigureAwait(false);
        await body.WriteAsync(s_reportProperty, cancellationToken).ConfigureAwait(false);
        await ReportFormat.Json.CreateWriter().WriteAsync(view.Scan.Report, body, cancellationToken).ConfigureAwait(false);
        await body.WriteAsync(s_endObject, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A scan as a download in one of the report formats (JSON, CSV, SARIF, HTML, XML, JSONL, grepable), written as it is made.</summary>
    public async Task Export(HttpContext context)
    {
        if (!ScanRef.TryParse(context.Request.RouteValues["id"] as string, out var scanRef) || !ReportFormats.TryParse(context.Request.RouteValues["format"] as string, out var format))
        {
            await BadRequest(context, "give a scan id (or scan group name) and a format: json, jsonl, csv, xml, grep, sarif or html").ConfigureAwait(false);
            return;
        }
        var view = await _data.GetAsync(scanRef, context.RequestAborted).ConfigureAwait(false);
        if (view is null)
        {
            await NotFound(context, $"there is no scan {scanRef} in the store").ConfigureAwait(false);
            return;
        }
        if (NotModified(context, view.ETag))
        {
            return;
        }
        context.Response.ContentType = format.MediaType() + "; charset=utf-8";
        // A download, never a page of this origin: the HTML report has its own inline styles.
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"portatlas-scan-{scanRef}{format.FileExtension()}\"";
        if (view.ETag is not null && Cacheable(view))
        {
            var whole = _bodies.GetOrAdd($"{view.ETag} export {format.ToName()}", () =>
            {
                using var buffer = new MemoryStream();
                format.CreateWriter().Write(view.Scan.Report, buffer);
                return buffer.ToArray();
            });
            await context.Response.Body.WriteAsync(whole, context.RequestAborted).ConfigureAwait(false);
            return;
        }
        await format.CreateWriter().WriteAsync(view.Scan.Report, context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    public async Task ApiTimeline(HttpContext context)
    {
        if (!IPAddress.TryParse(context.Request.RouteValues["address"] as string, out var address))
        {
            await JsonError(context, StatusCodes.Status400BadRequest, "a host is an IPv4 or IPv6 address").ConfigureAwait(false);
            return;
        }
        var sightings = await _data.SightingsAsync(address, QueryInt(context, "scans", 100, 1, 1000), context.RequestAborted).ConfigureAwait(false);
        var events = WebData.Timeline(sightings);
        await SendJson(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("address", address.ToString());
            json.WriteStartArray("scans");
            foreach (var x in sightings)
            {
                json.WriteStartObject();
                WriteRef(json, x.Ref, "id");
                json.WriteString("started", Rfc3339(x.Scan.Started));
                json.WriteString("state", x.Host.State);
                json.WriteNumber("openPorts", x.OpenCount);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("events");
            foreach (var e in events)
            {
                json.WriteStartObject();
                WriteRef(json, e.Scan, "scanId");
                json.WriteString("when", Rfc3339(e.When));
                json.WriteString("kind", e.Kind);
                json.WriteString("port", e.Port);
                json.WriteString("detail", e.Detail);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    public async Task ApiDiff(HttpContext context)
    {
        if (!ScanRef.TryParse(Query(context, "a").Trim(), out var a) || !ScanRef.TryParse(Query(context, "b").Trim(), out var b))
        {
            await JsonError(context, StatusCodes.Status400BadRequest, "give two scans, by id or scan group name: ?a=ID&b=ID").ConfigureAwait(false);
            return;
        }
        var before = (await _data.GetAsync(a, context.RequestAborted).ConfigureAwait(false))?.Scan;
        var after = (await _data.GetAsync(b, context.RequestAborted).ConfigureAwait(false))?.Scan;
        if (before is null || after is null)
        {
            await JsonError(context, StatusCodes.Status404NotFound, $"there is no scan {(before is null ? a : b)}").ConfigureAwait(false);
            return;
        }
        var text = ScanDiffWriter.ToJson(ScanDiff.Compare(before.Report, after.Report), indented: false);
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
    }

    public async Task ApiFindings(HttpContext context)
    {
        IReadOnlyList<FindingRow> rows;
        try
        {
            rows = await _data.FindingsAsync(ReadFindingFilter(context), context.RequestAborted).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            await JsonError(context, StatusCodes.Status400BadRequest, ex.Message).ConfigureAwait(false);
            return;
        }
        await SendJson(context, json =>
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                var f = row.Finding;
                json.WriteStartObject();
                json.WriteString("id", f.Id);
                json.WriteString("severity", f.Severity.ToName());
                json.WriteString("title", f.Title);
                json.WriteString("address", f.Address.ToString());
                json.WriteNumber("port", f.Port);
                json.WriteString("protocol", f.Protocol.ToName());
                if (row.Service is not null)
                {
                    json.WriteString("service", row.Service);
                }
                json.WriteString("evidence", f.Evidence);
                json.WriteNumber("firstScan", row.FirstScan);
                json.WriteNumber("lastScan", row.LastScan);
                json.WriteNumber("seen", row.Seen);
                json.WriteString("lastSeen", Rfc3339(row.LastSeen));
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }).ConfigureAwait(false);
    }

    public async Task ApiRegistry(HttpContext context)
    {
        var q = Query(context, "q").Trim();
        if (q.Length == 0)
        {
            await JsonError(context, StatusCodes.Status400BadRequest, "give a query: ?q=443, ?q=22/udp, ?q=ldaps or ?q=remote+desktop").ConfigureAwait(false);
            return;
        }
        var (entries, error) = Lookup(q);
        if (error is not null && entries.Count == 0)
        {
            await JsonError(context, StatusCodes.Status404NotFound, error).ConfigureAwait(false);
            return;
        }
        var buffer = new MemoryStream();
        RegistryReport.WriteJson(buffer, entries);
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }
}
