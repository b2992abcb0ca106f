using System.Net;

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
/// a PortAtlas scan's hosts with Nmap's by name as well as address. The hosts file answers first (127.0.0.1 is
/// "localhost" without a packet); then our own PTR client asks the chosen servers (<see cref="DnsServers"/>), never the
/// system resolver. Lookups run a bounded number at once, each with a timeout; a failure or timeout leaves the host
/// without a name.
/// </summary>
public sealed class ReverseDns
{
    private readonly Func<IPAddress, CancellationToken, Task<string?>> _resolve;
    private readonly DnsPtrClient? _client;

    /// <summary>A resolver asking <paramref name="servers"/> (after the hosts file); with none, only the hosts file answers.</summary>
    public ReverseDns(IReadOnlyList<IPEndPoint> servers)
        : this(servers, HostsFile.System)
    {
    }

    /// <summary>A resolver over <paramref name="resolve"/> alone (tests, or a resolver of the caller's own).</summary>
    public ReverseDns(Func<IPAddress, CancellationToken, Task<string?>> resolve) => _resolve = resolve ?? throw new ArgumentNullException(nameof(resolve));

    internal ReverseDns(IReadOnlyList<IPEndPoint> servers, HostsFile hosts)
    {
        ArgumentNullException.ThrowIfNull(servers);
        Servers = servers;
        _client = servers.Count > 0 ? new DnsPtrClient(servers) : null;
        _resolve = async (address, cancellationToken) =>
            hosts.NameOf(address) ?? (_client is null ? null : await _client.LookupAsync(address, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// A resolver for a scan: the servers given, else those of <see cref="DnsServers.EnvironmentVariable"/>, else
    /// /etc/resolv.conf's, filtered by the safe-targets guard (each refusal adds a line to <paramref name="warnings"/>).
    /// </summary>
    public static ReverseDns ForServers(IReadOnlyList<IPEndPoint>? servers, ICollection<string> warnings) =>
        new(DnsServers.Choose(servers, warnings));

    /// <summary>The DNS servers asked (empty when only the hosts file or a caller's resolver answers).</summary>
    public IReadOnlyList<IPEndPoint> Servers { get; } = [];

    /// <summary>DNS queries this resolver has sent (each try counts); 0 for a caller's resolver.</summary>
    public long QueriesSent => _client?.QueriesSent ?? 0;

    /// <summary>The most lookups at once; default 32, at least 1.</summary>
    public int Parallelism { get; init; } = 32;

    /// <summary>How long one lookup may take, every try and server included; default 5 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock of <see cref="Timeout"/>; default <see cref="System.TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The report with a <c>PTR</c> entry in <see cref="HostResult.Hostnames"/> for each host <paramref name="mode"/>
    /// covers whose address has a name; <see cref="HostResult.Hostname"/> is set to it when the host had none. A name
    /// the user gave stays first, as a <c>user</c> entry, as Nmap lists them.
    /// </summary>
    public async Task<ScanReport> AnnotateAsync(ScanReport report, ReverseDnsMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var names = await LookupAsync(report.Hosts, mode, cancellationToken).ConfigureAwait(false);
        return names.Count == 0 ? report : report with { Hosts = [.. report.Hosts.Select(h => Apply(h, names))] };
    }

    /// <summary>The PTR names of the hosts <paramref name="mode"/> covers, by address (hosts without one are left out).</summary>
    public async Task<IReadOnlyDictionary<IPAddress, string>> LookupAsync(IEnumerable<HostResult> hosts, ReverseDnsMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var names = new System.Collections.Concurrent.ConcurrentDictionary<IPAddress, string>();
        if (mode == ReverseDnsMode.Never)
        {
            return names;
        }
        using var gate = new SemaphoreSlim(Math.Max(1, Parallelism));
        var tasks = new List<Task>();
        foreach (var host in hosts)
        {
            if (mode == ReverseDnsMode.UpHosts && host.State != "up")
            {
                continue;
            }
            var address = host.Address;
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    if (await LookupOneAsync(address, cancellationToken).ConfigureAwait(false) is { Length: > 0 } name)
                    {
                        names[address] = name;
                    }
                }
                finally
                {
                    gate.Release();
                }
            }, cancellationToken));
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return names;
    }

    /// <summary><paramref name="host"/> with its PTR name from <paramref name="names"/>, if it has one there.</summary>
    public static HostResult Apply(HostResult host, IReadOnlyDictionary<IPAddress, string> names)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(names);
        if (!names.TryGetValue(host.Address, out var name)
            || host.Hostnames.Any(n => n.Type == "PTR" && string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            return host;
        }
        // Nmap lists the user's name first, then the PTR name.
        IReadOnlyList<HostName> before = host.Hostnames.Count == 0 && host.Hostname is { Length: > 0 } user ? [new HostName(user, "user")] : host.Hostnames;
        return host with { Hostname = host.Hostname ?? name, Hostnames = [.. before, new HostName(name, "PTR")] };
    }

    private async Task<string?> LookupOneAsync(IPAddress address, CancellationToken cancellationToken)
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
}
