namespace PortAtlas.Tests.Cli;

/// <summary>`ports import` over the interop fixtures: directories, several formats at once, history and show.</summary>
public sealed class ImportCommandTests
{
    private static string Interop => Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures", "Interop");

    [Fact]
    public async Task Import_OfADirectory_SavesEveryScanOutput_AndSkipsOtherFiles()
    {
        var db = Path.Combine(Path.GetTempPath(), $"pa-import-{Guid.NewGuid():N}.db");
        try
        {
            var (code, output, error) = await CliRunner.RunAsync("import", Interop, "--db", db);

            Assert.Equal(0, code);
            var expected = Directory.EnumerateFiles(Interop).Count(f => !f.EndsWith(".md", StringComparison.Ordinal) && !f.EndsWith(".sh", StringComparison.Ordinal));
            Assert.Equal(expected, output.Split('\n').Count(l => l.Contains("saved as scan", StringComparison.Ordinal)));
            Assert.Contains("PROVENANCE.md' is not a scan output: skipped", error, StringComparison.Ordinal);
            Assert.Contains("naabu.json: naabu-json", output, StringComparison.Ordinal);
            Assert.Contains("masscan.txt: masscan-list", output, StringComparison.Ordinal);

            var (historyCode, history, _) = await CliRunner.RunAsync("history", "--db", db, "--format", "csv", "--limit", "100");
            Assert.Equal(0, historyCode);
            Assert.Contains("198.18.60.2 198.18.60.9", history, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(db);
        }
    }

    [Fact]
    public async Task Import_OfARepeatedHost_ThenShow_HasOneHostWithFindingsFromTheImport()
    {
        var db = Path.Combine(Path.GetTempPath(), $"pa-import-{Guid.NewGuid():N}.db");
        try
        {
            var (code, _, error) = await CliRunner.RunAsync("import", Path.Combine(Interop, "nmap-repeated.xml"), Path.Combine(Interop, "nmap-ssl-cert.xml"), "--db", db);
            Assert.True(code == 0, error);

            var (showCode, json, _) = await CliRunner.RunAsync("show", "2", "--db", db, "--format", "json");
            Assert.Equal(0, showCode);
            Assert.Contains("PA-TLS-SELF-SIGNED", json, StringComparison.Ordinal);

            var (repeatedCode, repeated, _) = await CliRunner.RunAsync("show", "1", "--db", db, "--format", "csv");
            Assert.Equal(0, repeatedCode);
            Assert.Single(repeated.Split('\n'), l => l.Contains(",111,", StringComparison.Ordinal) || l.Contains("111,tcp", StringComparison.Ordinal));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(db);
        }
    }

    [Fact]
    public async Task Import_OfAFileInNoFormat_ExitsTwoNamingIt()
    {
        var bad = Path.Combine(Path.GetTempPath(), $"pa-bad-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(bad, "just words\n", TestContext.Current.CancellationToken);
        try
        {
            var (code, _, error) = await CliRunner.RunAsync("import", bad, "--db", bad + ".db");

            Assert.Equal(2, code);
            Assert.Contains(Path.GetFileName(bad), error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(bad);
            File.Delete(bad + ".db");
        }
    }
}
