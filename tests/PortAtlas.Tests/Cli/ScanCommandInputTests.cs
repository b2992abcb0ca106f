namespace PortAtlas.Tests.Cli;

/// <summary>Bad scan input exits 2 with one line naming the bad token, before any packet: none of these reach a scanner.</summary>
public sealed class ScanCommandInputTests
{
    [Theory]
    [InlineData("198.18.0.300", "198.18.0.300")]
    [InlineData("198.18.0.0/33", "198.18.0.0/33")]
    [InlineData("198.18.0.9-2", "198.18.0.9-2")]
    [InlineData("2001:db8::/64", "2001:db8::/64")]
    public async Task BadTarget_ExitsTwoNamingIt(string target, string token)
    {
        var (code, output, error) = await CliRunner.RunAsync("scan", target, "-p", "80");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(token, Assert.Single(error.TrimEnd('\n').Split('\n')), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("70000", "70000")]
    [InlineData("10-5", "10-5")]
    [InlineData("22,,80", "22,,80")]
    [InlineData("nosuchservice", "nosuchservice")]
    public async Task BadPorts_ExitTwoNamingThem(string ports, string token)
    {
        var (code, output, error) = await CliRunner.RunAsync("scan", "198.18.0.2", "-p", ports);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(token, Assert.Single(error.TrimEnd('\n').Split('\n')), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--rate", "-5")]
    [InlineData("--rate", "0")]
    [InlineData("--max-retries", "-1")]
    [InlineData("--host-timeout", "soon")]
    [InlineData("--format", "yaml")]
    [InlineData("--top-ports", "0")]
    [InlineData("--output", "report.unknown")]
    [InlineData("--concurrency", "0")]
    public async Task BadOption_ExitsTwo(string option, string value)
    {
        var (code, output, error) = await CliRunner.RunAsync("scan", "198.18.0.2", option, value);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task NoTargets_ExitsTwo()
    {
        var (code, _, error) = await CliRunner.RunAsync("scan", "-p", "80");
        Assert.Equal(2, code);
        Assert.Contains("no targets", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EverythingExcluded_ExitsTwo()
    {
        var (code, _, error) = await CliRunner.RunAsync("scan", "198.18.0.2", "--exclude", "198.18.0.0/24", "-p", "80");
        Assert.Equal(2, code);
        Assert.Contains("exclude", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingTargetsFile_ExitsTwoNamingThePath()
    {
        var (code, _, error) = await CliRunner.RunAsync("scan", "--targets-file", "/nonexistent/targets.txt", "-p", "80");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/targets.txt", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/nonexistent-pa-dir/report.json")]
    [InlineData("/proc/pa-report.json")]
    [InlineData("/tmp")]
    public async Task OutputThatCannotBeWritten_ExitsTwoBeforeScanning(string path)
    {
        var (code, output, error) = await CliRunner.RunAsync("scan", "198.18.0.2", "-p", "80", "-o", path, "--output-format", "json", "--no-save");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(path, Assert.Single(error.TrimEnd('\n').Split('\n')), StringComparison.Ordinal);
    }
}
