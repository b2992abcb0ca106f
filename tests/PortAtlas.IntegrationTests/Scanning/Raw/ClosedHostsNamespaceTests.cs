namespace PortAtlas.IntegrationTests.Scanning.Raw;

/// <summary>
/// A large SYN scan holds resets as bits and hands hosts closed on every port over as one bit each (issue 17): the report
/// must be the one every port streamed as a result gives (<c>--all-states</c>), host by host, with the few closed ports of
/// mostly filtered hosts still listed. In a namespace of the test's own: 127.0.0.0/20, 4,096 hosts × 100 ports, every
/// address of which answers resets but for the listeners of 127.0.0.1 and three addresses behind drop rules.
/// </summary>
[Collection(RawCollection.Name)]
public sealed class ClosedHostsNamespaceTests
{
    private const string Range = "127.0.0.0/20";
    private const int Hosts = 4096;
    private const int Ports = 100;

    [Fact]
    public void Syn_LargeClosedRange_ReportsWhatEveryPortAsAResultReports()
    {
        RawLab.RequireRoot();
        using var ns = Prepare();

        var counted = XmlHosts.Read(RunPorts(ns, "scan", Range, "-p", "1-100", "--syn", "-Pn", "-n", "--no-save", "--format", "xml"));
        var listed = XmlHosts.Read(RunPorts(ns, "scan", Range, "-p", "1-100", "--syn", "-Pn", "-n", "--no-save", "--format", "xml", "--all-states"));

        Assert.Equal(Hosts, counted.Count);
        Assert.Equal(listed.Keys.Order(), counted.Keys.Order());
        foreach (var (address, host) in listed)
        {
            Assert.Equal((address, host.State, host.Counts["open"], host.Counts["closed"], host.Counts["filtered"]),
                (address, counted[address].State, counted[address].Counts["open"], counted[address].Counts["closed"], counted[address].Counts["filtered"]));
        }
        var one = counted["127.0.0.1"];
        Assert.Equal(("up", 2, 98), (one.State, one.Counts["open"], one.Counts["closed"]));
        Assert.Equal(["22/open/syn-ack", "80/open/syn-ack"], one.Listed);
        // 80 ports dropped and 20 closed: few enough to list, each with its reason, as if streamed.
        var few = counted["127.0.0.9"];
        Assert.Equal(("up", 20, 80), (few.State, few.Counts["closed"], few.Counts["filtered"]));
        Assert.Equal(Enumerable.Range(81, 20).Select(p => $"{p}/closed/reset"), few.Listed);
        // 50 closed, more than are listed, beside 50 dropped: counted.
        var half = counted["127.0.0.11"];
        Assert.Equal(("up", 50, 50, 0), (half.State, half.Counts["closed"], half.Counts["filtered"], half.Listed.Count));
        var silent = counted["127.0.0.10"];
        Assert.Equal((0, 100), (silent.Counts["closed"], silent.Counts["filtered"]));
        var closedHosts = counted.Values.Count(h => h.State == "up" && h.Counts["closed"] == Ports && h.Listed.Count == 0);
        Assert.Equal(Hosts - 4, closedHosts);
    }

    [Fact]
    public void Syn_StoppedMidSweep_KeepsTheClosedPortsFoundSoFar()
    {
        RawLab.RequireRoot();
        using var ns = Prepare();

        // A paced scan of 409,600 probes stopped by SIGINT after two seconds (timeout then exits 124): the report is written,
        // marked interrupted.
        var (exitCode, output, error) = RawLab.Run("ip", "netns", "exec", ns.Name, "env", "PORTATLAS_SAFE_TARGETS=1", "timeout", "-s", "INT", "2",
            Dotnet(), PortsDll(), "scan", Range, "-p", "1-100", "--syn", "-Pn", "-n", "--rate", "50000", "--no-save", "--format", "xml");

        Assert.True(exitCode is 0 or 124 or 130, $"exit {exitCode}: {error}");
        var hosts = XmlHosts.Read(output);
        var closed = hosts.Values.Sum(h => (long)h.Counts["closed"]);
        Assert.InRange(closed, 10_000, Hosts * (long)Ports - 1);
        // Every closed port counted belongs to a host of the report, and none twice: no host over its 100 ports.
        Assert.All(hosts.Values, h => Assert.InRange(h.Counts["open"] + h.Counts["closed"] + h.Counts["filtered"], 1, Ports));
        Assert.Contains("interrupted", output, StringComparison.Ordinal);
    }

    private static TestNamespace Prepare()
    {
        var ns = new TestNamespace();
        try
        {
            ns.StartResponder("tcp", "22", "80");
            ns.Nft("""
                table inet t {
                  chain input {
                    type filter hook input priority filter; policy accept;
                    ip daddr 127.0.0.9 tcp dport 1-80 drop
                    ip daddr 127.0.0.10 tcp dport 1-100 drop
                    ip daddr 127.0.0.11 tcp dport 1-50 drop
                  }
                }
                """);
            return ns;
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    private static string Dotnet() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static string PortsDll() => Path.Combine(AppContext.BaseDirectory, "ports.dll");

    private static string RunPorts(TestNamespace ns, params string[] arguments)
    {
        var (exitCode, output, error) = RawLab.Run("ip", ["netns", "exec", ns.Name, "env", "PORTATLAS_SAFE_TARGETS=1", Dotnet(), PortsDll(), .. arguments]);
        Assert.True(exitCode == 0, $"exit {exitCode}: {error}");
        return output;
    }
}
