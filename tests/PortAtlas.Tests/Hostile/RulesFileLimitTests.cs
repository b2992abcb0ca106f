using PortAtlas.Scanning;

namespace PortAtlas.Tests.Hostile;

/// <summary>A rule file is read with a bound: a 2 GB file without a newline, or /dev/zero, is refused in one line before the scan.</summary>
[Trait("Category", "Hostile")]
public sealed class RulesFileLimitTests
{
    [Theory]
    [InlineData("sparse")]
    [InlineData("/dev/zero")]
    public async Task Plan_RefusesARulesFileOverTheLimit_Quickly(string kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("pa-rules-");
        try
        {
            var path = kind;
            if (kind == "sparse")
            {
                // Sparse: 2 GB of NUL bytes that take no disk and, before the bound, were read whole as one line.
                path = Path.Combine(dir.FullName, "rules.tsv");
                await using var file = File.Create(path);
                file.SetLength(2L << 30);
            }
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var result = await ScanPlan.ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Ports = "80", RuleFiles = [path] }, null, ct);
            Assert.False(result.Success);
            Assert.Contains("is larger than 4 MiB", result.Error, StringComparison.Ordinal);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"{watch.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
