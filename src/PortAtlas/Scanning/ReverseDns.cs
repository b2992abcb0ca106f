using System.Net;
using System.Net.Sockets;

namespace PortAtlas.Scanning;

/// <summary>When to look up the names of scanned addresses, as Nmap's <c>-n</c> and <c>-R</c>.</summary>
public enum ReverseDnsMode
{
    /// <summary>Nmap's default: hosts found up get their PTR name.</summary>
    UpHosts,
    /// <summary>Nmap's <c>-n</c>: no lookups.</summary>
    Never,
    /// <summary>Nmap's <c>-R</c>: every host, down ones too.</summary>
    Always,
}

/// <summary>
/// Adds reverse DNS names (PTR, RFC 1035 section 3.5) to a report's hosts, as Nmap records them, so that ndiff matches
/// a PortAtlas scan's hosts with Nmap's by name as well as address. Lookups go through the system resolver (or the
/// given one), a bounded number at once, each with a timeout; a failure or timeout leaves the host without a name.
/// </summary>
public sealed class ReverseDns
{
    private readonly Func<IPAddress, CancellationToken, Task<string?>> _resolve;

    /// <summary>A resolver over <see cref="Dns.GetHostEntryAsync(IPAddress)"/>, or over <paramref name="resolve"/>.</summary>
    public ReverseDns(Func<IPAddress, CancellationToken, Task<string?>>? resolve = null) => _resolve = resolve ?? SystemResolveAsync;

    /// <summary>The most lookups at once; default 16, at least 1.</summary>
    public int Parallelism { get; init; } = 16;

    /// <summary>How long one lookup may take; default 2 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The clock of <see cref="Timeout"/>; default <see cref="System.TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The report with a <c>PTR</c> entry in <see cref="HostResult.Hostnames"/> for each host <paramref name="mode"/>
    /// covers whose address has a name; <see cref="HostResult.Hostname"/> is set to it when the host had none.
    /// </summary>
    public async Task<ScanReport> AnnotateAsync(ScanReport report, ReverseDnsMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (mode == ReverseDnsMode.Never || report.Hosts.Count == 0)
        {
            return report;
        }
        var hosts = report.Hosts.ToArray();
        using var gate = new SemaphoreSlim(Math.Max(1, Parallelism));
        var tasks = new List<Task>();
        for (var i = 0; i < hosts.Length; i++)
        {
            var host = hosts[i];
            if (mode == ReverseDnsMode.UpHosts && host.State != "up")
            {
                continue;
            }
            var index = i;
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    if (await LookupAsync(host.Address, cancellationToken).ConfigureAwait(false) is { Length: > 0 } name
                        && !host.Hostnames.Any(n => n.Type == "PTR" && string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase)))
                    {
                        // Nmap lists the user's name first, then the PTR name.
                        hosts[index] = host with { Hostname = host.Hostname ?? name, Hostnames = [.. host.Hostnames, new HostName(name, "PTR")] };
                    }
                }
                finally
                {
                    gate.Release();
                }
            }, cancellationToken));
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return report with { Hosts = hosts };
    }

    private async Task<string?> LookupAsync(IPAddress address, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(Timeout, TimeProvider);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            return await _resolve(address, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task<string?> SystemResolveAsync(IPAddress address, CancellationToken cancellationToken)
    {
        try
        {
            var entry = await Dns.GetHostEntryAsync(address).WaitAsync(cancellationToken).ConfigureAwait(false);
            // The resolver echoes the address back when there is no name.
            return entry.HostName == address.ToString() ? null : entry.HostName;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
