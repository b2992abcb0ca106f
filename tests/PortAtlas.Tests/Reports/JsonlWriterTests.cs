using System.Text;
using PortAtlas.Reports;

namespace PortAtlas.Tests.Reports;

public sealed class JsonlWriterTests
{
    [Fact]
    public void WritePort_AsResultsArrive_GivesTheReportWritersLines()
    {
        var report = ReportFixture.Create();
        using var stream = new MemoryStream();
        using (var writer = new JsonlWriter(stream, ReportFixture.Options, leaveOpen: true))
        {
            foreach (var host in report.Hosts)
            {
                foreach (var port in host.Ports)
                {
                    var before = stream.Length;
                    writer.WritePort(port, host.Hostname);
                    Assert.True(stream.Length > before, "each line reaches the stream when WritePort returns");
                }
            }
            writer.WriteStats(report.Stats);
            Assert.Equal(report.Hosts.Sum(h => h.Ports.Count) + 1, writer.LinesWritten);
        }
        Assert.Equal(new JsonlReportWriter(ReportFixture.Options).WriteToString(report), Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public async Task WritePortAsync_GivesTheSameLines()
    {
        var report = ReportFixture.Create();
        var stream = new MemoryStream();
        var writer = new JsonlWriter(stream, ReportFixture.Options, leaveOpen: true);
        await using (writer)
        {
            foreach (var host in report.Hosts)
            {
                foreach (var port in host.Ports)
                {
                    await writer.WritePortAsync(port, host.Hostname, TestContext.Current.CancellationToken);
                }
            }
            await writer.WriteStatsAsync(report.Stats, TestContext.Current.CancellationToken);
        }
        Assert.Equal(new JsonlReportWriter(ReportFixture.Options).WriteToString(report), Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void Dispose_WithoutLeaveOpen_DisposesTheStream()
    {
        var stream = new MemoryStream();
        new JsonlWriter(stream, ReportFixture.Options).Dispose();
        Assert.False(stream.CanWrite);
    }

    [Fact]
    public void WritePort_AfterDispose_Throws()
    {
        var writer = new JsonlWriter(new MemoryStream(), ReportFixture.Options);
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.WritePort(ReportFixture.Create().Hosts[0].Ports[0]));
    }
}
