using System.Net;
using PortAtlas.Storage;

namespace PortAtlas.Tests.Web;

/// <summary>A temporary SQLite store seeded with two scans of one host (198.18.0.2): a banner full of markup and escapes, then changes.</summary>
internal sealed class SeededStore : IAsyncDisposable
{
    public const string HostileExtra = "<script>alert(1)</script>\u001b]0;pwned\u0007\u001b[31mred";
    public static readonly IPAddress Host = IPAddress.Parse("198.18.0.2");

    private readonly string _directory = Directory.CreateTempSubdirectory("portatlas-web-").FullName;

    public string Path => System.IO.Path.Combine(_directory, "history.db");

    public static async Task<SeededStore> CreateAsync()
    {
        var seeded = new SeededStore();
        await using var store = ScanStore.Open(seeded.Path);
        var t0 = new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);
        await store.SaveAsync(Report(t0, "1.22.1", withTelnet: true, extra: HostileExtra), new ScanMetadata { Targets = ["198.18.0.2"] });
        await store.SaveAsync(Report(t0.AddDays(7), "1.24.0", withTelnet: false, extra: "plain"), new ScanMetadata { Targets = ["198.18.0.2"] });
        return seeded;
    }

    private static ScanReport Report(DateTimeOffset started, string nginx, bool withTelnet, string extra)
    {
        var ports = new List<PortResult>
        {
            new()
            {
                Address = Host, Port = 80, State = PortState.Open, Reason = "syn-ack",
                Service = new ServiceInfo { Name = "http", Product = "nginx", Version = nginx, ExtraInfo = extra, Method = "probe", Evidence = "HTTP/1.1 200 OK\\r\\nServer: nginx" },
            },
        };
        if (withTelnet)
        {
            ports.Add(new PortResult
            {
                Address = Host, Port = 23, State = PortState.Open, Reason = "syn-ack",
                Service = new ServiceInfo { Name = "telnet", Method = "banner" },
                Findings =
                [
                    new Finding { Id = "PA-CLEARTEXT-TELNET", Title = "Telnet <b>in clear</b>", Severity = RiskLevel.High, Address = Host, Port = 23, Evidence = "banner \u001b[2J login:" },
                ],
            });
        }
        return new ScanReport
        {
            Hosts = [new HostResult { Address = Host, Hostname = "web.lab.test", Ports = [.. ports.OrderBy(p => p.Port)], StateCounts = new Dictionary<string, long> { ["open"] = ports.Count, ["closed"] = 100 - ports.Count } }],
            Stats = new ScanStats { Started = started, Finished = started.AddSeconds(3), ScanType = "connect", CommandLine = "ports scan 198.18.0.2 -p 1-100", HostsScanned = 1, PortsScanned = 100 },
        };
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
