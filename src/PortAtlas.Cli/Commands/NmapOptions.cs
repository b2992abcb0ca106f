using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PortAtlas.Cli.Rendering;
using PortAtlas.Detection;
using PortAtlas.Reports;
using PortAtlas.Scanning;
using PortAtlas.Scanning.Raw;
using PortAtlas.Targets;
using Spectre.Console;

namespace PortAtlas.Cli.Commands;

/// <summary>
/// The scan options nmap's flags translate to (<see cref="NmapCompat"/>), defined in one place, and the few hooks
/// `ports scan` calls to apply them. Every one is also a PortAtlas option in its own right.
/// </summary>
internal sealed class NmapOptions
{
    /// <summary>Output file formats of --save: the report formats and "normal" (the terminal table, as nmap's -oN).</summary>
    internal static readonly string[] SaveFormats = ["normal", "xml", "grep", "json", "jsonl", "csv", "sarif", "html"];

    private readonly Option<string[]> _save = new("--save") { Description = "Also write the report as FORMAT=FILE (normal: nmap's -oN layout; xml, grep, json, jsonl, csv, sarif, html); repeatable. nmap's -oN/-oX/-oG/-oJ/-oA", AllowMultipleArgumentsPerToken = false, HelpName = "FORMAT=FILE" };
    private readonly Option<int?> _timing = new("--timing") { Description = "Timing template 0-5 as nmap's -T0..-T5: rate, timeouts and retries (README: timing table)", HelpName = "0-5" };
    private readonly Option<bool> _open = new("--open") { Description = "Show only open (and open|filtered) ports, and only hosts that have one" };
    private readonly Option<int> _verbose = new("--verbose") { Description = "1: print open ports on stderr as they are found; 2: with the reason", HelpName = "LEVEL" };
    private readonly Option<int> _debug = new("--debug") { Description = "Print the effective timing, rates and probe counts on stderr", HelpName = "LEVEL" };
    private readonly Option<bool> _reverseDns = new("--reverse-dns") { Description = "Name every reported host by reverse DNS, down ones too (nmap's -R); by default hosts found up are named" };
    private readonly Option<bool> _noReverseDns = new("--no-reverse-dns") { Description = "No reverse DNS lookups (nmap's -n)" };
    private readonly Option<string?> _dnsServers = new("--dns-servers") { Description = "DNS servers for reverse lookups, A[,B] (ADDR or ADDR:PORT); default: PORTATLAS_DNS_SERVERS, else /etc/resolv.conf", HelpName = "A[,B]" };
    private readonly Option<bool> _reason = new("--reason") { Description = "Show why each port has its state (syn-ack, reset, no-response ...)" };
    private readonly Option<bool> _ipv6 = new("--ipv6") { Description = "Resolve names to IPv6 addresses and refuse IPv4 targets (nmap's -6; IPv6 targets work without it)" };
    private readonly Option<bool> _sequential = new("--sequential") { Description = "Probe hosts and ports in order, not at random (nmap's -r)" };
    private readonly Option<double?> _minRate = new("--min-rate") { Description = "Raw scans: never slow below this many packets per second", HelpName = "N" };
    private readonly Option<bool> _pingOnly = new("--ping-only") { Description = "Host discovery only: which hosts are up, no port scan (nmap's -sn)" };
    private readonly Option<string[]> _discovery = new("--discovery") { Description = "Discovery probes: icmp-echo, icmp-timestamp, tcp-syn:PORTS, tcp-ack:PORTS, udp:PORTS; repeatable (nmap's -PE -PP -PS -PA -PU)", HelpName = "PROBE" };
    private readonly Option<int?> _versionIntensity = new("--version-intensity") { Description = "With --detect: how many probes to try per port, 0 (fewest) to 9 (all)", HelpName = "0-9" };

