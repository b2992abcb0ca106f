using System.Net;
using Microsoft.Data.Sqlite;
using PortAtlas.Scanning;
using PortAtlas.Storage;
using PortAtlas.StoreHarness;
using PortAtlas.Tests.Reports;

namespace PortAtlas.Tests.Storage;

/// <summary>The store's contract, run against SQLite and PostgreSQL alike.</summary>
public sealed class ScanStoreTests
{
    private static readonly ScanMetadata s_metadata = new() { Targets = ["198.18.0.0/24", "Web.Example"], ConfigJson = "{\"ports\":\"1-1000\"}" };

    [Theory]
    [MemberData(nameof(TestStore.Kinds), MemberType = typeof(TestStore))]
    public async Task SaveThenGet_ReturnsTheReportFieldForField(string kind)
    {
        await using var test = await TestStore.CreateAsync(kind);
        var report = ReportFixture.Create();

        var id = await test.Store.SaveAsync(report, s_metadata, TestContext.Current.CancellationToken);
        var stored = await test.Store.GetAsync(id, TestContext.Current.CancellationToken);

        Assert.NotNull(stored);
        Assert.Equal(ScanReportJson.ToJson(report), ScanReportJson.ToJson(stored.Report));
        Assert.Equal(s_metadata.Targets, stored.Metadata.Targets);
        Assert.Equal(s_metadata.ConfigJson, stored.Metadata.ConfigJson);
        Assert.Equal(id, stored.Summary.Id);
        Assert.Equal(report.Hosts.Sum(h => h.Ports.Count(p => p.State == PortState.Open)), stored.Summary.OpenPorts);
        Assert.Equal(report.Hosts.Count(h => h.State == "up"), stored.Summary.HostsUp);
        Assert.Equal(report.Stats.Started.ToUnixTimeMilliseconds(), stored.Summary.Started.ToUnixTimeMilliseconds());
        Assert.Null(await test.Store.GetAsync(id + 1000, TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(TestStore.Kinds), MemberType = typeof(TestStore))]
    public async Task HostsTable_HoldsHostsThatAnsweredOrSaySomething_AndTheReportKeepsTheSilentOnes(string kind)
    {
        await using var test = await TestStore.CreateAsync(kind);
        var ct = TestContext.Current.CancellationToken;
        var filtered = new Dictionary<string, long> { ["filtered"] = 100 };
        PortResult Port(string address, int port, PortState state) =>
            new() { Address = IPAddress.Parse(address), Port = port, Protocol = Transport.Tcp, State = state, Reason = state == PortState.Open ? "syn-ack" : "no-response" };
        var report = new ScanReport
        {
            Hosts =
            [
                new HostResult { Address = IPAddress.Parse("198.18.0.1"), State = "up", StateCounts = new Dictionary<string, long> { ["closed"] = 100 } },
                // Silent, one after the other: stored as a run in the report, no row each.
                .. Enumerable.Range(2, 40).Select(i => new HostResult { Address = IPAddress.Parse($"198.18.0.{i}"), State = "unknown", StateCounts = filtered }),
                new HostResult { Address = IPAddress.Parse("198.18.0.50"), State = "unknown", Hostname = "named.example.test", StateCounts = filtered },
                new HostResult { Address = IPAddress.Parse("198.18.0.51"), State = "unknown", Ports = [Port("198.18.0.51", 80, PortState.Filtered)] },
                new HostResult { Address = IPAddress.Parse("198.18.0.52"), State = "down" },
                new HostResult { Address = IPAddress.Parse("2001:db8::7"), State = "unknown", StateCounts = filtered },
                new HostResult { Address = IPAddress.Parse("198.18.0.60"), State = "up", Ports = [Port("198.18.0.60", 443, PortState.Open)] },
            ],
            Stats = new ScanStats { Started = DateTimeOffset.UnixEpoch, Finished = DateTimeOffset.UnixEpoch.AddSeconds(1), ScanType = "syn" },
        };

        var id = await test.Store.SaveAsync(report, s_metadata, ct);

        Assert.Equal(["198.18.0.1", "198.18.0.50", "198.18.0.51", "198.18.0.52", "198.18.0.60"], await test.HostRowAddressesAsync(id));
        var stored = await test.Store.GetAsync(id, ct);
        Assert.NotNull(stored);
        Assert.Equal(ScanReportJson.ToJson(report), ScanReportJson.ToJson(stored.Report));
        Assert.Equal(2, stored.Summary.HostsUp);
        Assert.Equal(1, stored.Summary.OpenPorts);
    }

    [Theory]
    [MemberData(nameof(TestStore.Kinds), MemberType = typeof(TestStore))]
    public async Task ListPorts_ReadsTheNormalisedTable_InAddressOrder(string kind)
    {
        await using var test = await TestStore.CreateAsync(kind);
        var report = ReportFixture.Create();
        var id = await test.Store.SaveAsync(report, s_metadata, TestContext.Current.CancellationToken);

        var ports = await test.Store.ListPortsAsync(id, TestContext.Current.CancellationToken);

        var expected = report.Hosts.SelectMany(h => h.Ports.Select(p => (h.Address.ToString(), p.Protocol.ToString().ToLowerInvariant(), p.Port, p.State.ToName(), p.Service?.Version)));
        Assert.Equal(expected, ports.Select(p => (p.Address, p.Protocol, p.Port, p.State, p.Version)));
        Assert.Empty(await test.Store.ListPortsAsync(id + 1, TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(TestStore.Kinds), MemberType = typeof(TestStore))]
    public async Task List_IsNewestFirst_FiltersByTargetSubstringIgnoringCase_AndHonoursTheLimit(string kind)
    {
        await using var test = await TestStore.CreateAsync(kind);
        var ct = TestContext.Current.CancellationToken;
        var a = await test.Store.SaveAsync(SyntheticReports.Create(2, 10, 0.3, 1), new ScanMetadata { Targets = ["198.18.0.0/24"] }, ct);
        var b = await test.Store.SaveAsync(SyntheticReports.Create(2, 10, 0.3, 2), new ScanMetadata { Targets = ["Mail.Example.org"] }, ct);
        var c = await test.Store.SaveAsync(SyntheticReports.Create(2, 10, 0.3, 3), new ScanMetadata { Targets = ["198.18.0.0/24", "100%_odd"] }, ct);

        Assert.Equal([c, b, a], (await test.Store.ListAsync(null, ct)).Select(s => s.Id));
        Assert.Equal([c, a], (await test.Store.ListAsync(new ScanFilter { Target = "198.18" }, ct)).Select(s => s.Id));
        Assert.Equal([b], (await test.Store.ListAsync(new ScanFilter { Target = "mail.EXAMPLE" }, ct)).Select(s => s.Id));
        // LIKE's wildcards in the filter are literal.
        Assert.Equal([c], (await test.Store.ListAsync(new ScanFilter { Target = "%_" }, ct)).Select(s => s.Id));
        Assert.Empty(await test.Store.ListAsync(new ScanFilter { Target = "_x" }, ct));
        Assert.Equal([c, b], (await test.Store.ListAsync(new ScanFilter { Limit = 2 }, ct)).Select(s => s.Id));
        Assert.Equal(["198.18.0.0/24", "100%_odd"], (await test.Store.ListAsync(new ScanFilter { Limit = 1 }, ct))[0].Targets);
    }

    [Theory]
    [MemberData(nameof(TestStore.Kinds), MemberType = typeof(TestStore))]
    public async Task LatestForTarget_MatchesWholeTargets_AndSkipsBackwards(string kind)
    {
        await using var test = await TestStore.CreateAsync(kind);
        var ct = TestContext.Current.CancellationToken;
        var first = await test.Store.SaveAsync(SyntheticReports.Create(1, 10, 0.5, 1), new ScanMetadata { Targets = ["host.example"] }, ct);
        await test.Store.SaveAsync(SyntheticReports.Create(1, 10, 0.5, 2), new ScanMetadata { Targets = ["other.example"] }, ct);
        var third = await test.Store.SaveAsync(SyntheticReports.Create(1, 10, 0.5, 3), new ScanMetadata { Targets = ["HOST.example", "x"] }, ct);

        Assert.Equal(third, (await test.Store.LatestForTargetAsync("host.example", 0, ct))?.Summary.Id);
        Assert.Equal(first, (await test.Store.LatestForTargetAsync("host.example", 1, ct))?.Summary.Id);
        Assert.Null(await test.Store.LatestForTargetAsync("host.example", 2, ct));
        Assert.Null(await test.Store.LatestForTargetAsync("host", 0, ct));
    }

    [Theory]
    [MemberData(nameof(TestStore.Kinds), MemberType = typeof(TestStore))]
    public async Task Delete_RemovesTheScanAndItsRows_AndIdsAreNotReused(string kind)
    {
        await using var test = await TestStore.CreateAsync(kind);
        var ct = TestContext.Current.CancellationToken;
        var a = await test.Store.SaveAsync(SyntheticReports.Create(3, 20, 0.2, 1), s_metadata, ct);
        var b = await test.Store.SaveAsync(SyntheticReports.Create(3, 20, 0.2, 2), s_metadata, ct);

        Assert.True(await test.Store.DeleteAsync(b, ct));
        Assert.False(await test.Store.DeleteAsync(b, ct));
        Assert.Null(await test.Store.GetAsync(b, ct));
        Assert.Empty(await test.Store.ListPortsAsync(b, ct));
        Assert.NotEmpty(await test.Store.ListPortsAsync(a, ct));
        var c = await test.Store.SaveAsync(SyntheticReports.Create(3, 20, 0.2, 3), s_metadata, ct);
        Assert.True(c > b);
        Assert.Equal([c, a], (await test.Store.ListAsync(null, ct)).Select(s => s.Id));
    }

    [Theory]
    [MemberData(nameof(TestStore.Kinds), MemberType = typeof(TestStore))]
    public async Task SchemaVersion_IsRecorded_AndASecondOpenMigratesNothing(string kind)
    {
        await using var test = await TestStore.CreateAsync(kind);
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(2, await test.Store.GetSchemaVersionAsync(ct));
        var id = await test.Store.SaveAsync(SyntheticReports.Create(1, 5, 0.5, 1), s_metadata, ct);
        await using var second = ScanStore.Open(test.Location);
        Assert.Equal(2, await second.GetSchemaVersionAsync(ct));
        Assert.NotNull(await second.GetAsync(id, ct));
    }

    [Theory]
    [MemberData(nameof(TestStore.Kinds), MemberType = typeof(TestStore))]
    public async Task TwoStoresSavingAtOnce_BothLand(string kind)
    {
        await using var test = await TestStore.CreateAsync(kind);
        await using var other = ScanStore.Open(test.Location);
        var ct = TestContext.Current.CancellationToken;
        // Both begin by migrating the empty database at once; then they interleave saves.
        async Task<List<long>> SaveMany(IScanStore store, int seed)
        {
            var ids = new List<long>();
            for (var i = 0; i < 15; i++)
            {
                ids.Add(await store.SaveAsync(SyntheticReports.Create(8, 100, 0.05, seed + i), s_metadata, ct));
            }
            return ids;
        }
        var results = await Task.WhenAll(Task.Run(() => SaveMany(test.Store, 0), ct), Task.Run(() => SaveMany(other, 100), ct));

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(30, all.Distinct().Count());
        var listed = await test.Store.ListAsync(new ScanFilter { Limit = 100 }, ct);
        Assert.Equal(all.Order(), listed.Select(s => s.Id).Order());
        foreach (var id in all)
        {
            var stored = await test.Store.GetAsync(id, ct);
            Assert.Equal(stored!.Summary.OpenPorts, (await test.Store.ListPortsAsync(id, ct)).Count);
        }
    }

    [Theory]
    [MemberData(nameof(TestStore.Kinds), MemberType = typeof(TestStore))]
    public async Task Checkpoints_SaveUpdateGetListDelete(string kind)
    {
        await using var test = await TestStore.CreateAsync(kind);
        var ct = TestContext.Current.CancellationToken;
        var plan = (await ScanPlan.ParseAsync(new ScanPlanInput
        {
            Targets = ["198.18.0.0/30"],
            Ports = "T:1-1000",
            Seed = ulong.MaxValue - 5,
            Rate = 1500.5,
            MaxRetries = 2,
            HostTimeout = "90s",
            Concurrency = 64,
            Detect = true,
        }, cancellationToken: ct)).Plan!;
        var checkpoint = new ScanCheckpoint
        {
            Plan = plan,
            Position = 12,
            FinishedEngines = ["udp"],
            Partial = ReportFixture.Create(),
            Identified = ReportFixture.Create(),
            Created = new DateTimeOffset(2025, 2, 3, 4, 5, 6, TimeSpan.Zero),
            Updated = new DateTimeOffset(2025, 2, 3, 4, 5, 7, TimeSpan.Zero),
        };
        var id = await test.Store.SaveCheckpointAsync(checkpoint, ct);
        var loaded = await test.Store.GetCheckpointAsync(id, ct);

        Assert.NotNull(loaded);
        Assert.Equal(id, loaded.Id);
        Assert.Equal(checkpoint.Targets, loaded.Targets);
        Assert.Equal(plan.ToJson(), loaded.Plan.ToJson());
        Assert.Equal(["udp"], loaded.FinishedEngines);
        Assert.Equal(ScanReportJson.ToJson(checkpoint.Identified), ScanReportJson.ToJson(loaded.Identified!));
        Assert.Equal(12UL, loaded.Position);
        Assert.Equal(checkpoint.Created, loaded.Created);
        Assert.Equal(ScanReportJson.ToJson(checkpoint.Partial), ScanReportJson.ToJson(loaded.Partial));

        await test.Store.SaveCheckpointAsync(loaded with { Position = 40 }, ct);
        Assert.Equal(40UL, (await test.Store.GetCheckpointAsync(id, ct))!.Position);
        var second = await test.Store.SaveCheckpointAsync(checkpoint, ct);
        Assert.Equal([second, id], (await test.Store.ListCheckpointsAsync(ct)).Select(c => c.Id));
        Assert.True(await test.Store.DeleteCheckpointAsync(id, ct));
        Assert.Null(await test.Store.GetCheckpointAsync(id, ct));
        await Assert.ThrowsAsync<ArgumentException>(() => test.Store.SaveCheckpointAsync(checkpoint with { Plan = plan with { Options = new ScanOptions() } }, ct));
    }

    [Theory]
    [MemberData(nameof(TestStore.Kinds), MemberType = typeof(TestStore))]
    public async Task Save_TextWithControlCharactersAndNonAscii_ComesBackAsSaved(string kind)
    {
        // PostgreSQL takes the scan's row by binary COPY: every text column and the report must arrive byte for byte.
        await using var test = await TestStore.CreateAsync(kind);
        var ct = TestContext.Current.CancellationToken;
        var fixture = ReportFixture.Create();
        var report = fixture with
        {
            Stats = fixture.Stats with { CommandLine = "ports scan \\x\t\"é\" \\N \u00ff😀 --note 'a\tb\r\nc'" },
            Hosts = [.. fixture.Hosts.Select((h, i) => i == 0 ? h with { Hostname = "\\.\n😀ü" } : h)],
        };
        var metadata = new ScanMetadata { Targets = ["Tab\tTarget", "\\N", "ünï.example"], ConfigJson = null };

        var id = await test.Store.SaveAsync(report, metadata, ct);
        var stored = await test.Store.GetAsync(id, ct);

        Assert.NotNull(stored);
        Assert.Equal(ScanReportJson.ToJson(report), ScanReportJson.ToJson(stored.Report));
        Assert.Equal(report.Stats.CommandLine, stored.Summary.CommandLine);
        Assert.Equal(metadata.Targets, stored.Metadata.Targets);
        Assert.Null(stored.Metadata.ConfigJson);
        Assert.Equal(id, (await test.Store.LatestForTargetAsync("ünï.example", 0, ct))?.Summary.Id);
        Assert.True(await test.Store.SaveAsync(report, metadata, ct) > id);
    }

    [Theory]
    [MemberData(nameof(TestStore.Kinds), MemberType = typeof(TestStore))]
    public async Task Checkpoints_UpdateReplacesTheRowUnderItsId_AndAMissingOneIsRefused(string kind)
    {
        await using var test = await TestStore.CreateAsync(kind);
        var ct = TestContext.Current.CancellationToken;
        var plan = (await ScanPlan.ParseAsync(new ScanPlanInput { Targets = ["198.18.0.0/30"], Ports = "T:1-10", Seed = 3 }, cancellationToken: ct)).Plan!;
        var created = new DateTimeOffset(2025, 2, 3, 4, 5, 6, TimeSpan.Zero);
        var checkpoint = new ScanCheckpoint { Plan = plan, Position = 1, Partial = ReportFixture.Create(), Created = created, Updated = created };
        var id = await test.Store.SaveCheckpointAsync(checkpoint, ct);

        await test.Store.SaveCheckpointAsync(checkpoint with { Id = id, Position = 7, Created = created.AddDays(1), Updated = created.AddHours(1) }, ct);

        var loaded = await test.Store.GetCheckpointAsync(id, ct);
        Assert.Equal(7UL, loaded!.Position);
        Assert.Equal(ScanReportJson.ToJson(checkpoint.Partial), ScanReportJson.ToJson(loaded.Partial));
        Assert.Equal([id], (await test.Store.ListCheckpointsAsync(ct)).Select(c => c.Id));
        await Assert.ThrowsAsync<InvalidOperationException>(() => test.Store.SaveCheckpointAsync(checkpoint with { Id = id + 100 }, ct));
        Assert.True(await test.Store.SaveCheckpointAsync(checkpoint, ct) > id);
    }

    [Fact]
    public async Task Sqlite_UsesWriteAheadLogging_AndRefusesANewerSchema()
    {
        await using var test = await TestStore.CreateAsync(TestStore.Sqlite);
        var ct = TestContext.Current.CancellationToken;
        await test.Store.GetSchemaVersionAsync(ct);
        await using (var connection = new SqliteConnection($"Data Source={test.Location};Pooling=False"))
        {
            await connection.OpenAsync(ct);
            await using var mode = connection.CreateCommand();
            mode.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", (string?)await mode.ExecuteScalarAsync(ct));
            mode.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES (99, 0)";
            await mode.ExecuteNonQueryAsync(ct);
        }
        await using var newer = ScanStore.Open(test.Location);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => newer.GetSchemaVersionAsync(ct));
        Assert.Contains("99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ChoosesTheBackendFromTheLocation()
    {
        Assert.True(ScanStore.TryGetPostgresConnectionString("postgres://alice:p%40ss@db.example:6543/history?sslmode=require", out var url));
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(url);
        Assert.Equal(("alice", "p@ss", "db.example", 6543, "history", Npgsql.SslMode.Require),
            (builder.Username, builder.Password, builder.Host, builder.Port, builder.Database, builder.SslMode));
        Assert.True(ScanStore.TryGetPostgresConnectionString("postgresql://db.example/x", out var noUser));
        Assert.Equal(5432, new Npgsql.NpgsqlConnectionStringBuilder(noUser).Port);
        Assert.True(ScanStore.TryGetPostgresConnectionString("Host=127.0.0.1;Database=x", out _));
        Assert.False(ScanStore.TryGetPostgresConnectionString("/var/lib/portatlas/history.db", out _));
        Assert.False(ScanStore.TryGetPostgresConnectionString("history.db", out _));
        Assert.Throws<ArgumentException>(() => ScanStore.TryGetPostgresConnectionString("postgres://h/db?bogus=1", out _));
        Assert.EndsWith(Path.Combine("portatlas", "history.db"), ScanStore.DefaultPath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postgres_LocationNeverShowsThePassword()
    {
        await using var store = ScanStore.Open("postgres://alice:secret@127.0.0.1:1/db");
        Assert.Equal("postgresql://alice@127.0.0.1:1/db", store.Location);
        Assert.DoesNotContain("secret", store.Location, StringComparison.Ordinal);
    }
}
