using System.Net;
using PortAtlas.Cli;
using PortAtlas.Cli.Rendering;
using PortAtlas.Model;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Cli;

/// <summary>The scan table prints what the network said as it was said: no markup, no emoji codes.</summary>
public sealed class ScanTableTests
{
    private const string Hostile = "Debian :skull: [red]x[/] :100: [[ ]]";

    private static string Render(ScanReport report)
    {
        var output = new StringWriter();
        ScanTable.Render(CliContext.ForWriters(output, new StringWriter()).Console, report);
        return output.ToString();
    }

    private static ScanReport OneHost(PortResult port) => new()
    {
        Stats = new ScanStats
        {
            Started = new DateTimeOffset(2026, 12, 3, 5, 0, 0, TimeSpan.Zero),
            Finished = new DateTimeOffset(2026, 12, 3, 5, 0, 1, TimeSpan.Zero),
            ScanType = "connect",
            HostsScanned = 1,
            StateCounts = new Dictionary<string, long> { ["open"] = 1 },
        },
        Hosts = [new HostResult { Address = IPAddress.Loopback, Hostname = "host:ok:", Ports = [port] }],
    };

    [Fact]
    public void Render_ServiceTextWithEmojiCodesAndMarkup_PrintsItVerbatim()
    {
        var port = new PortResult
        {
            Address = IPAddress.Loopback,
            Port = 2222,
            State = PortState.Open,
            Reason = "syn-ack",
            Service = new ServiceInfo { Name = "ssh", Product = "OpenSSH", Version = "9.2p1", ExtraInfo = Hostile },
            Findings =
            [
                new Finding
                {
                    Id = "test-finding", Title = "title :fire:", Severity = RiskLevel.High, Address = IPAddress.Loopback,
                    Port = 2222, Evidence = "banner :skull: [bold]b[/]",
                },
            ],
        };

        var text = Render(OneHost(port));

        Assert.Contains(Hostile, text, StringComparison.Ordinal);
        Assert.Contains("host:ok:", text, StringComparison.Ordinal);
        Assert.Contains("title :fire:", text, StringComparison.Ordinal);
        Assert.Contains("seen: banner :skull: [bold]b[/]", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\U0001F480", text, StringComparison.Ordinal); // the skull an emoji code would make
        Assert.DoesNotContain("\U0001F525", text, StringComparison.Ordinal); // the fire
    }
}
