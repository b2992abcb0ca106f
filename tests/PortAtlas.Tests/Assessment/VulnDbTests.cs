using System.Text;
using Microsoft.Extensions.Time.Testing;
using PortAtlas.Assessment;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Assessment;

public sealed class VulnDbTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("portatlas-vulndb-").FullName;

    private static string FixturePath => Path.Combine(AppContext.BaseDirectory, "Assessment", "Fixtures", "nvd-fixture.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<VulnDb> OpenWithFixtureAsync()
    {
        var db = VulnDb.Open(Path.Combine(_directory, "vuln.db"));
        await using var file = File.OpenRead(FixturePath);
        await db.ImportNvdJsonAsync(file, TestContext.Current.CancellationToken);
        return db;
    }

    [Fact]
    public async Task Import_Fixture_CountsCvesAndVulnerableMatches()
    {
        using var db = VulnDb.Open(Path.Combine(_directory, "vuln.db"));
        await using var file = File.OpenRead(FixturePath);
        var result = await db.ImportNvdJsonAsync(file, TestContext.Current.CancellationToken);
        Assert.Equal(new NvdImportResult(Cves: 9, Matches: 10, Skipped: 1), result);
        Assert.Equal(9, db.CveCount);
    }

    [Fact]
    public async Task Import_Twice_ReplacesRatherThanDuplicates()
    {
        using var db = await OpenWithFixtureAsync();
        await using var again = File.OpenRead(FixturePath);
        await db.ImportNvdJsonAsync(again, TestContext.Current.CancellationToken);
        Assert.Equal(9, db.CveCount);
        Assert.Equal(2, db.Match("openbsd", "openssh", "9.2p1").Count);
    }

    [Fact]
    public async Task Match_OpenSsh92p1_IsInsideTwoRangesAndOutsideTheThird()
    {
        using var db = await OpenWithFixtureAsync();
        var matches = db.Match("openbsd", "openssh", "9.2p1 Debian 2+deb12u3");
        Assert.Equal(["CVE-2023-38408", "CVE-2024-6387"], matches.Select(m => m.CveId));
        Assert.Equal("version < 9.3p2", matches[0].Range);
        Assert.Equal(9.8, matches[0].BaseScore);
        Assert.Equal("CRITICAL", matches[0].BaseSeverity);
        Assert.Equal("8.5p1 <= version < 9.8p1", matches[1].Range);
        Assert.StartsWith("Fixture: signal handler race", matches[1].Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9.8p1", new string[0])]
    [InlineData("9.3p2", new[] { "CVE-2024-6387" })]
    [InlineData("8.4p1", new[] { "CVE-2023-38408" })]
    [InlineData("7.1p1", new[] { "CVE-2016-0777", "CVE-2023-38408" })]
    public async Task Match_OpenSshBounds_AreInclusiveOrExclusiveAsWritten(string version, string[] expected)
    {
        using var db = await OpenWithFixtureAsync();
        Assert.Equal(expected, db.Match("openbsd", "openssh", version).Select(m => m.CveId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Match_Nginx1221_IsOutsideEveryRange()
    {
        using var db = await OpenWithFixtureAsync();
        Assert.Empty(db.Match("f5", "nginx", "1.22.1"));
        Assert.Empty(db.Match("nginx", "nginx", "1.22.1"));
        Assert.Equal(["CVE-2022-41741"], db.Match("f5", "nginx", "1.22.0").Select(m => m.CveId));
        Assert.Equal(["CVE-2022-41741"], db.Match("F5", "NGINX", "1.23.1").Select(m => m.CveId));
        Assert.Equal(["CVE-2021-23017"], db.Match("nginx", "nginx", "1.20.0").Select(m => m.CveId));
    }

    [Fact]
    public async Task Match_Redis7015_IsInsideTheLuaRangeOnly()
    {
        using var db = await OpenWithFixtureAsync();
        Assert.Equal(["CVE-2024-31449"], db.Match("redis", "redis", "7.0.15").Select(m => m.CveId));
        Assert.Equal(["CVE-2023-28856", "CVE-2024-31449"], db.Match("redis", "redis", "7.0.10").Select(m => m.CveId).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("unknown")]
    public async Task Match_WithoutAVersion_FindsNothing(string? version)
    {
        using var db = await OpenWithFixtureAsync();
        Assert.Empty(db.Match("openbsd", "openssh", version));
    }

    [Fact]
    public async Task Open_Again_KeepsTheData()
    {
        var path = Path.Combine(_directory, "vuln.db");
        using (await OpenWithFixtureAsync())
        {
        }
        using var reopened = VulnDb.Open(path);
        Assert.Equal(9, reopened.CveCount);
        Assert.True(reopened.Contains("cve-2021-41773"));
    }

    [Fact]
    public async Task Import_MalformedJson_ThrowsAndChangesNothing()
    {
        using var db = await OpenWithFixtureAsync();
        using var bad = new MemoryStream(Encoding.UTF8.GetBytes("{\"vulnerabilities\": [ {\"cve\": "));
        await Assert.ThrowsAnyAsync<System.Text.Json.JsonException>(() => db.ImportNvdJsonAsync(bad, TestContext.Current.CancellationToken));
        Assert.Equal(9, db.CveCount);
    }

    [Fact]
    public async Task Assessor_WithVulnDb_ReportsNvdMatchesForTheLabVersions()
    {
        using var db = await OpenWithFixtureAsync();
        var assessor = new Assessor(new AssessorOptions { VulnDb = db, TimeProvider = new FakeTimeProvider(LabReports.Now) });
        var findings = assessor.Assess(LabReports.Lab());
        var cves = findings.Where(f => f.Id.StartsWith("PA-CVE-", StringComparison.Ordinal)).Select(f => $"{f.Port} {f.Id} {f.Severity.ToName()}").Order(StringComparer.Ordinal);
        Assert.Equal(["22 PA-CVE-CVE-2023-38408 critical", "22 PA-CVE-CVE-2024-6387 high", "6379 PA-CVE-CVE-2024-31449 high"], cves);
        var regreSSHion = findings.Single(f => f.Id == "PA-CVE-CVE-2024-6387");
        Assert.Contains("8.5p1 <= version < 9.8p1", regreSSHion.Evidence, StringComparison.Ordinal);
        Assert.Contains("distribution build may carry the fix", regreSSHion.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assessor_WithVulnDb_ConfirmsOrRulesOutKnownExploited()
    {
        using var db = await OpenWithFixtureAsync();
        var assessor = new Assessor(new AssessorOptions { VulnDb = db, TimeProvider = new FakeTimeProvider(LabReports.Now) });
        PortResult Apache(string version) => LabReports.Open(80, new ServiceInfo
        {
            Name = "http", Product = "Apache httpd", Version = version, Method = "probe", Cpe = [$"cpe:/a:apache:http_server:{version}"],
        });

        var vulnerable = assessor.Assess(Apache("2.4.49")).Single(f => f.Id == "PA-KEV-CVE-2021-41773");
        Assert.Equal(RiskLevel.Critical, vulnerable.Severity);
        Assert.Contains("NVD range = 2.4.49", vulnerable.Evidence, StringComparison.Ordinal);
        Assert.Contains("matched by CISA KEV", vulnerable.Evidence, StringComparison.Ordinal);

        var patched = assessor.Assess(Apache("2.4.62"));
        Assert.DoesNotContain(patched, f => f.Id == "PA-KEV-CVE-2021-41773");
        // KEV's other Apache entries have no NVD data in the store: they say the version was not checked, below a confirmed match.
        Assert.Contains(patched, f => f.Id.StartsWith("PA-KEV-", StringComparison.Ordinal) && f.Severity == RiskLevel.Medium);
    }

    [Theory]
    [InlineData("1.0", "1.0", null, null, null, null, "= 1.0")]
    [InlineData("1.0", "1.1", null, null, null, null, null)]
    [InlineData("1.0", null, "1.0", null, null, null, "1.0 <= version")]
    [InlineData("1.0", null, null, "1.0", null, null, null)]
    [InlineData("1.0", null, null, null, "1.0", null, "version <= 1.0")]
    [InlineData("1.0", null, null, null, null, "1.0", null)]
    [InlineData("1.0", null, null, null, null, null, "all versions")]
    public void Covers_HonoursEachBound(string version, string? exact, string? si, string? se, string? ei, string? ee, string? expected) =>
        Assert.Equal(expected, VulnDb.Covers(version, exact, si, se, ei, ee));
}
