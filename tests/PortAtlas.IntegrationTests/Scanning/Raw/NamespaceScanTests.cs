namespace PortAtlas.IntegrationTests.Scanning.Raw;

/// <summary>Every state of every raw scan type, IPv4 (127.0.0.1) and IPv6 (::1), in a namespace of the test's own.</summary>
[Collection(RawCollection.Name)]
public sealed class NamespaceScanTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Syn_EveryState_IsReportedWithItsReason(string address)
    {
        RawLab.RequireRoot();
        using var ns = new TestNamespace();
        ns.StartResponder("tcp", "22", "80");
        ns.Nft("""
            table inet t {
              chain input {
                type filter hook input priority filter; policy accept;
                tcp dport 8001 drop
                tcp dport 8010 reject with tcp reset
                tcp dport 8020 reject with icmpx type port-unreachable
                tcp dport 8022 reject with icmpx type admin-prohibited
              }
            }
            """);

        var (results, stats) = ns.Scan("-p", "22,80,8001,8010,8020,8022,9999", address);

        Assert.Equal(7, results.Count);
        AssertVerdict(results, 22, "open", "syn-ack");
        AssertVerdict(results, 80, "open", "syn-ack");
        AssertVerdict(results, 8001, "filtered", "no-response");
        AssertVerdict(results, 8010, "closed", "reset");
        AssertVerdict(results, 8020, "filtered", "port-unreach");
        AssertVerdict(results, 8022, "filtered", "admin-prohibited");
        AssertVerdict(results, 9999, "closed", "reset");
        Assert.Contains("rejected 0", stats, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Syn_AllPorts_FindsExactlyTheListeners(string address)
    {
        RawLab.RequireRoot();
        using var ns = new TestNamespace();
        ns.StartResponder("tcp", "1", "443", "31337", "65535");

        var (results, _) = ns.Scan("-p", "1-65535", address);

        Assert.Equal(65535, results.Count);
        Assert.Equal([1, 443, 31337, 65535], results.Where(r => r.State == "open").Select(r => r.Port).Order());
        Assert.Equal(65531, results.Count(r => r.State == "closed"));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Udp_EveryState_IsReportedWithItsReason(string address)
    {
        RawLab.RequireRoot();
        using var ns = new TestNamespace();
        // Loopback is exempt from Linux's per-peer ICMP rate limit; the global one is lifted for a fast, exact test.
        ns.Exec("sysctl", "-q", "-w", "net.ipv4.icmp_msgs_per_sec=0", "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0");
        ns.StartResponder("udp", "53", "5000");
        ns.Nft("""
            table inet t {
              chain input {
                type filter hook input priority filter; policy accept;
                udp dport 7001 drop
                udp dport 7022 reject with icmpx type admin-prohibited
              }
            }
            """);

        var (results, _) = ns.Scan("--type", "udp", "-p", "53,5000,7001,7010,7022", address);

        AssertVerdict(results, 53, "open", "udp-response");
        AssertVerdict(results, 5000, "open", "udp-response");
        AssertVerdict(results, 7001, "open|filtered", "no-response");
        AssertVerdict(results, 7010, "closed", "port-unreach");
        AssertVerdict(results, 7022, "filtered", "admin-prohibited");
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Sctp_EveryState_IsReportedWithItsReason(string address)
    {
        RawLab.RequireRoot();
        using var ns = new TestNamespace();

        // No SCTP in the kernel and no responder yet: the kernel answers protocol unreachable.
        var (before, _) = ns.Scan("--type", "sctp", "-p", "2905", address);
        AssertVerdict(before, 2905, "filtered", "proto-unreach");

        ns.StartResponder("sctp", "2905,3868", "80");
        var (results, _) = ns.Scan("--type", "sctp", "-p", "80,82,2905,3868", address);

        AssertVerdict(results, 2905, "open", "init-ack");
        AssertVerdict(results, 3868, "open", "init-ack");
        AssertVerdict(results, 80, "closed", "abort");
        AssertVerdict(results, 82, "filtered", "no-response");
    }

    [Fact]
    public void Syn_HostAnsweringEveryPortThroughARedirect_IsFlaggedAndItsPortsConfirmedByConnect()
    {
        RawLab.RequireRoot();
        using var ns = new TestNamespace();
        ns.StartResponder("tcp", "9999");
        // Every TCP port of 127.0.0.2 leads to the one listener: each port really accepts a connection.
        ns.Nft("""
            table ip t {
              chain out {
                type nat hook output priority -100; policy accept;
                ip daddr 127.0.0.2 tcp dport != 9999 redirect to :9999
              }
            }
            """);

        var (results, stats) = ns.Scan("-p", "1-100", "127.0.0.2");

        Assert.Equal(100, results.Count);
        Assert.All(results, r => Assert.Equal(("open", "syn-ack+connect"), (r.State, r.Reason)));
        Assert.Contains("1 host(s) answered SYN-ACK on canary ports", stats, StringComparison.Ordinal);
    }

    [Fact]
    public void Syn_HostAnsweringSynAckWithoutAListener_IsFlaggedAndItsPortsNotCalledOpen()
    {
        RawLab.RequireRoot();
        using var ns = new TestNamespace();
        // A SYN proxy without a backend: SYN-ACK for every port, the kernel's own RST|ACK answers suppressed; the ACK
        // that completes a connect then meets the kernel's plain RST.
        ns.StartResponder("synack", "127.0.0.3");
        ns.Nft("""
            table ip t {
              chain out {
                type filter hook output priority filter; policy accept;
                ip saddr 127.0.0.3 tcp flags & (rst | ack) == rst | ack drop
              }
            }
            """);

        var (results, stats) = ns.Scan("-p", "1-50", "127.0.0.3");

        Assert.Equal(50, results.Count);
        Assert.All(results, r => Assert.Equal(("filtered", "syn-ack-unconfirmed"), (r.State, r.Reason)));
        Assert.Contains("answered SYN-ACK on canary ports", stats, StringComparison.Ordinal);
    }

    [Fact]
    public void Syn_OrdinaryHost_IsNotFlagged()
    {
        RawLab.RequireRoot();
        using var ns = new TestNamespace();
        ns.StartResponder("tcp", "22");

        var (results, stats) = ns.Scan("-p", "20-25", "127.0.0.1");

        AssertVerdict(results, 22, "open", "syn-ack");
        Assert.DoesNotContain("canary", stats, StringComparison.Ordinal);
    }

    internal static void AssertVerdict(List<HarnessResult> results, int port, string state, string reason)
    {
        var result = Assert.Single(results, r => r.Port == port);
        Assert.Equal((port, state, reason), (result.Port, result.State, result.Reason));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RawCollection
{
    public const string Name = "raw scans";
}
