using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PortAtlas.Scanning;

namespace PortAtlas.Web;

internal sealed partial class Site
{
    private static readonly TimeSpan s_progressEvery = TimeSpan.FromMilliseconds(250);

    public async Task NewScanPage(HttpContext context)
    {
        if (_jobs is null)
        {
            await ScansOff(context).ConfigureAwait(false);
            return;
        }
        await SendHtml(context, ScanForm(context, null, null)).ConfigureAwait(false);
    }

    private string ScanForm(HttpContext context, IFormCollection? form, string? error) => Layout("New scan", h =>
    {
        h.El("h1", "New scan");
        if (error is not null)
        {
            h.El("p", error, "error");
        }
        h.Raw("<form id=\"scan-form\" class=\"inline\" method=\"post\" action=\"/scans/new\">");
        CsrfField(h, context);
        h.Raw("<label>Targets<input name=\"targets\" required size=\"30\" value=\"").Attr(form?["targets"].ToString()).Raw("\"></label>")
            .Raw("<label>Ports<input name=\"ports\" placeholder=\"top 1000\" value=\"").Attr(form?["ports"].ToString()).Raw("\"></label>")
            .Raw("<label>Technique<select name=\"technique\">");
        foreach (var t in new[] { "auto", "connect", "syn", "udp", "sctp" })
        {
            h.Raw("<option").Raw(form?["technique"].ToString() == t ? " selected" : "").Raw(">").Raw(t).Raw("</option>");
        }
        h.Raw("</select></label><label>Detect services<input type=\"checkbox\" name=\"detect\" value=\"on\"").Raw(form?["detect"].ToString() == "on" ? " checked" : "").Raw("></label>")
            .Raw("<label>Rate (probes/s)<input name=\"rate\" size=\"8\" value=\"").Attr(form?["rate"].ToString()).Raw("\"></label>")
            .Raw("<button id=\"scan-start\">Start scan</button></form>");
        h.El("p", "Targets and ports take the same syntax as 'ports scan' and are checked the same way before any packet is sent.", "muted");
        if (_jobs is { All.Count: > 0 })
        {
            h.El("h2", "Scans started here").Raw("<ul>");
            foreach (var job in _jobs.All)
            {
                h.Raw("<li>").Link($"/jobs/{job.Id}", $"#{job.Id} {string.Join(' ', job.Plan.Targets.ToSpecs())}: {job.State}").Raw("</li>");
            }
            h.Raw("</ul>");
        }
    });

