using System.Net;
using System.Net.Sockets;
using PortAtlas.Reports;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Scanning;

/// <summary>
/// Reverse DNS as a plan option, run by the session: a connect scan of the test's own listener on 127.0.0.2 (a
/// loopback address the hosts file does not name), names from a DNS server of the test's own on 127.0.0.1.
/// </summary>
public sealed class ScanSessionReverseDnsTests : IDisposable
{
    private static readonly IPAddress s_host = IPAddress.Parse("127.0.0.2");
    private readonly TcpListener _listener = new(s_host, 0);
    private readonly FakeDnsServer _dns = new(new() { ["2.0.0.127.in-addr.arpa"] = "two.portatlas.test" });

    public ScanSessionReverseDnsTests() => _listener.Start();

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Dispose()
    {
        _listener.Dispose();
        _dns.Dispose();
    }

    private async Task<ScanReport> ScanAsync(ReverseDnsMode mode)
    {
        var parsed = await ScanPlan.ParseAsync(new ScanPlanInput
        {
            Targets = ["127.0.0.2"],
            Ports = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ReverseDns = mode,
            DnsServers = _dns.Endpoint.ToString(),
            Assess = false,
        }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(parsed.Success, parsed.Error);
        await using var session = new ScanSession(parsed.Plan, new ScanSessionOptions { RawAvailable = false });
        await foreach (var _ in session.RunAsync(TestContext.Current.CancellationToken))
        {
        }
        return session.BuildReport();
    }

    [Fact]
    public async Task ByDefault_AnUpHostGetsItsPtrName_InTheReportAndEveryFormat()
    {
        var report = await ScanAsync(ReverseDnsMode.UpHosts);

        var host = Assert.Single(report.Hosts);
        Assert.Equal("two.portatlas.test", host.Hostname);
        Assert.Equal([new HostName("two.portatlas.test", "PTR")], host.Hostnames);
        Assert.Equal(1, _dns.Queries);
        Assert.Contains("<hostname name=\"two.portatlas.test\" type=\"PTR\"/>", Write(ReportFormat.Xml, report), StringComparison.Ordinal);
        Assert.Contains("Host: 127.0.0.2 (two.portatlas.test)\tStatus: Up", Write(ReportFormat.Grep, report), StringComparison.Ordinal);
        Assert.Contains("\"hostname\": \"two.portatlas.test\"", Write(ReportFormat.Json, report), StringComparison.Ordinal);
        var normal = new StringWriter();
        new NmapNormalReportWriter().Write(report, normal);
        Assert.Contains("Nmap scan report for two.portatlas.test (127.0.0.2)\n", normal.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Never_SendsNoDnsQuery()
    {
        var report = await ScanAsync(ReverseDnsMode.Never);

        Assert.Null(Assert.Single(report.Hosts).Hostname);
        Assert.Equal(0, _dns.Queries);
    }

    [Fact]
    public void Plan_RoundTripsTheModeAndServers_AndAnOldPlanResolvesNothing()
    {
        var plan = new ScanPlan
        {
            Targets = PortAtlas.Targets.TargetSpecParser.Parse(["198.18.0.2"]).Value!,
            Ports = PortAtlas.Targets.PortSpecParser.Parse("22").Value!,
            Options = ScanOptions.Default with { Seed = 1 },
            ReverseDns = ReverseDnsMode.Always,
            DnsServers = [new IPEndPoint(IPAddress.Parse("198.18.6.2"), 53), new IPEndPoint(IPAddress.Loopback, 5353)],
        };

        var back = ScanPlan.FromJson(plan.ToJson());

        Assert.True(back.Success, back.Error);
        Assert.Equal(ReverseDnsMode.Always, back.Plan!.ReverseDns);
        Assert.Equal(plan.DnsServers, back.Plan.DnsServers);
        var old = plan.ToJson().Replace("\"reverseDns\":\"always\",", "", StringComparison.Ordinal);
        Assert.Equal(ReverseDnsMode.Never, ScanPlan.FromJson(old).Plan!.ReverseDns);
        Assert.False(ScanPlan.FromJson(plan.ToJson().Replace("\"always\"", "\"sometimes\"", StringComparison.Ordinal)).Success);
    }

    [Fact]
    public async Task Parse_BadDnsServer_NamesIt()
    {
        var parsed = await ScanPlan.ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Ports = "1", DnsServers = "198.18.6.2,dns.example" }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(parsed.Success);
        Assert.Equal("dns.example", parsed.Token);
    }

    private static string Write(ReportFormat format, ScanReport report)
    {
        var text = new StringWriter();
        format.CreateWriter().Write(report, text);
        return text.ToString();
    }
}
