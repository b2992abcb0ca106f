using System.Globalization;
using PortAtlas.IntegrationTests.Scanning;

namespace PortAtlas.IntegrationTests.Storage;

/// <summary>
/// Resumable scans of the whole port range of 127.0.0.1 inside a namespace of the test's own, with listeners of its own:
/// stopped (Ctrl-C-like cancellation, or SIGKILL) partway and resumed, they find exactly the open ports of an
/// uninterrupted scan, and decide every port exactly once.
/// </summary>
public sealed class ResumeNamespaceTests
{
    private static readonly string s_scanHarness = Path.Combine(AppContext.BaseDirectory, "PortAtlas.ScanHarness.dll");
    private static readonly string s_storeHarness = Path.Combine(AppContext.BaseDirectory, "PortAtlas.StoreHarness.dll");
    private static readonly int[] s_listening = [1, 22, 80, 443, 5432, 8080, 20000, 32768, 45000, 50001, 60000, 65535];

    [Theory(Timeout = 300_000)]
    [InlineData("--stop-after", 20_000)]
    [InlineData("--stop-after", 60_000)]
    [InlineData("--crash-after", 30_000)]
    public async Task AScanStoppedPartwayAndResumed_FindsExactlyWhatAnUninterruptedScanFinds(string how, int after)
    {
        using var ns = await NetworkNamespace.CreateAsync();
        var listener = ns.Start("dotnet", [s_scanHarness, "listen", "127.0.0.1", .. s_listening.Select(p => p.ToString(CultureInfo.InvariantCulture))]);
        Assert.StartsWith("ready", await listener.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken));
        var directory = Directory.CreateTempSubdirectory("pa-resume-");
        try
        {
            var db = Path.Combine(directory.FullName, "history.db");
            var (code, whole, error) = await ns.ExecAsync("dotnet", [s_storeHarness, "scan", db, "127.0.0.1", "-", "--seed", "7"], TimeSpan.FromSeconds(120));
            Assert.True(code == 0, error);
            Assert.Equal(s_listening, Open(whole));
            Assert.Contains("decided 65535 ", whole, StringComparison.Ordinal);

            // Paced, so that the engine cannot run ahead of the reader to the end of the range before the stop (its
            // buffers hold tens of thousands of results, and connect to loopback decides about 200,000 ports a second).
            (code, var first, error) = await ns.ExecAsync("dotnet",
                [s_storeHarness, "scan", db, "127.0.0.1", "-", "--seed", "11", "--rate", "20000", how, after.ToString(CultureInfo.InvariantCulture), "--checkpoint-every", "5000"],
                TimeSpan.FromSeconds(120));
            var id = first.Split('\n')[0].Split(' ')[1];
            if (how == "--crash-after")
            {
                Assert.Equal(137, code);
                Assert.Contains("crashing", first, StringComparison.Ordinal);
            }
            else
            {
                Assert.True(code == 0, error);
                Assert.Contains("stopped", first, StringComparison.Ordinal);
            }

            (code, var resumed, error) = await ns.ExecAsync("dotnet", [s_storeHarness, "resume", db, id], TimeSpan.FromSeconds(120));

            Assert.True(code == 0, error);
            var position = long.Parse(resumed.Split('\n')[0].Split(' ')[3], CultureInfo.InvariantCulture);
            // Cancelling still delivers what was decided in flight, so a stopped run can settle a little past N.
            Assert.InRange(position, 1, how == "--crash-after" ? after : 65534);
            Assert.Equal(s_listening, Open(resumed));
            // Every port decided exactly once across both runs: counted 65535 times, and this run did only the rest.
            Assert.Contains("decided 65535 ", resumed, StringComparison.Ordinal);
            Assert.Contains($"this-run {65535 - position}", resumed, StringComparison.Ordinal);
        }
        finally
        {
            listener.StandardInput.Close();
            await listener.WaitForExitAsync(TestContext.Current.CancellationToken);
            directory.Delete(recursive: true);
        }
    }

    private static int[] Open(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("open ", StringComparison.Ordinal))
            .Select(l => int.Parse(l[5..], CultureInfo.InvariantCulture))];
}
