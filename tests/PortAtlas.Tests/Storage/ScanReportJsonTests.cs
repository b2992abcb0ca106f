using System.Net;
using PortAtlas.Registry;
using PortAtlas.Scanning;
using PortAtlas.Storage;
using PortAtlas.StoreHarness;
using PortAtlas.Tests.Reports;

namespace PortAtlas.Tests.Storage;

public sealed class ScanReportJsonTests
{
    private static readonly Dictionary<string, string> s_noFacts = [];

    [Fact]
    public void RoundTrip_OfTheRichFixture_GivesTheSameBytes_AndTheSameFields()
    {
        var report = ReportFixture.Create();
        var json = ScanReportJson.ToUtf8Bytes(report);

        var read = ScanReportJson.Read(json);

        Assert.Equal(json, ScanReportJson.ToUtf8Bytes(read));
        Assert.Equal(report.Stats with { Ports = null, StateCounts = read.Stats.StateCounts }, read.Stats with { Ports = null });
        Assert.Equal(report.Stats.StateCounts.OrderBy(c => c.Key), read.Stats.StateCounts.OrderBy(c => c.Key));
        Assert.Equal(report.Stats.Ports?.Tcp, read.Stats.Ports?.Tcp);
        Assert.Equal(report.Stats.Ports?.Udp, read.Stats.Ports?.Udp);
        Assert.Equal(report.Hosts.Count, read.Hosts.Count);
        for (var h = 0; h < report.Hosts.Count; h++)
        {
            var (a, b) = (report.Hosts[h], read.Hosts[h]);
            Assert.Equal((a.Address, a.Hostname, a.State), (b.Address, b.Hostname, b.State));
            Assert.Equal(a.StateCounts.OrderBy(c => c.Key), b.StateCounts.OrderBy(c => c.Key));
            Assert.Equal(a.Ports.Count, b.Ports.Count);
            for (var p = 0; p < a.Ports.Count; p++)
            {
                var (x, y) = (a.Ports[p], b.Ports[p]);
                Assert.Equal(x with { Service = null, Findings = [] }, y with { Service = null, Findings = [] });
                Assert.Equal(x.Findings.Select(f => f with { References = [] }), y.Findings.Select(f => f with { References = [] }));
                Assert.Equal(x.Findings.SelectMany(f => f.References), y.Findings.SelectMany(f => f.References));
                Assert.Equal(x.Service is null, y.Service is null);
                if (x.Service is { } s)
                {
                    Assert.Equal(s.Cpe, y.Service!.Cpe);
                    Assert.Equal(s.Facts.OrderBy(f => f.Key), y.Service.Facts.OrderBy(f => f.Key));
                    Assert.Equal(s with { Cpe = [], Tls = null, Facts = s_noFacts }, y.Service with { Cpe = [], Tls = null, Facts = s_noFacts });
                    Assert.Equal(s.Tls?.SubjectAlternativeNames, y.Service.Tls?.SubjectAlternativeNames);
                    Assert.Equal(s.Tls is null ? null : s.Tls with { SubjectAlternativeNames = [] }, y.Service.Tls is null ? null : y.Service.Tls with { SubjectAlternativeNames = [] });
                }
            }
        }
    }

