using System.Net;
using System.Text;
using PortAtlas.Reports;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Reports;

public sealed class CsvReportWriterTests
{
    [Fact]
    public void Write_Fixture_MatchesExpectedOutput() =>
        ExpectedOutput.AssertMatches(new CsvReportWriter(ReportFixture.Options).WriteToString(ReportFixture.Create()), "report.csv");

    [Fact]
    public void Write_Fixture_ParsesBackUnderRfc4180()
    {
        var report = ReportFixture.Create();
        var rows = Parse(new CsvReportWriter(ReportFixture.Options).WriteToString(report));
        Assert.Equal(CsvReportWriter.Header.Split(','), rows[0]);
        Assert.Equal(report.Hosts.Sum(h => h.Ports.Count) + 1, rows.Count);
        Assert.All(rows, row => Assert.Equal(13, row.Count));

        var row8080 = rows.Single(r => r[2] == "8080");
        Assert.Equal("Acme \"Turbo\" Server, <beta> & co", row8080[7]);
        Assert.Equal("2.0/rc1", row8080[8]);
        Assert.Equal("line one\nline two — café ü", row8080[9]);
        Assert.Equal("high", rows.Single(r => r[2] == "23")[11]);
        Assert.Equal("cpe:/a:openbsd:openssh:9.2p1 cpe:/o:linux:linux_kernel", rows.Single(r => r[2] == "22")[10]);
    }

    [Fact]
    public void Write_FormulaFromTheHost_IsGuardedByDefault()
    {
        var rows = Parse(new CsvReportWriter(ReportFixture.Options).WriteToString(ReportFixture.Create()));
        Assert.Equal("'=1+2", rows.Single(r => r[2] == "80")[7]);
    }

    [Fact]
    public void Write_GuardOff_KeepsTheTextAsIs()
    {
        var rows = Parse(new CsvReportWriter(ReportFixture.Options with { GuardCsvFormulas = false }).WriteToString(ReportFixture.Create()));
        Assert.Equal("=1+2", rows.Single(r => r[2] == "80")[7]);
    }

    [Fact]
    public void Write_NoPorts_WritesOnlyTheHeader()
    {
        var report = new ScanReport { Hosts = [new HostResult { Address = IPAddress.Loopback }], Stats = new ScanStats() };
        Assert.Equal(CsvReportWriter.Header + "\r\n", new CsvReportWriter(ReportFixture.Options).WriteToString(report));
    }

    /// <summary>A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes.</summary>
    private static List<List<string>> Parse(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (text[i] == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; }
                    else if (text[i] == '"') { i++; break; }
                    else { field.Append(text[i++]); }
                }
            }
            else if (text[i] == ',') { row.Add(field.ToString()); field.Clear(); i++; }
            else if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') { row.Add(field.ToString()); field.Clear(); rows.Add(row); row = []; i += 2; }
            else
            {
                Assert.NotEqual('\n', text[i]);
                Assert.NotEqual('"', text[i]);
                field.Append(text[i++]);
            }
        }
        Assert.Empty(row);
        Assert.Equal(0, field.Length);
        return rows;
    }
}