    public async Task StartScan(HttpContext context)
    {
        if (_jobs is null)
        {
            await ScansOff(context).ConfigureAwait(false);
            return;
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var (job, error) = await StartAsync(form, context.RequestAborted).ConfigureAwait(false);
        if (job is null)
        {
            await SendHtml(context, ScanForm(context, form, error), StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return;
        }
        context.Response.Redirect($"/jobs/{job.Id}");
    }

    /// <summary>The form's fields as a <see cref="ScanPlanInput"/>, parsed by <see cref="ScanPlan.ParseAsync"/> as the CLI does.</summary>
    private async Task<(ScanJob? Job, string? Error)> StartAsync(IFormCollection form, CancellationToken cancellationToken)
    {
        var targets = form["targets"].ToString().Split([' ', ',', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (targets.Length == 0)
        {
            return (null, "no targets: give an address, a name, a range or a CIDR block");
        }
        var technique = form["technique"].ToString() switch
        {
            "" or "auto" => ScanTechnique.Auto,
            "connect" => ScanTechnique.Connect,
            "syn" => ScanTechnique.Syn,
            "udp" => ScanTechnique.Udp,
            "sctp" => ScanTechnique.Sctp,
            var other => (ScanTechnique?)null,
        };
        if (technique is null)
        {
            return (null, $"unknown technique '{Sanitizing.OutsideText.Excerpt(form["technique"].ToString())}': use auto, connect, syn, udp or sctp");
        }
        double? rate = null;
        var rateText = form["rate"].ToString().Trim();
        if (rateText.Length > 0)
        {
            if (!double.TryParse(rateText, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) || !(r > 0) || double.IsInfinity(r))
            {
                return (null, $"bad rate '{Sanitizing.OutsideText.Excerpt(rateText)}': give probes per second, such as 1000");
            }
            rate = r;
        }
        var ports = form["ports"].ToString().Trim();
        var detect = form["detect"].ToString() == "on";
        var input = new ScanPlanInput
        {
            Targets = targets,
            Ports = ports.Length > 0 ? ports : null,
            Techniques = technique == ScanTechnique.Auto ? [] : [technique.Value],
            Detect = detect,
            Rate = rate,
            CommandLine = $"ports scan {string.Join(' ', targets)}{(ports.Length > 0 ? " -p " + ports : "")}{(technique == ScanTechnique.Auto ? "" : " --" + form["technique"])}{(detect ? " --detect" : "")} (from ports serve)",
        };
        var parsed = await ScanPlan.ParseAsync(input, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!parsed.Success)
        {
            return (null, parsed.Error);
        }
        return _jobs!.Start(parsed.Plan);
    }

    public async Task JobPage(HttpContext context)
    {
        var job = _jobs is null || !TryRouteLong(context, "id", out var id) || id > int.MaxValue ? null : _jobs.Get((int)id);
        if (job is null)
        {
            await NotFound(context, "no such scan was started here").ConfigureAwait(false);
            return;
        }
        await SendHtml(context, Layout($"Scan job {job.Id}", h =>
        {
            h.El("h1", $"Scan of {string.Join(' ', job.Plan.Targets.ToSpecs())}");
            h.Raw("<div id=\"job\" data-events=\"/api/jobs/").Num(job.Id).Raw("/events\"><progress id=\"job-progress\" value=\"0\" max=\"1\"></progress> <span id=\"job-status\">")
                .Text(job.State).Raw("</span><p id=\"job-result\"></p></div>");
        })).ConfigureAwait(false);
    }

    public async Task ApiStartJob(HttpContext context)
    {
        if (_jobs is null)
        {
            await JsonError(context, StatusCodes.Status403Forbidden, "starting scans is off: run 'ports serve --allow-scans'").ConfigureAwait(false);
            return;
        }
        if (!context.Request.HasFormContentType)
        {
            await JsonError(context, StatusCodes.Status415UnsupportedMediaType, "send the plan as form fields (application/x-www-form-urlencoded)").ConfigureAwait(false);
            return;
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var (job, error) = await StartAsync(form, context.RequestAborted).ConfigureAwait(false);
        if (job is null)
        {
            await JsonError(context, StatusCodes.Status400BadRequest, error ?? "cannot start the scan").ConfigureAwait(false);
            return;
        }
        context.Response.Headers.Location = $"/api/jobs/{job.Id}";
        await SendJson(context, json => WriteJob(json, job), StatusCodes.Status201Created).ConfigureAwait(false);
    }

    public async Task ApiJob(HttpContext context)
    {
        var job = _jobs is null || !TryRouteLong(context, "id", out var id) || id > int.MaxValue ? null : _jobs.Get((int)id);
        if (job is null)
        {
            await JsonError(context, StatusCodes.Status404NotFound, "no such job").ConfigureAwait(false);
            return;
        }
        await SendJson(context, json => WriteJob(json, job)).ConfigureAwait(false);
    }

    /// <summary>Server-sent events: <c>progress</c> four times a second while the scan runs, then one <c>done</c>.</summary>
    public async Task ApiJobEvents(HttpContext context)
    {
        var job = _jobs is null || !TryRouteLong(context, "id", out var id) || id > int.MaxValue ? null : _jobs.Get((int)id);
        if (job is null)
        {
            await JsonError(context, StatusCodes.Status404NotFound, "no such job").ConfigureAwait(false);
            return;
        }
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        var ct = context.RequestAborted;
        try
        {
            while (job.State == "running")
            {
                await WriteEvent(context, "progress", job).ConfigureAwait(false);
                await Task.WhenAny(job.Completion, Task.Delay(s_progressEvery, ct)).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }
            await WriteEvent(context, "done", job).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The page went away; the scan goes on.
        }
    }

    private static async Task WriteEvent(HttpContext context, string name, ScanJob job)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteJob(json, job);
        }
        var text = $"event: {name}\ndata: {Encoding.UTF8.GetString(buffer.WrittenSpan)}\n\n";
        await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteJob(Utf8JsonWriter json, ScanJob job)
    {
        json.WriteStartObject();
        json.WriteNumber("id", job.Id);
        json.WriteString("state", job.State);
        json.WriteString("started", Rfc3339(job.Started));
        json.WriteStartArray("targets");
        foreach (var t in job.Plan.Targets.ToSpecs())
        {
            json.WriteStringValue(t);
        }
        json.WriteEndArray();
        json.WriteNumber("total", job.Progress?.Total ?? 0);
        json.WriteNumber("completed", job.Progress?.Completed ?? 0);
        json.WriteNumber("open", job.Progress?.Open ?? 0);
        if (job.ScanId is long scanId)
        {
            json.WriteNumber("scanId", scanId);
        }
        if (job.Error is not null)
        {
            json.WriteString("error", job.Error);
        }
        json.WriteEndObject();
    }

    private Task ScansOff(HttpContext context) =>
        SendHtml(context, Layout("Scans are off", h => h.El("h1", "Starting scans is off").El("p", "This server reads the store only. Start it with 'ports serve --allow-scans' to scan from this page.", "muted")), StatusCodes.Status403Forbidden);
}
