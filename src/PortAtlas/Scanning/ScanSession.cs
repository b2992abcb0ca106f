using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using PortAtlas.Assessment;
using PortAtlas.Detection;
using PortAtlas.Registry;
using PortAtlas.Scanning.Raw;

namespace PortAtlas.Scanning;

/// <summary>
/// Runs a <see cref="ScanPlan"/>: picks the engines (SYN when raw sockets are permitted, connect otherwise; UDP and SCTP
/// beside TCP, all at once), and streams every port through a pipeline of bounded channels — engines, detection,
/// assessment — to the caller as it is decided, while one <see cref="ScanCollector"/> folds the report and checkpoints
/// go to an <see cref="IScanCheckpointSink"/>. Cancelling ends the stream after every port decided so far, from every
/// engine, has been yielded; the report then says it was interrupted.
/// </summary>
/// <example>
/// <code>
/// var plan = (await ScanPlan.ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Ports = "1-1024" })).Plan!;
/// await using var session = new ScanSession(plan);
/// await foreach (var port in session.RunAsync(cancellationToken))
/// {
///     Console.WriteLine($"{port.Address} {port.Port}/{port.Protocol} {port.State}");
/// }
/// var report = session.BuildReport();
/// </code>
/// </example>
public sealed class ScanSession : IAsyncDisposable
{
    private readonly ScanSessionOptions _options;
    private readonly TimeProvider _time;
    private readonly List<IScanEngine> _engines = [];
    private readonly HashSet<string> _finished;
    private readonly ConcurrentDictionary<ulong, byte> _inPipeline = new();
    private readonly List<(ulong Index, PortResult Result)> _connectPending = [];
    private readonly Dictionary<string, ScanCollector> _rawParts = [];
    private readonly Dictionary<(IPAddress, Transport, int), ServiceInfo> _known = [];
    private readonly Dictionary<(IPAddress, Transport, int), PortResult> _replayed = [];
    private readonly List<PortResult> _replays = [];
    private readonly List<string> _warnings = [];
    private readonly HashSet<IScanEngine> _uniformAdded = [];
    private readonly ScanCollector _report;
    private readonly ScanCollector _committed;
    private readonly ScanReport? _seed;
    private readonly long _seedProbes;
    private readonly ulong _startPosition;
    private IReadOnlyDictionary<IPAddress, string> _names = new Dictionary<IPAddress, string>();
    private Assessor? _assessor;
    private VulnDb? _ownedVulnDb;
    private DateTimeOffset _started;
    private DateTimeOffset _finishedAt;
    private ulong _position;
    private long _checkpointId;
    private bool _checkpointFailed;
    private bool _ran;
    private readonly bool _soleRaw;
    // A lone raw engine's results written into the pipeline and recorded at its end: it counts as finished for a
    // checkpoint only once both agree, or results still on their way would be missing from a checkpoint that says it ended.
    private long _solePumped;
    private long _soleRecorded;
    private bool _interrupted;
    private int _running;

