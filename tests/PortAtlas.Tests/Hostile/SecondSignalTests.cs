using System.Diagnostics;
using Microsoft.Data.Sqlite;
using PortAtlas.Storage;

namespace PortAtlas.Tests.Hostile;

/// <summary>
/// A command busy where it does not look at the cancellation (printing a large report) ends on a second SIGINT: the
/// first asks it to stop and keep what it found; before, every later signal was swallowed as well and Ctrl-C did nothing.
/// </summary>
[Trait("Category", "Hostile")]
public sealed class SecondSignalTests
{
    [Fact]
    public async Task Show_OfALargeReport_EndsOnTheSecondSigint()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("POSIX signals");
        }
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("pa-signal-");
        try
        {
            // A silent /8 as one stored run: its table is 16 million lines, about a minute of printing.
            var db = Path.Combine(dir.FullName, "h.db");
            await using (var store = ScanStore.Open(db))
            {
                await store.SaveAsync(new ScanReport { Hosts = [], Stats = new ScanStats() }, new ScanMetadata { Targets = ["10.0.0.0/8"] }, ct);
            }
            await using (var connection = new SqliteConnection($"Data Source={db};Pooling=False"))
            {
                await connection.OpenAsync(ct);
                await using var update = connection.CreateCommand();
                update.CommandText = """UPDATE scans SET report_json = '{"format":2,"hosts":[{"address":"10.0.0.0","state":"up","stateCounts":{"filtered":100},"ports":[],"repeat":16777215}]}'""";
                await update.ExecuteNonQueryAsync(ct);
            }
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in (string[])[CliProcess.Dll, "show", "1", "--db", db])
            {
                start.ArgumentList.Add(a);
            }
            start.Environment["HOME"] = dir.FullName;
            using var process = Process.Start(start)!;
            var drainError = process.StandardError.ReadToEndAsync(ct);
            // Printing has begun once the first lines arrive: then the first SIGINT is swallowed by design.
            var buffer = new char[1 << 16];
            long printed = 0;
            while (printed < 1 << 20)
            {
                printed += await process.StandardOutput.ReadAsync(buffer, ct);
            }
            var drainOut = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadAsync(buffer, ct) > 0)
                {
                }
            }, ct);
            await SignalAsync(process.Id, ct);
            await Task.Delay(500, ct);
            await SignalAsync(process.Id, ct);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("show went on printing after two SIGINTs");
            }
            await Task.WhenAll(drainOut, drainError);
            Assert.NotEqual(0, process.ExitCode);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task SignalAsync(int pid, CancellationToken ct)
    {
        using var kill = Process.Start("kill", ["-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(ct);
    }
}
