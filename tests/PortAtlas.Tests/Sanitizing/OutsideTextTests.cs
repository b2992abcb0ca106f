using PortAtlas.Cli;
using PortAtlas.Cli.Commands;
using PortAtlas.Sanitizing;

namespace PortAtlas.Tests.Sanitizing;

public sealed class OutsideTextTests
{
    [Theory]
    [InlineData("\u001b]0;pwned\u0007", "\\x1b]0;pwned\\x07")]
    [InlineData("a\u009b2Jb", "a\\x9b2Jb")]
    [InlineData("x\u202eexe.txt", "x\\u202eexe.txt")]
    [InlineData("caf\u00e9 \U0001F600", "caf\u00e9 \U0001F600")]
    [InlineData("tab\tand\nline", "tab\tand\nline")]
    [InlineData("del\u007f", "del\\x7f")]
    public void Printable_EscapesWhatCouldDriveATerminal(string input, string expected) => Assert.Equal(expected, OutsideText.Printable(input));

    [Fact]
    public void Printable_SingleLineAndLengthBound()
    {
        Assert.Equal("a\\nb\\tc", OutsideText.Printable("a\nb\tc", singleLine: true));
        var cut = OutsideText.Printable(new string('x', 1000), 40)!;
        Assert.Equal(40, cut.Length);
        Assert.EndsWith("…", cut, StringComparison.Ordinal);
        Assert.Equal("\\ud800", OutsideText.Printable("\ud800"));
    }

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+1", "'+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("nginx", "nginx")]
    [InlineData("\uff1dcmd", "'\uff1dcmd")]
    public void CsvCell_DisarmsFormulas(string input, string expected) => Assert.Equal(expected, OutsideText.CsvCell(input));

    [Theory]
    [InlineData("ports scan --db postgres://al:s3cret@db/x 198.18.0.1", "ports scan --db postgres://al:***@db/x 198.18.0.1")]
    [InlineData("--db postgresql://al:p%40ss:w@db:5432/x", "--db postgresql://al:***@db:5432/x")]
    [InlineData("--db Host=db;Password=s3cret;Database=x", "--db Host=db;Password=***;Database=x")]
    [InlineData("--db postgres://al@db/x", "--db postgres://al@db/x")]
    [InlineData("ports scan 198.18.0.1", "ports scan 198.18.0.1")]
    public void MaskCredentials_HidesPasswords(string input, string expected) => Assert.Equal(expected, Secrets.MaskCredentials(input));

    [Fact]
    public void TerminalGuard_EscapesControlsButKeepsCrLfAndConsoleStyling()
    {
        var plain = new StringWriter();
        using (var guard = new TerminalGuardWriter(plain, allowStyling: false))
        {
            guard.Write("a\u001b[31mb\r\nc\rd\u009b");
        }
        Assert.Equal("a\\x1b[31mb\r\nc\\x0dd\\x9b", plain.ToString());
        var styled = new StringWriter();
        using (var guard = new TerminalGuardWriter(styled, allowStyling: true))
        {
            guard.Write("\u001b[1;31mred\u001b[0m \u001b]0;title\u0007 \u001b[?25l\u001b[2K");
        }
        Assert.Equal("\u001b[1;31mred\u001b[0m \\x1b]0;title\\x07 \u001b[?25l\u001b[2K", styled.ToString());
    }

    [Theory]
    [InlineData("Cannot parse argument 'abc' for option '--rate' as expected type 'System.Nullable`1[System.Double]'.", "bad --rate 'abc': expected a number")]
    [InlineData("Cannot parse argument 'x' for option '--limit' as expected type 'System.Int32'.", "bad --limit 'x': expected a whole number")]
    public void Humanize_SaysTypeErrorsInWords(string message, string expected) => Assert.Equal(expected, OptionParsers.Humanize(message));

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e400")]
    [InlineData("1e-12")]
    [InlineData("-1")]
    [InlineData("0")]
    public async Task Rate_RefusesWhatIsNotAUsableNumber(string value)
    {
        var (code, _, error) = await Tests.Cli.CliRunner.RunAsync("scan", "127.0.0.1", "-p", "1", "--no-save", "--rate", value);
        Assert.Equal(2, code);
        Assert.Contains("--rate", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