    /// <summary>A session for <paramref name="plan"/>; checks whether it can run here (<see cref="Error"/>) and picks the engines. Sends nothing.</summary>
    public ScanSession(ScanPlan plan, ScanSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _options = options ?? new ScanSessionOptions();
        _time = _options.TimeProvider;
        var resume = _options.Resume;
        var rawOk = _options.RawAvailable ?? RawCapability.IsAvailable;
        var ports = plan.Ports;
        var local = ports.Tcp.Count > 0 && plan.TcpTechnique == ScanTechnique.Auto && rawOk && TechniqueChoice.PrefersConnect(plan.Targets, ports.Tcp.Count);
        var tcpRaw = ports.Tcp.Count > 0 && (plan.TcpTechnique == ScanTechnique.Syn || (plan.TcpTechnique == ScanTechnique.Auto && rawOk && !local));
        if (ports.Tcp.Count > 0 && plan.TcpTechnique == ScanTechnique.Auto)
        {
            TechniqueNote = tcpRaw
                ? "SYN scan (raw sockets are permitted; --connect for a connect scan)"
                : local
                    ? "connect scan (the target is this machine, where connect is faster than SYN for a scan this small; --syn for a SYN scan)"
                    : "connect scan (no raw-socket privilege; as root PortAtlas uses a SYN scan)";
        }
        // The plan a checkpoint keeps names the technique chosen, so a resumed scan uses the same one.
        Plan = plan with { TcpTechnique = ports.Tcp.Count == 0 ? plan.TcpTechnique : tcpRaw ? ScanTechnique.Syn : ScanTechnique.Connect };
        var needs = new List<string>();
        if (tcpRaw)
        {
            needs.Add("a SYN scan");
        }
        if (ports.Udp.Count > 0)
        {
            needs.Add("UDP scanning");
        }
        if (ports.Sctp.Count > 0)
        {
            needs.Add("SCTP scanning");
        }
        if (needs.Count > 0 && !rawOk)
        {
            Error = $"{string.Join(" and ", needs)} {(needs.Count == 1 ? "needs" : "need")} raw sockets: {RawCapability.UnavailableReason ?? "not permitted here"}";
        }
        ScanType = string.Join('+', new[]
        {
            ports.Tcp.Count > 0 ? (tcpRaw ? "syn" : "connect") : null,
            ports.Udp.Count > 0 ? "udp" : null,
            ports.Sctp.Count > 0 ? "sctp" : null,
        }.Where(t => t is not null));

        _finished = [.. resume?.FinishedEngines ?? []];
        _startPosition = _position = resume?.Position ?? 0;
        var listing = new ScanCollectorOptions { ListClosed = plan.ListEveryState, ListFiltered = plan.ListEveryState };
        _report = new ScanCollector(listing);
        _committed = new ScanCollector(listing);
        if (resume is not null)
        {
            _seed = resume.Partial;
            _seedProbes = resume.Partial.Stats.ProbesSent;
            _report.Add(resume.Partial);
            _committed.Add(resume.Partial);
            foreach (var port in resume.Identified?.Hosts.SelectMany(h => h.Ports) ?? [])
            {
                if (port.Service is { } service)
                {
                    _known[(port.Address, port.Protocol, port.Port)] = service;
                }
            }
            if (plan.Detect)
            {
                // Settled open ports that were never identified (the scan stopped first) are identified now.
                _replays.AddRange(resume.Partial.Hosts.SelectMany(h => h.Ports)
                    .Where(p => p.Protocol == Transport.Tcp && p.State == PortState.Open && p.Service is null));
            }
        }

        // Engines running at once share the rate cap, so the plan's cap holds for the scan as a whole.
        var engineCount = (ports.Tcp.Count > 0 ? 1 : 0) + (ports.Udp.Count > 0 ? 1 : 0) + (ports.Sctp.Count > 0 ? 1 : 0);
        var engineOptions = Plan.Options with
        {
            TimeProvider = _time,
            Rate = Plan.Options.Rate / Math.Max(1, engineCount),
            ReportClosed = true,
            ReportFiltered = true,
            // A lone TCP engine's silent hosts, and its hosts that answered a reset on every port, come as bits, not as a
            // result per port, when the report lists none of their ports: JSONL streams closed and silent ports only with
            // every state listed, and the report's hosts merge them by IPv4 address (issue 17). A shard's host counts its
            // own pairs only; the group's report, which adds the shards up, lists none of them either. Past
            // ListPortsOfSilentHostsUpTo addresses they come as bits however few the ports are (see there).
            UniformHostsImplicit = ports.Udp.Count == 0 && ports.Sctp.Count == 0 && !plan.ListEveryState
                && (ports.Tcp.Count > ScanCollector.MaxListedPerState || plan.Targets.Count > ListPortsOfSilentHostsUpTo)
                && plan.Targets.IsIPv4Only,
        };
        if (ports.Tcp.Count > 0 && !_finished.Contains(tcpRaw ? "syn" : "connect"))
        {
            _engines.Add(_options.TcpEngine is { } make ? make(engineOptions with { StartIndex = _startPosition })
                : tcpRaw
                ? Raw(RawScanType.Syn)
                : new ConnectEngine(plan.Targets, ports, engineOptions with { StartIndex = _startPosition }));
        }
        if (ports.Udp.Count > 0 && !_finished.Contains("udp"))
        {
            _engines.Add(Raw(RawScanType.Udp));
        }
        if (ports.Sctp.Count > 0 && !_finished.Contains("sctp"))
        {
            _engines.Add(Raw(RawScanType.Sctp));
        }
        // Checkpoints need a second report of what is settled. A lone raw engine settles everything at once when it
        // finishes, so the running report serves then; otherwise each raw engine's results are kept apart until it ends.
        _soleRaw = _engines.Count == 1 && !_engines[0].Indexed;
        if (_options.Checkpoints is not null && !_soleRaw)
        {
            foreach (var engine in _engines.Where(e => !e.Indexed))
            {
                _rawParts[engine.Name] = new ScanCollector(listing);
            }
        }
        var total = (long)Math.Min(long.MaxValue, (double)_engines.Sum(e => (double)e.Pairs));
        Progress = new ScanProgress(total, _time)
        {
            ProbeCounter = () => _engines.Sum(e => e.ProbesSent),
            ClosedHeldCounter = () => _engines.Sum(e => e.ClosedHeld),
        };

        IScanEngine Raw(RawScanType type) => new RawEngine(plan.Targets, ports, RawScanOptions.From(engineOptions with
        {
            // Each raw engine gets its own cookie key and order: engines running at once never take each other's replies.
            Seed = engineOptions.Seed is { } seed ? seed + ((ulong)type * 0x9E3779B97F4A7C15UL) : null,
        }, type));
    }