    /// <summary>Adds the options to the scan command.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _save, _timing, _open, _verbose, _debug, _reverseDns, _noReverseDns, _dnsServers, _reason, _ipv6, _sequential, _minRate, _pingOnly, _discovery, _versionIntensity })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The values given on the command line; checked later by <see cref="NmapScan.Validate"/>.</summary>
    public NmapSettings Read(ParseResult parse) => new()
    {
        Saves = parse.GetValue(_save) ?? [],
        Timing = parse.GetValue(_timing),
        Open = parse.GetValue(_open),
        Verbose = parse.GetValue(_verbose),
        Debug = parse.GetValue(_debug),
        ReverseDns = parse.GetValue(_reverseDns),
        NoReverseDns = parse.GetValue(_noReverseDns),
        DnsServers = parse.GetValue(_dnsServers),
        Reason = parse.GetValue(_reason),
        Ipv6 = parse.GetValue(_ipv6),
        Sequential = parse.GetValue(_sequential),
        MinRate = parse.GetValue(_minRate),
        PingOnly = parse.GetValue(_pingOnly),
        DiscoveryText = parse.GetValue(_discovery) ?? [],
        VersionIntensity = parse.GetValue(_versionIntensity),
    };
}

/// <summary>The nmap-compatible options of one scan, as given.</summary>
internal sealed record NmapSettings
{
    public static NmapSettings None { get; } = new();

    public IReadOnlyList<string> Saves { get; init; } = [];
    public int? Timing { get; init; }
    public bool Open { get; init; }
    public int Verbose { get; init; }
    public int Debug { get; init; }
    public bool ReverseDns { get; init; }
    public bool NoReverseDns { get; init; }
    public string? DnsServers { get; init; }
    public bool Reason { get; init; }
    public bool Ipv6 { get; init; }
    public bool Sequential { get; init; }
    public double? MinRate { get; init; }
    public bool PingOnly { get; init; }
    public IReadOnlyList<string> DiscoveryText { get; init; } = [];
    public int? VersionIntensity { get; init; }

    /// <summary>The parsed --save pairs (after <see cref="NmapScan.Validate"/>).</summary>
    public IReadOnlyList<(string Format, string Path)> SaveTargets { get; init; } = [];
    /// <summary>The parsed --discovery probes (after <see cref="NmapScan.Validate"/>).</summary>
    public IReadOnlyList<DiscoveryProbe> Discovery { get; init; } = [];
}

/// <summary>One row of the timing table: what -T0..-T5 set, each unless the matching option is given.</summary>
internal sealed record TimingTemplate(string Name, double? Rate, int MaxRetries, TimeSpan InitialTimeout, TimeSpan MinTimeout, TimeSpan MaxTimeout, int? Concurrency, TimeSpan? HostTimeout)
{
    // nmap's templates (nmap.org/book/performance-timing-templates.html), with its fixed delay between probes
    // expressed as our rate ceiling (1/delay) and its serial scanning as one probe in flight.
    public static readonly TimingTemplate[] All =
    [
        new("paranoid", 1.0 / 300, 10, TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), 1, null),
        new("sneaky", 1.0 / 15, 10, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), 1, null),
        new("polite", 1.0 / 0.4, 10, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), 1, null),
        new("normal", null, 10, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), null, null),
        new("aggressive", null, 6, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1250), null, null),
        new("insane", null, 2, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(300), null, TimeSpan.FromMinutes(15)),
    ];
}

