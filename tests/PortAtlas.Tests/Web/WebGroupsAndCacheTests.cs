using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using PortAtlas.Scanning;
using PortAtlas.Storage;
using PortAtlas.Web;

namespace PortAtlas.Tests.Web;

/// <summary>ports serve with scan groups (sharded scans shown as one), entity tags, and the paginated scan page.</summary>
public sealed class WebGroupsAndCacheTests : IAsyncLifetime
{
    private const string Group = "web-g";
    private SeededStore _store = null!;

    public async ValueTask InitializeAsync() => _store = await SeededStore.CreateAsync();

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<WebServer> StartAsync() =>
        WebServer.StartAsync(new ServeOptions { Db = _store.Path, Listen = new IPEndPoint(IPAddress.Loopback, 0) }, Ct);

    private static HttpClient Client(WebServer server) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = server.Address };

    private static async Task<ScanPlan> PlanAsync(int shard) =>
        (await ScanPlan.ParseAsync(new ScanPlanInput
        {
            Targets = ["198.18.200.0/30"],
            Ports = "22,80",
            Seed = 7,
            Shard = new ScanShard(shard, 2),
            Group = Group,
            Techniques = [ScanTechnique.Connect],
        }, cancellationToken: Ct)).Plan!;

    private static ScanReport Shard(params (string Address, int Port)[] open)
    {
        var collector = new ScanCollector(listEveryState: false);
        foreach (var (address, port) in open)
        {
            collector.Add(new PortResult { Address = IPAddress.Parse(address), Port = port, State = PortState.Open, Reason = "syn-ack" });
        }
        var started = new DateTimeOffset(2026, 12, 1, 20, 0, 0, TimeSpan.Zero);
        return collector.Build(new ScanStats { Started = started, Finished = started.AddMinutes(1), ScanType = "connect", HostsScanned = 4, PortsScanned = 4 });
    }

    /// <summary>Shard 0 saved (198.18.200.1:22), shard 1 joined and running; with <paramref name="finish"/> shard 1 saved too (198.18.200.1:80, 198.18.200.2:80).</summary>
    private async Task<(long Shard0, long? Shard1)> SeedGroupAsync(bool finish)
    {
        await using var store = ScanStore.Open(_store.Path);
        var groups = (IScanGroupStore)store;
        var meta = new ScanMetadata { Targets = ["198.18.200.0/30"] };
        await groups.JoinGroupAsync(await PlanAsync(0), Ct);
        var shard0 = await groups.SaveShardAsync(Shard(("198.18.200.1", 22)), meta, Group, 0, 0, Ct);
        await groups.JoinGroupAsync(await PlanAsync(1), Ct);
        await groups.UpdateShardAsync(Group, 1, ShardStatus.Running, 0, decided: 1, total: 4, Ct);
        long? shard1 = finish ? await groups.SaveShardAsync(Shard(("198.18.200.1", 80), ("198.18.200.2", 80)), meta, Group, 1, 0, Ct) : null;
        return (shard0, shard1);
    }

    [Fact]
    public async Task RunningGroup_IsOneRowWithItsProgress_AndOpensAsOneScanWithoutAnEntityTag()
    {
        var (shard0, _) = await SeedGroupAsync(finish: false);
        await using var server = await StartAsync();
        using var client = Client(server);

        var list = await client.GetStringAsync("/", Ct);
        Assert.Contains($"href=\"/scans/{Group}\"", list, StringComparison.Ordinal);
        Assert.Contains("group: running, 1/2 shards done", list, StringComparison.Ordinal);
        Assert.DoesNotContain($"href=\"/scans/{shard0}\"", list, StringComparison.Ordinal);
        Assert.Contains("href=\"/scans/2\"", list, StringComparison.Ordinal);

        using var page = await client.GetAsync($"/scans/{Group}", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Null(page.Headers.ETag);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("Scan group web-g", html, StringComparison.Ordinal);
        Assert.Contains("198.18.200.1", html, StringComparison.Ordinal);
        Assert.Contains("Not every shard is done", html, StringComparison.Ordinal);

        using var groups = JsonDocument.Parse(await client.GetStringAsync("/api/groups", Ct));
        var group = Assert.Single(groups.RootElement.EnumerateArray());
        Assert.Equal("running", group.GetProperty("state").GetString());
        Assert.Equal(["done", "running"], group.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("state").GetString()));

        using var scans = JsonDocument.Parse(await client.GetStringAsync("/api/scans", Ct));
        var shardRow = scans.RootElement.EnumerateArray().Single(s => s.GetProperty("id").GetInt64() == shard0);
        Assert.Equal(Group, shardRow.GetProperty("group").GetString());
        Assert.Equal(0, shardRow.GetProperty("shard").GetInt32());
    }

    [Fact]
    public async Task CompleteGroup_OpensWithEveryShardsHosts_AndDiffsAndExportsAsOneScan()
    {
        await SeedGroupAsync(finish: true);
        await using var server = await StartAsync();
        using var client = Client(server);

        Assert.Contains("group: complete, 2/2 shards done, 100%", await client.GetStringAsync("/", Ct), StringComparison.Ordinal);
        var html = await client.GetStringAsync($"/scans/{Group}", Ct);
        Assert.Contains("host-198.18.200.1", html, StringComparison.Ordinal);
        Assert.Contains("host-198.18.200.2", html, StringComparison.Ordinal);

        using var api = await client.GetAsync($"/api/scans/{Group}", Ct);
        Assert.NotNull(api.Headers.ETag);
        using var json = JsonDocument.Parse(await api.Content.ReadAsStringAsync(Ct));
        Assert.Equal(Group, json.RootElement.GetProperty("summary").GetProperty("group").GetString());
        Assert.Equal(["198.18.200.1", "198.18.200.2"], json.RootElement.GetProperty("report").GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("address").GetString()).Order());

        var csv = await client.GetStringAsync($"/scans/{Group}/export/csv", Ct);
        Assert.Contains("198.18.200.1", csv, StringComparison.Ordinal);
        Assert.Contains("198.18.200.2", csv, StringComparison.Ordinal);

        using var diff = JsonDocument.Parse(await client.GetStringAsync($"/api/diff?a=2&b={Group}", Ct));
        Assert.Equal(JsonValueKind.Object, diff.RootElement.ValueKind);
        var diffPage = await client.GetStringAsync($"/diff?a=2&b={Group}", Ct);
        Assert.Contains($"Diff of scan 2 → scan {Group}", diffPage, StringComparison.Ordinal);
        Assert.Contains("198.18.200.2", diffPage, StringComparison.Ordinal);

        using var missing = await client.GetAsync("/scans/no-such-group", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var bad = await client.GetAsync("/api/scans/-x", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task HostTimeline_CountsAGroupAsOneScan_NotItsShardsOneAfterAnother()
    {
        await SeedGroupAsync(finish: true);
        await using var server = await StartAsync();
        using var client = Client(server);
        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/hosts/198.18.200.1/timeline", Ct));
        var scan = Assert.Single(json.RootElement.GetProperty("scans").EnumerateArray());
        Assert.Equal(Group, scan.GetProperty("group").GetString());
        Assert.Equal(2, scan.GetProperty("openPorts").GetInt32());
        var events = json.RootElement.GetProperty("events").EnumerateArray().ToList();
        Assert.All(events, e => Assert.Equal("first seen open", e.GetProperty("kind").GetString()));
        Assert.Equal(["22/tcp", "80/tcp"], events.Select(e => e.GetProperty("port").GetString()).Order());
        var page = await client.GetStringAsync("/hosts/198.18.200.1", Ct);
        Assert.Contains($"href=\"/scans/{Group}?host=198.18.200.1#host-198.18.200.1\"", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/scans/1")]
    [InlineData("/scans/1")]
    [InlineData("/scans/1/export/json")]
    public async Task SavedScan_CarriesAnEntityTag_AndAClientHoldingItGetsNoBody(string path)
    {
        await using var server = await StartAsync();
        using var client = Client(server);
        using var first = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var tag = Assert.IsType<EntityTagHeaderValue>(first.Headers.ETag);
        var body = await first.Content.ReadAsByteArrayAsync(Ct);
        Assert.NotEmpty(body);

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(tag);
        using var notModified = await client.SendAsync(again, Ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(Ct));

        using var other = new HttpRequestMessage(HttpMethod.Get, path);
        other.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"something-else\""));
        using var full = await client.SendAsync(other, Ct);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal(body, await full.Content.ReadAsByteArrayAsync(Ct));

        // Another scan has another tag.
        using var scan2 = await client.GetAsync(path.Replace("/1", "/2", StringComparison.Ordinal), Ct);
        Assert.NotEqual(tag, scan2.Headers.ETag);
    }

    [Fact]
    public async Task ScanJson_IsTheSummaryAndTheMachineContractReport()
    {
        await using var server = await StartAsync();
        using var client = Client(server);
        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/scans/1", Ct));
        Assert.Equal(1, json.RootElement.GetProperty("summary").GetProperty("id").GetInt64());
        var port = json.RootElement.GetProperty("report").GetProperty("hosts")[0].GetProperty("ports")[0];
        Assert.Equal(23, port.GetProperty("port").GetInt32());
        Assert.Equal("open", port.GetProperty("state").GetString());
        Assert.True(json.RootElement.GetProperty("report").TryGetProperty("stats", out _));
    }

    [Fact]
    public async Task BigScanPage_ShowsSixtyFourHostsAPage_AndAHostLinkOpensItsPage()
    {
        long id;
        await using (var store = ScanStore.Open(_store.Path))
        {
            var hosts = Enumerable.Range(0, 130).Select(i =>
            {
                var address = new IPAddress([198, 18, 9, (byte)i]);
                return new HostResult
                {
                    Address = address,
                    State = "up",
                    Ports = [new PortResult { Address = address, Port = 443, State = PortState.Open, Reason = "syn-ack" }],
                    StateCounts = new Dictionary<string, long> { ["open"] = 1 },
                };
            }).ToList();
            var started = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
            id = await store.SaveAsync(new ScanReport { Hosts = hosts, Stats = new ScanStats { Started = started, Finished = started.AddSeconds(9), HostsScanned = 130 } },
                new ScanMetadata { Targets = ["198.18.9.0/24"] }, Ct);
        }
        await using var server = await StartAsync();
        using var client = Client(server);

        var first = await client.GetStringAsync($"/scans/{id}", Ct);
        Assert.Contains("Hosts 1-64 of 130", first, StringComparison.Ordinal);
        Assert.Contains("id=\"host-198.18.9.63\"", first, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"host-198.18.9.64\"", first, StringComparison.Ordinal);
        Assert.Contains($"href=\"/scans/{id}?page=3\"", first, StringComparison.Ordinal);

        var last = await client.GetStringAsync($"/scans/{id}?page=3", Ct);
        Assert.Contains("Hosts 129-130 of 130", last, StringComparison.Ordinal);
        Assert.Contains("id=\"host-198.18.9.129\"", last, StringComparison.Ordinal);

        var beyond = await client.GetStringAsync($"/scans/{id}?page=99", Ct);
        Assert.Contains("Hosts 129-130 of 130", beyond, StringComparison.Ordinal);

        var byHost = await client.GetStringAsync($"/scans/{id}?host=198.18.9.100", Ct);
        Assert.Contains("Hosts 65-128 of 130", byHost, StringComparison.Ordinal);
        Assert.Contains("id=\"host-198.18.9.100\"", byHost, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"a\"", "\"a\"", true)]
    [InlineData("W/\"a\"", "\"a\"", true)]
    [InlineData("\"x\", \"a\"", "\"a\"", true)]
    [InlineData("*", "\"a\"", true)]
    [InlineData("\"b\"", "\"a\"", false)]
    [InlineData("a", "\"a\"", false)]
    [InlineData("", "\"a\"", false)]
    [InlineData(null, "\"a\"", false)]
    public void IfNoneMatch_MatchesTheTagInAnyOfItsForms(string? header, string etag, bool expected) =>
        Assert.Equal(expected, Site.Matches(header, etag));

    [Theory]
    [InlineData("42", true, 42L, null)]
    [InlineData("web-g", true, 0L, "web-g")]
    [InlineData("0", false, 0L, null)]
    [InlineData("-1", false, 0L, null)]
    [InlineData("", false, 0L, null)]
    [InlineData("a/b", false, 0L, null)]
    [InlineData("99999999999999999999", false, 0L, null)]
    public void ScanRef_IsAnIdOrAGroupName(string text, bool ok, long id, string? group)
    {
        Assert.Equal(ok, ScanRef.TryParse(text, out var value));
        if (ok)
        {
            Assert.Equal(new ScanRef(id, group), value);
        }
    }
}