    /// <summary>The plan being run, with the TCP technique resolved (what a checkpoint keeps).</summary>
    public ScanPlan Plan { get; }

    /// <summary>Why the plan cannot run here (raw sockets needed but not permitted); null when it can. <see cref="RunAsync"/> refuses to start otherwise.</summary>
    public string? Error { get; }

    /// <summary>Which technique an automatic TCP choice picked, for the user; null when none was automatic.</summary>
    public string? TechniqueNote { get; }

    /// <summary>The engines, joined: <c>syn</c>, <c>connect+udp</c>, <c>syn+udp+sctp</c>.</summary>
    public string ScanType { get; }

    /// <summary>Live counters over every engine of this run: pairs decided, probes sent, open ports.</summary>
    public ScanProgress Progress { get; }

    /// <summary>
    /// Open ports this run's engines have decided so far, by their own count (taken where each engine decides, before
    /// detection, assessment and the caller). Once <see cref="RunAsync"/> has ended, every one of them was yielded.
    /// </summary>
    public long EngineOpenCount => _engines.Sum(e => e.OpenDecided);

    /// <summary>The id of the last checkpoint saved; 0 before the first (or without a sink).</summary>
    public long CheckpointId => _checkpointId != 0 ? _checkpointId : _options.Resume?.Id ?? 0;

    /// <summary>Whether the run was stopped before its end.</summary>
    public bool Interrupted => _interrupted;

    /// <summary>Notes and warnings of the run (a checkpoint that could not be saved, hosts answering everywhere, ICMP rate limits).</summary>
    public IReadOnlyList<string> Notes => [.. _warnings, .. _engines.SelectMany(e => e.Notes).Distinct()];

    /// <summary>The raw engines' statistics (packets, rates, where the time went) once they have run; empty for connect scans.</summary>
    public IReadOnlyList<RawScanStats> RawStats => [.. _engines.Select(e => e.RawStats).OfType<RawScanStats>()];

    /// <summary>
    /// The most target addresses for which the report lists the ports of a host that answered nothing (or a reset on
    /// every port) when the scan has few ports, as nmap does. Beyond it such hosts are counted, not listed: listed, the
    /// three filtered ports of each silent host of a /8 held about 7 GB (420 bytes a host), and a report of millions of
    /// "filtered" lines helps nobody; <c>--all-states</c> still lists them.
    /// </summary>
    public const ulong ListPortsOfSilentHostsUpTo = 65_536;

