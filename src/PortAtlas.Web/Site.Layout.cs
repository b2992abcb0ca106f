using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace PortAtlas.Web;

/// <summary>The pages and the API of <c>ports serve</c>; this part holds the page frame and small shared pieces.</summary>
internal sealed partial class Site
{
    private readonly WebData _data;
    private readonly ScanJobs? _jobs;
    private readonly ServeOptions _options;

    public Site(WebData data, ScanJobs? jobs, ServeOptions options)
    {
        _data = data;
        _jobs = jobs;
        _options = options;
    }

    private string Layout(string title, Action<Html> body)
    {
        var h = new Html();
        h.Raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
            .Raw("<title>").Text(title).Raw(" · PortAtlas</title><link rel=\"stylesheet\" href=\"/static/app.css\"><script src=\"/static/app.js\" defer></script></head><body>")
            .Raw("<header><nav><a class=\"brand\" href=\"/\">PortAtlas</a><a href=\"/\">Scans</a><a href=\"/findings\">Findings</a><a href=\"/diff\">Diff</a><a href=\"/registry\">Registry</a>");
        if (_jobs is not null)
        {
            h.Raw("<a href=\"/scans/new\">New scan</a>");
        }
        h.Raw("</nav></header><main>");
        body(h);
        h.Raw("</main></body></html>");
        return h.ToString();
    }

    private static Task SendHtml(HttpContext context, string html, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(html, context.RequestAborted);
    }

    private Task NotFound(HttpContext context, string message) =>
        SendHtml(context, Layout("Not found", h => h.El("h1", "Not found").El("p", message, "error")), StatusCodes.Status404NotFound);

    private Task BadRequest(HttpContext context, string message) =>
        SendHtml(context, Layout("Bad request", h => h.El("h1", "Bad request").El("p", message, "error")), StatusCodes.Status400BadRequest);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void Severity(Html h, RiskLevel severity) => h.El("span", severity.ToName(), "sev sev-" + severity.ToName());

    private static void CsrfField(Html h, HttpContext context) =>
        h.Raw("<input type=\"hidden\" name=\"").Raw(Security.CsrfField).Raw("\" value=\"").Attr(Security.CsrfToken(context)).Raw("\">");

    private static bool TryRouteLong(HttpContext context, string name, out long value) =>
        long.TryParse(context.Request.RouteValues[name] as string, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;

    private static int QueryInt(HttpContext context, string name, int fallback, int min, int max) =>
        int.TryParse(context.Request.Query[name].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? Math.Clamp(value, min, max) : fallback;

    private static string Query(HttpContext context, string name) => context.Request.Query[name].ToString();

    private static string SeverityCss(string label) => "bar bar-" + label;
}
