using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using PortAtlas.Assessment;
using PortAtlas.Registry;
using PortAtlas.Reports;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Reports;

/// <summary>Every format gives the same bytes through every sink, synchronously or not.</summary>
public sealed class ReportWriterTests
{
    public static TheoryData<ReportFormat> Formats => [.. ReportFormats.All];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Write_EverySink_GivesTheSameText(ReportFormat format)
    {
        var writer = format.CreateWriter(ReportFixture.Options);
        var report = ReportFixture.Create();
        var expected = writer.WriteToString(report);

        using var stream = new MemoryStream();
        writer.Write(report, stream);
        Assert.Equal(expected, Encoding.UTF8.GetString(stream.ToArray()));

        using var asyncStream = new MemoryStream();
        await writer.WriteAsync(report, asyncStream, TestContext.Current.CancellationToken);
        Assert.Equal(expected, Encoding.UTF8.GetString(asyncStream.ToArray()));

        using var text = new StringWriter();
        writer.Write(report, text);
        Assert.Equal(expected, text.ToString());

        using var asyncText = new StringWriter();
        await writer.WriteAsync(report, asyncText, TestContext.Current.CancellationToken);
        Assert.Equal(expected, asyncText.ToString());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Write_NoByteOrderMark_AndValidUtf8(ReportFormat format)
    {
        using var stream = new MemoryStream();
        format.CreateWriter(ReportFixture.Options).Write(ReportFixture.Create(), stream);
        var bytes = stream.ToArray();
        Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble));
        Assert.True(Encoding.UTF8.GetString(bytes) is var text && Encoding.UTF8.GetByteCount(text) == bytes.Length);
        Assert.DoesNotContain('\uFFFD', Encoding.UTF8.GetString(bytes));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task WriteAsync_CancelledToken_Throws(ReportFormat format)
    {
        using var stream = new MemoryStream();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            format.CreateWriter(ReportFixture.Options).WriteAsync(ReportFixture.Create(), stream, new CancellationToken(canceled: true)));
    }

    [Fact]
    public async Task WriteToFileAsync_WritesTheReport()
    {
        var path = Path.Combine(Path.GetTempPath(), $"portatlas-{Guid.NewGuid():N}.json");
        try
        {
            var writer = new JsonReportWriter(ReportFixture.Options);
            await writer.WriteToFileAsync(ReportFixture.Create(), path, TestContext.Current.CancellationToken);
            Assert.Equal(writer.WriteToString(ReportFixture.Create()), await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Write_HostileBannerText_StillGivesAParsableDocument(ReportFormat format)
    {
        // A banner is whatever the scanned host chose to send: control characters, a lone surrogate, markup.
        const string hostile = "evil\u0001\u0000\u001b[31m\uD800 </service><!-- -- \"}\r\n,x";
        var address = IPAddress.Parse("198.18.0.7");
        var report = new ScanReport
        {
            Hosts =
            [
                new HostResult
                {
                    Address = address,
                    Hostname = hostile,
                    Ports =
                    [
                        new PortResult
                        {
                            Address = address, Port = 21, State = PortState.Open, Reason = "syn-ack",
                            Service = new ServiceInfo { Name = "ftp", Product = hostile, Version = hostile, ExtraInfo = hostile, Cpe = [hostile], Method = "banner" },
                            Findings =
                            [
                                new Finding
                                {
                                    Id = "PA-HOSTILE", Title = hostile, Severity = RiskLevel.High, Address = address, Port = 21,
                                    Evidence = hostile, WhyItMatters = hostile, Remediation = hostile, References = [hostile, "https://x.test/\"><script>"],
                                },
                            ],
                        },
                    ],
                },
            ],
            Stats = new ScanStats { Started = ReportFixture.Started, Finished = ReportFixture.Started, CommandLine = hostile },
        };
        var text = format.CreateWriter(ReportFixture.Options).WriteToString(report);
        switch (format)
        {
            case ReportFormat.Json:
                using (JsonDocument.Parse(text))
                {
                }
                break;
            case ReportFormat.Jsonl:
                foreach (var line in text.TrimEnd('\n').Split('\n'))
                {
                    using (JsonDocument.Parse(line))
                    {
                    }
                }
                break;
            case ReportFormat.Xml:
                Assert.Single(XDocument.Parse(text).Root!.Elements("host"));
                break;
            case ReportFormat.Grep:
                Assert.Equal(5, text.TrimEnd('\n').Split('\n').Length);
                break;
            case ReportFormat.Sarif:
                using (var sarif = JsonDocument.Parse(text))
                {
                    var message = sarif.RootElement.GetProperty("runs")[0].GetProperty("results")[0].GetProperty("message").GetProperty("text").GetString();
                    Assert.StartsWith("evil\u0001\u0000\u001b[31m", message, StringComparison.Ordinal);
                    Assert.Contains(" </service><!-- -- \"}\r\n,x. Evidence: evil", message, StringComparison.Ordinal);
                }
                break;
            case ReportFormat.Html:
                Assert.DoesNotContain("</service>", text, StringComparison.Ordinal);
                Assert.DoesNotContain("<script", text, StringComparison.Ordinal);
                Assert.DoesNotContain("<!-- --", text, StringComparison.Ordinal);
                Assert.Contains("&lt;/service&gt;&lt;!-- -- &quot;}", text, StringComparison.Ordinal);
                break;
            default:
                Assert.StartsWith(CsvReportWriter.Header + "\r\n", text, StringComparison.Ordinal);
                break;
        }
    }
}
