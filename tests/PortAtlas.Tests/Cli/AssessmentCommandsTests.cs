namespace PortAtlas.Tests.Cli;

public sealed class AssessmentCommandsTests
{
    [Fact]
    public async Task Scan_MissingRulesFile_ExitsTwoBeforeScanning()
    {
        var (code, output, error) = await CliRunner.RunAsync("scan", "198.18.0.2", "-p", "80", "--rules", "/nonexistent/rules.tsv");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("/nonexistent/rules.tsv", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_BadRuleLine_ExitsTwoNamingFileAndLine()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "PA-MINE\tterrible\tA title\tport = 80\tseen\t-\t-\t-\n", TestContext.Current.CancellationToken);
            var (code, output, error) = await CliRunner.RunAsync("scan", "198.18.0.2", "-p", "80", "--rules", path);
            Assert.Equal(2, code);
            Assert.Equal("", output);
            Assert.Contains($"{path}:1", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task VulnDbImport_Fixture_CountsTheCves()
    {
        var store = Path.Combine(Path.GetTempPath(), $"pa-vulndb-{Guid.NewGuid():N}.db");
        var fixture = Path.Combine(AppContext.BaseDirectory, "Assessment", "Fixtures", "nvd-fixture.json");
        Assert.True(File.Exists(fixture), fixture);
        try
        {
            var (code, output, error) = await CliRunner.RunAsync("vulndb", "import", fixture, "--vulndb", store);
            Assert.True(code == 0, error);
            Assert.Matches(@": [1-9][0-9]* CVEs", output);
        }
        finally
        {
            File.Delete(store);
        }
    }

    [Fact]
    public async Task VulnDbImport_NotJson_ExitsTwo()
    {
        var bad = Path.GetTempFileName();
        var store = Path.Combine(Path.GetTempPath(), $"pa-vulndb-{Guid.NewGuid():N}.db");
        try
        {
            await File.WriteAllTextAsync(bad, "this is not json", TestContext.Current.CancellationToken);
            var (code, _, error) = await CliRunner.RunAsync("vulndb", "import", bad, "--vulndb", store);
            Assert.Equal(2, code);
            Assert.Contains(bad, error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(bad);
            File.Delete(store);
        }
    }
}
