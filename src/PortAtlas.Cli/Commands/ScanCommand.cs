using System.CommandLine;
using System.Diagnostics;
using PortAtlas.Assessment;
using PortAtlas.Cli.Rendering;
using PortAtlas.Detection;
using PortAtlas.Registry;
using PortAtlas.Reports;
using PortAtlas.Scanning;
using PortAtlas.Scanning.Raw;
using PortAtlas.Storage;
using PortAtlas.Targets;

namespace PortAtlas.Cli.Commands;

/// <summary>`ports scan`: parse every input first (bad input exits 2 before any packet), scan, render, write.</summary>
internal static class ScanCommand
{
    private const int DefaultTopPorts = 1000;

    public static Command Build(CliContext cli)
    {
        var targets = new Argument<string[]>("targets") { Description = "Hosts: addresses, names, CIDR (198.18.0.0/24), ranges (198.18.0.1-20, 198.18.0-3.1-254)", Arity = ArgumentArity.ZeroOrMore };
        var targetsFile = new Option<string?>("--targets-file", "-iL") { Description = "Read targets from a file (one or more a line, # comments)" };
        var exclude = new Option<string[]>("--exclude") { Description = "Targets never to scan (same syntax)", AllowMultipleArgumentsPerToken = true };
        var excludeFile = new Option<string?>("--exclude-file") { Description = "Read targets to exclude from a file" };
        var resolveAll = new Option<bool>("--resolve-all") { Description = "Scan every address a host name resolves to, not only the first" };
        var allowHuge = new Option<bool>("--allow-huge") { Description = "Allow a target set of more than 16,777,216 addresses" };
        var ports = new Option<string?>("--ports", "-p") { Description = "Ports: 22,80,443 | 1-1024 | - (1-65535) | T:80,U:53 | http,ssh" };
        var excludePorts = new Option<string?>("--exclude-ports") { Description = "Ports never to scan (same syntax)" };
        var topPorts = new Option<int?>("--top-ports") { Description = $"Scan the N ports PortAtlas ranks highest (default {DefaultTopPorts} when -p is not given)" };
        var rate = new Option<double?>("--rate") { Description = "Most probes per second" };
        var maxRetries = new Option<int?>("--max-retries") { Description = "Retransmissions of an unanswered probe before it is filtered (default 6)" };
        var hostTimeout = new Option<string?>("--host-timeout") { Description = "Give up on a host after this long (500ms, 30s, 5m)" };
        var concurrency = new Option<int?>("--concurrency") { Description = "Most connects in flight (default: from the open-file limit)" };
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the random probe order (repeatable scans)" };
        var format = new Option<string>("--format", "-f") { Description = "stdout format: table, json, jsonl, csv, xml, grep", DefaultValueFactory = _ => "table" };
        var output = new Option<string?>("--output", "-o") { Description = "Also write the report to FILE (format from the extension or --output-format)" };
        var outputFormat = new Option<string?>("--output-format") { Description = "Format of --output: json, jsonl, csv, xml, grep" };
        var allStates = new Option<bool>("--all-states") { Description = "List closed and filtered ports too, not only a count" };
        var noProgress = new Option<bool>("--no-progress") { Description = "No live progress bar on a terminal" };
        var rules = new Option<string[]>("--rules") { Description = "Assessment rules of your own (same format as data/assessment-rules.tsv), merged over the built-in ones" };
        var vulnDb = new Option<string?>("--vulndb") { Description = "NVD store made by 'ports vulndb import', for version-accurate CVE findings" };
        var noAssess = new Option<bool>("--no-assess") { Description = "Skip the assessment (no findings)" };
        var detect = new Option<bool>("--detect", "-sV") { Description = "Identify the service, product and version on each open port (banners, probes, TLS)" };
        var connect = new Option<bool>("--connect", "-sT") { Description = "TCP connect scan (no privileges needed)" };
        var syn = new Option<bool>("--syn", "-sS") { Description = "Raw SYN scan (root or CAP_NET_RAW); the default when permitted" };
        var udp = new Option<bool>("--udp", "-sU") { Description = "UDP scan with protocol payloads (root or CAP_NET_RAW)" };
        var sctp = new Option<bool>("--sctp", "-sY") { Description = "SCTP INIT scan (root or CAP_NET_RAW)" };
        var skipDiscovery = new Option<bool>("--skip-discovery", "-Pn") { Description = "Treat every host as up: no host discovery before a raw scan of a range" };
        var db = HistoryCommands.DbOption();
        var noSave = new Option<bool>("--no-save") { Description = "Do not save the scan in the history" };
        var resume = new Option<long?>("--resume") { Description = "Continue an interrupted scan (the id it printed when it stopped)" };

        var command = new Command("scan", "Find open ports on the hosts you name (TCP connect: no privileges needed)")
        {
            targets, targetsFile, exclude, excludeFile, resolveAll, allowHuge, ports, excludePorts, topPorts,
            rate, maxRetries, hostTimeout, concurrency, seed, format, output, outputFormat, allStates, noProgress,
            rules, vulnDb, noAssess, detect, db, noSave, resume, connect, syn, udp, sctp, skipDiscovery,
        };
        var nmap = new NmapOptions();
        nmap.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new ScanRequest
            {
                Targets = parse.GetValue(targets) ?? [],
                TargetsFile = parse.GetValue(targetsFile),
                Exclude = parse.GetValue(exclude) ?? [],
                ExcludeFile = parse.GetValue(excludeFile),
                ResolveAll = parse.GetValue(resolveAll),
                AllowHuge = parse.GetValue(allowHuge),
                Ports = parse.GetValue(ports),
                ExcludePorts = parse.GetValue(excludePorts),
                TopPorts = parse.GetValue(topPorts),
                Rate = parse.GetValue(rate),
                MaxRetries = parse.GetValue(maxRetries),
                HostTimeout = parse.GetValue(hostTimeout),
                Concurrency = parse.GetValue(concurrency),
                Seed = parse.GetValue(seed),
                Format = parse.GetValue(format)!,
                Output = parse.GetValue(output),
                OutputFormat = parse.GetValue(outputFormat),
                AllStates = parse.GetValue(allStates),
                NoProgress = parse.GetValue(noProgress),
                Rules = parse.GetValue(rules) ?? [],
                VulnDb = parse.GetValue(vulnDb),
                NoAssess = parse.GetValue(noAssess),
                Detect = parse.GetValue(detect),
                Db = parse.GetValue(db),
                NoSave = parse.GetValue(noSave),
                Resume = parse.GetValue(resume),
                Connect = parse.GetValue(connect),
                Syn = parse.GetValue(syn),
                Udp = parse.GetValue(udp),
                Sctp = parse.GetValue(sctp),
                SkipDiscovery = parse.GetValue(skipDiscovery),
                Nmap = nmap.Read(parse),
                CommandLine = string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Prepend("ports")),
            };
            return await RunAsync(cli, request, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    internal sealed record ScanRequest
    {
        public IReadOnlyList<string> Targets { get; init; } = [];
        public string? TargetsFile { get; init; }
        public IReadOnlyList<string> Exclude { get; init; } = [];
        public string? ExcludeFile { get; init; }
        public bool ResolveAll { get; init; }
        public bool AllowHuge { get; init; }
        public string? Ports { get; init; }
        public string? ExcludePorts { get; init; }
        public int? TopPorts { get; init; }
        public double? Rate { get; init; }
        public int? MaxRetries { get; init; }
        public string? HostTimeout { get; init; }
        public int? Concurrency { get; init; }
        public ulong? Seed { get; init; }
        public string Format { get; init; } = "table";
        public string? Output { get; init; }
        public string? OutputFormat { get; init; }
        public bool AllStates { get; init; }
        public bool NoProgress { get; init; }
        public IReadOnlyList<string> Rules { get; init; } = [];
        public string? VulnDb { get; init; }
        public bool NoAssess { get; init; }
        public bool Detect { get; init; }
        public string? Db { get; init; }
        public bool NoSave { get; init; }
        public long? Resume { get; init; }
        public bool Connect { get; init; }
        public bool Syn { get; init; }
        public bool Udp { get; init; }
        public bool Sctp { get; init; }
        public bool SkipDiscovery { get; init; }
        public NmapSettings Nmap { get; init; } = NmapSettings.None;
        public string CommandLine { get; init; } = "ports scan";
    }

    internal static async Task<int> RunAsync(CliContext cli, ScanRequest request, CancellationToken cancellationToken)
    {
        // Everything is parsed and checked before the first packet: bad input exits 2 and sends nothing.
        var nmapSettings = request.Nmap;
        if (NmapScan.Validate(cli, ref nmapSettings) is int nmapError)
        {
            return nmapError;
        }
        request = request with { Nmap = nmapSettings };
        ReportFormat? stdoutFormat = null;
        if (!request.Format.Equals("table", StringComparison.OrdinalIgnoreCase))
        {
            if (!ReportFormats.TryParse(request.Format, out var f))
            {
                return cli.Fail(ExitCodes.BadInput, $"unknown format '{request.Format}': use table, json, jsonl, csv, xml, grep, sarif or html");
            }
            stdoutFormat = f;
        }
        ReportFormat? fileFormat = null;
        if (request.Output is not null)
        {
            if (request.OutputFormat is not null)
            {
                if (!ReportFormats.TryParse(request.OutputFormat, out var f))
                {
                    return cli.Fail(ExitCodes.BadInput, $"unknown output format '{request.OutputFormat}': use json, jsonl, csv, xml, grep, sarif or html");
                }
                fileFormat = f;
            }
            else
            {
                fileFormat = ReportFormats.FromExtension(request.Output);
                if (fileFormat is null)
                {
                    return cli.Fail(ExitCodes.BadInput, $"cannot tell the format of '{request.Output}' from its extension: add --output-format");
                }
            }
        }
        else if (request.OutputFormat is not null)
        {
            return cli.Fail(ExitCodes.BadInput, "--output-format needs --output FILE");
        }
        if (request.Rate is <= 0)
        {
            return cli.Fail(ExitCodes.BadInput, $"bad --rate '{request.Rate}': give a positive number of probes per second");
        }
        if (request.MaxRetries is < 0 or > 50)
        {
            return cli.Fail(ExitCodes.BadInput, $"bad --max-retries '{request.MaxRetries}': give 0-50");
        }
        if (request.Concurrency is < 1)
        {
            return cli.Fail(ExitCodes.BadInput, $"bad --concurrency '{request.Concurrency}': give a positive number");
        }
        TimeSpan? hostTimeout = null;
        if (request.HostTimeout is not null)
        {
            if (!DurationParser.TryParse(request.HostTimeout, out var t))
            {
                return cli.Fail(ExitCodes.BadInput, $"bad --host-timeout '{request.HostTimeout}': use e.g. 500ms, 30s, 5m");
            }
            hostTimeout = t;
        }

        IScanStore? store = null;
        ScanCheckpoint? resumed = null;
        if (request.Resume is long resumeId)
        {
            if (request.NoSave)
            {
                return cli.Fail(ExitCodes.BadInput, "--resume needs the history: drop --no-save");
            }
            if (request.Targets.Count > 0 || request.TargetsFile is not null || request.Ports is not null || request.TopPorts is not null)
            {
                return cli.Fail(ExitCodes.BadInput, "--resume continues the scan as it was started: give no targets or ports with it");
            }
            store = ScanStore.Open(request.Db);
            resumed = await store.GetCheckpointAsync(resumeId, cancellationToken).ConfigureAwait(false);
            if (resumed is null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
                return cli.Fail(ExitCodes.BadInput, $"no interrupted scan {resumeId} in {store.Location}");
            }
            request = ScanConfig.Restore(request, resumed);
        }
        else if (!request.NoSave)
        {
            store = ScanStore.Open(request.Db);
        }
        await using var storeToClose = store;

        var assessor = LoadAssessor(cli, request, out var assessError);
        if (assessError != 0)
        {
            return assessError;
        }
        using var vulnDbToClose = assessor?.Options.VulnDb;

        if (request.Syn && request.Connect)
        {
            return cli.Fail(ExitCodes.BadInput, "choose one TCP scan type: --syn or --connect");
        }
        var portList = ParsePorts(cli, request, out var portError);
        if (portList is null)
        {
            return portError;
        }
        // TCP goes raw (SYN) when asked, or by default when raw sockets are permitted; UDP and SCTP are always raw.
        var tcpRaw = portList.Tcp.Count > 0 && (request.Syn || (!request.Connect && resumed is null && RawCapability.IsAvailable));
        var needsRaw = tcpRaw || portList.Udp.Count > 0 || portList.Sctp.Count > 0;
        if (needsRaw && !RawCapability.IsAvailable)
        {
            var what = new[] { tcpRaw ? "a SYN scan" : null, portList.Udp.Count > 0 ? "UDP scanning" : null, portList.Sctp.Count > 0 ? "SCTP scanning" : null }.Where(w => w is not null).ToList();
            return cli.Fail(ExitCodes.BadInput, $"{string.Join(" and ", what)} {(what.Count == 1 ? "needs" : "need")} raw sockets: {RawCapability.UnavailableReason}");
        }
        var scanType = string.Join('+', new[]
        {
            portList.Tcp.Count > 0 ? (tcpRaw ? "syn" : "connect") : null,
            portList.Udp.Count > 0 ? "udp" : null,
            portList.Sctp.Count > 0 ? "sctp" : null,
        }.Where(t => t is not null));

        var specs = request.Targets.Select(t => new TargetSpec(t)).ToList();
        if (request.TargetsFile is not null)
        {
            var file = await TargetSpecFile.ReadAsync(request.TargetsFile, cancellationToken).ConfigureAwait(false);
            if (!file.Success)
            {
                return cli.Fail(ExitCodes.BadInput, file.Error!);
            }
            specs.AddRange(file.Specs!);
        }
        var excludes = request.Exclude.SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Select(e => new TargetSpec(e)).ToList();
        if (request.ExcludeFile is not null)
        {
            var file = await TargetSpecFile.ReadAsync(request.ExcludeFile, cancellationToken).ConfigureAwait(false);
            if (!file.Success)
            {
                return cli.Fail(ExitCodes.BadInput, file.Error!);
            }
            excludes.AddRange(file.Specs!);
        }
        if (specs.Count == 0)
        {
            return cli.Fail(ExitCodes.BadInput, "no targets: name hosts to scan, e.g. 'ports scan 127.0.0.1' (PortAtlas has no default target)");
        }
        var parsed = await TargetSpecParser.ParseAsync(specs, new TargetParseOptions
        {
            Excludes = excludes,
            ResolveAll = request.ResolveAll,
            AllowHuge = request.AllowHuge,
            Resolver = NmapScan.Resolver(request.Nmap),
        }, cancellationToken).ConfigureAwait(false);
        if (!parsed.Success)
        {
            return cli.Fail(ExitCodes.BadInput, parsed.Error!);
        }
        var targetSet = parsed.Value!;
        if (targetSet.Count == 0)
        {
            return cli.Fail(ExitCodes.BadInput, "no targets left after --exclude");
        }
        if (NmapScan.CheckTargets(cli, request.Nmap, targetSet) is int targetError)
        {
            return targetError;
        }
        if (request.Nmap.PingOnly)
        {
            return await NmapScan.DiscoverAsync(cli, request, targetSet, stdoutFormat, cancellationToken).ConfigureAwait(false);
        }

        var options = new ScanOptions
        {
            Rate = request.Rate,
            MaxRetries = request.MaxRetries ?? ScanOptions.Default.MaxRetries,
            HostTimeout = hostTimeout,
            Concurrency = request.Concurrency,
            // A saved scan needs a seed to be resumable: the same permutation is walked again from where it stopped.
            Seed = request.Seed ?? (store is null ? null : (ulong)Random.Shared.NextInt64()),
            ReportClosed = true,
            ReportFiltered = true,
        };
        options = NmapScan.Tune(cli, options, request);
        if (resumed is not null)
        {
            options = resumed.Options with { ReportClosed = true, ReportFiltered = true };
        }
        ResumableScan? resumable = null;
        ScanCheckpoint? checkpoint = resumed;
        // Checkpoints follow the connect engine's permutation; raw scans are saved when they end.
        if (store is not null && !needsRaw)
        {
            resumable = new ResumableScan(store, new ResumableScanOptions { ListEveryState = request.AllStates });
            checkpoint ??= await resumable.BeginAsync(new ScanCheckpoint
            {
                Targets = [.. specs.Select(t => t.Text)],
                Ports = PortSpecParser.Format(portList),
                Options = options,
                ConfigJson = ScanConfig.Save(request, excludes),
                Partial = new ScanReport { Stats = new ScanStats { ScanType = "connect", CommandLine = request.CommandLine } },
            }, cancellationToken).ConfigureAwait(false);
        }

        if (portList.Tcp.Count > 0 && !request.Syn && !request.Connect && resumed is null)
        {
            cli.Error.WriteLine(tcpRaw
                ? "ports: SYN scan (raw sockets are permitted; --connect for a connect scan)"
                : "ports: connect scan (no raw-socket privilege; as root PortAtlas uses a SYN scan)");
        }
        var scanner = new PortScanner();
        var raw = new RawScanner();
        var rawOptions = new RawScanOptions
        {
            Rate = request.Rate ?? RawScanOptions.Default.Rate,
            MinRate = Math.Min(RawScanOptions.Default.MinRate, request.Rate ?? double.MaxValue),
            MaxRetries = request.MaxRetries ?? RawScanOptions.Default.MaxRetries,
            Seed = options.Seed,
            SkipDiscovery = request.SkipDiscovery,
            ReportClosed = true,
            ReportFiltered = true,
        };
        rawOptions = NmapScan.Tune(cli, rawOptions, request);
        var rawNotes = new List<string>();
        async IAsyncEnumerable<PortResult> RawResults(RawScanType type, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token = default)
        {
            await foreach (var result in raw.ScanAsync(targetSet, portList, rawOptions with { ScanType = type }, token).ConfigureAwait(false))
            {
                yield return result;
            }
            rawNotes.AddRange(raw.LastStats?.Notes ?? []);
        }
        async IAsyncEnumerable<PortResult> Concat(IEnumerable<IAsyncEnumerable<PortResult>> streams)
        {
            foreach (var stream in streams)
            {
                await foreach (var result in stream.ConfigureAwait(false))
                {
                    yield return result;
                }
            }
        }
        var collector = new ScanCollector(request.AllStates);
        var started = DateTimeOffset.Now;
        var interrupted = false;
        using var progress = request.NoProgress || cli.Progress is null || stdoutFormat is ReportFormat.Jsonl
            ? null
            : new ProgressRenderer(cli.Progress, () => scanner.Progress);
        try
        {
            var streams = new List<IAsyncEnumerable<PortResult>>();
            if (portList.Tcp.Count > 0)
            {
                streams.Add(tcpRaw ? RawResults(RawScanType.Syn, cancellationToken)
                    : resumable is not null ? resumable.RunAsync(scanner, checkpoint!, targetSet, portList, cancellationToken)
                    : scanner.ScanAsync(targetSet, portList, options, cancellationToken));
            }
            if (portList.Udp.Count > 0)
            {
                streams.Add(RawResults(RawScanType.Udp, cancellationToken));
            }
            if (portList.Sctp.Count > 0)
            {
                streams.Add(RawResults(RawScanType.Sctp, cancellationToken));
            }
            var results = Concat(streams);
            if (request.Detect)
            {
                // Detection runs on open ports as they are found, while the scan goes on.
                results = new ServiceDetector().DetectAsync(results, NmapScan.Detection(request.Nmap), cancellationToken);
            }
            await foreach (var result in results.ConfigureAwait(false))
            {
                collector.Add(result);
                NmapScan.OnResult(cli, request.Nmap, result);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }
        progress?.Dispose();

        var stats = new ScanStats
        {
            Started = started,
            Finished = DateTimeOffset.Now,
            ScanType = scanType,
            CommandLine = request.CommandLine,
            Ports = portList,
            HostsScanned = (long)Math.Min(targetSet.Count, long.MaxValue),
            ProbesSent = (scanner.Progress?.ProbesSent ?? 0) + (raw.LastStats?.PacketsSent ?? 0),
            Interrupted = interrupted,
        };
        var report = collector.Build(stats, targetSet);
        if (resumed is not null)
        {
            // The results settled before the interruption come from the checkpoint.
            report = ScanReportMerge.Merge(resumed.Partial, report, request.AllStates) with { Stats = report.Stats with { Started = resumed.Created } };
            report = report with { Stats = report.Stats with { PortsScanned = report.Hosts.Sum(h => h.StateCounts.Values.Sum()) } };
        }
        if (assessor is not null)
        {
            report = assessor.Annotate(report);
        }
        report = await NmapScan.FinishAsync(cli, request.Nmap, report, CancellationToken.None).ConfigureAwait(false);

        if (stdoutFormat is ReportFormat f2)
        {
            f2.CreateWriter().Write(report, cli.Out);
            cli.Out.Flush();
        }
        else
        {
            ScanTable.Render(cli.Console, report, request.Nmap.Reason);
        }
        if (request.Output is not null)
        {
            await fileFormat!.Value.CreateWriter().WriteToFileAsync(report, request.Output, CancellationToken.None).ConfigureAwait(false);
        }
        await NmapScan.SaveAsync(request.Nmap, report, CancellationToken.None).ConfigureAwait(false);
        foreach (var note in rawNotes.Distinct())
        {
            cli.Error.WriteLine($"ports: {note}");
        }
        if (interrupted)
        {
            cli.Error.WriteLine($"ports: interrupted; reported the {report.Stats.PortsScanned} of {(long)targetSet.Count * portList.Count} probes decided so far"
                + (checkpoint is null ? "" : $"; continue with 'ports scan --resume {checkpoint.Id}'"));
            return ExitCodes.Interrupted;
        }
        if (store is not null)
        {
            var id = await store.SaveAsync(report, new ScanMetadata
            {
                Targets = checkpoint?.Targets ?? [.. specs.Select(t => t.Text)],
                ConfigJson = checkpoint?.ConfigJson ?? ScanConfig.Save(request, excludes),
            }, CancellationToken.None).ConfigureAwait(false);
            if (checkpoint is not null)
            {
                await store.DeleteCheckpointAsync(checkpoint.Id, CancellationToken.None).ConfigureAwait(false);
            }
            cli.Error.WriteLine($"ports: saved as scan {id} in {store.Location}");
        }
        return ExitCodes.Success;
    }

    /// <summary>The assessor with the user's rules and NVD store; exit code 2 when a file is bad or missing.</summary>
    internal static Assessor? LoadAssessor(CliContext cli, ScanRequest request, out int exitCode)
    {
        exitCode = 0;
        if (request.NoAssess)
        {
            return null;
        }
        var rules = AssessmentRules.BuiltIn;
        foreach (var path in request.Rules)
        {
            if (!File.Exists(path))
            {
                exitCode = cli.Fail(ExitCodes.BadInput, $"rules file '{path}' does not exist");
                return null;
            }
            using var reader = new StreamReader(path);
            var parsed = AssessmentRules.Parse(reader, path);
            if (parsed.Errors.Count > 0)
            {
                exitCode = cli.Fail(ExitCodes.BadInput, parsed.Errors[0]);
                return null;
            }
            rules = rules.Merge(parsed.Rules);
        }
        VulnDb? vulnDb = null;
        if (request.VulnDb is not null)
        {
            if (!File.Exists(request.VulnDb))
            {
                exitCode = cli.Fail(ExitCodes.BadInput, $"NVD store '{request.VulnDb}' does not exist: make it with 'ports vulndb import FILE --vulndb {request.VulnDb}'");
                return null;
            }
            vulnDb = VulnDb.Open(request.VulnDb);
        }
        return new Assessor(new AssessorOptions { Rules = rules, VulnDb = vulnDb });
    }

    private static PortList? ParsePorts(CliContext cli, ScanRequest request, out int exitCode)
    {
        exitCode = ExitCodes.BadInput;
        if (request.TopPorts is int top && request.Ports is not null)
        {
            cli.Fail(ExitCodes.BadInput, "give either -p or --top-ports, not both");
            return null;
        }
        if (request.TopPorts is < 1 or > PortRange.MaxPort)
        {
            cli.Fail(ExitCodes.BadInput, $"bad --top-ports '{request.TopPorts}': give 1-65535");
            return null;
        }
        var transports = new List<Transport>();
        if (request.Connect || request.Syn || !(request.Udp || request.Sctp))
        {
            transports.Add(Transport.Tcp);
        }
        if (request.Udp)
        {
            transports.Add(Transport.Udp);
        }
        if (request.Sctp)
        {
            transports.Add(Transport.Sctp);
        }
        var options = new PortParseOptions { Exclude = request.ExcludePorts, DefaultTransports = transports };
        var parsed = request.Ports is not null
            ? PortSpecParser.Parse(request.Ports, options)
            : PortSpecParser.Top(request.TopPorts ?? DefaultTopPorts, options);
        if (!parsed.Success)
        {
            cli.Fail(ExitCodes.BadInput, parsed.Error!);
            return null;
        }
        var list = parsed.Value!;
        if (list.Count == 0)
        {
            cli.Fail(ExitCodes.BadInput, "no ports left to scan after --exclude-ports");
            return null;
        }
        return list;
    }
}
