using PortAtlas.Reports;

namespace PortAtlas.Tests.Reports;

public sealed class ReportFormatsTests
{
    [Theory]
    [InlineData("json", ReportFormat.Json)]
    [InlineData("JSON", ReportFormat.Json)]
    [InlineData("jsonl", ReportFormat.Jsonl)]
    [InlineData("ndjson", ReportFormat.Jsonl)]
    [InlineData("csv", ReportFormat.Csv)]
    [InlineData("xml", ReportFormat.Xml)]
    [InlineData("nmap-xml", ReportFormat.Xml)]
    [InlineData("grep", ReportFormat.Grep)]
    [InlineData("gnmap", ReportFormat.Grep)]
    [InlineData("grepable", ReportFormat.Grep)]
    [InlineData("sarif", ReportFormat.Sarif)]
    [InlineData("HTML", ReportFormat.Html)]
    public void TryParse_KnownName_GivesTheFormat(string name, ReportFormat expected)
    {
        Assert.True(ReportFormats.TryParse(name, out var format));
        Assert.Equal(expected, format);
    }

    [Theory]
    [InlineData("table")]
    [InlineData("pdf")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_UnknownName_Fails(string? name) =>
        Assert.False(ReportFormats.TryParse(name, out _));

    [Theory]
    [InlineData("scan.json", ReportFormat.Json)]
    [InlineData("/tmp/scan.JSONL", ReportFormat.Jsonl)]
    [InlineData("scan.ndjson", ReportFormat.Jsonl)]
    [InlineData("out/scan.csv", ReportFormat.Csv)]
    [InlineData("scan.xml", ReportFormat.Xml)]
    [InlineData("scan.gnmap", ReportFormat.Grep)]
    [InlineData("scan.grep", ReportFormat.Grep)]
    [InlineData("scan.sarif", ReportFormat.Sarif)]
    [InlineData("report.HTM", ReportFormat.Html)]
    public void FromExtension_KnownExtension_GivesTheFormat(string path, ReportFormat expected) =>
        Assert.Equal(expected, ReportFormats.FromExtension(path));

    [Theory]
    [InlineData("scan.txt")]
    [InlineData("scan")]
    [InlineData("json")]
    [InlineData("")]
    [InlineData(null)]
    public void FromExtension_OtherExtension_GivesNull(string? path) =>
        Assert.Null(ReportFormats.FromExtension(path));

    [Fact]
    public void Names_ParseBackAndExtensionsMapBack()
    {
        foreach (var format in ReportFormats.All)
        {
            Assert.True(ReportFormats.TryParse(format.ToName(), out var parsed));
            Assert.Equal(format, parsed);
            Assert.Equal(format, ReportFormats.FromExtension("x" + format.FileExtension()));
        }
    }

    [Fact]
    public void CreateWriter_GivesAWriterOfThatFormat()
    {
        foreach (var format in ReportFormats.All)
        {
            var writer = format.CreateWriter();
            Assert.Equal(format, writer.Format);
            Assert.Equal(format.MediaType(), writer.MediaType);
        }
    }
}
