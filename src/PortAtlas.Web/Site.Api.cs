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
        var scans = await _data.ListAsync(QueryInt(context, "limit", 100, 1, 10_000), Query(context, "target"), context.RequestAborted).ConfigureAwait(false);
        await SendJson(context, json =>
        {
            json.WriteStartArray();
            foreach (var s in scans)
            {
                WriteSummary(json, s);
            }
            json.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static void WriteSummary(Utf8JsonWriter json, ScanSummary s)
    {
        json.WriteStartObject();
        json.WriteNumber("id", s.Id);
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
        json.WriteEndObject();
    }

    /// <summary>One scan: its summary, and its report as the scan JSON of the machine contract.</summary>
    public async Task ApiScan(HttpContext context)
    {
        if (!TryRouteLong(context, "id", out var id))
        {
            await JsonError(context, StatusCodes.Status400BadRequest, "a scan id is a positive number").ConfigureAwait(false);
            return;
        }
        var scan = await _data.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
        if (scan is null)
        {
            await JsonError(context, StatusCodes.Status404NotFound, $"there is no scan {id}").ConfigureAwait(false);
            return;
        }
        var report = ReportFormat.Json.CreateWriter().WriteToString(scan.Report);
        await SendJson(context, json =>
        {
            json.WriteStartObject();
            json.WritePropertyName("summary");
            WriteSummary(json, scan.Summary);
            json.WritePropertyName("report");
            json.WriteRawValue(report, skipInputValidation: true);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>A scan as a download in one of the report formats (JSON, CSV, SARIF, HTML, XML, JSONL, grepable).</summary>
    public async Task Export(HttpContext context)
    {
        if (!TryRouteLong(context, "id", out var id) || !ReportFormats.TryParse(context.Request.RouteValues["format"] as string, out var format))
        {
            await BadRequest(context, "give a scan id and a format: json, jsonl, csv, xml, grep, sarif or html").ConfigureAwait(false);
            return;
        }
        var scan = await _data.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
        if (scan is null)
        {
            await NotFound(context, $"there is no scan {id} in the store").ConfigureAwait(false);
            return;
        }
        var text = format.CreateWriter().WriteToString(scan.Report);
        context.Response.ContentType = format.MediaType() + "; charset=utf-8";
        // A download, never a page of this origin: the HTML report has its own inline styles.
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"portatlas-scan-{id}{format.FileExtension()}\"";
        await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
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
                json.WriteNumber("id", x.Scan.Id);
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
                json.WriteNumber("scanId", e.ScanId);
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
        if (!TryQueryLong(context, "a", out var a) || !TryQueryLong(context, "b", out var b))
        {
            await JsonError(context, StatusCodes.Status400BadRequest, "give two scan ids: ?a=ID&b=ID").ConfigureAwait(false);
            return;
        }
        var before = await _data.GetAsync(a, context.RequestAborted).ConfigureAwait(false);
        var after = await _data.GetAsync(b, context.RequestAborted).ConfigureAwait(false);
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
