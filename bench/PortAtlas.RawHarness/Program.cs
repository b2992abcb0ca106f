using System.Diagnostics;
using System.Globalization;
using PortAtlas.Registry;
using PortAtlas.Scanning;
using PortAtlas.Scanning.Raw;
using PortAtlas.Targets;

// A command-line harness over RawScanner for benchmarks and manual checks (the real CLI is elsewhere):
//   raw-harness [--type syn|udp|sctp|discover] [-p SPEC | --top N] [--rate PPS] [--min-retries N] [--max-retries N]
//               [--skip-discovery] [--no-verify] [--no-pacing] [--all] [--print-ports] [--no-ring] TARGET...
//   raw-harness --send-only N [--batch B] ADDRESS    (the send path's own limit: N SYNs through RawSender, no receive)
// Prints "state<TAB>address<TAB>proto/port<TAB>reason" lines (open ones only unless --all) and a stats line on stderr.
var type = "syn";
string? portSpec = null;
int? top = null;
var options = new RawScanOptions();
var all = false;
var printPorts = false;
long sendOnly = 0;
var targets = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--type": type = args[++i]; break;
        case "-p": portSpec = args[++i]; break;
        case "--top": top = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--rate": options = options with { Rate = double.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--min-retries": options = options with { MinRetries = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--max-retries": options = options with { MaxRetries = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--skip-discovery": options = options with { SkipDiscovery = true }; break;
        case "--no-verify": options = options with { VerifyOpen = false }; break;
        case "--no-pacing": options = options with { PaceIcmpRateLimit = false }; break;
        case "--all": all = true; break;
        case "--print-ports": printPorts = true; break;
        case "--batch": options = options with { SendBatchSize = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--start-rate": options = options with { StartRate = double.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--ignore-outgoing": options = options with { IgnoreOutgoing = true }; break;
        case "--no-ring": options = options with { ReceiveRing = false }; break;
        case "--send-only": sendOnly = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: targets.Add(args[i]); break;
    }
}
if (Environment.GetEnvironmentVariable(SafeTargets.EnvironmentVariable) != "1")
{
    Console.Error.WriteLine($"raw-harness: set {SafeTargets.EnvironmentVariable}=1 (this harness sends only to lab and loopback addresses)");
    return 2;
}
if (!RawCapability.IsAvailable)
{
    Console.Error.WriteLine($"raw-harness: {RawCapability.UnavailableReason}");
    return 2;
}
var targetResult = TargetSpecParser.Parse(targets);
if (!targetResult.Success)
{
    Console.Error.WriteLine($"raw-harness: {targetResult.Error}");
    return 2;
}
var transport = type switch { "udp" => Transport.Udp, "sctp" => Transport.Sctp, _ => Transport.Tcp };
var portOptions = new PortParseOptions { DefaultTransports = [transport] };
var portResult = top is { } n ? PortSpecParser.Top(n, portOptions) : PortSpecParser.Parse(portSpec ?? "1-1000", portOptions);
if (!portResult.Success)
{
    Console.Error.WriteLine($"raw-harness: {portResult.Error}");
    return 2;
}
if (printPorts)
{
    // The port list as a comma-separated spec (no transport prefix), for handing the same list to nmap and masscan.
    Console.WriteLine(string.Join(',', portResult.Value!.For(transport)));
    return 0;
}
if (sendOnly > 0)
{
    return SendPathBenchmark.Run(targets[0], sendOnly, options.SendBatchSize);
}
var scanner = new RawScanner();
var stopwatch = Stopwatch.StartNew();
using var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
if (type == "discover")
{
    var up = 0;
    await foreach (var host in scanner.DiscoverAsync(targetResult.Value!, new ScanOptions { Rate = options.Rate, Seed = options.Seed }))
    {
        if (host.IsUp || all)
        {
            output.WriteLine($"{(host.IsUp ? "up" : "down")}\t{host.Address}\t{host.Reason}");
        }
        up += host.IsUp ? 1 : 0;
    }
    output.Flush();
    Console.Error.WriteLine($"discovery: {up} up in {stopwatch.Elapsed.TotalSeconds:0.000} s");
    return 0;
}
options = options with { ScanType = type switch { "udp" => RawScanType.Udp, "sctp" => RawScanType.Sctp, _ => RawScanType.Syn } };
await foreach (var result in scanner.ScanAsync(targetResult.Value!, portResult.Value!, options))
{
    if (all || result.State == PortState.Open)
    {
        output.WriteLine($"{result.State.ToName()}\t{result.Address}\t{result.Protocol.ToString().ToLowerInvariant()}/{result.Port}\t{result.Reason}");
    }
}
output.Flush();
var stats = scanner.LastStats!;
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{stats.ScanType}: {stats.PortsScanned} ports of {stats.HostsScanned}/{stats.HostsTargeted} hosts in {stopwatch.Elapsed.TotalSeconds:0.000} s; sent {stats.PacketsSent}, valid replies {stats.RepliesValidated}, rejected {stats.RepliesRejected}, passes {stats.Passes}, backoffs {stats.RateBackoffs}, final rate {stats.FinalRate:0}, peak {stats.PeakRate:0}, rx drops {stats.ReceiveDrops}, srtt {stats.SmoothedRoundTrip?.TotalMilliseconds:0.0} ms"));
foreach (var note in stats.Notes)
{
    Console.Error.WriteLine($"note: {note}");
}
return 0;
