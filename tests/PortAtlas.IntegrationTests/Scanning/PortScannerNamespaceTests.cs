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

    [Fact]
    public async Task Scan_OfALoopbackRangeThatDropsEverything_DoesNotBlockATickPerPort()
    {
        if (!File.Exists("/usr/sbin/nft"))
        {
            Assert.Skip("Needs nftables (nft) to filter ports inside the namespace.");
        }
        using var ns = await NetworkNamespace.CreateAsync();
        string[][] rules =
        [
            ["add", "table", "inet", "pa"],
            ["add", "chain", "inet", "pa", "in", "{ type filter hook input priority 0; }"],
            ["add", "rule", "inet", "pa", "in", "tcp", "dport", "1-4000", "drop"],
        ];
        foreach (var rule in rules)
        {
            var (ruleCode, _, ruleError) = await ns.ExecAsync("nft", rule, TimeSpan.FromSeconds(10));
            Assert.True(ruleCode == 0, ruleError);
        }

        // The epoll loops connect to loopback blocking, bounded by one clock tick (4-8 ms here): were that tick spent on
        // every dropped port, 4,000 of them on two loops would take 8-16 s on top of the timeouts.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, output, error) = await ns.ExecAsync("dotnet", [s_harness, "scan", "127.0.0.1", "1-4000", "--all", "--mechanism", "epoll", "--retries", "0"], TimeSpan.FromSeconds(60));
        var elapsed = clock.Elapsed;

        Assert.True(code == 0, error);
        var states = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')).ToArray();
        Assert.Equal(4000, states.Length);
        Assert.All(states, f => Assert.Equal(("filtered", "no-response"), (f[1], f[2])));
        Assert.True(elapsed < TimeSpan.FromSeconds(7), $"took {elapsed.TotalSeconds:F1} s");
    }

    [Theory(Timeout = 120_000)]
    [InlineData("epoll")]
    [InlineData("sockets")]
    public async Task Scan_PortsBehindAFirewall_AreFilteredWithTheirReason(string mechanism)
    {
        if (!File.Exists("/usr/sbin/nft"))
        {
            Assert.Skip("Needs nftables (nft) to filter ports inside the namespace.");
        }
        using var ns = await NetworkNamespace.CreateAsync();
        var listener = ns.Start("dotnet", [s_harness, "listen", "127.0.0.1", "7100"]);
        Assert.StartsWith("ready", await listener.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken));
        string[][] rules =
        [
            ["add", "table", "inet", "pa"],
            ["add", "chain", "inet", "pa", "in", "{ type filter hook input priority 0; }"],
            ["add", "rule", "inet", "pa", "in", "tcp", "dport", "7000-7019", "drop"],
            ["add", "rule", "inet", "pa", "in", "tcp", "dport", "7020-7029", "reject", "with", "icmp", "type", "admin-prohibited"],
        ];
        foreach (var rule in rules)
        {
            var (ruleCode, _, ruleError) = await ns.ExecAsync("nft", rule, TimeSpan.FromSeconds(10));
            Assert.True(ruleCode == 0, ruleError);
        }

        var (code, output, error) = await ns.ExecAsync("dotnet", [s_harness, "scan", "127.0.0.1", "7000-7100", "--all", "--mechanism", mechanism], TimeSpan.FromSeconds(60));

        Assert.True(code == 0, error);
        var states = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(f => int.Parse(f[0], CultureInfo.InvariantCulture), f => (f[1], f[2]));
        Assert.Equal(101, states.Count);
        Assert.All(Enumerable.Range(7000, 20), p => Assert.Equal(("filtered", "no-response"), states[p]));
        Assert.All(Enumerable.Range(7020, 10), p => Assert.Equal(("filtered", "host-unreach"), states[p]));
        Assert.All(Enumerable.Range(7030, 70), p => Assert.Equal(("closed", "conn-refused"), states[p]));
        Assert.Equal(("open", "syn-ack"), states[7100]);
        // Each silent port was tried again before being called filtered.
        Assert.Contains("retransmissions 20,", error, StringComparison.Ordinal);
        listener.StandardInput.Close();
        await listener.WaitForExitAsync(TestContext.Current.CancellationToken);
    }
}
