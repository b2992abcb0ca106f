using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using PortAtlas.Web;

namespace PortAtlas.Tests.Web;

/// <summary>ports serve over real HTTP on loopback: pages, API, escaping, and the security checks.</summary>
public sealed class WebServerTests : IAsyncLifetime
{
    private SeededStore _store = null!;

    public async ValueTask InitializeAsync() => _store = await SeededStore.CreateAsync();

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<WebServer> StartAsync(ServeOptions? options = null) =>
        WebServer.StartAsync((options ?? new ServeOptions()) with { Db = _store.Path, Listen = options?.Listen ?? new IPEndPoint(IPAddress.Loopback, 0) }, Ct);

    private static HttpClient Client(WebServer server, CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = server.Address };

    [Fact]
    public async Task ScanPage_ShowsTheHostileBannerAsEscapedText()
    {
        await using var server = await StartAsync();
        using var client = Client(server);
        var html = await client.GetStringAsync("/scans/1", Ct);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("\\x1b]0;pwned\\x07\\x1b[31mred", html, StringComparison.Ordinal);
        Assert.Contains("Telnet &lt;b&gt;in clear&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', html);
        Assert.Contains("PA-CLEARTEXT-TELNET", html, StringComparison.Ordinal);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryResponse_CarriesTheStrictPolicy()
    {
        await using var server = await StartAsync();
        using var client = Client(server);
        foreach (var path in new[] { "/", "/scans/1", "/api/scans", "/registry?q=ssh", "/nowhere" })
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.Equal(Security.ContentSecurityPolicy, string.Join(' ', response.Headers.GetValues("Content-Security-Policy")));
            Assert.Equal("nosniff", string.Join(' ', response.Headers.GetValues("X-Content-Type-Options")));
        }
        Assert.Contains("default-src 'none'", Security.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", Security.ContentSecurityPolicy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanList_AndApi_ListBothScansNewestFirst()
    {
        await using var server = await StartAsync();
        using var client = Client(server);
        var html = await client.GetStringAsync("/", Ct);
        Assert.Contains("href=\"/scans/2\"", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("/scans/2\"", StringComparison.Ordinal) < html.IndexOf("/scans/1\"", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/scans", Ct));
        Assert.Equal([2L, 1L], json.RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetInt64()));
        Assert.Equal("2026-11-08T10:00:00.000Z", json.RootElement[0].GetProperty("started").GetString());
    }

    [Fact]
    public async Task HostTimeline_SaysWhatOpenedClosedAndChanged()
    {
        await using var server = await StartAsync();
        using var client = Client(server);
        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/hosts/198.18.0.2/timeline", Ct));
        var events = json.RootElement.GetProperty("events").EnumerateArray().Select(e => $"{e.GetProperty("scanId").GetInt64()} {e.GetProperty("kind").GetString()} {e.GetProperty("port").GetString()}").ToList();
        Assert.Contains("1 first seen open 80/tcp", events);
        Assert.Contains("2 closed 23/tcp", events);
        Assert.Contains("2 version changed 80/tcp", events);
        Assert.Contains("2 finding fixed 23/tcp", events);
        var html = await client.GetStringAsync("/hosts/198.18.0.2", Ct);
        Assert.Contains("http nginx 1.22.1 → http nginx 1.24.0", html, StringComparison.Ordinal);
        using var bad = await client.GetAsync("/hosts/not-an-address", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Diff_PageAndApi_NameTheChanges()
    {
        await using var server = await StartAsync();
        using var client = Client(server);
        var html = await client.GetStringAsync("/diff?a=1&b=2", Ct);
        Assert.Contains("Ports closed (1)", html, StringComparison.Ordinal);
        Assert.Contains("Services changed (1)", html, StringComparison.Ordinal);
        Assert.Contains("Findings gone (1)", html, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/diff?a=1&b=2", Ct));
        Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
        using var missing = await client.GetAsync("/api/diff?a=1&b=99", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Findings_FilterBySeverityServiceAndNetwork()
    {
        await using var server = await StartAsync();
        using var client = Client(server);
        async Task<int> Count(string query)
        {
            using var json = JsonDocument.Parse(await client.GetStringAsync("/api/findings" + query, Ct));
            return json.RootElement.GetArrayLength();
        }
        Assert.Equal(1, await Count(""));
        Assert.Equal(1, await Count("?severity=high&service=telnet&network=198.18.0.0/24&rule=CLEARTEXT"));
        Assert.Equal(0, await Count("?severity=critical"));
        Assert.Equal(0, await Count("?network=198.19.0.0/16"));
        Assert.Equal(0, await Count("?service=http"));
        using var bad = await client.GetAsync("/api/findings?network=nonsense", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("nonsense", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registry_LooksUpPortsAndSearchesWords()
    {
        await using var server = await StartAsync();
        using var client = Client(server);
        Assert.Contains(">ssh<", await client.GetStringAsync("/registry?q=22", Ct), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/registry?q=remote%20desktop", Ct));
        Assert.Contains(json.RootElement.EnumerateArray(), e => e.GetProperty("port").GetInt32() == 3389);
        var hostile = await client.GetStringAsync("/registry?q=%3Cscript%3Ex", Ct);
        Assert.DoesNotContain("<script>x", hostile, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_GivesEachFormatAsADownload()
    {
        await using var server = await StartAsync();
        using var client = Client(server);
        using var csv = await client.GetAsync("/scans/1/export/csv", Ct);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.StartsWith("attachment;", csv.Content.Headers.ContentDisposition?.ToString() ?? "", StringComparison.Ordinal);
        using var sarif = JsonDocument.Parse(await client.GetStringAsync("/scans/1/export/sarif", Ct));
        Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
        using var unknown = await client.GetAsync("/scans/1/export/pdf", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task ForeignHostHeader_IsRefused()
    {
        await using var server = await StartAsync();
        using var client = Client(server);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/scans");
        request.Headers.Host = $"rebind.example:{server.Address.Port}";
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
    }

    [Fact]
    public async Task NonLoopbackListen_WithoutAToken_CannotStart()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(new ServeOptions { Listen = new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0) }));
    }

    [Fact]
    public async Task NonLoopbackListen_RefusesEveryRequestWithoutTheToken()
    {
        const string token = "test-token-0123456789abcdef";
        await using var server = await StartAsync(new ServeOptions { Listen = new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0), Token = token });
        Assert.Equal("127.0.0.2", server.Address.Host);
        using var anonymous = Client(server);
        foreach (var path in new[] { "/", "/api/scans", "/scans/1", "/static/app.css" })
        {
            using var refused = await anonymous.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.DoesNotContain("198.18.0.2", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/scans"))
        {
            wrong.Headers.Authorization = new("Bearer", token + "x");
            using var response = await anonymous.SendAsync(wrong, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using (var right = new HttpRequestMessage(HttpMethod.Get, "/api/scans"))
        {
            right.Headers.Authorization = new("Bearer", token);
            using var response = await anonymous.SendAsync(right, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        // The printed link: the token moves into a cookie and out of the address.
        var cookies = new CookieContainer();
        using var browser = Client(server, cookies);
        using var link = await browser.GetAsync($"/scans/1?token={token}", Ct);
        Assert.Equal(HttpStatusCode.Redirect, link.StatusCode);
        Assert.Equal("/scans/1", link.Headers.Location?.OriginalString);
        using var page = await browser.GetAsync("/scans/1", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task ReadOnlyServer_RefusesToStartScans()
    {
        await using var server = await StartAsync();
        var cookies = new CookieContainer();
        using var client = Client(server, cookies);
        await client.GetStringAsync("/", Ct);
        var csrf = cookies.GetCookies(server.Address)[Security.CsrfCookie]!.Value;
        using var form = await client.PostAsync("/api/jobs", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf, ["targets"] = "127.0.0.1" }), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
        using var page = await client.GetAsync("/scans/new", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.DoesNotContain("New scan</a>", await client.GetStringAsync("/", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_WithoutTheCsrfSecret_OrFromAnotherOrigin_IsRefused()
    {
        await using var server = await StartAsync(new ServeOptions { AllowScans = true });
        var cookies = new CookieContainer();
        using var client = Client(server, cookies);
        await client.GetStringAsync("/scans/new", Ct);
        var csrf = cookies.GetCookies(server.Address)[Security.CsrfCookie]!.Value;
        using var missing = await client.PostAsync("/scans/new", new FormUrlEncodedContent(new Dictionary<string, string> { ["targets"] = "127.0.0.1" }), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
        using var wrong = await client.PostAsync("/scans/new", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf + "x", ["targets"] = "127.0.0.1" }), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/scans/new") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf, ["targets"] = "127.0.0.1" }) };
        crossSite.Headers.Add("Origin", "http://evil.example");
        using var refused = await client.SendAsync(crossSite, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        // The same form with the secret and no foreign origin is checked like the CLI's plan: a bad port names itself.
        using var bad = await client.PostAsync("/scans/new", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf, ["targets"] = "127.0.0.1", ["ports"] = "99999" }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("99999", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanFromTheForm_RunsOnALoopbackPort_AndIsSaved()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var server = await StartAsync(new ServeOptions { AllowScans = true });
        var cookies = new CookieContainer();
        using var client = Client(server, cookies);
        await client.GetStringAsync("/scans/new", Ct);
        var csrf = cookies.GetCookies(server.Address)[Security.CsrfCookie]!.Value;
        using var started = await client.PostAsync("/scans/new", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["csrf"] = csrf, ["targets"] = "127.0.0.1", ["ports"] = $"{port}", ["technique"] = "connect",
        }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        Assert.Equal("/jobs/1", started.Headers.Location?.OriginalString);

        // The event stream ends with one "done" event once the scan is saved.
        var events = await client.GetStringAsync("/api/jobs/1/events", Ct);
        var done = events.Split("\n\n").Single(e => e.StartsWith("event: done", StringComparison.Ordinal));
        using var job = JsonDocument.Parse(done.Split("data: ")[1]);
        Assert.Equal("finished", job.RootElement.GetProperty("state").GetString());
        Assert.Equal(3, job.RootElement.GetProperty("scanId").GetInt64());
        Assert.Equal(1, job.RootElement.GetProperty("open").GetInt64());
        using var scan = JsonDocument.Parse(await client.GetStringAsync("/api/scans/3", Ct));
        var ports = scan.RootElement.GetProperty("report").GetProperty("hosts")[0].GetProperty("ports");
        Assert.Equal(port, ports[0].GetProperty("port").GetInt32());
        Assert.Equal("open", ports[0].GetProperty("state").GetString());
    }
}
