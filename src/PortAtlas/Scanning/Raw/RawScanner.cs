using System.Net;
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

    /// <summary>Statistics of the most recent scan of this instance once its enumeration has ended; <see langword="null"/> before.</summary>
    public RawScanStats? LastStats => Volatile.Read(ref _lastStats);

    /// <summary>
    /// Scans the ports of <paramref name="ports"/> that match <see cref="RawScanOptions.ScanType"/> (TCP for SYN, UDP, SCTP)
    /// on every address of <paramref name="targets"/> (those found up first, unless <see cref="RawScanOptions.SkipDiscovery"/>
    /// or a single target), and streams each decided port whatever its state, in the order decided. Silent ports come last.
    /// </summary>
    /// <param name="targets">The hosts.</param>
    /// <param name="ports">The ports.</param>
    /// <param name="options">Settings; <see cref="RawScanOptions.Default"/> (SYN) when null.</param>
    /// <param name="cancellationToken">Stops the scan: decided ports are still yielded, then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <exception cref="RawScanUnavailableException">Raw sockets cannot be opened here (one-line message).</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public async IAsyncEnumerable<PortResult> ScanAsync(TargetSet targets, PortList ports, RawScanOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(ports);
        options ??= RawScanOptions.Default;
        options.Validate();
        RawCapability.EnsureAvailable(options.ScanType.ToString().ToUpperInvariant());
        await foreach (var result in RunEngineAsync<PortResult>(options, (engine, writer) => engine.RunScan(targets, ports, writer),
            engine => Volatile.Write(ref _lastStats, engine.BuildStats(targets)), cancellationToken).ConfigureAwait(false))
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
        var channel = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var engine = new RawScanEngine(options, stop.Token);
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
    /// Runs a scan to the end and collects a report: hosts in address order with their ports (closed and filtered ones
    /// only when <see cref="RawScanOptions.ReportClosed"/> or <see cref="RawScanOptions.ReportFiltered"/> asks; all are
    /// counted), and the raw engine's statistics.
    /// </summary>
    /// <param name="targets">The hosts.</param>
    /// <param name="ports">The ports.</param>
    /// <param name="options">Settings; <see cref="RawScanOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops the scan; the report then holds what was decided, with <see cref="ScanStats.Interrupted"/> set.</param>
    /// <exception cref="RawScanUnavailableException">Raw sockets cannot be opened here.</exception>
    public async Task<RawScanReport> RunAsync(TargetSet targets, PortList ports, RawScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= RawScanOptions.Default;
        var started = options.TimeProvider.GetUtcNow();
        var hosts = new Dictionary<IPAddress, (List<PortResult> Ports, Dictionary<string, long> Counts)>();
        var totals = new Dictionary<string, long>();
        var interrupted = false;
        long probed = 0;
        try
        {
            await foreach (var result in ScanAsync(targets, ports, options, cancellationToken).ConfigureAwait(false))
            {
                probed++;
                var name = result.State.ToName();
                totals[name] = totals.GetValueOrDefault(name) + 1;
                if (!hosts.TryGetValue(result.Address, out var host))
                {
                    host = ([], []);
                    hosts[result.Address] = host;
                }
                host.Counts[name] = host.Counts.GetValueOrDefault(name) + 1;
                var keep = result.State switch
                {
                    PortState.Closed => options.ReportClosed,
                    PortState.Filtered or PortState.OpenFiltered => options.ReportFiltered,
                    _ => true,
                };
                if (keep)
                {
                    host.Ports.Add(result);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }
        var raw = LastStats ?? new RawScanStats { ScanType = options.ScanType.ToString().ToLowerInvariant() };
        var list = new List<HostResult>();
        foreach (var (address, (portResults, counts)) in hosts)
        {
            portResults.Sort(static (a, b) => a.Port.CompareTo(b.Port));
            list.Add(new HostResult { Address = address, Hostname = targets.HostnameOf(address), State = "up", Ports = portResults, StateCounts = counts });
        }
        list.Sort(static (a, b) => IPAddressComparer.Instance.Compare(a.Address, b.Address));
        var finished = options.TimeProvider.GetUtcNow();
        return new RawScanReport
        {
            Raw = raw,
            Report = new ScanReport
            {
                Hosts = list,
                Stats = new ScanStats
                {
                    Started = started,
                    Finished = finished,
                    ScanType = raw.ScanType,
                    Ports = ports,
                    HostsScanned = raw.HostsScanned,
                    PortsScanned = probed,
                    ProbesSent = raw.PacketsSent,
                    StateCounts = totals,
                    Interrupted = interrupted,
                },
            },
        };
    }

    /// <summary>Host discovery alone: probes every target (ICMP echo and timestamp, TCP SYN to 443 and ACK to 80, UDP to 40125, ARP where attached) and streams each verdict.</summary>
    /// <param name="targets">The hosts.</param>
    /// <param name="options">Rate, timeouts and clock; the scan type is ignored.</param>
    /// <param name="cancellationToken">Stops discovery.</param>
    /// <exception cref="RawScanUnavailableException">Raw sockets cannot be opened here.</exception>
    public async IAsyncEnumerable<HostDiscoveryResult> DiscoverAsync(TargetSet targets, RawScanOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        options ??= RawScanOptions.Default;
        options.Validate();
        RawCapability.EnsureAvailable("host discovery");
        await foreach (var result in RunEngineAsync<HostDiscoveryResult>(options, (engine, writer) => engine.RunDiscovery(targets, r => writer.TryWrite(r)),
            null, cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }
}
