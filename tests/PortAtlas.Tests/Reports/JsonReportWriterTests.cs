using System.Net;
using System.Text.Json;
using PortAtlas.Registry;
using PortAtlas.Reports;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Reports;

public sealed class JsonReportWriterTests
{
    private static readonly string[] s_portKeys =
        ["port", "protocol", "state", "reason", "service", "product", "version", "extraInfo", "cpe", "tls", "findings", "rttMs", "registry"];

    [Fact]
    public void Write_Fixture_MatchesExpectedOutput() =>
        ExpectedOutput.AssertMatches(new JsonReportWriter(ReportFixture.Options).WriteToString(ReportFixture.Create()), "report.json");

    [Fact]
    public void Write_Fixture_ParsesWithTheContractKeys()
    {
        using var document = JsonDocument.Parse(new JsonReportWriter(ReportFixture.Options).WriteToString(ReportFixture.Create()));
        var root = document.RootElement;
        var hosts = root.GetProperty("hosts");
        Assert.Equal(3, hosts.GetArrayLength());
        foreach (var host in hosts.EnumerateArray())
        {
            foreach (var key in new[] { "address", "hostname", "state", "ports" })
            {
                Assert.True(host.TryGetProperty(key, out _), $"host lacks {key}");
            }
            foreach (var port in host.GetProperty("ports").EnumerateArray())
            {
                foreach (var key in s_portKeys)
                {
                    Assert.True(port.TryGetProperty(key, out _), $"port lacks {key}");
                }
                Assert.Equal(JsonValueKind.Array, port.GetProperty("findings").ValueKind);
                Assert.Equal(JsonValueKind.Array, port.GetProperty("cpe").ValueKind);
                Assert.Contains(port.GetProperty("state").GetString(), new[] { "open", "closed", "filtered", "open|filtered", "unfiltered" });
            }
        }
        var stats = root.GetProperty("stats");
        foreach (var key in new[] { "started", "finished", "elapsedSeconds", "scanType", "commandLine", "hostsScanned", "portsScanned", "probesSent", "states", "interrupted" })
        {
            Assert.True(stats.TryGetProperty(key, out _), $"stats lacks {key}");
        }
        Assert.Equal(12.345, stats.GetProperty("elapsedSeconds").GetDouble());
        Assert.Equal(997, stats.GetProperty("states").GetProperty("closed").GetInt64());
    }

    [Fact]
    public void Write_EscapedText_RoundTrips()
    {
        using var document = JsonDocument.Parse(new JsonReportWriter(ReportFixture.Options).WriteToString(ReportFixture.Create()));
        var port8080 = document.RootElement.GetProperty("hosts")[0].GetProperty("ports")[4];
        Assert.Equal(8080, port8080.GetProperty("port").GetInt32());
        Assert.Equal("Acme \"Turbo\" Server, <beta> & co", port8080.GetProperty("product").GetString());
        Assert.Equal("line one\nline two — café ü", port8080.GetProperty("extraInfo").GetString());
        Assert.Equal("bücher.example.test", document.RootElement.GetProperty("hosts")[1].GetProperty("hostname").GetString());
    }

    [Fact]
    public void Write_PortWithoutDetection_IsExplainedByTheRegistry()
    {
        using var document = JsonDocument.Parse(new JsonReportWriter(ReportFixture.Options).WriteToString(ReportFixture.Create()));
        var snmp = document.RootElement.GetProperty("hosts")[0].GetProperty("ports")[7];
        Assert.Equal(161, snmp.GetProperty("port").GetInt32());
        Assert.Equal("snmp", snmp.GetProperty("service").GetString());
        Assert.Equal("registry", snmp.GetProperty("serviceMethod").GetString());
        Assert.Equal(JsonValueKind.Null, snmp.GetProperty("product").ValueKind);
        var registry = snmp.GetProperty("registry");
        Assert.Equal("medium", registry.GetProperty("risk").GetString());
        Assert.Equal("SNMP", registry.GetProperty("title").GetString());
    }

    [Fact]
    public void Write_PortUnknownToTheRegistry_HasNullRegistryAndService()
    {
        using var document = JsonDocument.Parse(new JsonReportWriter(ReportFixture.Options).WriteToString(ReportFixture.Create()));
        var port = document.RootElement.GetProperty("hosts")[0].GetProperty("ports")[5];
        Assert.Equal(49999, port.GetProperty("port").GetInt32());
        Assert.Equal(JsonValueKind.Null, port.GetProperty("registry").ValueKind);
        Assert.Equal(JsonValueKind.Null, port.GetProperty("service").ValueKind);
    }

    [Fact]
    public void Write_DefaultRegistry_ExplainsWellKnownPorts()
    {
        var address = IPAddress.Loopback;
        var report = new ScanReport
        {
            Hosts = [new HostResult { Address = address, Ports = [new PortResult { Address = address, Port = 22, State = PortState.Open, Reason = "syn-ack" }] }],
            Stats = new ScanStats(),
        };
        using var document = JsonDocument.Parse(new JsonReportWriter().WriteToString(report));
        var port = document.RootElement.GetProperty("hosts")[0].GetProperty("ports")[0];
        Assert.Equal("ssh", port.GetProperty("service").GetString());
        Assert.Equal("ssh", port.GetProperty("registry").GetProperty("name").GetString());
    }

    [Fact]
    public void Write_NotIndented_IsOneLine()
    {
        var text = new JsonReportWriter(ReportFixture.Options with { IndentJson = false }).WriteToString(ReportFixture.Create());
        Assert.Equal(1, text.Count(c => c == '\n'));
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
    }
}
