using System.Globalization;
using PortAtlas.Local;
using PortAtlas.Scanning;
using PortAtlas.Storage;
using PortAtlas.StoreHarness;
using PortAtlas.Targets;

// Usage:
//   save-loop DB COUNT [HOSTS]     saves COUNT constructed scans (0: until killed), printing "saved ID" after each commit
//   scan DB TARGET PORTS --seed S [--rate R] [--stop-after N] [--crash-after N] [--checkpoint-every N]
//   resume DB ID [--stop-after N] [--crash-after N] [--checkpoint-every N]
//       A resumable connect scan checkpointed into DB. Prints "checkpoint ID" first; at the end "open PORT" per open port
//       of the whole scan (earlier runs included), then "decided N"; "stopped" when --stop-after cancelled it.
//       --crash-after kills the process with SIGKILL after N results, leaving only the periodic checkpoints.
//   measure DB|postgres://... [RUNS]  median save, get and diff times of a /24 × 1000-port scan, both listing policies
//   local                          prints "PROTO ADDRESS PORT PID,PID" per listening socket
var culture = CultureInfo.InvariantCulture;
switch (args.FirstOrDefault())
{
    case "save-loop" when args.Length >= 3:
        return await SaveLoopAsync(args[1], int.Parse(args[2], culture), args.Length > 3 ? int.Parse(args[3], culture) : 4);
    case "scan" when args.Length >= 4:
        return await ScanAsync(args[1], null, args[2], args[3], args[4..]);
    case "resume" when args.Length >= 3:
        return await ScanAsync(args[1], long.Parse(args[2], culture), null, null, args[3..]);
    case "measure" when args.Length >= 2:
        return await MeasureAsync(args[1], args.Length > 2 ? int.Parse(args[2], culture) : 7);
    case "local":
        foreach (var l in await LocalListeners.GetAsync())
        {
            Console.Out.WriteLine($"{l.Protocol.ToString().ToLowerInvariant()} {l.Address} {l.Port} {string.Join(',', l.Processes.Select(p => p.Id))}");
        }
        return 0;
    default:
        Console.Error.WriteLine("usage: save-loop DB COUNT [HOSTS] | scan DB TARGET PORTS --seed S [...] | resume DB ID [...] | local");
        return 2;
}

static async Task<int> SaveLoopAsync(string db, int count, int hosts)
{
    await using var store = ScanStore.Open(db);
    for (var i = 0; count == 0 || i < count; i++)
    {
        var report = SyntheticReports.Create(hosts, 1000, 0.02, seed: Environment.ProcessId * 1000 + i, listEveryPort: i % 2 == 1);
        var id = await store.SaveAsync(report, new ScanMetadata { Targets = ["198.18.0.0/24"], ConfigJson = "{\"i\":" + i + "}" });
        Console.Out.WriteLine($"saved {id} {report.Hosts.Sum(h => h.Ports.Count)}");
        Console.Out.Flush();
    }
    return 0;
}

static async Task<int> ScanAsync(string db, long? resumeId, string? target, string? portSpec, string[] options)
{
    var culture = CultureInfo.InvariantCulture;
    ulong seed = 1;
    long stopAfter = 0, crashAfter = 0;
    double? rate = null;
    var every = 1000;
    for (var i = 0; i < options.Length; i++)
    {
        switch (options[i])
        {
            case "--seed": seed = ulong.Parse(options[++i], culture); break;
            case "--rate": rate = double.Parse(options[++i], culture); break;
            case "--stop-after": stopAfter = long.Parse(options[++i], culture); break;
            case "--crash-after": crashAfter = long.Parse(options[++i], culture); break;
            case "--checkpoint-every": every = int.Parse(options[++i], culture); break;
            default: Console.Error.WriteLine($"unknown option {options[i]}"); return 2;
        }
    }
    await using var store = ScanStore.Open(db);
    ScanCheckpoint? resumed = null;
    ScanPlan plan;
    if (resumeId is { } id)
    {
        resumed = await store.GetCheckpointAsync(id) ?? throw new InvalidOperationException($"no checkpoint {id}");
        plan = resumed.Plan;
    }
    else
    {
        plan = (await ScanPlan.ParseAsync(new ScanPlanInput
        {
            Targets = [target!],
            Ports = portSpec,
            Seed = seed,
            Concurrency = 256,
            Rate = rate,
            Techniques = [ScanTechnique.Connect],
            Assess = false,
            CommandLine = $"scan {target} {portSpec}",
        })).Plan!;
    }
    await using var session = new ScanSession(plan, new ScanSessionOptions
    {
        Checkpoints = store,
        Resume = resumed,
        CheckpointResults = every,
        CheckpointInterval = TimeSpan.FromSeconds(30),
    });
    using var cts = new CancellationTokenSource();
    long seen = 0;
    var announced = false;
    await foreach (var _ in session.RunAsync(cts.Token))
    {
        if (!announced)
        {
            Console.Out.WriteLine($"checkpoint {session.CheckpointId} position {resumed?.Position ?? 0}");
            Console.Out.Flush();
            announced = true;
        }
        seen++;
        if (crashAfter > 0 && seen >= crashAfter)
        {
            Console.Out.WriteLine("crashing");
            Console.Out.Flush();
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        }
        if (stopAfter > 0 && seen >= stopAfter)
        {
            cts.Cancel();
        }
    }
    var stopped = session.Interrupted;
    var report = session.BuildReport();
    foreach (var port in report.Hosts.SelectMany(h => h.Ports).Where(p => p.State == PortState.Open).Select(p => p.Port).Order())
    {
        Console.Out.WriteLine($"open {port}");
    }
    var last = await store.GetCheckpointAsync(session.CheckpointId);
    Console.Out.WriteLine($"decided {report.Stats.StateCounts.Values.Sum()} checkpointed {last?.Position ?? 0} this-run {seen}");
    if (stopped)
    {
        Console.Out.WriteLine("stopped");
    }
    else
    {
        await store.SaveAsync(report, new ScanMetadata { Targets = [.. plan.Targets.ToSpecs()] });
        await store.DeleteCheckpointAsync(session.CheckpointId);
    }
    return 0;
}

static async Task<int> MeasureAsync(string location, int runs)
{
    await using var store = ScanStore.Open(location);
    await store.GetSchemaVersionAsync();
    foreach (var everyPort in (bool[])[false, true])
    {
        var report = SyntheticReports.Create(256, 1000, 0.015, seed: 1, listEveryPort: everyPort);
        var changed = SyntheticReports.Mutate(report, seed: 2);
        var rows = report.Hosts.Sum(h => h.Ports.Count);
        var save = new List<double>();
        var get = new List<double>();
        var diff = new List<double>();
        var json = ScanReportJson.ToUtf8Bytes(report).Length;
        for (var i = 0; i < runs; i++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var id = await store.SaveAsync(report, new ScanMetadata { Targets = ["198.18.0.0/24"] });
            save.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            var stored = await store.GetAsync(id);
            get.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            var result = ScanDiff.Compare(stored!.Report, changed);
            diff.Add(watch.Elapsed.TotalMilliseconds);
            if (result.IsEmpty)
            {
                throw new InvalidOperationException("the mutated scan should differ");
            }
        }
        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(everyPort ? "every port" : "open only")}: rows {rows}, json {json / 1024} KiB, save {Median(save):F1} ms, get {Median(get):F1} ms, diff {Median(diff):F1} ms (median of {runs}; save min {save.Min():F1} max {save.Max():F1})"));
    }
    return 0;
}