    /// <summary>
    /// Runs the plan and streams each port as it is decided (after detection and assessment, when the plan asks). The
    /// stream ends when the scan does; cancelling <paramref name="cancellationToken"/> stops the engines and detection,
    /// yields every port decided so far and ends the stream without throwing (<see cref="Interrupted"/> is then true).
    /// Runs once per session. The ports of a host that answered nothing at all, and the closed ports of a large scan, are
    /// not streamed when the report would list none of them (a lone, unsharded TCP SYN scan of IPv4 hosts on more than
    /// <see cref="ScanCollector.MaxListedPerState"/> ports, without <see cref="ScanPlan.ListEveryState"/>): silent hosts are
    /// in <see cref="BuildReport"/> and its counts as <c>filtered</c> ports with no response, hosts that answered a reset
    /// on every port as <c>closed</c> ones, and neither costs memory per port; the closed ports of other hosts come when
    /// the engine ends.
    /// </summary>
    /// <exception cref="InvalidOperationException">The plan cannot run here (<see cref="Error"/>), or the session already ran.</exception>
    public async IAsyncEnumerable<PortResult> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Error is not null)
        {
            throw new InvalidOperationException(Error);
        }
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("A scan session runs once.");
        }
        _ran = true;
        _started = _options.Resume?.Created ?? _time.GetUtcNow();
        _assessor = LoadAssessor();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var capacity = Math.Max(16, _options.ChannelCapacity);
        var decided = Channel.CreateBounded<Item>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var faults = new ConcurrentQueue<Exception>();
        var producers = ProduceAsync(decided.Writer, faults, stop.Token);
        var output = decided.Reader;
        var detection = Task.CompletedTask;
        if (Plan.Detect)
        {
            var detected = Channel.CreateBounded<Item>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
            detection = DetectAsync(decided.Reader, detected.Writer, stop.Token);
            output = detected.Reader;
        }
        await SaveCheckpointAsync(interrupted: true).ConfigureAwait(false);
        var lastSave = _time.GetTimestamp();
        var sinceSave = 0;
        var completed = false;
        try
        {
            // No token on the reads: after cancellation the engines stop, and what they decided still comes through.
            while (await output.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (output.TryRead(out var item))
                {
                    var result = Record(item);
                    yield return result;
                    if (++sinceSave >= _options.CheckpointResults)
                    {
                        break;
                    }
                }
                if (sinceSave >= _options.CheckpointResults || _time.GetElapsedTime(lastSave) >= _options.CheckpointInterval)
                {
                    await SaveCheckpointAsync(interrupted: true).ConfigureAwait(false);
                    lastSave = _time.GetTimestamp();
                    sinceSave = 0;
                }
            }
            completed = true;
        }
        finally
        {
            if (!completed)
            {
                // The caller stopped reading: stop the engines and let the stages drain so nothing waits on a full channel.
                await stop.CancelAsync().ConfigureAwait(false);
                while (await output.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    while (output.TryRead(out var item))
                    {
                        Record(item);
                    }
                }
            }
            await producers.ConfigureAwait(false);
            await detection.ConfigureAwait(false);
            AddUniformHosts();
            if (completed && faults.IsEmpty && !cancellationToken.IsCancellationRequested)
            {
                await ResolveNamesAsync(cancellationToken).ConfigureAwait(false);
            }
            _interrupted = cancellationToken.IsCancellationRequested || !completed || !faults.IsEmpty;
            _finishedAt = _time.GetUtcNow();
            Progress.OnFinished();
            await SaveCheckpointAsync(_interrupted).ConfigureAwait(false);
        }
        if (faults.TryDequeue(out var fault) && !cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"scan engine failed: {fault.Message}", fault);
        }
    }

    /// <summary>
    /// The report of everything decided so far (the resumed checkpoint's results included): hosts in address order,
    /// open ports with their service and findings, closed and filtered ports listed or counted as the plan says.
    /// </summary>
    public ScanReport BuildReport()
    {
        // Hosts that timed out without a result come after the others, as they always did.
        List<HostResult> timedOut = [];
        foreach (var address in _engines.SelectMany(e => e.TimedOutHosts).Distinct())
        {
            if (!_report.Contains(address))
            {
                timedOut.Add(new HostResult { Address = address, Hostname = Plan.Targets.HostnameOf(address), State = "unknown" });
            }
        }
        var report = ApplyReplays(_report.Build(new ScanStats
        {
            Started = _ran ? _started : _time.GetUtcNow(),
            Finished = _finishedAt == default ? _time.GetUtcNow() : _finishedAt,
            ScanType = ScanType,
            CommandLine = Plan.CommandLine,
            Ports = Plan.Ports,
            HostsScanned = (long)Math.Min(Plan.Targets.Count, long.MaxValue),
            ProbesSent = _seedProbes + Progress.ProbesSent,
            Interrupted = _interrupted,
        }, Plan.Targets, timedOut));
        if (_names.Count > 0)
        {
            var names = _names;
            report = report with { Hosts = HostLists.Select(report.Hosts, h => ReverseDns.Apply(h, names)) };
        }
        // Record assessed every open port as it came.
        return _assessor is null ? report : _assessor.AnnotateWhereHostMatters(report);
    }

    /// <summary>
    /// Looks up the PTR names the plan asks for (up hosts by default, every reported host with -R, none with -n), once the
    /// engines are done, as Nmap names its hosts before it reports them. Lookups are bounded in time; a stop skips them.
    /// </summary>
    private async Task ResolveNamesAsync(CancellationToken cancellationToken)
    {
        if (Plan.ReverseDns == ReverseDnsMode.Never)
        {
            return;
        }
        var resolver = _options.ReverseDns ?? ReverseDns.ForServers(Plan.DnsServers, _warnings);
        var hosts = _report.Build(new ScanStats(), Plan.Targets).Hosts;
        try
        {
            _names = await resolver.LookupAsync(hosts, Plan.ReverseDns, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped while looking up: the report keeps its addresses alone.
        }
    }

    /// <summary>Closes the NVD store the session opened, if any.</summary>
    public ValueTask DisposeAsync()
    {
        _ownedVulnDb?.Dispose();
        _ownedVulnDb = null;
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs every engine at once (and the re-identification of a resumed scan), each writing what it decides into one channel.</summary>
    private async Task ProduceAsync(ChannelWriter<Item> writer, ConcurrentQueue<Exception> faults, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var tasks = new List<Task>();
        for (var e = 0; e < _engines.Count; e++)
        {
            tasks.Add(PumpAsync(e, _engines[e], writer, faults, cancellationToken));
        }
        foreach (var replay in _replays)
        {
            await writer.WriteAsync(new Item(Replay, 0, replay), CancellationToken.None).ConfigureAwait(false);
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
        writer.TryComplete();
    }

    private async Task PumpAsync(int id, IScanEngine engine, ChannelWriter<Item> writer, ConcurrentQueue<Exception> faults, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await foreach (var result in engine.RunAsync(cancellationToken).ConfigureAwait(false))
            {
                if (engine.Indexed)
                {
                    // In the pipeline before the engine counts it as delivered: a checkpoint never settles a result still on its way.
                    _inPipeline.TryAdd(result.Index, 0);
                }
                if (_soleRaw)
                {
                    Interlocked.Increment(ref _solePumped);
                }
                await writer.WriteAsync(new Item(id, result.Index, result.Result), CancellationToken.None).ConfigureAwait(false);
            }
            lock (_finished)
            {
                _finished.Add(engine.Name);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped: everything it decided was written above.
        }
        catch (Exception ex)
        {
            faults.Enqueue(ex);
        }
    }

    /// <summary>Folds the hosts each stopped engine handed over as silent or closed into the report, once; on the thread that records results.</summary>
    private void AddUniformHosts()
    {
        foreach (var engine in _engines)
        {
            if (engine.Uniform is { } uniform && _uniformAdded.Add(engine))
            {
                Progress.OnDecided(uniform.State, uniform.SilentPorts);
                Progress.OnDecided(PortState.Closed, uniform.ClosedPorts);
                _report.AddUniformHosts(uniform);
            }
        }
    }

    /// <summary>Identifies open TCP ports as they come, at most the detection limit at once; everything else passes at once. Stopped, unidentified ports pass as they are.</summary>
    private async Task DetectAsync(ChannelReader<Item> input, ChannelWriter<Item> output, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var options = _options.Detection ?? DetectionOptions.Default;
        var detector = _options.Detector ?? new ServiceDetector(_time);
        var udp = new Detection.Udp.UdpIdentifier(_time);
        using var gate = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        var running = new List<Task>();
        try
        {
            await foreach (var item in input.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                var result = item.Result;
                if (result.Protocol == Transport.Udp && result.State is PortState.Open or PortState.OpenFiltered && result.Service is null)
                {
                    // UDP ports get protocol probes over an ordinary socket; a reply names the service.
                    await gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                    running.Add(IdentifyUdpAsync(udp, item, options, output, gate, cancellationToken));
                    continue;
                }
                if (!(result.Protocol == Transport.Tcp && result.State == PortState.Open && result.Service is null))
                {
                    await output.WriteAsync(item with { Result = NameFromRegistry(result, options) }, CancellationToken.None).ConfigureAwait(false);
                    continue;
                }
                if (_known.TryGetValue((result.Address, result.Protocol, result.Port), out var known))
                {
                    await output.WriteAsync(item with { Result = result with { Service = known } }, CancellationToken.None).ConfigureAwait(false);
                    continue;
                }
                await gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                running.Add(DetectOneAsync(detector, item, options, output, gate, cancellationToken));
                if (running.Count >= options.MaxConcurrency * 4)
                {
                    running.RemoveAll(t => t.IsCompleted);
                }
            }
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        finally
        {
            output.TryComplete();
        }
    }

    private static async Task DetectOneAsync(ServiceDetector detector, Item item, DetectionOptions options, ChannelWriter<Item> output, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        try
        {
            ServiceInfo? service = null;
            if (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    service = await detector.DetectAsync(new IPEndPoint(item.Result.Address, item.Result.Port), options, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopped: the port passes unidentified, and a resumed scan identifies it.
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or InvalidOperationException)
                {
                    // One port's failure must not end the scan.
                }
            }
            await output.WriteAsync(service is null ? item : item with { Result = item.Result with { Service = service } }, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task IdentifyUdpAsync(Detection.Udp.UdpIdentifier udp, Item item, DetectionOptions options, ChannelWriter<Item> output, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        try
        {
            var result = item.Result;
            if (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    result = await udp.IdentifyResultAsync(result, Detection.Udp.UdpDetectionOptions.Default, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopped: the port passes unidentified.
                }
            }
            await output.WriteAsync(item with { Result = NameFromRegistry(result, options) }, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private static PortResult NameFromRegistry(PortResult result, DetectionOptions options)
    {
        if (!options.NameUdpFromRegistry || result.Protocol != Transport.Udp || result.Service is not null
            || result.State is not (PortState.Open or PortState.OpenFiltered))
        {
            return result;
        }
        var name = PortRegistry.Default.Explain(result.Port, Transport.Udp)?.Name;
        return string.IsNullOrEmpty(name) ? result : result with { Service = new ServiceInfo { Name = name, Method = "registry" } };
    }

    /// <summary>The last stage: assess, fold into the report, note for checkpoints.</summary>
    private PortResult Record(Item item)
    {
        var result = item.Result;
        if (_assessor is not null && result.State == PortState.Open)
        {
            result = result with { Findings = _assessor.Assess(result) };
        }
        if (item.Engine == Replay)
        {
            lock (_replayed)
            {
                _replayed[(result.Address, result.Protocol, result.Port)] = result;
            }
            return result;
        }
        _report.Add(result);
        if (_soleRaw)
        {
            Interlocked.Increment(ref _soleRecorded);
        }
        Progress.OnDecided(result.State);
        var engine = _engines[item.Engine];
        lock (_connectPending)
        {
            if (engine.Indexed)
            {
                if (_options.Checkpoints is not null)
                {
                    _connectPending.Add((item.Index, result));
                }
                _inPipeline.TryRemove(item.Index, out _);
            }
            else if (_rawParts.TryGetValue(engine.Name, out var part))
            {
                part.Add(result);
            }
        }
        return result;
    }

    private async Task SaveCheckpointAsync(bool interrupted)
    {
        if (_options.Checkpoints is not { } sink || _checkpointFailed)
        {
            return;
        }
        ScanCheckpoint checkpoint;
        lock (_connectPending)
        {
            // Read the engine's prefix before the pipeline: an index leaves the pipeline only after the engine counted it.
            var connect = _engines.FirstOrDefault(e => e.Indexed);
            var position = _position;
            if (connect is not null)
            {
                bool done;
                lock (_finished)
                {
                    done = _finished.Contains(connect.Name);
                }
                var prefix = done ? ulong.MaxValue : connect.SettledPrefix;
                var inFlight = _inPipeline.IsEmpty ? ulong.MaxValue : _inPipeline.Keys.Min();
                position = Math.Max(_position, Math.Min(prefix, inFlight));
                if (position == ulong.MaxValue)
                {
                    position = connect is ConnectEngine indexed ? indexed.End : _startPosition + connect.Pairs;
                }
            }
            var remaining = new List<(ulong, PortResult)>();
            foreach (var (index, result) in _connectPending)
            {
                if (index < position)
                {
                    _committed.Add(result);
                }
                else
                {
                    remaining.Add((index, result));
                }
            }
            _connectPending.Clear();
            _connectPending.AddRange(remaining);
            _position = position;
            List<string> finished;
            var soleRawDone = false;
            lock (_finished)
            {
                soleRawDone = _soleRaw && _finished.Contains(_engines[0].Name)
                    && Interlocked.Read(ref _soleRecorded) == Interlocked.Read(ref _solePumped);
                foreach (var name in _finished.Where(n => _rawParts.ContainsKey(n)).ToList())
                {
                    // A raw engine that has finished settles all its results at once.
                    _committed.Add(_rawParts[name].Build(new ScanStats()));
                    _rawParts.Remove(name);
                }
                finished = [.. _finished.Where(n => !_soleRaw || soleRawDone || n != _engines[0].Name)];
            }
            if (soleRawDone)
            {
                // The checkpoint that says the engine finished holds its silent and closed hosts too.
                AddUniformHosts();
            }
            var identified = new ScanCollector(new ScanCollectorOptions { MaxListedPerState = 0 });
            var running = _soleRaw && !soleRawDone ? _report.ListedPorts() : _rawParts.Values.SelectMany(p => p.ListedPorts());
            foreach (var port in remaining.Select(r => r.Item2).Concat(running)
                .Where(p => p.State == PortState.Open && p.Service is not null))
            {
                identified.Add(port);
            }
            var now = _time.GetUtcNow();
            checkpoint = new ScanCheckpoint
            {
                Id = CheckpointId,
                Plan = Plan,
                Position = position,
                FinishedEngines = finished,
                Partial = ApplyReplays((soleRawDone ? _report : _committed).Build(new ScanStats
                {
                    Started = _started,
                    Finished = now,
                    ScanType = ScanType,
                    CommandLine = Plan.CommandLine,
                    Ports = Plan.Ports,
                    HostsScanned = (long)Math.Min(Plan.Targets.Count, long.MaxValue),
                    ProbesSent = _seedProbes + Progress.ProbesSent,
                    Interrupted = interrupted,
                }, Plan.Targets)),
                Identified = identified.Count == 0 ? null : identified.Build(new ScanStats()),
                Created = _started,
                Updated = now,
            };
        }
        try
        {
            _checkpointId = await sink.SaveCheckpointAsync(checkpoint, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A full disk or a locked store must not lose the scan: warn once, scan on without checkpoints.
            _checkpointFailed = true;
            _warnings.Add($"cannot save a checkpoint ({FirstLine(ex.Message)}); the scan goes on, but cannot be resumed if stopped");
        }
    }

    /// <summary><paramref name="report"/> with the ports a resumed scan identified again in place of their settled, unidentified selves.</summary>
    /// <remarks>The hosts stay a view (<see cref="HostLists.Select"/>): a resumed scan of many hosts is not built whole here.</remarks>
    private ScanReport ApplyReplays(ScanReport report)
    {
        Dictionary<(IPAddress, Transport, int), PortResult> replayed;
        lock (_replayed)
        {
            if (_replayed.Count == 0)
            {
                return report;
            }
            // A copy: the hosts are mapped as they are read, after this, while more may be replayed.
            replayed = new(_replayed);
        }
        return report with
        {
            Hosts = HostLists.Select(report.Hosts, h => h.Ports.Any(p => replayed.ContainsKey((p.Address, p.Protocol, p.Port)))
                ? h with { Ports = [.. h.Ports.Select(p => replayed.TryGetValue((p.Address, p.Protocol, p.Port), out var r) ? r : p)] }
                : h),
        };
    }

    private Assessor? LoadAssessor()
    {
        if (_options.Assessor is { } given)
        {
            return given;
        }
        if (!Plan.Assess)
        {
            return null;
        }
        var rules = AssessmentRules.BuiltIn;
        foreach (var path in Plan.RuleFiles)
        {
            var text = AssessmentRules.ReadFileText(path) ?? throw new InvalidDataException(AssessmentRules.TooLarge(path));
            rules = rules.Merge(AssessmentRules.Load(new StringReader(text), path));
        }
        if (Plan.VulnDb is not null)
        {
            _ownedVulnDb = VulnDb.Open(Plan.VulnDb);
        }
        return new Assessor(new AssessorOptions { Rules = rules, VulnDb = _ownedVulnDb });
    }

    private static string FirstLine(string message)
    {
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? message : message[..end];
    }

    private const int Replay = -1;

    /// <summary>A result on its way through the pipeline: which engine decided it, and where in that engine's permutation.</summary>
    private readonly record struct Item(int Engine, ulong Index, PortResult Result);
}