/// <summary>The hooks `ports scan` calls to apply <see cref="NmapSettings"/>; each does nothing when its option is absent.</summary>
internal static class NmapScan
{
    /// <summary>Checks and parses the settings before any packet; exit code 2 with one line naming the bad token, or null.</summary>
    public static int? Validate(CliContext cli, ref NmapSettings settings)
    {
        var saves = new List<(string, string)>();
        foreach (var save in settings.Saves)
        {
            var eq = save.IndexOf('=', StringComparison.Ordinal);
            var format = eq > 0 ? save[..eq].ToLowerInvariant() : "";
            if (eq <= 0 || eq == save.Length - 1 || Array.IndexOf(NmapOptions.SaveFormats, format) < 0)
            {
                return cli.Fail(ExitCodes.BadInput, $"bad --save '{save}': give FORMAT=FILE with FORMAT one of {string.Join(", ", NmapOptions.SaveFormats)}");
            }
            saves.Add((format, save[(eq + 1)..]));
        }
        if (settings.Timing is < 0 or > 5)
        {
            return cli.Fail(ExitCodes.BadInput, $"bad --timing '{settings.Timing}': give 0-5");
        }
        if (settings.VersionIntensity is < 0 or > 9)
        {
            return cli.Fail(ExitCodes.BadInput, $"bad --version-intensity '{settings.VersionIntensity}': give 0-9");
        }
        if (settings.MinRate is { } minRate && !(minRate > 0 && double.IsFinite(minRate)))
        {
            return cli.Fail(ExitCodes.BadInput, $"bad --min-rate '{minRate}': give a positive number of packets per second");
        }
        if (settings.Verbose < 0 || settings.Debug < 0)
        {
            return cli.Fail(ExitCodes.BadInput, "bad --verbose or --debug level: give a positive number");
        }
        if (settings.ReverseDns && settings.NoReverseDns)
        {
            return cli.Fail(ExitCodes.BadInput, "choose one of -R (--reverse-dns) and -n (--no-reverse-dns)");
        }
        var probes = new List<DiscoveryProbe>();
        foreach (var text in settings.DiscoveryText)
        {
            if (!TryParseProbe(text, probes))
            {
                return cli.Fail(ExitCodes.BadInput, $"bad --discovery '{text}': use icmp-echo, icmp-timestamp, tcp-syn:PORTS, tcp-ack:PORTS or udp:PORTS (PORTS: 22,80,443 or 1-1024)");
            }
        }
        settings = settings with { SaveTargets = saves, Discovery = probes };
        return null;
    }

