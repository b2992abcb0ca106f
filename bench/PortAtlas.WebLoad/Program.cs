// Load on `ports serve` (issue 18): seeds a SQLite store with a synthetic /24 × 1000-port scan and smaller ones, starts
// the server as its own process on loopback, and times the scan list and the big scan's page under 50 concurrent
// clients (a bounded number of requests each), then reads the server's resident memory from /proc.
//   dotnet run --project bench/PortAtlas.WebLoad -c Release -- PORTS_COMMAND... (e.g. dotnet src/PortAtlas.Cli/bin/Release/net10.0/ports.dll)
// WEBLOAD_REQUESTS sets the requests per client (default 40); bench/serve-load.sh runs two builds alternately.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PortAtlas.Storage;
using PortAtlas.StoreHarness;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: PortAtlas.WebLoad PORTS_COMMAND [ARGS...]   (the command that runs 'ports')");
    return 2;
}
const int Clients = 50;
var requestsPerClient = int.TryParse(Environment.GetEnvironmentVariable("WEBLOAD_REQUESTS"), out var perClient) && perClient is > 0 and <= 1000 ? perClient : 40;
var directory = Directory.CreateTempSubdirectory("portatlas-webload-").FullName;
var db = Path.Combine(directory, "history.db");
long bigId;
await using (var store = ScanStore.Open(db))
{
    for (var i = 0; i < 20; i++)
    {
        await store.SaveAsync(SyntheticReports.Create(hosts: 16, ports: 100, openFraction: 0.05, seed: i), new ScanMetadata { Targets = ["198.18.0.0/28"] });
    }
    // A /24 × 1000 ports: about 1% open (2,560 open ports listed), the rest counted, as the scanner stores it.
    bigId = await store.SaveAsync(SyntheticReports.Create(hosts: 256, ports: 1000, openFraction: 0.01, seed: 99), new ScanMetadata { Targets = ["198.18.0.0/24"] });
}
int port;
using (var probe = new TcpListener(IPAddress.Loopback, 0))
{
    probe.Start();
    port = ((IPEndPoint)probe.LocalEndpoint).Port;
}
var start = new ProcessStartInfo(args[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
foreach (var a in args.Skip(1).Concat(["serve", "--db", db, "--listen", $"127.0.0.1:{port}"]))
{
    start.ArgumentList.Add(a);
}
using var server = Process.Start(start)!;
server.BeginErrorReadLine();
server.BeginOutputReadLine();
using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = Clients, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
{
    BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
    Timeout = TimeSpan.FromSeconds(60),
};
try
{
    var startup = Stopwatch.StartNew();
    while (true)
    {
        try
        {
            using var response = await http.GetAsync("/");
            if (response.IsSuccessStatusCode)
            {
                break;
            }
        }
        catch (HttpRequestException) when (startup.Elapsed < TimeSpan.FromSeconds(60))
        {
        }
        await Task.Delay(50);
    }
    Console.WriteLine($"server up in {startup.ElapsedMilliseconds} ms (first page answered); RSS {Rss(server.Id, "VmRSS")} MiB idle");
    var cold = Stopwatch.StartNew();
    var bigPage = await http.GetStringAsync($"/scans/{bigId}");
    Console.WriteLine($"/scans/{bigId} first (cold: parse + render) {cold.Elapsed.TotalMilliseconds:0} ms, {bigPage.Length / 1024} KiB");
    foreach (var path in new[] { "/", $"/scans/{bigId}", "/api/scans", $"/api/scans/{bigId}" })
    {
        await Measure(path, null);
        Console.WriteLine($"  server RSS {Rss(server.Id, "VmRSS")} MiB, peak so far {Rss(server.Id, "VmHWM")} MiB");
    }
    // Clients that already hold the big scan ask again with its entity tag (a browser's reload): a server that has
    // tags answers 304 with no body.
    using (var first = await http.GetAsync($"/api/scans/{bigId}"))
    {
        if (first.Headers.ETag is { } tag)
        {
            await Measure($"/api/scans/{bigId}", tag.ToString());
            Console.WriteLine($"  server RSS {Rss(server.Id, "VmRSS")} MiB, peak so far {Rss(server.Id, "VmHWM")} MiB");
        }
        else
        {
            Console.WriteLine($"/api/scans/{bigId} has no entity tag: no revalidation measured");
        }
    }
    Console.WriteLine($"server RSS after load {Rss(server.Id, "VmRSS")} MiB, peak {Rss(server.Id, "VmHWM")} MiB");
}
finally
{
    server.Kill(entireProcessTree: true);
    await server.WaitForExitAsync();
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(directory, recursive: true);
}
return 0;

async Task Measure(string path, string? etag)
{
    HttpRequestMessage Request()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (etag is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        }
        return request;
    }
    for (var i = 0; i < 20; i++)
    {
        (await http.SendAsync(Request())).Dispose();
    }
    var times = new double[Clients * requestsPerClient];
    long bytes = 0;
    var wall = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
    {
        for (var r = 0; r < requestsPerClient; r++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.SendAsync(Request());
            var body = await response.Content.ReadAsByteArrayAsync();
            if (response.StatusCode != (etag is null ? HttpStatusCode.OK : HttpStatusCode.NotModified))
            {
                throw new HttpRequestException($"{path}: {(int)response.StatusCode}");
            }
            times[client * requestsPerClient + r] = clock.Elapsed.TotalMilliseconds;
            Interlocked.Add(ref bytes, body.Length);
        }
    })));
    wall.Stop();
    Array.Sort(times);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{path + (etag is null ? "" : " (If-None-Match)"),-22} {Clients} clients x {requestsPerClient}: p50 {times[times.Length / 2]:0.0} ms, p95 {times[(int)(times.Length * 0.95)]:0.0} ms, max {times[^1]:0.0} ms, {times.Length / wall.Elapsed.TotalSeconds:0} req/s, {bytes / times.Length / 1024.0:0.0} KiB/response"));
}

static string Rss(int pid, string field)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith(field + ":", StringComparison.Ordinal))
        {
            var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            return (kb / 1024.0).ToString("0", CultureInfo.InvariantCulture);
        }
    }
    return "?";
}
