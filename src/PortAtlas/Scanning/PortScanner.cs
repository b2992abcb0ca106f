using System.Net;
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

    /// <summary>Counters of the most recently started scan of this instance (for progress bars); <see langword="null"/> before the first.</summary>
    public ScanProgress? Progress => Volatile.Read(ref _progress);

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
        var hosts = new Dictionary<IPAddress, (List<PortResult> Ports, bool Answered)>();
        var interrupted = false;
        try
        {
            await foreach (var result in engine.StreamAsync(cancellationToken).ConfigureAwait(false))
            {
                var keep = result.State switch
                {
                    PortState.Closed => options.ReportClosed,
                    PortState.Filtered => options.ReportFiltered,
                    _ => true,
                };
                ref var host = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(hosts, result.Address, out var exists);
                if (!exists)
                {
                    host = ([], false);
                }
                host.Answered |= result.State is PortState.Open or PortState.Closed;
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

        var progress = engine.Progress;
        var timedOut = engine.TimedOutHosts.ToHashSet();
        var report = new List<HostResult>();
        foreach (var (address, (ports0, answered)) in hosts)
        {
            if (!answered && ports0.Count == 0)
            {
                continue;
            }
            ports0.Sort(static (a, b) => a.Protocol != b.Protocol ? a.Protocol.CompareTo(b.Protocol) : a.Port.CompareTo(b.Port));
            report.Add(new HostResult
            {
                Address = address,
                Hostname = targets.HostnameOf(address),
                State = answered ? "up" : "unknown",
                Ports = ports0,
            });
        }
        foreach (var address in timedOut)
        {
            if (!hosts.ContainsKey(address))
            {
                report.Add(new HostResult { Address = address, Hostname = targets.HostnameOf(address), State = "unknown" });
            }
        }
        report.Sort(static (a, b) => IPAddressComparer.Instance.Compare(a.Address, b.Address));
        return new ScanReport
        {
            Hosts = report,
            Stats = new ScanStats
            {
                Started = progress.StartedAt,
                Finished = progress.StartedAt + progress.Elapsed,
                ScanType = "connect",
                HostsScanned = (long)targets.Count,
                PortsScanned = progress.Completed - progress.Skipped,
                ProbesSent = progress.ProbesSent,
                StateCounts = progress.StateCounts(),
                Interrupted = interrupted,
            },
        };
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
        return engine;
    }
}
