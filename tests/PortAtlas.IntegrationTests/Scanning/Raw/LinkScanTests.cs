namespace PortAtlas.IntegrationTests.Scanning.Raw;

/// <summary>
/// Raw scans over a veth link between two namespaces of the test's own (198.18.250.1 scans 198.18.250.2): ARP, the
/// target's real ICMP rate limit (loopback is exempt from it), and loss and delay on the link.
/// </summary>
[Collection(RawCollection.Name)]
public sealed class LinkScanTests
{
    [Fact]
    public void Discovery_HostThatDropsEveryIpPacket_IsFoundByArp()
    {
        RawLab.RequireRoot();
        using var scanner = new TestNamespace();
        using var target = new TestNamespace();
        scanner.LinkTo(target);
        target.Nft("""
            table ip t {
              chain input {
                type filter hook input priority filter; policy drop;
              }
            }
            """);

        var (results, _) = scanner.Scan("--type", "discover", "198.18.250.2", "198.18.250.3");

        var up = Assert.Single(results, r => r.State == "up");
        Assert.Equal(("198.18.250.2", "arp-response"), (up.Address, up.Reason));
    }

    [Fact]
    public void Syn_OverALinkLosingTenPercentEachWay_FindsEveryListenerAndEveryClosedPort()
    {
        RawLab.RequireRoot();
        using var scanner = new TestNamespace();
        using var target = new TestNamespace();
        scanner.LinkTo(target);
        target.StartResponder("tcp-any", "22", "80", "443", "5432", "31337");
        Impair(target, lossPercent: 10);

        var (results, stats) = scanner.Scan("-p", "1-20000,31337", "198.18.250.2");

        Assert.Equal([22, 80, 443, 5432, 31337], results.Where(r => r.State == "open").Select(r => r.Port).Order());
        Assert.Equal(20001 - 5, results.Count(r => r.State == "closed"));
        Assert.DoesNotContain("passes 1,", stats, StringComparison.Ordinal);
    }

    [Fact]
    public void Syn_OverALinkWithDelayAndLoss_FindsEveryListener()
    {
        RawLab.RequireRoot();
        var delay = NfqDelay();
        RawLab.Require(delay is not null, "nfq-delay is not built (tests/lab/up.sh --delay builds tests/lab/run/nfq-delay)");
        using var scanner = new TestNamespace();
        using var target = new TestNamespace();
        scanner.LinkTo(target);
        target.StartResponder("tcp-any", "22", "8080", "31337");
        Impair(target, lossPercent: 1);
        target.StartProgram(delay!, "-q", "0", "-d", "20");
        target.Exec("iptables", "-t", "mangle", "-A", "INPUT", "-i", "vb", "-j", "NFQUEUE", "--queue-num", "0", "--queue-bypass");
        target.Exec("iptables", "-t", "mangle", "-A", "OUTPUT", "-o", "vb", "-j", "NFQUEUE", "--queue-num", "0", "--queue-bypass");

        var (results, stats) = scanner.Scan("-p", "1-65535", "198.18.250.2");

        Assert.Equal([22, 8080, 31337], results.Where(r => r.State == "open").Select(r => r.Port).Order());
        Assert.Equal(65535 - 3, results.Count(r => r.State == "closed"));
        Assert.Matches(@"srtt (3\d|4\d|5\d|[6-9]\d|\d{3,})\.\d ms", stats);
    }

    [Fact]
    public void Udp_TargetWithTheDefaultIcmpRateLimit_ClosedPortsAreClosedNotOpenFiltered()
    {
        RawLab.RequireRoot();
        using var scanner = new TestNamespace();
        using var target = new TestNamespace();
        scanner.LinkTo(target);
        target.StartResponder("udp-any", "53", "5000");
        target.Nft("""
            table ip t {
              chain input {
                type filter hook input priority filter; policy accept;
                udp dport 7001 drop
              }
            }
            """);

        var (results, stats) = scanner.Scan("--type", "udp", "-p", "53,5000,7001,7002-7016", "198.18.250.2");

        Assert.Equal([53, 5000], results.Where(r => r.State == "open").Select(r => r.Port).Order());
        Assert.Equal(Enumerable.Range(7002, 15), results.Where(r => r.State == "closed").Select(r => r.Port).Order());
        NamespaceScanTests.AssertVerdict(results, 7001, "open|filtered", "no-response");
        Assert.Contains("ICMP port-unreachable rate limiting on 1 host(s)", stats, StringComparison.Ordinal);
    }

    private static void Impair(TestNamespace target, int lossPercent) => target.Nft($$"""
        table inet impair {
          chain in {
            type filter hook prerouting priority -300; policy accept;
            iifname "vb" numgen random mod 100 < {{lossPercent}} drop
          }
          chain out {
            type filter hook postrouting priority -300; policy accept;
            oifname "vb" numgen random mod 100 < {{lossPercent}} drop
          }
        }
        """);

    /// <summary>The lab's NFQUEUE delay stage (tests/lab/nfq-delay.c), built into the test's output once; null when it cannot be built.</summary>
    private static string? NfqDelay()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "nfq-delay");
        if (File.Exists(output))
        {
            return output;
        }
        var source = Path.Combine(Lab.LabManifest.RepositoryRoot, "tests", "lab", "nfq-delay.c");
        if (!File.Exists(source))
        {
            return null;
        }
        try
        {
            var (exitCode, _, _) = RawLab.Run("gcc", "-O2", "-o", output, source, "-lnetfilter_queue", "-lnfnetlink", "-lmnl");
            return exitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
