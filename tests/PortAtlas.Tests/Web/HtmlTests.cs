using PortAtlas.Web;

namespace PortAtlas.Tests.Web;

public sealed class HtmlTests
{
    [FsCheck.Xunit.Property(MaxTest = 500)]
    public bool Escape_NeverLetsMarkupOrControlsThrough(string? text)
    {
        var escaped = Html.Escape(text);
        return escaped.IndexOfAny(['<', '>', '"', '\'']) < 0
            && !escaped.Any(global::PortAtlas.Sanitizing.OutsideText.IsUnsafe)
            && !escaped.Replace("&amp;", "", StringComparison.Ordinal).Replace("&lt;", "", StringComparison.Ordinal).Replace("&gt;", "", StringComparison.Ordinal)
                .Replace("&quot;", "", StringComparison.Ordinal).Replace("&#39;", "", StringComparison.Ordinal).Contains('&', StringComparison.Ordinal);
    }

    [Fact]
    public void Escape_ShowsEscapeSequencesAsVisibleText() =>
        Assert.Equal("\\x1b[31m&lt;b&gt; &amp; &quot;x&quot;", Html.Escape("\u001b[31m<b> & \"x\""));

    [Fact]
    public void Charts_EscapeTheirLabels()
    {
        var bars = Svg.Bars("Top <services>", [("<script>", 3), ("ssh", 1)]);
        Assert.DoesNotContain("<script>", bars, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", bars, StringComparison.Ordinal);
        Assert.Equal(2, bars.Split("<rect").Length - 1);
        var line = Svg.Line("Open ports", [("a", 1), ("b", 4), ("c\u001b", 2)]);
        Assert.Contains("<polyline", line, StringComparison.Ordinal);
        Assert.Contains("c\\x1b", line, StringComparison.Ordinal);
        Assert.Contains("nothing to show", Svg.Line("empty", []), StringComparison.Ordinal);
    }
}
