using System.Globalization;

namespace PortAtlas.IntegrationTests.Scanning;

/// <summary>
/// Full-range scans (-p-) of 127.0.0.1 and ::1 inside a network namespace that the test creates, with listeners of its own
/// there: the scanner must report exactly the set of listening ports that ss reports, and every other port closed.
/// </summary>
public sealed class PortScannerNamespaceTests
{
    private static readonly string s_harness = Path.Combine(AppContext.BaseDirectory, "PortAtlas.ScanHarness.dll");

    [Theory(Timeout = 180_000)]
    [InlineData("epoll")]
    [InlineData("sockets")]
    public async Task FullRangeScan_InANamespace_FindsExactlyTheListeningPorts(string mechanism)
    {
        using var ns = await NetworkNamespace.CreateAsync();
        // Edges, a well-known port, neighbours of each other, and ports in the ephemeral range (where self-connects happen).
        int[] wanted = [1, 22, 80, 81, 8000, 32768, 40000, 45001, 60999, 65535];
        var listener = ns.Start("dotnet", [s_harness, "listen", "127.0.0.1", .. wanted.Select(p => p.ToString(CultureInfo.InvariantCulture))]);
        var ready = await listener.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("ready", ready);

        var (ssCode, ssOutput, _) = await ns.ExecAsync("ss", ["-ltnH"], TimeSpan.FromSeconds(10));
        Assert.Equal(0, ssCode);
        var listening = ssOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3])
            .Select(local => int.Parse(local[(local.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture))
            .Order().ToArray();
        Assert.Equal(wanted, listening);

        var (code, output, error) = await ns.ExecAsync("dotnet", [s_harness, "scan", "127.0.0.1", "-", "--all", "--mechanism", mechanism], TimeSpan.FromSeconds(120));
        Assert.True(code == 0, error);
        var states = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(f => int.Parse(f[0], CultureInfo.InvariantCulture), f => (State: f[1], Reason: f[2]));

        Assert.Equal(65535, states.Count);
        Assert.Equal(listening, states.Where(s => s.Value.State == "open").Select(s => s.Key).Order());
        Assert.All(states.Where(s => s.Value.State != "open"), s => Assert.Equal("closed", s.Value.State));
        foreach (var port in listening)
        {
            foreach (var neighbour in (int[])[port - 1, port + 1])
            {
                if (neighbour is >= 1 and <= 65535 && !listening.Contains(neighbour))
                {
                    Assert.Equal(("closed", "conn-refused"), states[neighbour]);
                }
            }
        }

        listener.StandardInput.Close();
        await listener.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = 120_000)]
    public async Task FullRangeScan_OfIPv6Loopback_InANamespace_FindsExactlyTheListeningPorts()
    {
        using var ns = await NetworkNamespace.CreateAsync();
        int[] wanted = [443, 50000];
        var listener = ns.Start("dotnet", [s_harness, "listen", "::1", .. wanted.Select(p => p.ToString(CultureInfo.InvariantCulture))]);
        Assert.StartsWith("ready", await listener.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken));

        var (code, output, error) = await ns.ExecAsync("dotnet", [s_harness, "scan", "::1", "-"], TimeSpan.FromSeconds(100));

        Assert.True(code == 0, error);
        Assert.Equal(wanted.Select(p => $"open {p}"), output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        listener.StandardInput.Close();
        await listener.WaitForExitAsync(TestContext.Current.CancellationToken);
    }
}
