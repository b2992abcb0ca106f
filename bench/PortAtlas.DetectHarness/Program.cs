using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using PortAtlas.Detection;
using PortAtlas.Registry;
using PortAtlas.Scanning;

// Runs service detection on the given open TCP ports of one address and prints one tab-separated line per port,
// then the wall time on stderr. Used by bench/compare-detect.sh against the lab (198.18.0.0/15) only.
//   PortAtlas.DetectHarness ADDRESS PORT[,PORT...] [--concurrency N]
if (args.Length < 2 || !IPAddress.TryParse(args[0], out var address))
{
    Console.Error.WriteLine("usage: PortAtlas.DetectHarness ADDRESS PORT[,PORT...] [--concurrency N]");
    return 2;
}
if (!IsPermitted(address))
{
    Console.Error.WriteLine($"refusing {address}: only 127.0.0.0/8, ::1 and 198.18.0.0/15 are permitted targets");
    return 2;
}
var ports = args[1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
var options = DetectionOptions.Default;
if (args.Length >= 4 && args[2] == "--concurrency")
{
    options = options with { MaxConcurrency = int.Parse(args[3], CultureInfo.InvariantCulture) };
}

var detector = new ServiceDetector();
var clock = Stopwatch.StartNew();
var found = new List<PortResult>();
await foreach (var result in detector.DetectAsync(Open(address, ports), options))
{
    found.Add(result);
}
clock.Stop();
Console.WriteLine("port\tservice\tproduct\tversion\textrainfo\tmethod\tstarttls\ttls\tos\tcpe\tevidence");
foreach (var r in found.OrderBy(r => r.Port))
{
    var s = r.Service;
    var tls = s?.Tls is { } t ? $"{t.Protocol} {t.CipherSuite} subject={t.Subject} key={t.KeyType}/{t.KeyBits} sig={t.SignatureAlgorithm} self-signed={t.SelfSigned} expired={t.Expired} notAfter={t.NotAfter:yyyy-MM-dd}" : "-";
    Console.WriteLine(string.Join('\t',
        r.Port.ToString(CultureInfo.InvariantCulture), s?.Name ?? "-", s?.Product ?? "-", s?.Version ?? "-", s?.ExtraInfo ?? "-", s?.Method ?? "-",
        s?.StartTls ?? "-", tls, s?.OperatingSystem ?? "-", s is null ? "-" : string.Join(' ', s.Cpe), s?.Evidence ?? "-"));
}
Console.Error.WriteLine(FormattableString.Invariant($"wall {clock.Elapsed.TotalSeconds:F3} s"));
return 0;

static async IAsyncEnumerable<PortResult> Open(IPAddress address, int[] ports, [EnumeratorCancellation] CancellationToken cancellationToken = default)
{
    foreach (var port in ports)
    {
        cancellationToken.ThrowIfCancellationRequested();
        yield return new PortResult { Address = address, Port = port, Protocol = Transport.Tcp, State = PortState.Open, Reason = "syn-ack" };
    }
    await Task.CompletedTask.ConfigureAwait(false);
}

static bool IsPermitted(IPAddress address)
{
    if (IPAddress.IsLoopback(address))
    {
        return true;
    }
    var b = address.GetAddressBytes();
    return b.Length == 4 && b[0] == 198 && (b[1] & 0xFE) == 18;
}
