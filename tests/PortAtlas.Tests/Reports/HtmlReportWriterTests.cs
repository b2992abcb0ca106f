using System.Xml.Linq;
using PortAtlas.Registry;
using PortAtlas.Reports;

namespace PortAtlas.Tests.Reports;

public sealed class HtmlReportWriterTests
{
    private static string Write() => new HtmlReportWriter(ReportFixture.Options).WriteToString(ReportFixture.Create());

    [Fact]
    public void Write_Fixture_MatchesTheExpectedFile() => ExpectedOutput.AssertMatches(Write(), "report.html");

    [Fact]
    public void Write_Fixture_IsSelfContained()
    {
        var html = Write();
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Write_Fixture_GroupsFindingsBySeverityWithEvidenceAndFix()
    {
        var html = Write();
        var high = html.IndexOf("<span class=\"badge sev-high\">HIGH</span> 2 findings", StringComparison.Ordinal);
        var info = html.IndexOf("<span class=\"badge sev-info\">INFO</span> 1 finding", StringComparison.Ordinal);
        Assert.True(high > 0 && info > high);
        Assert.Contains("Basic realm=&quot;&lt;admin&gt;&quot; &amp; &quot;ops&quot;,\nsecond line", html, StringComparison.Ordinal);
        Assert.Contains("<dt>Fix</dt><dd>Serve the site over HTTPS only.</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://www.rfc-editor.org/rfc/rfc7617#section-4\" rel=\"noreferrer\">", html, StringComparison.Ordinal);
        Assert.Contains("<span>CVE-0000-0000</span>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Fixture_ExplainsPortsFromTheRegistry()
    {
        var html = Write();
        Assert.Contains("<strong>Secure Shell (SSH)</strong><br>Encrypted remote login and file transfer", html, StringComparison.Ordinal);
        Assert.Contains("Community strings &lt;public&gt; &amp; &lt;private&gt; are defaults", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Fixture_ChartIsWellFormedSvgWithABarPerSeverity()
    {
        var html = Write();
        var start = html.IndexOf("<svg", StringComparison.Ordinal);
        var end = html.IndexOf("</svg>", StringComparison.Ordinal) + "</svg>".Length;
        var svg = XElement.Parse(html[start..end]);
        XNamespace ns = "http://www.w3.org/2000/svg";
        var bars = svg.Elements(ns + "rect").Where(r => (string?)r.Attribute("fill") != "#eef1f4").ToList();
        Assert.Equal(5, bars.Count);
        Assert.Equal(HtmlReportWriter.Colour(RiskLevel.High), (string?)bars[1].Attribute("fill"));
        Assert.Equal("400", (string?)bars[1].Attribute("width"));
        Assert.Equal("0", (string?)bars[0].Attribute("width"));
    }

    [Theory]
    [InlineData("<b>", "&lt;b&gt;")]
    [InlineData("a & b", "a &amp; b")]
    [InlineData("\"q\" 'q'", "&quot;q&quot; &#39;q&#39;")]
    [InlineData("nul\u0000esc\u001bdel\u007f", "nul\uFFFDesc\uFFFDdel\uFFFD")]
    [InlineData("pair 🙂", "pair 🙂")]
    [InlineData("tab\tnew\nline", "tab\tnew\nline")]
    public void Escape_LeavesNoMarkupAndNoForbiddenCharacters(string text, string expected) =>
        Assert.Equal(expected, HtmlReportWriter.Escape(text));

    [Fact]
    public void Escape_LoneSurrogates_BecomeReplacementCharacters()
    {
        // Built in code: test-case serialisation would itself replace a lone surrogate.
        var text = "lone " + '\uD800' + " low " + '\uDC00' + " end " + '\uD83D';
        Assert.Equal("lone \uFFFD low \uFFFD end \uFFFD", HtmlReportWriter.Escape(text));
    }
}
