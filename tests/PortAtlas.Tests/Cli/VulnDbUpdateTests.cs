using PortAtlas.Assessment;

namespace PortAtlas.Tests.Cli;

public sealed class VulnDbUpdateTests : IDisposable
{
    private const string GoodKev = """
        {"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2026.11.30","dateReleased":"2026-11-30T12:00:00.000Z","count":2,
         "vulnerabilities":[
          {"cveID":"CVE-2021-41773","vendorProject":"Apache","product":"HTTP Server","vulnerabilityName":"x","dateAdded":"2021-11-03"},
          {"cveID":"CVE-2099-0001","vendorProject":"Acme","product":"Widget","vulnerabilityName":"y","dateAdded":"2026-11-30"}]}
        """;

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("pa-vulndb-update-");

    public void Dispose() => _work.Delete(recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_work.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Store => Path.Combine(_work.FullName, "store");

    [Fact]
    public async Task Update_GoodFiles_WritesValidatedCopies()
    {
        var kev = Write("kev.json", GoodKev);
        var nginx = Write("nginx.json", """[{"cycle":"1.31","eol":false},{"cycle":"1.30","eol":"2027-04-20"},{"cycle":"1.28","eol":"2026-04-14"}]""");
        var redis = Write("redis.json", """{"schema_version":"1.2.0","result":{"name":"redis","releases":[{"name":"7.0","eolFrom":"2024-07-29"},{"name":"7.4","eolFrom":null}]}}""");
        var (code, output, error) = await CliRunner.RunAsync("vulndb", "update", "--kev", kev, "--eol", nginx, redis, "--dir", Store);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("2026.11.30, 2 entries", output, StringComparison.Ordinal);

        using (var stream = File.OpenRead(Path.Combine(Store, KnowledgeFiles.KevFileName)))
        {
            Assert.NotNull(KevCatalog.Load(stream).FindCve("CVE-2099-0001"));
        }
        using var reader = File.OpenText(Path.Combine(Store, KnowledgeFiles.EndOfLifeFileName));
        var table = EndOfLife.Read(reader);
        var nginxRows = table.Where(b => b.ProductKey == "f5:nginx").ToList();
        Assert.Equal(["1.28", "1.30"], nginxRows.Select(b => b.From));
        Assert.Equal(new DateOnly(2027, 4, 20), nginxRows[1].Ended);
        Assert.Single(table, b => b.ProductKey == "redis:redis" && b.From == "7.0" && b.Below == "7.1");
        // Products not in the update keep the compiled-in rows.
        Assert.Equal(EndOfLife.Embedded().Count(b => b.ProductKey == "openssl:openssl"), table.Count(b => b.ProductKey == "openssl:openssl"));
    }

    [Theory]
    [InlineData("not json at all", "not JSON")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("""{"vulnerabilities":[]}""", "catalogVersion")]
    [InlineData("""{"catalogVersion":"1","vulnerabilities":[]}""", "vulnerabilities")]
    [InlineData("""{"catalogVersion":"1","vulnerabilities":[{"cveID":"CVE-1","vendorProject":"a","product":"b"}]}""", "vulnerability 0")]
    [InlineData("""{"catalogVersion":"1","vulnerabilities":[{"cveID":"CVE-2021-41773","vendorProject":"a"}]}""", "vulnerability 0")]
    public async Task Update_BadKev_ExitsTwoNamingTheProblemAndWritesNothing(string text, string problem)
    {
        var kev = Write("kev.json", text);
        var (code, output, error) = await CliRunner.RunAsync("vulndb", "update", "--kev", kev, "--dir", Store);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        var line = Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains("kev.json", line, StringComparison.Ordinal);
        Assert.Contains(problem, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Store));
    }

    [Theory]
    [InlineData("nosuchproduct.json", """[{"cycle":"1.0","eol":"2020-01-01"}]""", "nosuchproduct")]
    [InlineData("nginx.json", """[{"cycle":"1.0","eol":"01/01/2020"}]""", "bad 'eol' date")]
    [InlineData("nginx.json", """[{"eol":"2020-01-01"}]""", "no 'cycle'")]
    [InlineData("nginx.json", """{"releases":[]}""", "neither")]
    [InlineData("nginx.json", """[{"cycle":"mainline","eol":"2020-01-01"}]""", "numeric cycle")]
    [InlineData("table.tsv", "product\tfrom\tbelow\teol\tlabel\tsource\nf5:nginx\t1.0\t1.1\tsoon\tx\ty\n", "bad line")]
    public async Task Update_BadLifecycleFile_ExitsTwoNamingTheProblem(string name, string text, string problem)
    {
        var good = Write("kev.json", GoodKev);
        var file = Write(name, text);
        var (code, output, error) = await CliRunner.RunAsync("vulndb", "update", "--kev", good, "--eol", file, "--dir", Store);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        var line = Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains(name, line, StringComparison.Ordinal);
        Assert.Contains(problem, line, StringComparison.Ordinal);
        // The good KEV file is not written either: every file is checked first.
        Assert.False(Directory.Exists(Store));
    }

    [Fact]
    public async Task Update_NothingOrMissingFile_ExitsTwo()
    {
        Assert.Equal(2, (await CliRunner.RunAsync("vulndb", "update", "--dir", Store)).ExitCode);
        var (code, _, error) = await CliRunner.RunAsync("vulndb", "update", "--kev", Path.Combine(_work.FullName, "missing.json"), "--dir", Store);
        Assert.Equal(2, code);
        Assert.Contains("missing.json", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_ReplacesOnlyTheUpdatedProducts()
    {
        var current = new[]
        {
            new EndOfLifeBranch("a:a", "1.0", "1.1", new DateOnly(2020, 1, 1), "A 1.0", "s"),
            new EndOfLifeBranch("b:b", "2.0", "2.1", new DateOnly(2021, 1, 1), "B 2.0", "s"),
        };
        var merged = KnowledgeFiles.Merge(current, [new EndOfLifeBranch("a:a", "3.0", "3.1", new DateOnly(2030, 1, 1), "A 3.0", "t")]);
        Assert.Equal(["B 2.0", "A 3.0"], merged.Select(b => b.Label));
    }
}
