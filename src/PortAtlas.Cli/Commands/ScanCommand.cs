using System.Globalization;
using System.CommandLine;
using PortAtlas.Cli.Rendering;
using PortAtlas.Reports;
using PortAtlas.Scanning;
using PortAtlas.Storage;

namespace PortAtlas.Cli.Commands;

/// <summary>`ports scan`: options → <see cref="ScanPlan"/> (bad input exits 2 before any packet) → <see cref="ScanSession"/> → render, write, save.</summary>
internal static class ScanCommand
{
    private const int DefaultTopPorts = ScanPlan.DefaultTopPorts;

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
        var topPorts = new Option<int?>("--top-ports") { Description = $"Scan the N ports PortAtlas ranks highest (default {DefaultTopPorts} when -p is not given)", CustomParser = OptionParsers.NullableInt(1, 65535, "ports") };
        var rate = new Option<double?>("--rate") { Description = "Most probes per second (0.1 to 10,000,000)", CustomParser = OptionParsers.NullableDouble(0.1, 10_000_000, "probes per second") };
        var maxRetries = new Option<int?>("--max-retries") { Description = "Retransmissions of an unanswered probe before it is filtered (default 10, as nmap)", CustomParser = OptionParsers.NullableInt(0, 50, "retransmissions") };
        var hostTimeout = new Option<string?>("--host-timeout") { Description = "Give up on a host after this long (500ms, 30s, 5m)" };
        var concurrency = new Option<int?>("--concurrency") { Description = "Most connects in flight (default: from the open-file limit)", CustomParser = OptionParsers.NullableInt(1, 1_000_000, "connects in flight") };
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the random probe order (repeatable scans)", CustomParser = OptionParsers.NullableUInt64("a seed") };
        var format = new Option<string>("--format", "-f") { Description = "stdout format: table, json, jsonl, csv, xml, grep", DefaultValueFactory = _ => "table" };
        var output = new Option<string?>("--output", "-o") { Description = "Also write the report to FILE (format from the extension or --output-format)" };
        var outputFormat = new Option<string?>("--output-format") { Description = "Format of --output: json, jsonl, csv, xml, grep" };
        var allStates = new Option<bool>("--all-states") { Description = "List closed and filtered ports too, not only a count" };
        var noProgress = new Option<bool>("--no-progress") { Description = "No live progress bar on a terminal" };
        var rules = new Option<string[]>("--rules") { Description = "Assessment rules of your own (same format as data/assessment-rules.tsv), merged over the built-in ones" };
        var vulnDb = new Option<string?>("--vulndb") { Description = "NVD store made by 'ports vulndb import', for version-accurate CVE findings" };
        var noAssess = new Option<bool>("--no-assess") { Description = "Skip the assessment (no findings)" };
        var detect = new Option<bool>("--detect", "-sV") { Description = "Identify the service, product and version on each open port (banners, probes, TLS)" };
        var tlsEnum = new Option<bool>("--tls-enum") { Description = "With --detect: enumerate every cipher suite each TLS version accepts, in the server's order, and every key-exchange group" };
        var sni = new Option<string?>("--sni") { Description = "With --detect: the name sent as TLS SNI and matched against certificates (default: the host name scanned, when one was given)" };
        var caFile = new Option<string?>("--ca-file") { Description = "With --detect: PEM file of CA certificates to validate TLS chains against, instead of the system store" };
        var connect = new Option<bool>("--connect", "-sT") { Description = "TCP connect scan (no privileges needed)" };
        var syn = new Option<bool>("--syn", "-sS") { Description = "Raw SYN scan (root or CAP_NET_RAW); the default when permitted" };
        var udp = new Option<bool>("--udp", "-sU") { Description = "UDP scan with protocol payloads (root or CAP_NET_RAW)" };
        var sctp = new Option<bool>("--sctp", "-sY") { Description = "SCTP INIT scan (root or CAP_NET_RAW)" };
        var skipDiscovery = new Option<bool>("--skip-discovery", "-Pn") { Description = "Treat every host as up: no host discovery before a raw scan of a range" };
        var db = HistoryCommands.DbOption();
        var noSave = new Option<bool>("--no-save") { Description = "Do not save the scan in the history" };
        var resume = new Option<long?>("--resume") { Description = "Continue an interrupted scan (the id it printed when it stopped)", CustomParser = OptionParsers.NullableLong(1, long.MaxValue, "a checkpoint id") };

