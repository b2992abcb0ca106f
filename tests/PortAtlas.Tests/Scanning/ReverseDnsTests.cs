using System.Net;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Scanning;

/// <summary>Reverse DNS with a fake resolver: no lookup leaves the process.</summary>
public sealed class ReverseDnsTests
{
    private static readonly IPAddress s_up = IPAddress.Parse("198.18.60.2");
    private static readonly IPAddress s_down = IPAddress.Parse("198.18.60.9");

    private static ScanReport Report() => new()
    {
        Stats = new ScanStats(),
        Hosts = [new HostResult { Address = s_up, State = "up" }, new HostResult { Address = s_down, State = "down" }],
    };

    private static Task<string?> Fake(IPAddress address, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(address.Equals(s_up) ? "lab.portatlas.test" : "down.portatlas.test");

    [Fact]
    public async Task Annotate_ByDefault_NamesUpHostsOnly_AsPtr()
    {
        var report = await new ReverseDns(Fake).AnnotateAsync(Report(), ReverseDnsMode.UpHosts, TestContext.Current.CancellationToken);

        Assert.Equal("lab.portatlas.test", report.Hosts[0].Hostname);
        Assert.Equal([new HostName("lab.portatlas.test", "PTR")], report.Hosts[0].Hostnames);
        Assert.Null(report.Hosts[1].Hostname);
    }

    [Fact]
    public async Task Annotate_Always_NamesDownHostsToo_AndNever_LooksNothingUp()
    {
        var always = await new ReverseDns(Fake).AnnotateAsync(Report(), ReverseDnsMode.Always, TestContext.Current.CancellationToken);
        Assert.Equal("down.portatlas.test", always.Hosts[1].Hostname);

        var calls = 0;
        var never = await new ReverseDns((a, ct) => { calls++; return Fake(a, ct); }).AnnotateAsync(Report(), ReverseDnsMode.Never, TestContext.Current.CancellationToken);
        Assert.Equal(0, calls);
        Assert.All(never.Hosts, h => Assert.Null(h.Hostname));
    }

    [Fact]
    public async Task Annotate_WhenALookupHangs_GivesUpAfterTheTimeout()
    {
        var dns = new ReverseDns(async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return "never"; }) { Timeout = TimeSpan.FromMilliseconds(50) };

        var report = await dns.AnnotateAsync(Report(), ReverseDnsMode.UpHosts, TestContext.Current.CancellationToken);

        Assert.Null(report.Hosts[0].Hostname);
    }

    [Fact]
    public async Task Annotate_KeepsTheUsersNameFirst()
    {
        var named = Report() with { Hosts = [new HostResult { Address = s_up, Hostname = "lab", Hostnames = [new HostName("lab", "user")] }] };

        var report = await new ReverseDns(Fake).AnnotateAsync(named, ReverseDnsMode.UpHosts, TestContext.Current.CancellationToken);

        Assert.Equal("lab", report.Hosts[0].Hostname);
        Assert.Equal([new HostName("lab", "user"), new HostName("lab.portatlas.test", "PTR")], report.Hosts[0].Hostnames);
    }
}
