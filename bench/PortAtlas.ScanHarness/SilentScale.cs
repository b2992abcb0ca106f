using System.Globalization;
using PortAtlas.Reports;
using PortAtlas.Scanning;
using PortAtlas.Targets;
using PortAtlas.TestSupport;

/// <summary>
/// Peak RSS of a whole scan of silent space too large for the lab (issue 17): the real session, collector and JSON
/// writer over 127.0.0.0/PREFIX × PORTS, with an engine that sends nothing and answers nothing (no address is ever sent
/// to), handing every host over as silent, as the raw engine does for hosts that answered nothing; or, with --streamed,
/// yielding a filtered result per port, as it did before.
/// </summary>
internal static class SilentScale
{
    public static async Task<int> RunAsync(string[] args)
    {
        var prefix = int.Parse(args[0], CultureInfo.InvariantCulture);
        var ports = args.Length > 1 && int.TryParse(args[1], CultureInfo.InvariantCulture, out var p) ? p : 100;
        var streamed = args.Contains("--streamed");
        var dbAt = Array.IndexOf(args, "--db");
        var db = dbAt >= 0 && dbAt + 1 < args.Length ? args[dbAt + 1] : null;
        var plan = (await ScanPlan.ParseAsync(new ScanPlanInput
        {
            Targets = [$"127.0.0.0/{prefix}"],
            Ports = $"1-{ports}",
            Techniques = [ScanTechnique.Connect],
            Assess = false,
            ReverseDns = ReverseDnsMode.Never,
            Seed = 17,
        })).Plan ?? throw new InvalidOperationException("plan refused");
        var start = TimeProvider.System.GetTimestamp();
        await using var session = new ScanSession(plan, new ScanSessionOptions
        {
            RawAvailable = false,
            TcpEngine = options => new SilentEngine(plan.Targets, plan.Ports, !streamed && options.UniformHostsImplicit),
        });
        long yielded = 0;
        await foreach (var _ in session.RunAsync())
        {
            yielded++;
        }
        var swept = TimeProvider.System.GetElapsedTime(start);
        var report = session.BuildReport();
        var output = new CountingStream();
        new JsonReportWriter().Write(report, output);
        var saved = "";
        if (db is not null)
        {
            // The history save, as `ports scan` makes it: SQLite file or PostgreSQL URL.
            var saveStart = TimeProvider.System.GetTimestamp();
            await using var store = PortAtlas.Storage.ScanStore.Open(db);
            var id = await store.SaveAsync(report, new PortAtlas.Storage.ScanMetadata { Targets = [$"127.0.0.0/{prefix}"] });
            saved = string.Create(CultureInfo.InvariantCulture, $"saved-id {id} save-s {TimeProvider.System.GetElapsedTime(saveStart).TotalSeconds:F1} ");
        }
        var total = TimeProvider.System.GetElapsedTime(start);
        Console.WriteLine(saved + string.Create(CultureInfo.InvariantCulture,
            $"prefix /{prefix} hosts {plan.Targets.Count} ports {ports} mode {(streamed ? "streamed" : "bits")} results-yielded {yielded} " +
            $"report-hosts {report.Hosts.Count} filtered {report.Stats.StateCounts.GetValueOrDefault("filtered")} json-bytes {output.Length} " +
            $"sweep-s {swept.TotalSeconds:F1} total-s {total.TotalSeconds:F1} peak-rss-mib {PeakRssKib() / 1024.0:F0} heap-mib {GC.GetTotalMemory(true) / 1048576.0:F0}"));
        GC.KeepAlive(report);
        return 0;
    }

    private static long PeakRssKib() =>
        File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).FirstOrDefault();
}
