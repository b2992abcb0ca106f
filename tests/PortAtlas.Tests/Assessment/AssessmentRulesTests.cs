using System.Text.RegularExpressions;
using FsCheck.Xunit;
using PortAtlas.Assessment;
using PortAtlas.Registry;

namespace PortAtlas.Tests.Assessment;

public sealed class AssessmentRulesTests
{
    [Fact]
    public void BuiltIn_LoadsEveryLineOfTheDataFile()
    {
        var rules = AssessmentRules.BuiltIn;
        Assert.True(rules.Rules.Count >= 30);
        Assert.Contains(rules.Rules, r => r.Id == "PA-CLEARTEXT-TELNET");
        Assert.Contains(rules.Rules, r => r.Id == "PA-NOAUTH-REDIS" && r.Severity == RiskLevel.Critical);
        Assert.All(rules.Rules, r => Assert.NotEmpty(r.Evidence));
    }

    [Fact]
    public void Parse_GoodLine_ReadsEveryColumn()
    {
        var rules = AssessmentRules.Load(new StringReader(
            "# comment\nid\tseverity\ttitle\twhen\tevidence\twhy\tremediation\treferences\n" +
            "PA-TEST\thigh\tTest {service}\tservice = ssh; port < 1024\tseen {port}\tbecause\tfix it\thttps://example.test CVE-2024-0001\n"));
        var rule = Assert.Single(rules.Rules);
        Assert.Equal("PA-TEST", rule.Id);
        Assert.Equal(RiskLevel.High, rule.Severity);
        Assert.Equal("because", rule.WhyItMatters);
        Assert.Equal("fix it", rule.Remediation);
        Assert.Equal(["https://example.test", "CVE-2024-0001"], rule.References);
        Assert.Equal("rules:3", rule.Source);
    }

    [Fact]
    public void Parse_DashOrMissingWhy_MeansTheRegistrysText()
    {
        var rule = Assert.Single(AssessmentRules.Load(new StringReader("PA-X\tlow\tt\tport = 1\te\t-\n")).Rules);
        Assert.Null(rule.WhyItMatters);
        Assert.Null(rule.Remediation);
        Assert.Empty(rule.References);
    }

    [Theory]
    [InlineData("PA-X\tlow\tt\tport = 1", "at least 5")]
    [InlineData("PA X\tlow\tt\tport = 1\te", "bad id")]
    [InlineData("PA-X\tsevere\tt\tport = 1\te", "bad severity 'severe'")]
    [InlineData("PA-X\tlow\tt\tcolour = red\te", "unknown field 'colour'")]
    [InlineData("PA-X\tlow\tt\tport ?? 1\te", "unknown operator")]
    [InlineData("PA-X\tlow\tt\tproduct ~ (\te", "bad regular expression")]
    [InlineData("PA-X\tlow\tt\tproduct ~ (?<=a)b\te", "bad regular expression")]
    [InlineData("PA-X\tlow\tt\t \te", "empty 'when'")]
    [InlineData("PA-X\tlow\tt\tport = 1\t ", "empty 'evidence'")]
    [InlineData("PA-X\tlow\tt\tport = 1\tseen {nothing}", "unknown field '{nothing}'")]
    [InlineData("PA-X\tlow\tt\t!port = 1\te", "'!' goes before a bare field")]
    public void Parse_BadLine_NamesTheLineAndTheToken(string line, string message)
    {
        var result = AssessmentRules.Parse(new StringReader("# first\n" + line + "\n"), "mine.tsv");
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("mine.tsv:2: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Empty(result.Rules.Rules);
        Assert.Throws<FormatException>(() => AssessmentRules.Load(new StringReader(line), "mine.tsv"));
    }

    [Fact]
    public void Merge_UserRuleReplacesEveryLineOfItsId()
    {
        var user = AssessmentRules.Load(new StringReader("PA-NOAUTH-VNC\tlow\tmine\tservice = vnc\tseen\n"));
        var merged = AssessmentRules.BuiltIn.Merge(user);
        var vnc = Assert.Single(merged.Rules, r => r.Id == "PA-NOAUTH-VNC");
        Assert.Equal("mine", vnc.Title);
        Assert.Contains(merged.Rules, r => r.Id == "PA-CLEARTEXT-TELNET");
    }

    [Fact]
    public void Merge_OffDisablesABuiltInId()
    {
        var user = AssessmentRules.Load(new StringReader("PA-CLEARTEXT-TELNET\toff\t\t\t\n"));
        var merged = AssessmentRules.BuiltIn.Merge(user);
        Assert.DoesNotContain(merged.Rules, r => r.Id == "PA-CLEARTEXT-TELNET");
        Assert.Contains("PA-CLEARTEXT-TELNET", merged.DisabledIds);
    }

    [Fact]
    public void Merge_NewIdIsAdded()
    {
        var user = AssessmentRules.Load(new StringReader("PA-MINE\tinfo\tmine\tport = 8080\tseen {port}\n"));
        var merged = AssessmentRules.BuiltIn.Merge(user);
        Assert.Equal(AssessmentRules.BuiltIn.Rules.Count + 1, merged.Rules.Count);
    }
    private static IEnumerable<Regex> BuiltInPatterns() =>
        AssessmentRules.BuiltIn.Rules.SelectMany(r => r.Conditions).Select(c => c.Pattern).OfType<Regex>();

    [Fact]
    public void BuiltIn_PatternsAreRegularAndHaveNoNestedRepetition()
    {
        // The built-in patterns use the backtracking interpreter (fast to build); that is safe only for patterns
        // without nested repetition, and they must stay within what the linear engine accepts.
        var patterns = BuiltInPatterns().ToList();
        Assert.NotEmpty(patterns);
        Assert.All(patterns, p => Assert.False(p.Options.HasFlag(RegexOptions.NonBacktracking)));
        var nested = new Regex(@"\([^()]*([*+]|\{\d*,)[^()]*\)\s*([*+?]|\{\d*,)");
        foreach (var pattern in patterns)
        {
            Assert.False(nested.IsMatch(pattern.ToString()), $"nested repetition in '{pattern}'");
            _ = new Regex(pattern.ToString(), pattern.Options | RegexOptions.NonBacktracking);
        }
    }

    [Fact]
    public void UserRules_AreMatchedWithoutBacktracking()
    {
        var rules = AssessmentRules.Load(new StringReader("PA-U\tlow\tt\tbanner ~ (a+)+$\te\n"));
        var pattern = Assert.Single(rules.Rules.SelectMany(r => r.Conditions).Select(c => c.Pattern).OfType<Regex>());
        Assert.True(pattern.Options.HasFlag(RegexOptions.NonBacktracking));
    }

    [Property(MaxTest = 300)]
    public bool BuiltIn_PatternsMatchAsTheLinearEngineDoes(string input)
    {
        input ??= "";
        foreach (var pattern in BuiltInPatterns())
        {
            var linear = new Regex(pattern.ToString(), pattern.Options | RegexOptions.NonBacktracking);
            foreach (var text in new[] { input, "TLSv1" + input, "SSLv3", "TLS 1.0", "TLSv1.1", "sha1WithRSAEncryption", "ecdsa-with-SHA256", "Windows Server 2008 R2", "a NetBus trojan" + input })
            {
                if (pattern.IsMatch(text) != linear.IsMatch(text))
                {
                    return false;
                }
            }
        }
        return true;
    }
}
