using System.Diagnostics;
using System.Text.Json;
using PortAtlas.Storage;

namespace PortAtlas.IntegrationTests.Lab;

/// <summary>
/// Issue 17 end to end: four real `ports` processes, each one shard of a connect or SYN scan of the lab's /24 (read-only),
/// write into the test PostgreSQL as one scan group; the group reads back exactly as one process's scan, also when a
/// shard is killed halfway and run again; a shard of another plan is refused.
/// </summary>
public sealed class ShardedScanLabTests
{
    private const string Targets = "198.18.1.0/24";
    private const string Ports = "--top-ports=20";
    private static readonly string s_ports = Path.Combine(AppContext.BaseDirectory, "ports.dll");

    private static string RequirePostgres()
    {
        LabManifest.Require();
        var connection = Environment.GetEnvironmentVariable("PORTATLAS_TEST_POSTGRES");
        if (string.IsNullOrEmpty(connection))
        {
            if (Environment.GetEnvironmentVariable("PORTATLAS_LAB_REQUIRED") is { Length: > 0 })
            {
                Assert.Fail("PORTATLAS_TEST_POSTGRES is not set: run tests/ci/postgres.sh first");
            }
            Assert.Skip("PORTATLAS_TEST_POSTGRES is not set (tests/ci/postgres.sh)");
        }
        return connection;
    }

    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(s_ports);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // Keep the default history of these processes out of the user's.
        info.Environment["XDG_DATA_HOME"] = Path.Combine(Path.GetTempPath(), "pa-shard-it");
        return Process.Start(info)!;
    }

    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }

    private static string[] Shard(string db, string group, int index, params string[] extra) =>
        ShardWith("--connect", db, group, index, extra);

    private static string[] ShardWith(string technique, string db, string group, int index, params string[] extra) =>
        ["scan", Targets, Ports, technique, "--seed=17017", "--all-states", "--no-progress", "--format=json", $"--shard={index}/4", $"--group={group}", $"--db={db}", .. extra];

    /// <summary>Every listed (host, port, state) and each host's state, from a JSON report.</summary>
    private static (SortedSet<string> Ports, SortedDictionary<string, string> Hosts) Facts(string json)
    {
        using var document = JsonDocument.Parse(json);
        var ports = new SortedSet<string>(StringComparer.Ordinal);
        var hosts = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var host in document.RootElement.GetProperty("hosts").EnumerateArray())
        {
            var address = host.GetProperty("address").GetString()!;
            hosts[address] = host.GetProperty("state").GetString()!;
            foreach (var port in host.GetProperty("ports").EnumerateArray())
            {
                ports.Add($"{address} {port.GetProperty("port").GetInt32()}/{port.GetProperty("protocol").GetString()} {port.GetProperty("state").GetString()}");
            }
        }
        return (ports, hosts);
    }

    private static async Task<(SortedSet<string> Ports, SortedDictionary<string, string> Hosts)> SingleProcessAsync(string technique = "--connect")
    {
        var (code, output, error) = await RunAsync("scan", Targets, Ports, technique, "--seed=17017", "--all-states", "--no-progress", "--format=json", "--no-save");
        Assert.True(code == 0, error);
        var facts = Facts(output);
        Assert.Contains(facts.Ports, p => p.EndsWith(" open", StringComparison.Ordinal));
        return facts;
    }

    private static async Task AssertGroupEqualsAsync(string db, string group, (SortedSet<string> Ports, SortedDictionary<string, string> Hosts) expected)
    {
        var (code, output, error) = await RunAsync("show", group, $"--db={db}", "--format=json");
        Assert.True(code == 0, error);
        var actual = Facts(output);
        Assert.Equal(expected.Ports.Count, actual.Ports.Count);
        Assert.Equal(expected.Ports, actual.Ports);
        Assert.Equal(expected.Hosts, actual.Hosts);
        using var document = JsonDocument.Parse(output);
        Assert.False(document.RootElement.GetProperty("stats").GetProperty("interrupted").GetBoolean());
    }

    /// <remarks>
    /// SYN: the raw engine leaves other shards' pairs out per probe (no bits held for them); the four processes share this
    /// machine's address and the plan's seed, and no pair may be reported by two of them.
    /// </remarks>
    [Theory(Timeout = 600_000)]
    [InlineData("--connect")]
    [InlineData("--syn")]
    public async Task FourShardProcesses_IntoPostgres_GiveTheSingleProcessResult(string technique)
    {
        var db = RequirePostgres();
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        var expected = await SingleProcessAsync(technique);
        var group = "it-" + technique[2..] + "-" + Guid.NewGuid().ToString("N")[..12];
        var runs = Enumerable.Range(0, 4).Select(i => RunAsync(ShardWith(technique, db, group, i))).ToList();
        var reported = new List<string>();
        foreach (var run in runs)
        {
            var (code, output, error) = await run;
            Assert.True(code == 0, error);
            reported.AddRange(Facts(output).Ports);
        }
        // Each pair is decided by one shard alone: none reports another's pair, even from an answer it received.
        Assert.Equal(expected.Ports.Count, reported.Count);
        Assert.Equal(expected.Ports, new SortedSet<string>(reported, StringComparer.Ordinal));
        await AssertGroupEqualsAsync(db, group, expected);

        var (historyCode, history, historyError) = await RunAsync("history", $"--db={db}", "--format=json", "--limit=1000");
        Assert.True(historyCode == 0, historyError);
        using var listed = JsonDocument.Parse(history);
        var entry = listed.RootElement.EnumerateArray().Single(e => e.TryGetProperty("group", out var g) && g.GetString() == group);
        Assert.Equal("done", entry.GetProperty("state").GetString());
        Assert.Equal(4, entry.GetProperty("shards").GetArrayLength());

        // A shard of another plan (other ports) is refused with one line, and sends nothing.
        var (refused, _, refusal) = await RunAsync("scan", Targets, "-p", "22", technique, "--seed=17017", "--no-progress", "--format=json", "--shard=1/4", $"--group={group}", $"--db={db}");
        Assert.Equal(2, refused);
        Assert.Contains("does not match scan group", refusal, StringComparison.Ordinal);
        Assert.Single(refusal.Trim().Split('\n'), l => l.Contains("ports differ", StringComparison.Ordinal));
    }

    /// <remarks>
    /// The top 100 ports without listing every state: each shard hands the hosts that answered none of its own pairs, or
    /// a reset on all of them, over as bits with their own pair counts (issue 17), over the lab's answering /24, closed
    /// hosts (pa-rst) and silent space (pa-dark). The group must count every host's ports as one process does.
    /// </remarks>
    [Fact(Timeout = 600_000)]
    public async Task FourSynShards_Top100_OverAnsweringClosedAndSilentHosts_CountAsOneProcess()
    {
        var db = RequirePostgres();
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        string[] plan = ["scan", Targets, "198.18.64.0/26", "198.19.0.0/27", "--top-ports=100", "--syn", "-Pn", "-n", "--seed=17017", "--no-progress", "--format=xml"];
        var (code, single, error) = await RunAsync([.. plan, "--no-save"]);
        Assert.True(code == 0, error);
        var group = "it-top100-" + Guid.NewGuid().ToString("N")[..12];
        var runs = Enumerable.Range(0, 4).Select(i => RunAsync([.. plan, $"--shard={i}/4", $"--group={group}", $"--db={db}"])).ToList();
        foreach (var run in runs)
        {
            var (shardCode, _, shardError) = await run;
            Assert.True(shardCode == 0, shardError);
        }
        var (showCode, merged, showError) = await RunAsync("show", group, $"--db={db}", "--format=xml");
        Assert.True(showCode == 0, showError);

        var expected = XmlHosts.Lines(single);
        Assert.Equal(256 + 64 + 32, expected.Count);
        Assert.Contains(expected, l => l.StartsWith("198.18.64.5 up closed=100 []", StringComparison.Ordinal));
        Assert.Contains(expected, l => l.StartsWith("198.19.0.5 ", StringComparison.Ordinal) && l.Contains("filtered=100 []", StringComparison.Ordinal));
        Assert.Equal(expected, XmlHosts.Lines(merged));
    }

    [Fact(Timeout = 600_000)]
    public async Task AShardKilledHalfway_AndRunAgain_LeavesTheSingleProcessResult()
    {
        var db = RequirePostgres();
        var expected = await SingleProcessAsync();
        var group = "it-kill-" + Guid.NewGuid().ToString("N")[..12];
        var others = new[] { 0, 1, 3 }.Select(i => RunAsync(Shard(db, group, i))).ToList();
        // Shard 2 runs slowly, and is killed (SIGKILL: no last word) once it has checkpointed some but not all of its pairs.
        using (var slow = Start(Shard(db, group, 2, "--rate=150")))
        {
            await using var store = ScanStore.Open(db);
            var groups = (IScanGroupStore)store;
            var deadline = Stopwatch.StartNew();
            ShardStatus? status = null;
            while (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                status = (await groups.ListGroupsAsync(TestContext.Current.CancellationToken)).SingleOrDefault(g => g.Name == group)?.Shards.SingleOrDefault(s => s.Index == 2);
                if (status is { Decided: > 0 } && status.Decided < status.Total / 2)
                {
                    break;
                }
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
            Assert.NotNull(status);
            Assert.InRange(status.Decided, 1, (status.Total / 2) - 1);
            slow.Kill();
            await slow.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        foreach (var run in others)
        {
            var (code, _, error) = await run;
            Assert.True(code == 0, error);
        }
        // Killed: the group is unfinished, and says so.
        var (partialCode, partial, partialError) = await RunAsync("show", group, $"--db={db}", "--format=json");
        Assert.True(partialCode == 0, partialError);
        using (var document = JsonDocument.Parse(partial))
        {
            Assert.True(document.RootElement.GetProperty("stats").GetProperty("interrupted").GetBoolean());
        }

        var (again, _, againError) = await RunAsync(Shard(db, group, 2));
        Assert.True(again == 0, againError);
        Assert.Contains("resumes its interrupted run", againError, StringComparison.Ordinal);
        await AssertGroupEqualsAsync(db, group, expected);
    }
}
