using System.Runtime.CompilerServices;
using System.Threading.Channels;
using PortAtlas.Targets;

namespace PortAtlas.Scanning.Raw;

/// <summary>
/// The raw-packet scanner: TCP SYN, UDP and SCTP INIT scans and host discovery with packets of its own making, sent
/// through raw sockets and read back from a packet socket. Stateless like masscan (a keyed cookie in every probe
/// validates answers), adaptive like nmap (retransmission passes while they find answers, rate backoff on drops).
/// Needs Linux and root or CAP_NET_RAW: check <see cref="RawCapability.IsAvailable"/> and fall back to the connect scan.
/// </summary>
/// <remarks>Packets go only to the addresses of the given <see cref="TargetSet"/>, plus ARP broadcasts for those on an attached Ethernet segment.</remarks>
public sealed class RawScanner
{
    private RawScanStats? _lastStats;
    private RawScanEngine? _running;

    /// <summary>Statistics of the most recent scan of this instance once its enumeration has ended; <see langword="null"/> before.</summary>
    public RawScanStats? LastStats => Volatile.Read(ref _lastStats);

    /// <summary>The hosts of the last scan that answered nothing or a reset on every port, when its options asked for them apart (<see cref="RawScanOptions.UniformHostsImplicit"/>).</summary>
    internal UniformHosts? LastUniform { get; private set; }

    /// <summary>Packets sent so far by the running (or last) scan of this instance, for progress.</summary>
    internal long PacketsSent => Volatile.Read(ref _running)?.PacketsSent ?? 0;

    /// <summary>Ports decided so far by the running (or last) scan of this instance, for progress.</summary>
    internal long Decided => Volatile.Read(ref _running)?.Decided ?? 0;

    /// <summary>Closed ports the running (or last) scan has decided but holds as bits, not streamed yet, for progress.</summary>
    internal long ClosedHeld => Volatile.Read(ref _running)?.ClosedHeld ?? 0;

    /// <summary>Open verdicts the running (or last) scan has reached, held ones included: the engine's own count.</summary>
    internal long OpenVerdicts => Volatile.Read(ref _running)?.OpenVerdicts ?? 0;

    /// <summary>
    /// Scans the ports of <paramref name="ports"/> that match <paramref name="type"/> (TCP for SYN, UDP, SCTP) on every
    /// address of <paramref name="targets"/> (those found up first, unless <see cref="ScanOptions.SkipDiscovery"/> or a
    /// single target), and streams each decided port whatever its state, in the order decided. Silent ports come last.
    /// </summary>
    /// <param name="targets">The hosts.</param>
    /// <param name="ports">The ports.</param>
    /// <param name="type">Which probes to send.</param>
    /// <param name="options">Settings; <see cref="ScanOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops the scan: every port decided so far is still yielded, then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <exception cref="RawScanUnavailableException">Raw sockets cannot be opened here (one-line message).</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public IAsyncEnumerable<PortResult> ScanAsync(TargetSet targets, PortList ports, RawScanType type, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= ScanOptions.Default;
        options.Validate();
        return ScanAsync(targets, ports, RawScanOptions.From(options, type), cancellationToken);
    }

    internal async IAsyncEnumerable<PortResult> ScanAsync(TargetSet targets, PortList ports, RawScanOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(ports);
        options.Validate();
        RawCapability.EnsureAvailable(options.ScanType.ToString().ToUpperInvariant());
        await foreach (var result in RunEngineAsync<PortResult>(options, (engine, writer) =>
            {
                Volatile.Write(ref _running, engine);
                engine.RunScan(targets, ports, writer);
            },
            engine =>
            {
                LastUniform = engine.Uniform;
                Volatile.Write(ref _lastStats, engine.BuildStats(targets));
            }, cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a dedicated thread with the engine receiving, and streams what it writes; on the
    /// way out (end, error or the caller stopping) the engine is stopped, <paramref name="finish"/> runs, and it is disposed.
    /// </summary>
    private static async IAsyncEnumerable<T> RunEngineAsync<T>(RawScanOptions options, Action<RawScanEngine, ChannelWriter<T>> body,
        Action<RawScanEngine>? finish, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Not SingleReader: that channel cannot count what it holds, and the engine waits on the count (back-pressure).
        var channel = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = false });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var engine = new RawScanEngine(options, stop.Token);
        engine.SetBacklog(() => channel.Reader.Count);
        var run = Task.Factory.StartNew(() =>
        {
            try
            {
                engine.StartReceiving();
                body(engine, channel.Writer);
                channel.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await foreach (var result in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return result;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await run.ConfigureAwait(false);
            finish?.Invoke(engine);
            engine.Dispose();
        }
    }

    /// <summary>
    /// Runs a scan to the end and collects a report (<see cref="ScanCollector"/>: closed and filtered ports listed all
    /// when <see cref="ScanOptions.ReportClosed"/> or <see cref="ScanOptions.ReportFiltered"/> asks, else none; all are
    /// counted), and the raw engine's statistics.
    /// </summary>
    /// <param name="targets">The hosts.</param>
    /// <param name="ports">The ports.</param>
    /// <param name="type">Which probes to send.</param>
    /// <param name="options">Settings; <see cref="ScanOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops the scan; the report then holds what was decided, with <see cref="ScanStats.Interrupted"/> set.</param>
    /// <exception cref="RawScanUnavailableException">Raw sockets cannot be opened here.</exception>
    public async Task<RawScanReport> RunAsync(TargetSet targets, PortList ports, RawScanType type, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= ScanOptions.Default;
        var started = options.TimeProvider.GetUtcNow();
        var collector = new ScanCollector(new ScanCollectorOptions { ListClosed = options.ReportClosed, ListFiltered = options.ReportFiltered, MaxListedPerState = 0 });
        var interrupted = false;
        try
        {
            await foreach (var result in ScanAsync(targets, ports, type, options, cancellationToken).ConfigureAwait(false))
            {
                collector.Add(result);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }
        var raw = LastStats ?? new RawScanStats { ScanType = type.ToString().ToLowerInvariant() };
        return new RawScanReport
        {
            Raw = raw,
            Report = collector.Build(new ScanStats
            {
                Started = started,
                Finished = options.TimeProvider.GetUtcNow(),
                ScanType = raw.ScanType,
                Ports = ports,
                HostsScanned = raw.HostsScanned,
                ProbesSent = raw.PacketsSent,
                Interrupted = interrupted,
            }, targets),
        };
    }

    /// <summary>Host discovery alone: probes every target (ICMP echo and timestamp, TCP SYN to 443 and ACK to 80, UDP to 40125, ARP where attached) and streams each verdict.</summary>
    /// <param name="targets">The hosts.</param>
    /// <param name="options">Rate, timeouts and clock.</param>
    /// <param name="cancellationToken">Stops discovery.</param>
    /// <exception cref="RawScanUnavailableException">Raw sockets cannot be opened here.</exception>
    public async IAsyncEnumerable<HostDiscoveryResult> DiscoverAsync(TargetSet targets, ScanOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        options ??= ScanOptions.Default;
        options.Validate();
        var raw = RawScanOptions.From(options, RawScanType.Syn);
        RawCapability.EnsureAvailable("host discovery");
        await foreach (var result in RunEngineAsync<HostDiscoveryResult>(raw, (engine, writer) => engine.RunDiscovery(targets, r => writer.TryWrite(r)),
            null, cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }
}
