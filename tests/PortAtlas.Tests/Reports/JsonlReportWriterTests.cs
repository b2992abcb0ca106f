using System.Text.Json;
using PortAtlas.Reports;

namespace PortAtlas.Tests.Reports;

public sealed class JsonlReportWriterTests
{
    [Fact]
    public void Write_Fixture_MatchesExpectedOutput() =>
        ExpectedOutput.AssertMatches(new JsonlReportWriter(ReportFixture.Options).WriteToString(ReportFixture.Create()), "report.jsonl");

    [Fact]
    public void Write_Fixture_OneObjectPerPortThenStats()
    {
        var report = ReportFixture.Create();
        var lines = new JsonlReportWriter(ReportFixture.Options).WriteToString(report).Split('\n');
        Assert.Equal("", lines[^1]);
        var ports = report.Hosts.Sum(h => h.Ports.Count);
        Assert.Equal(ports + 1, lines.Length - 1);
        for (var i = 0; i < ports; i++)
        {
            using var line = JsonDocument.Parse(lines[i]);
            Assert.True(line.RootElement.TryGetProperty("address", out _));
            Assert.True(line.RootElement.TryGetProperty("port", out _));
            Assert.True(line.RootElement.TryGetProperty("findings", out _));
        }
        using var stats = JsonDocument.Parse(lines[ports]);
        Assert.Equal(3, stats.RootElement.GetProperty("stats").GetProperty("hostsScanned").GetInt64());
    }
}