    /// <summary>Parses one --discovery value into <paramref name="probes"/>.</summary>
    internal static bool TryParseProbe(string text, List<DiscoveryProbe> probes)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? text : text[..colon];
        var ports = colon < 0 ? null : text[(colon + 1)..];
        switch (kind)
        {
            case "icmp-echo" when ports is null: probes.Add(new(DiscoveryProbeKind.IcmpEcho)); return true;
            case "icmp-timestamp" when ports is null: probes.Add(new(DiscoveryProbeKind.IcmpTimestamp)); return true;
            case "tcp-syn": return AddPorts(DiscoveryProbeKind.TcpSyn, ports ?? "80", probes);
            case "tcp-ack": return AddPorts(DiscoveryProbeKind.TcpAck, ports ?? "80", probes);
            case "udp": return AddPorts(DiscoveryProbeKind.Udp, ports ?? "40125", probes);
            default: return false;
        }
    }

    private static bool AddPorts(DiscoveryProbeKind kind, string ports, List<DiscoveryProbe> probes)
    {
        // A short list: discovery sends every probe to every host, so more than 64 ports is a mistake.
        var parsed = PortSpecParser.Parse(ports, new PortParseOptions { DefaultTransports = [Transport.Tcp] });
        if (!parsed.Success || parsed.Value!.Tcp.Count is 0 or > 64 || parsed.Value.Tcp.Any(p => p < 1) || parsed.Value.Udp.Count > 0 || parsed.Value.Sctp.Count > 0)
        {
            return false;
        }
        probes.AddRange(parsed.Value.Tcp.Select(p => new DiscoveryProbe(kind, p)));
        return true;
    }

    /// <summary>The plan input with -n, -R and --dns-servers applied (checked when the plan is parsed).</summary>
    public static ScanPlanInput ApplyDns(NmapSettings settings, ScanPlanInput input) => input with
    {
        ReverseDns = settings.NoReverseDns ? ReverseDnsMode.Never : settings.ReverseDns ? ReverseDnsMode.Always : input.ReverseDns,
        DnsServers = settings.DnsServers ?? input.DnsServers,
    };

    /// <summary>With --ipv6, names resolve to IPv6 addresses only; otherwise null (the parser's default resolver).</summary>
    public static Func<string, CancellationToken, Task<IPAddress[]>>? Resolver(NmapSettings settings) =>
        settings.Ipv6 ? (name, token) => Dns.GetHostAddressesAsync(name, AddressFamily.InterNetworkV6, token) : null;

    /// <summary>With --ipv6, an IPv4 target is bad input, as in nmap's -6; exit code 2 or null.</summary>
    public static int? CheckTargets(CliContext cli, NmapSettings settings, TargetSet targets)
    {
        if (settings.Ipv6 && targets.ToSpecs().FirstOrDefault(s => !s.Contains(':', StringComparison.Ordinal)) is { } v4)
        {
            return cli.Fail(ExitCodes.BadInput, $"IPv4 target '{v4}' with -6 (--ipv6): give IPv6 targets, or drop -6");
        }
        return null;
    }

    /// <summary>
    /// The scan's options with the timing template, --sequential, --min-rate and --discovery applied (one options type for
    /// every engine); explicit options win over the template.
    /// </summary>
    public static ScanOptions Tune(CliContext cli, ScanOptions options, ScanCommand.ScanRequest request)
    {
        var settings = request.Nmap;
        var input = request.Input;
        options = options with
        {
            Sequential = settings.Sequential,
            DiscoveryProbes = settings.Discovery.Count > 0 ? settings.Discovery : options.DiscoveryProbes,
        };
        if (settings.Timing is int level)
        {
            var t = TimingTemplate.All[level];
            options = options with
            {
                Rate = input.Rate ?? t.Rate ?? options.Rate,
                MaxRetries = input.MaxRetries ?? t.MaxRetries,
                InitialTimeout = t.InitialTimeout,
                MinTimeout = t.MinTimeout,
                MaxTimeout = t.MaxTimeout,
                Concurrency = input.Concurrency ?? t.Concurrency,
                HostTimeout = options.HostTimeout ?? t.HostTimeout,
            };
        }
        if (settings.MinRate is { } minRate)
        {
            // nmap's --min-rate is a floor; a ceiling below it is raised to meet it.
            options = options with { MinRate = minRate, Rate = options.Rate is { } r ? Math.Max(r, minRate) : null };
        }
        if (settings.Debug > 0)
        {
            cli.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ports: timing{(settings.Timing is int l ? $" -T{l} ({TimingTemplate.All[l].Name})" : "")}: rate {(options.Rate is { } r2 ? $"{r2:0.####}/s" : "unlimited (raw: adaptive)")}, min rate {(options.MinRate is { } m ? $"{m:0.####}/s" : "default")}, retries {options.MaxRetries}, timeout initial {options.InitialTimeout.TotalMilliseconds} ms, min {options.MinTimeout.TotalMilliseconds} ms, max {(options.MaxTimeout is { } mx ? $"{mx.TotalMilliseconds} ms" : "engine default")}, concurrency {(options.Concurrency?.ToString(CultureInfo.InvariantCulture) ?? "auto")}, host timeout {(options.HostTimeout is { } h ? $"{h.TotalSeconds} s" : "none")}, order {(options.Sequential ? "sequential" : "random")}, discovery {(options.DiscoveryProbes is { } p ? string.Join(' ', p.Select(Describe)) : "default")}"));
        }
        return options;
    }

    /// <summary>Detection's options with --version-intensity applied (intensity i tries at most i + 1 probes per port).</summary>
    public static DetectionOptions Detection(NmapSettings settings) =>
        settings.VersionIntensity is int i ? DetectionOptions.Default with { MaxProbes = i + 1 } : DetectionOptions.Default;

    /// <summary>With -v, an open port on stderr as soon as it is decided (nmap's "Discovered open port").</summary>
    public static void OnResult(CliContext cli, NmapSettings settings, PortResult result)
    {
        if (settings.Verbose > 0 && result.State == PortState.Open)
        {
            cli.Error.WriteLine(settings.Verbose > 1
                ? $"ports: discovered open port {result.Port}/{result.Protocol.ToName()} on {result.Address} ({result.Reason})"
                : $"ports: discovered open port {result.Port}/{result.Protocol.ToName()} on {result.Address}");
        }
    }

    /// <summary>The report after --open.</summary>
    public static async Task<ScanReport> FinishAsync(CliContext cli, NmapSettings settings, ScanReport report, CancellationToken cancellationToken)
    {
        if (settings.Open)
        {
            static bool IsOpen(PortResult p) => p.State is PortState.Open or PortState.OpenFiltered;
            report = report with
            {
                Hosts = [.. report.Hosts.Where(h => h.Ports.Any(IsOpen)).Select(h => h with { Ports = [.. h.Ports.Where(IsOpen)] })],
            };
        }
        if (settings.Debug > 0)
        {
            cli.Error.WriteLine($"ports: {report.Stats.ProbesSent} probe(s) sent, {report.Stats.PortsScanned} port(s) decided in {report.Stats.Elapsed.TotalSeconds:0.000} s");
        }
        return report;
    }

    /// <summary>Seconds since this process started, for -d's timeline.</summary>
    public static double Uptime()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return (TimeProvider.System.GetUtcNow() - self.StartTime.ToUniversalTime()).TotalSeconds;
    }

    /// <summary>With -d, where a raw engine's time went: one line, phase by phase (issue 16).</summary>
    public static string DescribePhases(RawScanStats stats) =>
        $"ports: {stats.ScanType} phases: " + string.Join("; ", stats.Phases.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{p.Name} {p.Elapsed.TotalSeconds:0.000} s{(p.Packets > 0 ? $" ({p.Packets:N0} packets)" : "")}")))
        + string.Create(CultureInfo.InvariantCulture, $"; within them, waiting for the consumer {stats.ConsumerWait.TotalSeconds:0.000} s ({stats.ConsumerWaits} time(s))");

    /// <summary>Writes every --save file.</summary>
    public static async Task SaveAsync(NmapSettings settings, ScanReport report, CancellationToken cancellationToken)
    {
        foreach (var (format, path) in settings.SaveTargets)
        {
            if (format == "normal")
            {
                await new NmapNormalReportWriter { ShowReason = settings.Reason }.WriteToFileAsync(report, path, cancellationToken).ConfigureAwait(false);
                continue;
            }
            ReportFormats.TryParse(format, out var reportFormat);
            await reportFormat.CreateWriter().WriteToFileAsync(report, path, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// -sn: host discovery alone. Raw probes when permitted (ICMP echo and timestamp, TCP SYN/ACK, UDP, ARP, or the
    /// --discovery list); otherwise a TCP connect to the --discovery TCP ports (default 80 and 443), where an answer of
    /// either kind, accepted or refused, means the host is up.
    /// </summary>
    public static async Task<int> DiscoverAsync(CliContext cli, ScanCommand.ScanRequest request, ScanPlan plan, ReportFormat? stdoutFormat, CancellationToken cancellationToken)
    {
        var targets = plan.Targets;
        var settings = request.Nmap;
        var started = DateTimeOffset.Now;
        var hosts = new List<HostResult>();
        var interrupted = false;
        try
        {
            if (RawCapability.IsAvailable && !request.Input.Techniques.Contains(ScanTechnique.Connect))
            {
                var options = Tune(cli, ScanOptions.Default with { Seed = request.Input.Seed }, request);
                await foreach (var host in new RawScanner().DiscoverAsync(targets, options, cancellationToken).ConfigureAwait(false))
                {
                    hosts.Add(new HostResult { Address = host.Address, Hostname = targets.HostnameOf(host.Address), State = host.IsUp ? "up" : "down" });
                    if (host.IsUp && settings.Verbose > 0)
                    {
                        cli.Error.WriteLine($"ports: host {host.Address} is up ({host.Reason})");
                    }
                }
            }
            else
            {
                var tcp = settings.Discovery.Where(p => p.Kind is DiscoveryProbeKind.TcpSyn or DiscoveryProbeKind.TcpAck).Select(p => p.Port).Distinct().ToList();
                var ports = PortSpecParser.Parse(tcp.Count > 0 ? string.Join(',', tcp) : "80,443", new PortParseOptions { DefaultTransports = [Transport.Tcp] }).Value!;
                var options = Tune(cli, ScanOptions.Default with { MaxRetries = 1, Seed = request.Input.Seed }, request);
                var up = new HashSet<IPAddress>();
                await foreach (var result in new PortScanner().ScanAsync(targets, ports, options, cancellationToken).ConfigureAwait(false))
                {
                    if (result.State is PortState.Open or PortState.Closed && up.Add(result.Address) && settings.Verbose > 0)
                    {
                        cli.Error.WriteLine($"ports: host {result.Address} is up ({result.Reason} on {result.Port}/tcp)");
                    }
                }
                hosts.AddRange(targets.Enumerate().Select(a => new HostResult { Address = a, Hostname = targets.HostnameOf(a), State = up.Contains(a) ? "up" : "down" }));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }
        var upHosts = hosts.Where(h => h.State == "up").OrderBy(h => h.Address.AddressFamily).ThenBy(h => Convert.ToHexString(h.Address.GetAddressBytes()), StringComparer.Ordinal).ToList();
        var report = new ScanReport
        {
            Hosts = upHosts,
            Stats = new ScanStats
            {
                Started = started,
                Finished = DateTimeOffset.Now,
                ScanType = "ping",
                CommandLine = request.Input.CommandLine,
                HostsScanned = (long)Math.Min(targets.Count, long.MaxValue),
                Interrupted = interrupted,
            },
        };
        if (!interrupted && plan.ReverseDns != ReverseDnsMode.Never)
        {
            var warnings = new List<string>();
            var names = await ReverseDns.ForServers(plan.DnsServers, warnings).LookupAsync(report.Hosts, plan.ReverseDns, cancellationToken).ConfigureAwait(false);
            report = report with { Hosts = [.. report.Hosts.Select(h => ReverseDns.Apply(h, names))] };
            foreach (var warning in warnings)
            {
                cli.Error.WriteLine($"ports: {warning}");
            }
        }
        if (stdoutFormat is ReportFormat format)
        {
            format.CreateWriter().Write(report, cli.Out);
            cli.Out.Flush();
        }
        else
        {
            foreach (var host in report.Hosts)
            {
                cli.Out.WriteLine(host.Hostname is null ? $"{host.Address} is up" : $"{host.Hostname} ({host.Address}) is up");
            }
            cli.Out.WriteLine($"{report.Hosts.Count} of {report.Stats.HostsScanned} host(s) up in {report.Stats.Elapsed.TotalSeconds:0.00} s");
        }
        if (request.Input.OutputPaths.FirstOrDefault() is string outputPath && ReportFormats.FromExtension(outputPath) is ReportFormat fileFormat)
        {
            await fileFormat.CreateWriter().WriteToFileAsync(report, outputPath, CancellationToken.None).ConfigureAwait(false);
        }
        await SaveAsync(settings, report, CancellationToken.None).ConfigureAwait(false);
        return interrupted ? ExitCodes.Interrupted : ExitCodes.Success;
    }

    private static string Describe(DiscoveryProbe probe) => probe.Kind switch
    {
        DiscoveryProbeKind.IcmpEcho => "icmp-echo",
        DiscoveryProbeKind.IcmpTimestamp => "icmp-timestamp",
        DiscoveryProbeKind.TcpSyn => $"tcp-syn:{probe.Port}",
        DiscoveryProbeKind.TcpAck => $"tcp-ack:{probe.Port}",
        _ => $"udp:{probe.Port}",
    };
}
