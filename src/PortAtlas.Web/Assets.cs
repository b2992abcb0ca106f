namespace PortAtlas.Web;

/// <summary>The only style sheet and script the pages load, served by this server (the CSP allows nothing else).</summary>
internal static class Assets
{
    public const string Css = """
        :root { --fg:#1d2330; --muted:#5d6678; --line:#d9dee8; --bg:#f6f7fa; --accent:#2457c5; }
        * { box-sizing: border-box; }
        body { margin:0; font:14px/1.45 system-ui, sans-serif; color:var(--fg); background:var(--bg); }
        header { background:#17213a; color:#fff; padding:8px 20px; }
        header nav a { color:#cfe0ff; margin-right:16px; text-decoration:none; }
        header nav a.brand { color:#fff; font-weight:700; }
        main { padding:16px 20px; max-width:1400px; }
        h1 { font-size:20px; margin:8px 0 12px; } h2 { font-size:16px; margin:20px 0 8px; }
        table { border-collapse:collapse; background:#fff; margin:6px 0 14px; }
        th, td { border:1px solid var(--line); padding:3px 8px; text-align:left; vertical-align:top; }
        th { background:#eef1f6; font-weight:600; }
        td.num { text-align:right; font-variant-numeric:tabular-nums; }
        .muted { color:var(--muted); } .error { color:#a40000; font-weight:600; }
        .sev { display:inline-block; padding:0 6px; border-radius:3px; color:#fff; font-size:12px; }
        .sev-critical { background:#7a0016; } .sev-high { background:#c2310c; } .sev-medium { background:#b7791f; }
        .sev-low { background:#2f6db5; } .sev-info { background:#68707d; }
        .evidence { font-family:ui-monospace, monospace; white-space:pre-wrap; word-break:break-all; font-size:12px; }
        form.inline { display:flex; gap:8px; align-items:end; flex-wrap:wrap; margin:8px 0; }
        form.inline label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); }
        input, select, button { font:inherit; padding:3px 6px; }
        .charts { display:flex; flex-wrap:wrap; gap:16px; }
        svg.chart { background:#fff; border:1px solid var(--line); }
        svg.chart text { font:12px system-ui, sans-serif; fill:var(--fg); }
        svg.chart .chart-title { font-weight:600; }
        svg.chart .bar { fill:var(--accent); } svg.chart .line { fill:none; stroke:var(--accent); stroke-width:2; }
        svg.chart .dot { fill:var(--accent); } svg.chart .axis { stroke:#8890a0; }
        svg.chart .bar-critical { fill:#7a0016; } svg.chart .bar-high { fill:#c2310c; } svg.chart .bar-medium { fill:#b7791f; }
        svg.chart .bar-low { fill:#2f6db5; } svg.chart .bar-info { fill:#68707d; }
        .host { margin-bottom:18px; }
        .ev-opened, .ev-finding-appeared { color:#a40000; } .ev-closed, .ev-finding-fixed { color:#1d7a33; }
        progress { width:420px; height:18px; }
        """;

    /// <summary>Live progress of a scan started from the page: an EventSource on /api/jobs/{id}/events.</summary>
    public const string Js = """
        "use strict";
        document.addEventListener("DOMContentLoaded", () => {
          const box = document.getElementById("job");
          if (!box) return;
          const bar = document.getElementById("job-progress");
          const text = document.getElementById("job-status");
          const result = document.getElementById("job-result");
          const events = new EventSource(box.dataset.events);
          events.addEventListener("progress", e => {
            const p = JSON.parse(e.data);
            bar.max = Math.max(1, p.total); bar.value = p.completed;
            text.textContent = `${p.state}: ${p.completed} of ${p.total} probes decided, ${p.open} open`;
          });
          events.addEventListener("done", e => {
            const p = JSON.parse(e.data);
            events.close();
            bar.max = Math.max(1, p.total); bar.value = p.completed;
            text.textContent = `${p.state}: ${p.completed} of ${p.total} probes decided, ${p.open} open`;
            if (p.scanId) {
              const a = document.createElement("a");
              a.href = "/scans/" + encodeURIComponent(p.scanId);
              a.id = "job-scan-link";
              a.textContent = "Open scan " + p.scanId;
              result.replaceChildren(a);
            } else if (p.error) {
              result.textContent = p.error;
            }
            box.dataset.state = p.state;
          });
          events.onerror = () => { if (box.dataset.state === undefined) text.textContent += " (connection lost; reload to retry)"; };
        });
        """;
}
