using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using PortAtlas.Storage;

namespace PortAtlas.IntegrationTests.Storage;

/// <summary>The SQLite store under real processes: killed with SIGKILL in the middle of saves, and two writing at once.</summary>
public sealed class StoreProcessTests
{
    private static readonly string s_harness = Path.Combine(AppContext.BaseDirectory, "PortAtlas.StoreHarness.dll");

    private static Process StartHarness(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(s_harness);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        return Process.Start(info)!;
    }

    [Theory(Timeout = 300_000)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public async Task AProcessKilledMidSave_LeavesADatabaseThatOpens_WithEveryCommittedScanWhole(int savesBeforeKill)
    {
        var directory = Directory.CreateTempSubdirectory("pa-kill-");
        try
        {
            var db = Path.Combine(directory.FullName, "history.db");
            // 32 hosts × 1000 ports, every other scan listing every port: a save takes long enough to be killed inside one.
            using var process = StartHarness("save-loop", db, "0", "32");
            using var reaper = new Reaper(process);
            var committed = new List<long>();
            while (committed.Count < savesBeforeKill)
            {
                var line = await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken);
                if (line is null)
                {
                    Assert.Fail(await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
                }
                committed.Add(long.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture));
            }
            // A random moment inside the next saves.
            await Task.Delay(Random.Shared.Next(0, 300), TestContext.Current.CancellationToken);
            process.Kill();
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            while (await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
            {
                committed.Add(long.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture));
            }

            await using (var connection = new SqliteConnection($"Data Source={db};Pooling=False"))
            {
                await connection.OpenAsync(TestContext.Current.CancellationToken);
                await using var check = connection.CreateCommand();
                check.CommandText = "PRAGMA integrity_check";
                Assert.Equal("ok", (string?)await check.ExecuteScalarAsync(TestContext.Current.CancellationToken));
            }
            await using var store = ScanStore.Open(db);
            var listed = await store.ListAsync(new ScanFilter { Limit = 1000 }, TestContext.Current.CancellationToken);
            Assert.Subset(listed.Select(s => s.Id).ToHashSet(), committed.ToHashSet());
            Assert.InRange(listed.Count, committed.Count, committed.Count + 1);
            foreach (var summary in listed)
            {
                var stored = await store.GetAsync(summary.Id, TestContext.Current.CancellationToken);
                Assert.NotNull(stored);
                Assert.Equal(32, stored.Report.Hosts.Count);
                var rows = await store.ListPortsAsync(summary.Id, TestContext.Current.CancellationToken);
                Assert.Equal(stored.Report.Hosts.Sum(h => h.Ports.Count), rows.Count);
                Assert.Equal(summary.OpenPorts, rows.Count(r => r.State == "open"));
            }
            // The store still takes saves.
            var next = await store.SaveAsync(PortAtlas.StoreHarness.SyntheticReports.Create(2, 10, 0.5, 1), new ScanMetadata(), TestContext.Current.CancellationToken);
            Assert.True(next > committed.Max());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task TwoProcessesSavingAtOnce_BothLandEverything()
    {
        var directory = Directory.CreateTempSubdirectory("pa-two-");
        try
        {
            var db = Path.Combine(directory.FullName, "history.db");
            using var first = StartHarness("save-loop", db, "20", "8");
            using var second = StartHarness("save-loop", db, "20", "8");
            using var firstReaper = new Reaper(first);
            using var secondReaper = new Reaper(second);
            var outputs = await Task.WhenAll(first.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken), second.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken));
            await first.WaitForExitAsync(TestContext.Current.CancellationToken);
            await second.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(first.ExitCode == 0, await first.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
            Assert.True(second.ExitCode == 0, await second.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));

            var ids = outputs.SelectMany(o => o.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Select(l => long.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(40, ids.Distinct().Count());
            await using var store = ScanStore.Open(db);
            Assert.Equal(ids.Order(), (await store.ListAsync(new ScanFilter { Limit = 100 }, TestContext.Current.CancellationToken)).Select(s => s.Id).Order());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Kills a harness that is still running when the test ends, however it ends.</summary>
    private sealed class Reaper(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(10_000);
            }
        }
    }
}
