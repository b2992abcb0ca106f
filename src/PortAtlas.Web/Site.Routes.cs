using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace PortAtlas.Web;

internal sealed partial class Site
{
    /// <summary>Every page and API route. Handlers are plain request delegates: nothing is bound by reflection (Native AOT).</summary>
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", ScanListPage);
        app.MapGet("/scans/{id}", ScanPage);
        app.MapGet("/scans/{id}/export/{format}", Export);
        app.MapGet("/hosts/{address}", HostPage);
        app.MapGet("/diff", DiffPage);
        app.MapGet("/findings", FindingsPage);
        app.MapGet("/registry", RegistryPage);
        app.MapGet("/scans/new", NewScanPage);
        app.MapPost("/scans/new", StartScan);
        app.MapGet("/jobs/{id}", JobPage);

        app.MapGet("/api/scans", ApiScans);
        app.MapGet("/api/scans/{id}", ApiScan);
        app.MapGet("/api/groups", ApiGroups);
        app.MapGet("/api/scans/{id}/export/{format}", Export);
        app.MapGet("/api/hosts/{address}/timeline", ApiTimeline);
        app.MapGet("/api/diff", ApiDiff);
        app.MapGet("/api/findings", ApiFindings);
        app.MapGet("/api/registry", ApiRegistry);
        app.MapPost("/api/jobs", ApiStartJob);
        app.MapGet("/api/jobs/{id}", ApiJob);
        app.MapGet("/api/jobs/{id}/events", ApiJobEvents);

        app.MapGet("/static/app.css", context => Static(context, Assets.Css, "text/css; charset=utf-8"));
        app.MapGet("/static/app.js", context => Static(context, Assets.Js, "text/javascript; charset=utf-8"));
    }

    private static Task Static(HttpContext context, string body, string type)
    {
        context.Response.ContentType = type;
        context.Response.Headers.CacheControl = "max-age=3600";
        return context.Response.WriteAsync(body, context.RequestAborted);
    }
}
