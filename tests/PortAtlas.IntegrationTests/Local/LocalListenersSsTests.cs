using System.Globalization;
using System.Net;
using PortAtlas.IntegrationTests.Scanning;
using PortAtlas.Local;
using PortAtlas.Registry;

namespace PortAtlas.IntegrationTests.Local;

/// <summary>
/// LocalListeners against <c>ss -ltnupH</c>: the same (protocol, address, port) set and the same processes. Both only
/// read socket tables; nothing connects anywhere.
/// </summary>
public sealed class LocalListenersSsTests
{
    private static readonly string s_storeHarness = Path.Combine(AppContext.BaseDirectory, "PortAtlas.StoreHarness.dll");

    /// <summary>One socket as ss prints it: protocol, local address, port, and the pids in its users:(...) column.</summary>
    private static List<(string Protocol, string Address, int Port, string Pids)> ParseSs(string output)
    {
        var sockets = new List<(string, string, int, string)>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // Netid State Recv-Q Send-Q Local:Port Peer:Port [Process]
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var local = fields[4];
            var colon = local.LastIndexOf(':');
            var address = local[..colon].Trim('[', ']');
            // An interface suffix (127.0.0.53%lo) is ss's, not the address's.
            var percent = address.IndexOf('%', StringComparison.Ordinal);
            if (percent >= 0)
            {
                address = address[..percent];
            }
            // ss prints a dual-stack IPv6 socket bound to :: as "*".
            address = address == "*" ? "::" : address;
            var pids = string.Join(',', System.Text.RegularExpressions.Regex.Matches(line, @"pid=(\d+)").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().Order());
            sockets.Add((fields[0], IPAddress.Parse(address).ToString(), int.Parse(local[(colon + 1)..], CultureInfo.InvariantCulture), pids));
        }
        return sockets;
    }

    private static string Key((string Protocol, string Address, int Port, string Pids) s) => $"{s.Protocol} {s.Address} {s.Port} {s.Pids}";

    [Fact(Timeout = 120_000)]
    public async Task InANamespace_TheListIsExactlyWhatSsShows()
    {
        using var ns = await NetworkNamespace.CreateAsync();
        // TCP and UDP, IPv4 and IPv6, loopback and all interfaces, and one socket shared by two processes after fork.
        const string script = """
            import os, socket, sys
            def tcp(family, address, port):
                s = socket.socket(family, socket.SOCK_STREAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind((address, port)); s.listen(); return s
            def udp(family, address, port):
                s = socket.socket(family, socket.SOCK_DGRAM)
                if family == socket.AF_INET6: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind((address, port)); return s
            keep = [tcp(socket.AF_INET, "0.0.0.0", 6379), tcp(socket.AF_INET, "127.0.0.1", 8080), tcp(socket.AF_INET6, "::", 2222),
                    tcp(socket.AF_INET6, "::1", 5432), udp(socket.AF_INET, "0.0.0.0", 11211), udp(socket.AF_INET6, "::1", 5353)]
            shared = tcp(socket.AF_INET, "127.0.0.1", 9000)
            if os.fork() == 0:
                sys.stdin.read(); os._exit(0)
            print("ready", flush=True); sys.stdin.read()
            """;
        var listener = ns.Start("python3", ["-c", script]);
        Assert.Equal("ready", await listener.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken));
        try
        {
            var (ssCode, ssOutput, ssError) = await ns.ExecAsync("ss", ["-ltnupH"], TimeSpan.FromSeconds(10));
            Assert.True(ssCode == 0, ssError);
            var (code, ours, error) = await ns.ExecAsync("dotnet", [s_storeHarness, "local"], TimeSpan.FromSeconds(60));
            Assert.True(code == 0, error);

            var expected = ParseSs(ssOutput).Select(Key).Order().ToList();
            Assert.Equal(7, expected.Count);
            Assert.Equal(expected, ours.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
            Assert.Contains(expected, k => k.StartsWith("tcp 127.0.0.1 9000 ", StringComparison.Ordinal) && k.Contains(',', StringComparison.Ordinal));
        }
        finally
        {
            listener.StandardInput.Close();
            await listener.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task OnThisMachine_TheListMatchesSs_UpToSocketsThatCameOrWentMeanwhile()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/ss"))
        {
            Assert.Skip("Needs Linux, root (to see every process) and ss.");
        }
        // Other tests open and close listeners all the time: compare what ss saw both before and after with what we saw between.
        var before = await NetworkNamespace.RunAsync("ss", ["-ltnupH"], TimeSpan.FromSeconds(10));
        var ours = await LocalListeners.GetAsync(cancellationToken: TestContext.Current.CancellationToken);
        var after = await NetworkNamespace.RunAsync("ss", ["-ltnupH"], TimeSpan.FromSeconds(10));

        static string Socket(string key) => string.Join(' ', key.Split(' ')[..3]);
        var stable = ParseSs(before.Output).Select(Key).Intersect(ParseSs(after.Output).Select(Key)).ToHashSet();
        var seen = ParseSs(before.Output).Concat(ParseSs(after.Output)).Select(s => Socket(Key(s))).ToHashSet();
        var ourKeys = ours.Select(l => $"{(l.Protocol == Transport.Tcp ? "tcp" : "udp")} {l.Address} {l.Port} {string.Join(',', l.Processes.Select(p => p.Id).Order())}").ToHashSet();

        Assert.Subset(ourKeys.Select(Socket).ToHashSet(), stable.Select(Socket).ToHashSet());
        Assert.Subset(seen, ourKeys.Select(Socket).ToHashSet());
        // Processes: for sockets stable in ss, the same pids (ss lists a socket's every holder, as we do).
        var ourByKey = ourKeys.ToDictionary(Socket);
        foreach (var key in stable)
        {
            if (ourByKey.TryGetValue(Socket(key), out var our))
            {
                Assert.Equal(key, our);
            }
        }
    }
}