        var command = new Command("scan", "Find open ports on the hosts you name (TCP connect: no privileges needed)")
        {
            targets, targetsFile, exclude, excludeFile, resolveAll, allowHuge, ports, excludePorts, topPorts,
            rate, maxRetries, hostTimeout, concurrency, seed, format, output, outputFormat, allStates, noProgress,
            rules, vulnDb, noAssess, detect, tlsEnum, sni, caFile, db, noSave, resume, connect, syn, udp, sctp, skipDiscovery,
        };
        var nmap = new NmapOptions();
        nmap.AddTo(command);
        var sharding = new ShardOptions();
        sharding.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var techniques = new List<ScanTechnique>();
            techniques.AddRange(parse.GetValue(connect) ? [ScanTechnique.Connect] : []);
            techniques.AddRange(parse.GetValue(syn) ? [ScanTechnique.Syn] : []);
            techniques.AddRange(parse.GetValue(udp) ? [ScanTechnique.Udp] : []);
            techniques.AddRange(parse.GetValue(sctp) ? [ScanTechnique.Sctp] : []);
            var input = new ScanPlanInput
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
                Techniques = techniques,
                Rate = parse.GetValue(rate),
                MaxRetries = parse.GetValue(maxRetries),
                HostTimeout = parse.GetValue(hostTimeout),
                Concurrency = parse.GetValue(concurrency),
                Seed = parse.GetValue(seed),
                SkipDiscovery = parse.GetValue(skipDiscovery),
                Detect = parse.GetValue(detect),
                Assess = !parse.GetValue(noAssess),
                RuleFiles = parse.GetValue(rules) ?? [],
                VulnDb = parse.GetValue(vulnDb),
                ListEveryState = parse.GetValue(allStates),
                OutputPaths = parse.GetValue(output) is { } path ? [path] : [],
                CommandLine = PortAtlas.Sanitizing.Secrets.MaskCredentials(string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Prepend("ports"))),
            };
            if (!sharding.TryRead(parse, Environment.GetEnvironmentVariable, out var shard, out var group, out var shardError))
            {
                return cli.Fail(ExitCodes.BadInput, shardError!);
            }
            input = input with { Shard = shard, Group = group };
            if (!TlsDetectionOptions.TryCreate(input, parse.GetValue(tlsEnum), parse.GetValue(sni), parse.GetValue(caFile), out var detection, out var tlsError))
            {
                return cli.Fail(ExitCodes.BadInput, tlsError);
            }
            var request = new ScanRequest(input, parse.GetValue(format)!, parse.GetValue(outputFormat), parse.GetValue(noProgress),
                parse.GetValue(db), parse.GetValue(noSave), parse.GetValue(resume)) { Detection = detection, Nmap = nmap.Read(parse) };
            return await RunAsync(cli, request, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The scan as the command line gave it: the plan's input, and what the CLI does with the results.</summary>
    internal sealed record ScanRequest(ScanPlanInput Input, string Format, string? OutputFormat, bool NoProgress, string? Db, bool NoSave, long? Resume)
    {
        /// <summary>Detection settings from the TLS flags; the defaults when none were given.</summary>
        public PortAtlas.Detection.DetectionOptions? Detection { get; init; }

        /// <summary>nmap's flags (NmapCompat translates them into these options); none by default.</summary>
        public NmapSettings Nmap { get; init; } = NmapSettings.None;
    }

    internal static async Task<int> RunAsync(CliContext cli, ScanRequest request, CancellationToken cancellationToken)
    {
        // Everything is parsed and checked before the first packet: bad input exits 2 and sends nothing.
        var nmapSettings = request.Nmap;
        if (NmapScan.Validate(cli, ref nmapSettings) is int nmapError)
        {
            return nmapError;
        }
        request = request with
        {
            Nmap = nmapSettings,
            Input = NmapScan.ApplyDns(nmapSettings, request.Input),
            Detection = nmapSettings.VersionIntensity is int intensity ? (request.Detection ?? PortAtlas.Detection.DetectionOptions.Default) with { MaxProbes = intensity + 1 } : request.Detection,
        };
        var input = request.Input;
        ReportFormat? stdoutFormat = null, fileFormat = null;
        if (!request.Format.Equals("table", StringComparison.OrdinalIgnoreCase))
        {
            if (!ReportFormats.TryParse(request.Format, out var f))
            {
                return cli.Fail(ExitCodes.BadInput, $"unknown format '{request.Format}': use table, json, jsonl, csv, xml, grep, sarif or html");
            }
            stdoutFormat = f;
        }
        var outputPath = input.OutputPaths.FirstOrDefault();
        if (outputPath is null != request.OutputFormat is null && outputPath is null)
        {
            return cli.Fail(ExitCodes.BadInput, "--output-format needs --output FILE");
        }
        if (outputPath is not null)
        {
            fileFormat = request.OutputFormat is null ? ReportFormats.FromExtension(outputPath)
                : ReportFormats.TryParse(request.OutputFormat, out var f) ? f : null;
            if (fileFormat is null)
            {
                return cli.Fail(ExitCodes.BadInput, request.OutputFormat is null
                    ? $"cannot tell the format of '{outputPath}' from its extension: add --output-format"
                    : $"unknown output format '{request.OutputFormat}': use json, jsonl, csv, xml, grep, sarif or html");
            }
        }
        if (request.Resume is not null && (request.NoSave || input.Targets.Count > 0 || input.TargetsFile is not null || input.Ports is not null || input.TopPorts is not null))
        {
            return cli.Fail(ExitCodes.BadInput, request.NoSave ? "--resume needs the history: drop --no-save" : "--resume continues the scan as it was started: give no targets or ports with it");
        }
        ScanPlan plan;
        ScanCheckpoint? resumed = null;
        if (request.Resume is null)
        {
            var parsed = await ScanPlan.ParseAsync(input, NmapScan.Resolver(request.Nmap), cancellationToken).ConfigureAwait(false);
            if (!parsed.Success)
            {
                return cli.Fail(ExitCodes.BadInput, parsed.Error);
            }
            plan = parsed.Plan;
            if (NmapScan.CheckTargets(cli, request.Nmap, plan.Targets) is int targetError)
            {
                return targetError;
            }
            if (request.Nmap.PingOnly)
            {
                return await NmapScan.DiscoverAsync(cli, request, plan, stdoutFormat, cancellationToken).ConfigureAwait(false);
            }
            plan = plan with { Options = NmapScan.Tune(cli, plan.Options, request) };
        }
        else
        {
            if (outputPath is not null && ScanPlan.CheckOutputPath(outputPath) is { } outputError)
            {
                return cli.Fail(ExitCodes.BadInput, outputError);
            }
            await using var lookup = HistoryCommands.OpenStore(request.Db, readOnly: false);
            resumed = await lookup.GetCheckpointAsync(request.Resume.Value, cancellationToken).ConfigureAwait(false);
            if (resumed is null)
            {
                return cli.Fail(ExitCodes.BadInput, $"no interrupted scan {request.Resume} in {lookup.Location}");
            }
            // The scan goes on as it was started; where its results go is the resuming command line's choice.
            plan = resumed.Plan with { OutputPaths = input.OutputPaths };
        }

        if (plan.Options.Shard is not null && request.NoSave)
        {
            return cli.Fail(ExitCodes.BadInput, "--shard needs the scan store, where the shards come together: drop --no-save");
        }
        IScanStore? store = null;
        var notSaved = false;
        if (!request.NoSave)
        {
            try
            {
                store = HistoryCommands.OpenStore(request.Db, readOnly: false);
                // Opening is lazy: reach the store now, so a corrupt file or an unreachable server is said once,
                // before the scan, and neither checkpoints nor the final save try it again.
                await store.GetSchemaVersionAsync(cancellationToken).ConfigureAwait(false);
            }
            // A --db that names no usable place (a directory, a missing directory, a blank URL) is bad input: it goes
            // on to CliErrors and exits 2 before the first packet.
            catch (Exception ex) when (ex is not ScanStoreException { IsBadLocation: true }
                && ex is ScanStoreException or IOException or InvalidOperationException or System.Data.Common.DbException or UnauthorizedAccessException)
            {
                // The scan still runs, prints and writes its files; only the history misses it.
                cli.Error.WriteLine($"ports: this scan will not be saved: {ex.Message.Split('\n')[0]}");
                if (store is not null)
                {
                    await store.DisposeAsync().ConfigureAwait(false);
                }
                store = null;
                notSaved = true;
            }
        }
        await using var storeToClose = store;
        ShardCheckpointSink? shardSink = null;
        if (plan.Options.Shard is not null && plan.Group is not null)
        {
            var joined = await ShardRun.JoinAsync(cli, store, plan, resumed, cancellationToken).ConfigureAwait(false);
            if (joined.Exit is int exit)
            {
                return exit;
            }
            (plan, resumed, shardSink) = (joined.Plan, joined.Resume, joined.Sink);
        }
        await using var session = new ScanSession(plan, new ScanSessionOptions { Checkpoints = (IScanCheckpointSink?)shardSink ?? store, Resume = resumed, Detection = request.Detection });
        if (session.Error is not null)
        {
            return cli.Fail(ExitCodes.BadInput, session.Error);
        }
        if (session.TechniqueNote is not null && resumed is null)
        {
            cli.Error.WriteLine($"ports: {session.TechniqueNote}");
        }

        var stream = new StreamingOutput(cli, stdoutFormat is ReportFormat.Jsonl, fileFormat is ReportFormat.Jsonl ? outputPath : null, plan);
        await using (stream.ConfigureAwait(false))
        {
            using (var progress = request.NoProgress || cli.Progress is null || stdoutFormat is ReportFormat.Jsonl
                ? null : new ProgressRenderer(cli.Progress, () => session.Progress))
            {
                var scanStart = NmapScan.Uptime();
                await foreach (var result in session.RunAsync(cancellationToken).ConfigureAwait(false))
                {
                    await stream.WriteAsync(result).ConfigureAwait(false);
                    NmapScan.OnResult(cli, request.Nmap, result);
                }
                if (request.Nmap.Debug > 0)
                {
                    // Where the process's time went around the engines (start-up before, the pipeline's drain after): issue 16.
                    cli.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"ports: process time: scan started at {scanStart:0.000} s, results all taken at {NmapScan.Uptime():0.000} s"));
                }
            }
            var report = await NmapScan.FinishAsync(cli, request.Nmap, session.BuildReport(), cancellationToken).ConfigureAwait(false);
            await stream.FinishAsync(report.Stats).ConfigureAwait(false);
            if (stdoutFormat is ReportFormat f && f != ReportFormat.Jsonl)
            {
                f.CreateWriter().Write(report, cli.Out);
                cli.Out.Flush();
            }
            else if (stdoutFormat is null)
            {
                ScanTable.Render(cli.Console, report, request.Nmap.Reason);
            }
            var writeError = stream.FileError;
            if (outputPath is not null && fileFormat != ReportFormat.Jsonl)
            {
                try
                {
                    await fileFormat!.Value.CreateWriter().WriteToFileAsync(report, outputPath, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // A file that cannot be written (a full disk) must not lose the scan: it is printed above and saved below.
                    writeError = $"cannot write '{outputPath}': {PortAtlas.Sanitizing.OutsideText.Printable(ex.Message, 300, singleLine: true)}";
                }
            }
            if (writeError is not null)
            {
                cli.Error.WriteLine($"ports: {writeError}");
            }
            await NmapScan.SaveAsync(request.Nmap, report, CancellationToken.None).ConfigureAwait(false);
            foreach (var note in session.Notes)
            {
                cli.Error.WriteLine($"ports: {note}");
            }
            if (request.Nmap.Debug > 0)
            {
                foreach (var stats in session.RawStats)
                {
                    cli.Error.WriteLine(NmapScan.DescribePhases(stats));
                }
                cli.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ports: process time: report written at {NmapScan.Uptime():0.000} s"));
            }
            if (request.Nmap.Verbose > 0)
            {
                // The engines' own count, beside what was reported: scripts and tests check that nothing decided was lost.
                cli.Error.WriteLine($"ports: the engines decided {session.EngineOpenCount} open ports in this run");
            }
            var saved = shardSink is not null
                ? await ShardRun.SaveAsync(cli, store!, shardSink, session, report).ConfigureAwait(false)
                : await SaveAsync(cli, store, session, report).ConfigureAwait(false);
            if (request.Nmap.Debug > 0 && store is not null)
            {
                cli.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ports: process time: history saved at {NmapScan.Uptime():0.000} s"));
            }
            return saved == ExitCodes.Success && (notSaved || writeError is not null) ? ExitCodes.Failure : saved;
        }
    }

    /// <summary>Saves the report (finished) or leaves the checkpoint (interrupted); CliApp turns 130 into 143 when SIGTERM or SIGHUP stopped it.</summary>
    private static async Task<int> SaveAsync(CliContext cli, IScanStore? store, ScanSession session, ScanReport report)
    {
        var id = session.CheckpointId;
        if (session.Interrupted)
        {
            cli.Error.WriteLine($"ports: interrupted; reported the {report.Stats.PortsScanned} of {session.Plan.PairCount} probes decided so far"
                + (store is null || id == 0 ? "" : $"; continue with 'ports scan --resume {id}'"));
            return ExitCodes.Interrupted;
        }
        if (store is null)
        {
            return ExitCodes.Success;
        }
        try
        {
            var saved = await store.SaveAsync(report, new ScanMetadata { Targets = [.. session.Plan.Targets.ToSpecs()], ConfigJson = session.Plan.ToJson() }, CancellationToken.None).ConfigureAwait(false);
            if (id != 0)
            {
                await store.DeleteCheckpointAsync(id, CancellationToken.None).ConfigureAwait(false);
            }
            cli.Error.WriteLine($"ports: saved as scan {saved} in {store.Location}");
            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is ScanStoreException or IOException or InvalidOperationException or System.Data.Common.DbException or UnauthorizedAccessException)
        {
            return cli.Fail(ExitCodes.Failure, $"this scan was not saved (its results are above and in any output file): {ex.Message.Split('\n')[0]}");
        }
    }
}