    [Fact]
    public void RoundTrip_KeepsOffsetsTicksScopesAndText()
    {
        var address = IPAddress.Parse("fe80::1%3");
        var report = new ScanReport
        {
            Hosts =
            [
                new HostResult
                {
                    Address = address,
                    Hostname = "naïve \"host\"\n<&>",
                    State = "unknown",
                    Ports = [new PortResult { Address = address, Port = 0, Protocol = Transport.Sctp, State = PortState.OpenFiltered, Reason = "", RoundTrip = TimeSpan.FromTicks(12345) }],
                },
            ],
            Stats = new ScanStats
            {
                Started = new DateTimeOffset(2024, 2, 29, 23, 59, 59, 999, TimeSpan.FromHours(5.5)).AddTicks(7),
                Finished = DateTimeOffset.MaxValue,
                ScanType = "sctp",
                Ports = new PortList(),
                Interrupted = true,
            },
        };

        var read = ScanReportJson.Read(ScanReportJson.ToJson(report));

        Assert.Equal(report.Stats.Started, read.Stats.Started);
        Assert.Equal(report.Stats.Started.Offset, read.Stats.Started.Offset);
        Assert.Equal(DateTimeOffset.MaxValue, read.Stats.Finished);
        Assert.True(read.Stats.Interrupted);
        Assert.Equal(0, read.Stats.Ports!.Count);
        Assert.Equal(address, read.Hosts[0].Address);
        Assert.Equal(3, read.Hosts[0].Address.ScopeId);
        Assert.Equal(report.Hosts[0].Hostname, read.Hosts[0].Hostname);
        Assert.Equal(report.Hosts[0].Ports[0], read.Hosts[0].Ports[0]);
    }

    [Fact]
    public void RoundTrip_KeepsFindingsFactsAndDetectionHints()
    {
        var address = IPAddress.Parse("198.18.0.2");
        var port = new PortResult
        {
            Address = address, Port = 6379, State = PortState.Open, Reason = "syn-ack",
            Service = new ServiceInfo
            {
                Name = "redis", Product = "Redis", Version = "7.0.15", StartTls = "STARTTLS", OperatingSystem = "Linux", DeviceType = "general purpose",
                Facts = new Dictionary<string, string> { ["auth"] = "none", ["ssh.kex"] = "curve25519-sha256,\"quoted\"" },
                Tls = new TlsInfo { CertificateSha256 = "ab12" },
            },
            Findings =
            [
                new Finding
                {
                    Id = "PA-AUTH-REDIS", Title = "Redis without authentication", Severity = RiskLevel.Critical, Address = address, Port = 6379,
                    Evidence = "INFO answered", WhyItMatters = "why", Remediation = "fix", References = ["https://example.test/a", "CVE-2022-0543"],
                },
            ],
        };
        var report = new ScanReport { Hosts = [new HostResult { Address = address, Ports = [port] }], Stats = new ScanStats() };

        var read = ScanReportJson.Read(ScanReportJson.ToUtf8Bytes(report)).Hosts[0].Ports[0];

        var finding = Assert.Single(read.Findings);
        Assert.Equal(port.Findings[0] with { References = [] }, finding with { References = [] });
        Assert.Equal(port.Findings[0].References, finding.References);
        Assert.Equal(port.Service.Facts.OrderBy(f => f.Key), read.Service!.Facts.OrderBy(f => f.Key));
        Assert.Equal(("STARTTLS", "Linux", "general purpose", "ab12"), (read.Service.StartTls, read.Service.OperatingSystem, read.Service.DeviceType, read.Service.Tls!.CertificateSha256));
    }

    [Fact]
    public void Read_IgnoresMembersItDoesNotKnow()
    {
        var json = ScanReportJson.ToJson(SyntheticReports.Create(1, 5, 1, 1))
            .Replace("\"reason\":", "\"futureList\":[{\"id\":\"x\"}],\"reason\":", StringComparison.Ordinal)
            .Replace("\"format\":2", "\"format\":2,\"future\":{\"a\":[1,2]}", StringComparison.Ordinal);
        Assert.Contains("\"future\"", json, StringComparison.Ordinal);

        var read = ScanReportJson.Read(json);

        Assert.Equal(5, read.Hosts[0].Ports.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"format\":3}")]
    [InlineData("{\"hosts\":[{\"address\":\"not an address\"}]}")]
    [InlineData("{\"hosts\":[{\"address\":\"1.2.3.4\",\"ports\":[{\"address\":\"1.2.3.4\",\"port\":1,\"state\":\"ajar\"}]}]}")]
    [InlineData("{\"stats\":{\"ports\":\"T:99999\"}}")]
    public void Read_OfSomethingElse_IsAFormatException(string json)
    {
        Assert.Throws<FormatException>(() => ScanReportJson.Read(json));
    }
}
