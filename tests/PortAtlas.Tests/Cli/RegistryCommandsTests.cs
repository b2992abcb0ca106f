using System.Text.Json;

namespace PortAtlas.Tests.Cli;

public sealed class RegistryCommandsTests
{
    [Theory]
    [InlineData("70000")]
    [InlineData("80/xyz")]
    [InlineData("10-5")]
    public async Task Lookup_BadInput_ExitsTwoWithOneLineNamingTheToken(string query)
    {
        foreach (var args in new[] { new[] { query }, new[] { "lookup", query } })
        {
            var (code, output, error) = await CliRunner.RunAsync(args);
            Assert.Equal(2, code);
            Assert.Equal("", output);
            var line = Assert.Single(error.TrimEnd('\n').Split('\n'));
            Assert.Contains(query.Split('/')[^1], line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Lookup_EmptyQuery_ExitsTwo()
    {
        var (code, output, error) = await CliRunner.RunAsync("lookup", "");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Lookup_BadQueryAmongGoodOnes_PrintsNothing()
    {
        var (code, output, _) = await CliRunner.RunAsync("lookup", "443", "70000", "--format", "json");
        Assert.Equal(2, code);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task Lookup_NoMatch_ExitsOneWithOneLine()
    {
        var (code, output, error) = await CliRunner.RunAsync("no-such-service-name");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Lookup_Json_FollowsTheContract()
    {
        var (code, output, error) = await CliRunner.RunAsync("lookup", "443", "22/udp", "6665-6669", "ldaps", "--format", "json");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        using var json = JsonDocument.Parse(output);
        var entries = json.RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(entries);
        foreach (var e in entries)
        {
            foreach (var key in new[] { "port", "endPort", "protocol", "name", "description", "category", "source" })
            {
                Assert.True(e.TryGetProperty(key, out _), $"missing {key}");
            }
            Assert.Contains(e.GetProperty("category").GetString(), new[] { "well-known", "registered", "dynamic" });
            Assert.Contains(e.GetProperty("source").GetString(), new[] { "iana", "curated", "unofficial" });
        }
        Assert.Contains(entries, e => e.GetProperty("port").GetInt32() == 443 && e.GetProperty("source").GetString() == "curated" && e.TryGetProperty("risk", out _));
        Assert.Contains(entries, e => e.GetProperty("port").GetInt32() == 22 && e.GetProperty("protocol").GetString() == "udp");
        Assert.DoesNotContain(entries, e => e.GetProperty("port").GetInt32() == 22 && e.GetProperty("protocol").GetString() == "tcp");
        Assert.Contains(entries, e => e.GetProperty("port").GetInt32() == 6665 && e.GetProperty("endPort").GetInt32() == 6669);
        Assert.Contains(entries, e => e.GetProperty("name").GetString() == "ldaps");
    }

    [Fact]
    public async Task Lookup_Table_ShowsCategoryRiskAndNotes()
    {
        var (code, output, _) = await CliRunner.RunAsync("23");
        Assert.Equal(0, code);
        Assert.Contains("telnet", output, StringComparison.Ordinal);
        Assert.Contains("well-known", output, StringComparison.Ordinal);
        Assert.Contains("Why it matters", output, StringComparison.Ordinal);
        Assert.Matches("high|critical", output);
    }

    [Fact]
    public async Task Search_RemoteDesktop_RanksRdpFirst()
    {
        var (code, output, _) = await CliRunner.RunAsync("search", "remote", "desktop", "--format", "csv");
        Assert.Equal(0, code);
        var first = output.Split('\n')[1];
        Assert.StartsWith("3389,", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_Significant_PrintsOnlyCuratedKnowledge()
    {
        var (code, output, _) = await CliRunner.RunAsync("list", "--significant", "--format", "json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.All(json.RootElement.EnumerateArray(), e => Assert.NotEqual("iana", e.GetProperty("source").GetString()));
    }

    [Fact]
    public async Task List_CategoryAndProtocol_Filter()
    {
        var (code, output, _) = await CliRunner.RunAsync("list", "--category", "well-known", "--protocol", "sctp", "--format", "csv");
        Assert.Equal(0, code);
        var rows = output.TrimEnd('\n').Split('\n').Skip(1).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Contains(",sctp,", r, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("list", "--category", "huge")]
    [InlineData("list", "--protocol", "icmp")]
    [InlineData("443", "--format", "yaml")]
    [InlineData("--no-such-option")]
    public async Task BadOptions_ExitTwo(params string[] args)
    {
        var (code, output, error) = await CliRunner.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }
}

public sealed class RegistryListTopTests
{
    [Fact]
    public async Task ListTop_Json_GivesRankScoreAndReasonInTopPortsOrder()
    {
        var (code, output, error) = await CliRunner.RunAsync("list", "--top", "100", "--format", "json");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        using var json = JsonDocument.Parse(output);
        var rows = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(100, rows.Count);
        Assert.Equal(PortAtlas.Registry.PortRegistry.Default.TopPorts(Transport.Tcp, 100), rows.Select(r => r.GetProperty("port").GetInt32()));
        Assert.All(rows, r => Assert.Equal("tcp", r.GetProperty("protocol").GetString()));
        Assert.All(rows, r => Assert.InRange(r.GetProperty("score").GetInt32(), 0, 100));
        Assert.All(rows, r => Assert.NotEmpty(r.GetProperty("reason").GetString()!));
        Assert.Equal(Enumerable.Range(1, 100), rows.Select(r => r.GetProperty("rank").GetInt32()));
        Assert.Contains(rows, r => r.GetProperty("port").GetInt32() == 49152);
    }

    [Fact]
    public async Task ListTop_UdpCsv_HasAHeaderAndOneLinePerPort()
    {
        var (code, output, error) = await CliRunner.RunAsync("list", "--top", "20", "--protocol", "udp", "--format", "csv");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal("rank,port,protocol,score,name,reason", lines[0]);
        Assert.Equal(21, lines.Length);
        Assert.StartsWith("1,53,udp,", lines[1], StringComparison.Ordinal);
        Assert.All(lines.Skip(1), l => Assert.Contains(",udp,", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListTop_Table_ShowsScoreAndReason()
    {
        var (code, output, _) = await CliRunner.RunAsync("list", "--top", "5");
        Assert.Equal(0, code);
        Assert.Contains("Score", output, StringComparison.Ordinal);
        Assert.Contains("Reason", output, StringComparison.Ordinal);
        Assert.Contains("443", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListTop_WithRegistryFilters_ExitsTwo()
    {
        var (code, output, error) = await CliRunner.RunAsync("list", "--top", "10", "--significant");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("--significant", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", null)]
    [InlineData("70000", null)]
    [InlineData("10", "sctp")]
    [InlineData("10", "xyz")]
    public async Task ListTop_BadInput_ExitsTwoWithOneLine(string count, string? protocol)
    {
        string[] args = protocol is null ? ["list", "--top", count] : ["list", "--top", count, "--protocol", protocol];
        var (code, output, error) = await CliRunner.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains(protocol ?? count, error, StringComparison.Ordinal);
    }
}

/// <summary>The quick look-up path ('ports 443' without the command tree) prints exactly what the full parser prints.</summary>
public sealed class QuickLookupTests
{
    /// <summary>Look-ups by number and their edge cases; the native front's tests run the same (LookupFrontTests).</summary>
    public static TheoryData<string[]> Queries { get; } = new(
        ["443"],
        ["443", "--format", "json"],
        ["lookup", "22/udp", "-f", "csv"],
        ["6665-6669", "3389/tcp", "--format", "table"],
        ["70000"],
        ["10-5", "--format", "json"],
        ["0"],
        ["65535", "-f", "json"],
        ["49152-49160"]);

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task QuickPath_PrintsWhatTheParserPrints(string[] args)
    {
        Assert.True(PortAtlas.Cli.QuickLookup.TryParse(args, out _, out _));
        var quick = await CliRunner.RunAsync(args);
        var full = await RunParsed(args);
        Assert.Equal(full, quick);
    }

    [Theory]
    [InlineData("ldaps")]
    [InlineData("scan", "127.0.0.1")]
    [InlineData("443", "--format", "xml")]
    [InlineData("443", "--format")]
    [InlineData("443", "--format=json")]
    [InlineData("443", "--help")]
    [InlineData("lookup")]
    [InlineData]
    public void OtherCommandLines_TakeTheParser(params string[] args) =>
        Assert.False(PortAtlas.Cli.QuickLookup.TryParse(args, out _, out _));

    [Fact]
    public void NoCommandStartsWithADigit()
    {
        // The quick path claims tokens that start with a digit; a command named so would be shadowed.
        var root = PortAtlas.Cli.CliApp.Build(PortAtlas.Cli.CliContext.ForWriters(TextWriter.Null, TextWriter.Null));
        Assert.NotEmpty(root.Subcommands);
        Assert.DoesNotContain(root.Subcommands, c => char.IsAsciiDigit(c.Name[0]) || c.Aliases.Any(a => char.IsAsciiDigit(a[0])));
    }

    [Fact]
    public async Task RandomPortsAndProtocols_PrintWhatTheParserPrints()
    {
        // Seeded: a failure names its input and repeats.
        var random = new Random(20261201);
        string[] suffixes = ["", "/tcp", "/udp", "/sctp", "/dccp", "/x", "-1024", "-80"];
        for (var i = 0; i < 60; i++)
        {
            string[] args = [$"{random.Next(0, 70001)}{suffixes[random.Next(suffixes.Length)]}", "--format", "json"];
            Assert.Equal(await RunParsed(args), await CliRunner.RunAsync(args));
        }
    }

    private static async Task<(int, string, string)> RunParsed(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PortAtlas.Cli.CliApp.RunParsedAsync(args, PortAtlas.Cli.CliContext.ForWriters(output, error), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
