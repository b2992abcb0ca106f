using System.Net;
using System.Text.Json;
using PortAtlas.Assessment;
using PortAtlas.Registry;
using PortAtlas.Reports;

namespace PortAtlas.Tests.Reports;

public sealed class SarifReportWriterTests
{
    [Fact]
    public void Write_Fixture_MatchesTheExpectedFile() =>
        ExpectedOutput.AssertMatches(new SarifReportWriter(ReportFixture.Options).WriteToString(ReportFixture.Create()), "report.sarif");

    [Fact]
    public void Write_Fixture_HasSarifsRequiredStructure()
    {
        using var document = JsonDocument.Parse(new SarifReportWriter(ReportFixture.Options).WriteToString(ReportFixture.Create()));
        var root = document.RootElement;
        Assert.Equal("2.1.0", root.GetProperty("version").GetString());
        Assert.Equal(SarifReportWriter.SchemaUri, root.GetProperty("$schema").GetString());
        var run = Assert.Single(root.GetProperty("runs").EnumerateArray());
        var driver = run.GetProperty("tool").GetProperty("driver");
        Assert.Equal("PortAtlas", driver.GetProperty("name").GetString());
        var rules = driver.GetProperty("rules").EnumerateArray().ToList();
        Assert.Equal(["PA-TLS-EXPIRED", "PA-CLEARTEXT-HTTP-BASIC", "PA-LAB-NOTE"], rules.Select(r => r.GetProperty("id").GetString()));
        Assert.All(rules, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("shortDescription").GetProperty("text").GetString())));

        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(3, results.Count);
        foreach (var result in results)
        {
            var ruleId = result.GetProperty("ruleId").GetString();
            Assert.Equal(ruleId, rules[result.GetProperty("ruleIndex").GetInt32()].GetProperty("id").GetString());
            Assert.Contains(result.GetProperty("level").GetString(), (string[])["error", "warning", "note", "none"]);
            Assert.False(string.IsNullOrEmpty(result.GetProperty("message").GetProperty("text").GetString()));
            var location = Assert.Single(result.GetProperty("locations").EnumerateArray());
            Assert.StartsWith("tcp://198.18.0.2:", location.GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal("error", results[0].GetProperty("level").GetString());
        Assert.Equal("note", results[2].GetProperty("level").GetString());
        Assert.Equal("198.18.0.2:8080/tcp", results[1].GetProperty("locations")[0].GetProperty("logicalLocations")[0].GetProperty("name").GetString());
    }

    [Theory]
    [InlineData(RiskLevel.Critical, "error")]
    [InlineData(RiskLevel.High, "error")]
    [InlineData(RiskLevel.Medium, "warning")]
    [InlineData(RiskLevel.Low, "note")]
    [InlineData(RiskLevel.Info, "note")]
    public void Level_FollowsSeverity(RiskLevel severity, string level) => Assert.Equal(level, SarifReportWriter.Level(severity));

    [Fact]
    public void LocationUri_BracketsIPv6()
    {
        var finding = new Finding { Id = "PA-X", Title = "t", Severity = RiskLevel.Low, Address = IPAddress.Parse("2001:db8::5"), Port = 161, Protocol = Transport.Udp, Evidence = "e" };
        Assert.Equal("udp://[2001:db8::5]:161", SarifReportWriter.LocationUri(finding));
        Assert.Equal("[2001:db8::5]:161/udp", finding.Location);
    }

    [Fact]
    public void Write_NoFindings_IsAValidEmptyRun()
    {
        var report = ReportFixture.Create() with { Hosts = [] };
        using var document = JsonDocument.Parse(new SarifReportWriter(ReportFixture.Options).WriteToString(report));
        var run = document.RootElement.GetProperty("runs")[0];
        Assert.Equal(0, run.GetProperty("results").GetArrayLength());
        Assert.Equal(0, run.GetProperty("tool").GetProperty("driver").GetProperty("rules").GetArrayLength());
    }
}
