using System.Net;
using PortAtlas.Reports;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Reports;

/// <summary>Nmap's normal output (-oN): the fixture's expected file, and the layout rules one at a time.</summary>
public sealed class NmapNormalReportWriterTests
{
    private static string Write(ScanReport report, bool reason = false)
    {
        var text = new StringWriter();
        new NmapNormalReportWriter(ReportFixture.Options) { ShowReason = reason }.Write(report, text);
        return text.ToString();
    }

    [Fact]
    public void Write_Fixture_MatchesExpectedOutput() => ExpectedOutput.AssertMatches(Write(ReportFixture.Create()), "report.nmap");

    private static ScanReport OneHost(params PortResult[] ports) => new()
    {
        Stats = new ScanStats
        {
            Started = new DateTimeOffset(2026, 12, 1, 22, 55, 41, TimeSpan.Zero),
            Finished = new DateTimeOffset(2026, 12, 1, 22, 55, 41, 690, TimeSpan.Zero),
            ScanType = "connect",
            CommandLine = "ports scan 198.18.0.2 -sT -p 1-1024",
            Ports = PortAtlas.Targets.PortSpecParser.Parse("1-1024").Value,
            HostsScanned = 1,
            StateCounts = new Dictionary<string, long> { ["open"] = 2, ["closed"] = 1022 },
        },
        Hosts = [new HostResult { Address = IPAddress.Parse("198.18.0.2"), Hostname = "lab.portatlas.test", Ports = ports }],
    };

    private static PortResult Port(int port, PortState state = PortState.Open, double? rttMs = null) => new()
    {
        Address = IPAddress.Parse("198.18.0.2"),
        Port = port,
        State = state,
        Reason = "syn-ack",
        RoundTrip = rttMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
    };

    [Fact]
    public void Write_ConnectScan_HasNmapsLinesInNmapsOrder()
    {
        var text = Write(OneHost(Port(22, rttMs: 0.11), Port(443, rttMs: 0.2)));

        Assert.Equal(
            """
            # PortAtlas 0.1.0-test scan initiated Tue Dec  1 22:55:41 2026 as: ports scan 198.18.0.2 -sT -p 1-1024
            Nmap scan report for lab.portatlas.test (198.18.0.2)
            Host is up (0.00011s latency).
            Not shown: 1022 closed tcp ports (conn-refused)
            PORT    STATE SERVICE
            22/tcp  open  ssh
            443/tcp open  https

            # PortAtlas done at Tue Dec  1 22:55:41 2026 -- 1 IP address (1 host up) scanned in 0.69 seconds

            """.ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void Write_WithDetectionAndReason_AddsTheColumns_SizedToTheWidestCell()
    {
        var ssh = Port(22) with { Service = new ServiceInfo { Name = "ssh", Product = "OpenSSH", Version = "9.2p1", Method = "banner" } };
        var tls = Port(443) with { Service = new ServiceInfo { Name = "http", Product = "nginx", Method = "tls", Tls = new TlsInfo() } };

        var lines = Write(OneHost(ssh, tls), reason: true).Split('\n');

        Assert.Equal("PORT    STATE SERVICE  REASON  VERSION", lines[4]);
        Assert.Equal("22/tcp  open  ssh      syn-ack OpenSSH 9.2p1", lines[5]);
        Assert.Equal("443/tcp open  ssl/http syn-ack nginx", lines[6]);
        Assert.Contains("Service detection performed.", lines);
    }

    [Fact]
    public void Write_EveryPortShown_LeavesABlankLineWhereNotShownWouldBe()
    {
        var report = OneHost(Port(22)) with { Stats = OneHost().Stats with { StateCounts = new Dictionary<string, long> { ["open"] = 1 } } };

        var lines = Write(report).Split('\n');

        Assert.Equal("", lines[3]);
        Assert.Equal("PORT   STATE SERVICE", lines[4]);
        Assert.Equal("Host is up.", lines[2]);
    }

    [Fact]
    public void Write_NoPortListed_SaysAllAreInIgnoredStates()
    {
        var report = OneHost() with { Stats = OneHost().Stats with { StateCounts = new Dictionary<string, long> { ["closed"] = 1000 } } };

        var lines = Write(report).Split('\n');

        Assert.Equal("All 1000 scanned ports on lab.portatlas.test (198.18.0.2) are in ignored states.", lines[3]);
        Assert.Equal("Not shown: 1000 closed tcp ports (conn-refused)", lines[4]);
    }

    [Fact]
    public void Write_HostileText_StaysOnItsLine()
    {
        var evil = Port(22) with { Service = new ServiceInfo { Name = "ssh", Product = "Open\nSSH\u001b[2J", Version = "\u202e1", Method = "banner" } };
        var report = OneHost(evil) with { Hosts = [OneHost(evil).Hosts[0] with { Hostname = "a\r\nNmap scan report for forged" }] };

        var text = Write(report);

        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u202e', text);
        Assert.DoesNotContain('\r', text);
        Assert.Single(text.Split('\n'), l => l.StartsWith("Nmap scan report for", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0.00011, "0.00011")]
    [InlineData(0.000035, "0.000035")]
    [InlineData(0.002, "0.0020")]
    [InlineData(0.15, "0.15")]
    [InlineData(1.5, "1.50")]
    public void FormatLatency_KeepsTwoSignificantDigits(double seconds, string expected) =>
        Assert.Equal(expected, NmapNormalReportWriter.FormatLatency(seconds));
}
