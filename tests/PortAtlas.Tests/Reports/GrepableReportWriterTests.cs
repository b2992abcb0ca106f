using PortAtlas.Reports;

namespace PortAtlas.Tests.Reports;

public sealed class GrepableReportWriterTests
{
    [Fact]
    public void Write_Fixture_MatchesExpectedOutput() =>
        ExpectedOutput.AssertMatches(new GrepableReportWriter(ReportFixture.Options).WriteToString(ReportFixture.Create()), "report.gnmap");

    [Fact]
    public void Write_Fixture_EveryRecordIsOneLineOfTabSeparatedSections()
    {
        var lines = new GrepableReportWriter(ReportFixture.Options).WriteToString(ReportFixture.Create()).TrimEnd('\n').Split('\n');
        Assert.StartsWith("# PortAtlas 0.1.0-test scan initiated Wed May  1 10:00:00 2024 as: ", lines[0], StringComparison.Ordinal);
        Assert.Equal("# PortAtlas done at Wed May  1 10:00:12 2024 -- 3 IP addresses (2 hosts up) scanned in 12.35 seconds", lines[^1]);
        Assert.All(lines[1..^1].Where(l => !l.StartsWith("# Finding: ", StringComparison.Ordinal)), line => Assert.StartsWith("Host: ", line, StringComparison.Ordinal));
        Assert.Equal(3, lines.Count(l => l.StartsWith("# Finding: ", StringComparison.Ordinal)));
        Assert.Contains("Host: 198.18.0.2 (web-01.example.test)\tStatus: Up", lines);
        Assert.Contains("Host: 198.18.0.3 ()\tStatus: Down", lines);
    }

    [Fact]
    public void Write_Fixture_PortsFollowNmapsFieldLayout()
    {
        var portsLine = new GrepableReportWriter(ReportFixture.Options).WriteToString(ReportFixture.Create())
            .Split('\n').Single(l => l.StartsWith("Host: 198.18.0.2 ", StringComparison.Ordinal) && l.Contains("\tPorts: ", StringComparison.Ordinal));
        var sections = portsLine.Split('\t');
        Assert.Equal(3, sections.Length);
        Assert.Equal("Ignored State: closed (996)", sections[2]);
        var ports = sections[1]["Ports: ".Length..].Split(", ");
        Assert.Equal("22/open/tcp//ssh//OpenSSH 9.2p1 Debian 2+deb12u3 (protocol 2.0)/", ports[0]);
        Assert.Equal("23/closed/tcp//telnet///", ports[1]);
        Assert.Equal("443/open/tcp//ssl|http//nginx 1.24.0/", ports[3]);
        Assert.Equal("49999/open/tcp/////", ports[6]);
        Assert.Equal("161/open/udp//snmp///", ports[^1]);
        Assert.Contains("8080/open/tcp//http//Acme \"Turbo\" Server, <beta> & co 2.0|rc1 (line one line two — café ü)/", sections[1], StringComparison.Ordinal);
    }
}
