extern alias front;

using System.Text;
using Front = front::PortAtlas.Lookup.Front;
using FrontContext = front::PortAtlas.Cli.CliContext;
using Handover = front::PortAtlas.Lookup.Handover;

namespace PortAtlas.Tests.Lookup;

/// <summary>The native look-up front prints exactly what the full CLI prints, and leaves everything else to it.</summary>
public sealed class LookupFrontTests
{
    [Theory]
    [MemberData(nameof(PortAtlas.Tests.Cli.QuickLookupTests.Queries), MemberType = typeof(PortAtlas.Tests.Cli.QuickLookupTests))]
    public async Task Lookup_PrintsWhatTheFullParserPrints(string[] args) =>
        Assert.Equal(await RunParsed(args), RunFront(args));

    [Fact]
    public async Task RandomPortsAndProtocols_PrintWhatTheFullParserPrints()
    {
        // The same seeded queries as the CLI's quick-path test: a failure names its input and repeats.
        var random = new Random(20261201);
        string[] suffixes = ["", "/tcp", "/udp", "/sctp", "/dccp", "/x", "-1024", "-80"];
        string[] formats = ["json", "table", "csv"];
        for (var i = 0; i < 60; i++)
        {
            string[] args = [$"{random.Next(0, 70001)}{suffixes[random.Next(suffixes.Length)]}", "--format", formats[i % 3]];
            Assert.Equal(await RunParsed(args), RunFront(args));
        }
    }

    [Theory]
    [InlineData("ldaps")]
    [InlineData("scan", "127.0.0.1")]
    [InlineData("--version")]
    [InlineData("443", "--format", "xml")]
    [InlineData("443", "--help")]
    [InlineData("lookup")]
    [InlineData]
    public void OtherCommandLines_AreHandedToTheFullBinary(params string[] args) =>
        Assert.Null(Front.TryLookup(args, () => throw new InvalidOperationException("a hand-over prints nothing")));

    [Fact]
    public void SplitCommandLine_KeepsEveryArgumentByteForByte()
    {
        byte[] cmdline = [.. "ports\0search\0\0"u8, 0xff, 0xfe, 0, .. "a b\0"u8];
        var args = Handover.SplitCommandLine(cmdline);
        Assert.Equal(["ports", "search", "", "\uFFFD\uFFFD", "a b"], args.Select(a => Encoding.UTF8.GetString(a)));
        Assert.Equal(new byte[] { 0xff, 0xfe }, args[3]);
    }

    [Fact]
    public void SplitCommandLine_WithoutTheLastNul_KeepsTheLastArgument() =>
        Assert.Equal(["ports", "443"], Handover.SplitCommandLine("ports\0443"u8).Select(a => Encoding.UTF8.GetString(a)));

    private static (int, string, string) RunFront(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = Front.TryLookup(args, () => FrontContext.ForWriters(output, error));
        Assert.NotNull(code);
        return (code.Value, output.ToString(), error.ToString());
    }

    private static async Task<(int, string, string)> RunParsed(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PortAtlas.Cli.CliApp.RunParsedAsync(args, PortAtlas.Cli.CliContext.ForWriters(output, error), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
