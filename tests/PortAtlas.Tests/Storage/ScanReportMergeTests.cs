using System.Net;
using PortAtlas.Scanning;
using PortAtlas.Storage;

namespace PortAtlas.Tests.Storage;

public sealed class ScanReportMergeTests
{
    private static readonly IPAddress s_host = IPAddress.Parse("198.18.0.1");

    private static ScanReport Collect(IEnumerable<int> open, IEnumerable<int> closed)
    {
        var collector = new ScanCollector();
        foreach (var port in open)
        {
            collector.Add(new PortResult { Address = s_host, Port = port, State = PortState.Open, Reason = "syn-ack" });
        }
        foreach (var port in closed)
        {
            collector.Add(new PortResult { Address = s_host, Port = port, State = PortState.Closed, Reason = "conn-refused" });
        }
        return collector.Build(new ScanStats { ProbesSent = 10 });
    }

    [Theory]
    [InlineData(10, 10)]
    [InlineData(20, 30)]
    [InlineData(0, 100)]
    public void Merge_OfTwoHalves_EqualsTheWhole(int closedFirst, int closedSecond)
    {
        var whole = Collect([22, 80, 443], Enumerable.Range(1000, closedFirst + closedSecond));
        var first = Collect([22], Enumerable.Range(1000, closedFirst));
        var second = Collect([80, 443], Enumerable.Range(1000 + closedFirst, closedSecond));

        var merged = ScanReportMerge.Merge(first, second);

        Assert.Equal(ScanReportJson.ToJson(whole with { Stats = whole.Stats with { ProbesSent = 20 } }), ScanReportJson.ToJson(merged));
    }
}
