using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PortAtlas.Web;

namespace PortAtlas.IntegrationTests.Web;

/// <summary>
/// A sharded scan in the browser (issue 18): two real <c>ports scan --shard I/2 --group G</c> processes scan two
/// loopback ports this test opened into one SQLite store; the scan list shows the group as one row and opens it as
/// one scan with both ports.
/// </summary>
public sealed class ServeGroupBrowserTests
{
    private const string Group = "it-serve-g";
    private static readonly string s_ports = Path.Combine(AppContext.BaseDirectory, "ports.dll");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int Code, string Error)> RunAsync(string home, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(s_ports);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["XDG_DATA_HOME"] = home;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        await output;
        return (process.ExitCode, await error);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "PortAtlas.slnx")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    [Fact]
    public async Task ShardedScan_IsOneRowInTheList_AndOpensAsOneScan()
    {
        var chromium = DevToolsBrowser.Find();
        if (chromium is null)
        {
            Assert.Skip("chromium is not installed (apt-get install chromium)");
        }
        var directory = Directory.CreateTempSubdirectory("portatlas-serve-group-").FullName;
        try
        {
            var db = Path.Combine(directory, "history.db");
            using var first = new TcpListener(IPAddress.Loopback, 0);
            using var second = new TcpListener(IPAddress.Loopback, 0);
            first.Start();
            second.Start();
            var ports = new[] { ((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port };
            // Only the two ports this test listens on, on 127.0.0.1; no name is looked up.
            foreach (var shard in new[] { 0, 1 })
            {
                var (code, error) = await RunAsync(directory, "scan", "127.0.0.1", "-p", string.Join(',', ports), "--connect", "--seed=1818", "--no-reverse-dns",
                    "--no-progress", "--format=json", $"--shard={shard}/2", $"--group={Group}", $"--db={db}");
                Assert.True(code == 0, $"shard {shard}: exit {code}: {error}");
            }

            await using var server = await WebServer.StartAsync(new ServeOptions { Db = db, Listen = new IPEndPoint(IPAddress.Loopback, 0) }, Ct);
            await using var browser = await DevToolsBrowser.LaunchAsync(chromium, Ct);
            var site = server.Address.AbsoluteUri.TrimEnd('/');

            await browser.NavigateAsync(site + "/");
            // Two shards saved two scans; the list has one row, the group's.
            Assert.Equal(1, (await browser.EvalAsync("document.querySelectorAll('#scans tbody tr').length")).GetInt32());
            Assert.Equal(1, (await browser.EvalAsync("document.querySelectorAll('#scans tr.group-complete').length")).GetInt32());
            Assert.Contains("group: complete, 2/2 shards done, 100%", await browser.TextAsync(), StringComparison.Ordinal);
            Assert.Equal(1, (await browser.EvalAsync("document.querySelectorAll('svg.chart polyline').length")).GetInt32());
            var listShot = await browser.ScreenshotAsync();

            await browser.ClickAndWaitAsync($"a[href='/scans/{Group}']", $"/scans/{Group}");
            var text = await browser.TextAsync();
            Assert.Contains($"Scan group {Group}", text, StringComparison.Ordinal);
            Assert.Contains("Every shard is done", text, StringComparison.Ordinal);
            Assert.Equal(1, (await browser.EvalAsync("document.querySelectorAll('section.host').length")).GetInt32());
            foreach (var port in ports)
            {
                Assert.Contains($"{port}/tcp", text, StringComparison.Ordinal);
            }
            Assert.DoesNotContain(browser.Log, entry => entry.Contains("Content Security Policy", StringComparison.Ordinal));
            var groupShot = await browser.ScreenshotAsync();
            if (Environment.GetEnvironmentVariable("PORTATLAS_UPDATE_DOCS") == "1")
            {
                var docs = Path.Combine(RepositoryRoot(), "docs");
                await File.WriteAllBytesAsync(Path.Combine(docs, "serve-group-list.png"), listShot, Ct);
                await File.WriteAllBytesAsync(Path.Combine(docs, "serve-group.png"), groupShot, Ct);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
