using PortAtlas.Targets;

namespace PortAtlas.Scanning;

/// <summary>
/// The TCP connect scanner: decides open, closed or filtered for every (host, TCP port) pair by completing, or failing
/// to complete, a TCP handshake with the operating system's connect(). Needs no privileges. Probes go in a random order
/// over hosts × ports, with adaptive per-host timeouts and retransmissions, under an optional rate ceiling.
/// </summary>
/// <remarks>The scanner sends only to the addresses in the given <see cref="TargetSet"/>, and only to the TCP ports of the <see cref="PortList"/>.</remarks>
public sealed class PortScanner
{
    private ScanProgress? _progress;
    private ConnectScanEngine? _engine;

    /// <summary>Counters of the most recently started scan of this instance (for progress bars); <see langword="null"/> before the first.</summary>
    public ScanProgress? Progress => Volatile.Read(ref _progress);

    /// <summary>Hosts the most recent scan gave up on (host timeout).</summary>
    internal IEnumerable<System.Net.IPAddress> TimedOutHosts => Volatile.Read(ref _engine)?.TimedOutHosts ?? [];

    /// <summary>
    /// Scans every TCP port of <paramref name="ports"/> on every address of <paramref name="targets"/> and streams each decided
    /// port, in the order decided, whatever its state. The scan starts when enumeration starts and stops when the consumer stops.
    /// </summary>
    /// <param name="targets">The hosts.</param>
    /// <param name="ports">The ports; only <see cref="PortList.Tcp"/> is scanned.</param>
    /// <param name="options">Settings; <see cref="ScanOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops the scan: probes in flight are dropped, decided ports are still yielded, then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public IAsyncEnumerable<PortResult> ScanAsync(TargetSet targets, PortList ports, ScanOptions? options = null, CancellationToken cancellationToken = default) =>
        Start(targets, ports, options).StreamAsync(cancellationToken);

    /// <summary>
    /// Runs a scan to the end and collects a <see cref="ScanReport"/>: hosts that answered in address order, each with its
    /// ports in port order (closed and filtered ports only when <see cref="ScanOptions.ReportClosed"/> or
    /// <see cref="ScanOptions.ReportFiltered"/> asks for them; all are counted in <see cref="ScanStats.StateCounts"/>).
    /// </summary>
    /// <param name="targets">The hosts.</param>
    /// <param name="ports">The ports; only <see cref="PortList.Tcp"/> is scanned.</param>
    /// <param name="options">Settings; <see cref="ScanOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops the scan; the report then holds everything decided so far, with <see cref="ScanStats.Interrupted"/> set. Never throws for cancellation.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public async Task<ScanReport> RunAsync(TargetSet targets, PortList ports, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= ScanOptions.Default;
        var engine = Start(targets, ports, options);
        var collector = new ScanCollector(new ScanCollectorOptions { ListClosed = options.ReportClosed, ListFiltered = options.ReportFiltered, MaxListedPerState = 0 });
        var interrupted = false;
        try
        {
            await foreach (var result in engine.StreamAsync(cancellationToken).ConfigureAwait(false))
            {
                collector.Add(result);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }
        foreach (var address in engine.TimedOutHosts)
        {
            collector.AddUnknownHost(address, targets.HostnameOf(address));
        }
        var progress = engine.Progress;
        return collector.Build(new ScanStats
        {
            Started = progress.StartedAt,
            Finished = progress.StartedAt + progress.Elapsed,
            ScanType = "connect",
            HostsScanned = (long)targets.Count,
            ProbesSent = progress.ProbesSent,
            Interrupted = interrupted,
        }, targets);
    }

    /// <summary><see cref="ScanAsync"/> with each result's permutation index, for checkpoints of resumable scans.</summary>
    internal IAsyncEnumerable<IndexedResult> ScanIndexedAsync(TargetSet targets, PortList ports, ScanOptions? options, CancellationToken cancellationToken) =>
        Start(targets, ports, options).StreamIndexedAsync(cancellationToken);

    private ConnectScanEngine Start(TargetSet targets, PortList ports, ScanOptions? options)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(ports);
        options ??= ScanOptions.Default;
        options.Validate();
        var engine = new ConnectScanEngine(targets, ports, options);
        Volatile.Write(ref _progress, engine.Progress);
        Volatile.Write(ref _engine, engine);
        return engine;
    }
}
