using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using PortAtlas.Tests.Web;
using PortAtlas.Web;

namespace PortAtlas.IntegrationTests.Web;

/// <summary>
/// <c>ports serve</c> in a real browser (Debian's chromium over the DevTools protocol): the scan list, a registry search,
/// a scan with a hostile banner, a host's timeline, a diff, the token on a non-loopback listener, and a scan started
/// from the page watched to its end. Every page must load under the server's CSP without a violation. With
/// PORTATLAS_UPDATE_DOCS=1 the screenshots are written to docs/serve-*.png.
/// </summary>
public sealed class ServeBrowserTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Browser_WalksThePages_AndStartsAScan()
    {
        var chromium = DevToolsBrowser.Find();
        if (chromium is null)
        {
            Assert.Skip("chromium is not installed (apt-get install chromium)");
        }
        await using var seeded = await SeededStore.CreateAsync();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var server = await WebServer.StartAsync(new ServeOptions { Db = seeded.Path, Listen = new IPEndPoint(IPAddress.Loopback, 0), AllowScans = true }, Ct);
        await using var browser = await DevToolsBrowser.LaunchAsync(chromium, Ct);
        var site = server.Address.AbsoluteUri.TrimEnd('/');
        var shots = new Dictionary<string, byte[]>();

        // The scan list: both seeded scans, newest first, with the chart.
        await browser.NavigateAsync(site + "/");
        Assert.Equal(2, (await browser.EvalAsync("document.querySelectorAll('#scans tbody tr').length")).GetInt32());
        Assert.Equal(1, (await browser.EvalAsync("document.querySelectorAll('svg.chart polyline').length")).GetInt32());
        shots["scans"] = await browser.ScreenshotAsync();

        // The registry, searched through its form.
        await browser.NavigateAsync(site + "/registry");
        await browser.EvalAsync("document.querySelector('input[name=q]').value = 'remote desktop'; document.querySelector('form').submit(); true");
        await browser.WaitForAsync("location.search.includes('remote') && document.readyState === 'complete'", TimeSpan.FromSeconds(20));
        Assert.Contains("3389", await browser.TextAsync(), StringComparison.Ordinal);
        shots["registry"] = await browser.ScreenshotAsync();

        // A scan, opened from the list: the hostile banner is text on the page, never markup.
        await browser.NavigateAsync(site + "/");
        await browser.ClickAndWaitAsync("a[href='/scans/1']", "/scans/1");
        var text = await browser.TextAsync();
        Assert.Contains("<script>alert(1)</script>\\x1b]0;pwned\\x07\\x1b[31mred", text, StringComparison.Ordinal);
        Assert.Contains("PA-CLEARTEXT-TELNET", text, StringComparison.Ordinal);
        Assert.Equal(1, (await browser.EvalAsync("document.scripts.length")).GetInt32());
        Assert.Equal(0, (await browser.EvalAsync("document.querySelectorAll('main b b, main script').length")).GetInt32());
        shots["scan"] = await browser.ScreenshotAsync();

        // The host's timeline, from the scan page.
        await browser.ClickAndWaitAsync("a[href='/hosts/198.18.0.2']", "/hosts/");
        text = await browser.TextAsync();
        Assert.Contains("version changed", text, StringComparison.Ordinal);
        Assert.Contains("finding fixed", text, StringComparison.Ordinal);
        shots["timeline"] = await browser.ScreenshotAsync();

        // The diff of the two scans, through its form.
        await browser.NavigateAsync(site + "/diff");
        await browser.EvalAsync("document.querySelector('input[name=a]').value = '1'; document.querySelector('input[name=b]').value = '2'; document.querySelector('main form').submit(); true");
        await browser.WaitForAsync("location.search.includes('b=2') && document.readyState === 'complete'", TimeSpan.FromSeconds(20));
        text = await browser.TextAsync();
        Assert.Contains("Ports closed (1)", text, StringComparison.Ordinal);
        Assert.Contains("Services changed (1)", text, StringComparison.Ordinal);
        shots["diff"] = await browser.ScreenshotAsync();

        // A scan from the page: the form, live progress over server-sent events, the saved scan.
        await browser.NavigateAsync(site + "/scans/new");
        await browser.EvalAsync($"document.querySelector('input[name=targets]').value = '127.0.0.1'; document.querySelector('input[name=ports]').value = '{port}'; document.querySelector('select[name=technique]').value = 'connect'; true");
        await browser.ClickAndWaitAsync("#scan-start", "/jobs/");
        await browser.WaitForAsync("document.getElementById('job-scan-link') !== null", TimeSpan.FromSeconds(60));
        Assert.Contains("finished: 1 of 1 probes decided, 1 open", await browser.TextAsync(), StringComparison.Ordinal);
        shots["job"] = await browser.ScreenshotAsync();
        await browser.ClickAndWaitAsync("#job-scan-link", "/scans/3");
        Assert.Contains($"{port}/tcp", await browser.TextAsync(), StringComparison.Ordinal);

        // Nothing the pages do was refused by their own Content-Security-Policy.
        Assert.DoesNotContain(browser.Log, entry => entry.Contains("Content Security Policy", StringComparison.Ordinal));

        // A non-loopback listener (127.0.0.2) refuses the browser until it presents the token.
        const string token = "browser-test-token-0123456789";
        await using var guarded = await WebServer.StartAsync(new ServeOptions { Db = seeded.Path, Listen = new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0), Token = token }, Ct);
        var guardedSite = guarded.Address.AbsoluteUri.TrimEnd('/');
        await browser.NavigateAsync(guardedSite + "/scans/1");
        text = await browser.TextAsync();
        Assert.Contains("asks for its access token", text, StringComparison.Ordinal);
        Assert.DoesNotContain("198.18.0.2", text, StringComparison.Ordinal);
        await SendAndWaitAsync(browser, guardedSite + "/scans/1?token=" + token, guardedSite + "/scans/1");
        Assert.Contains("PA-CLEARTEXT-TELNET", await browser.TextAsync(), StringComparison.Ordinal);

        foreach (var (name, png) in shots)
        {
            Assert.True(png.Length > 10_000 && png.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']), $"screenshot {name} is {png.Length} bytes");
        }
        if (Environment.GetEnvironmentVariable("PORTATLAS_UPDATE_DOCS") == "1")
        {
            var docs = Path.Combine(RepositoryRoot(), "docs");
            foreach (var (name, png) in shots)
            {
                await File.WriteAllBytesAsync(Path.Combine(docs, $"serve-{name}.png"), png, Ct);
            }
        }
    }

    /// <summary>Navigates to <paramref name="url"/> and waits for the page it redirects to.</summary>
    private static async Task SendAndWaitAsync(DevToolsBrowser browser, string url, string landing)
    {
        await browser.SendAsync("Page.navigate", new System.Text.Json.Nodes.JsonObject { ["url"] = url });
        await browser.WaitForAsync($"location.href === {JsonSerializer.Serialize(landing)} && document.readyState === 'complete'", TimeSpan.FromSeconds(20));
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
}
