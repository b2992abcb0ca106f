using System.Net;
using FsCheck;
using FsCheck.Fluent;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Scanning;

public sealed class ScanPlanTests
{
    private static Task<ScanPlanResult> ParseAsync(ScanPlanInput input, Func<string, CancellationToken, Task<IPAddress[]>>? resolver = null) =>
        ScanPlan.ParseAsync(input, resolver, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Parse_OutputIntoAMissingDirectory_FailsNamingThePath()
    {
        var result = await ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Ports = "80", OutputPaths = ["/nonexistent-pa/out.json"] });
        Assert.False(result.Success);
        Assert.Equal("/nonexistent-pa/out.json", result.Token);
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_OutputThatIsADirectory_Fails()
    {
        var directory = Directory.CreateTempSubdirectory("pa-plan-").FullName;
        var result = await ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Ports = "80", OutputPaths = [directory] });
        Assert.False(result.Success);
        Assert.Contains("is a directory", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_OutputWhereNoFileCanBeCreated_Fails()
    {
        // /proc takes no new files, even from root: the place is read-only to everyone.
        var result = await ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Ports = "80", OutputPaths = ["/proc/pa-report.json"] });
        Assert.False(result.Success);
        Assert.Equal("/proc/pa-report.json", result.Token);
    }

    [Fact]
    public async Task Parse_WritableOutput_LeavesNoFileBehind()
    {
        var directory = Directory.CreateTempSubdirectory("pa-plan-").FullName;
        var path = Path.Combine(directory, "report.json");
        var result = await ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Ports = "80", OutputPaths = [path] });
        Assert.True(result.Success, result.Error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
    }

    [Theory]
    [InlineData("198.18.0.300", null, "198.18.0.300")]
    [InlineData("127.0.0.1", "70000", "70000")]
    public async Task Parse_BadToken_IsNamed(string target, string? ports, string token)
    {
        var result = await ParseAsync(new ScanPlanInput { Targets = [target], Ports = ports });
        Assert.False(result.Success);
        Assert.Contains(token, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_SynAndConnect_Fails()
    {
        var result = await ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Techniques = [ScanTechnique.Syn, ScanTechnique.Connect] });
        Assert.False(result.Success);
        Assert.Contains("--syn", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_WithoutSeed_DrawsOneAndKeepsIt()
    {
        var result = await ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Ports = "80" });
        Assert.NotNull(result.Plan!.Options.Seed);
        Assert.Equal(result.Plan.Options.Seed, ScanPlan.FromJson(result.Plan.ToJson()).Plan!.Options.Seed);
    }

    [Fact]
    public async Task FromJson_KeepsResolvedAddressesAndNames_WithoutResolvingAgain()
    {
        var calls = 0;
        Task<IPAddress[]> Resolve(string name, CancellationToken token)
        {
            Interlocked.Increment(ref calls);
            return Task.FromResult(new[] { IPAddress.Parse("198.18.0.7") });
        }
        var plan = (await ParseAsync(new ScanPlanInput { Targets = ["lab.example", "198.18.1.0/30"], Exclude = ["198.18.1.2"], Ports = "T:22,U:53", Detect = true }, Resolve)).Plan!;

        var restored = ScanPlan.FromJson(plan.ToJson());

        Assert.True(restored.Success, restored.Error);
        Assert.Equal(1, calls);
        Assert.Equal(plan.Targets.Enumerate(), restored.Plan.Targets.Enumerate());
        Assert.Equal("lab.example", restored.Plan.Targets.HostnameOf(IPAddress.Parse("198.18.0.7")));
        Assert.False(restored.Plan.Targets.Contains(IPAddress.Parse("198.18.1.2")));
        Assert.Equal(plan.ToJson(), restored.Plan.ToJson());
    }

    [Fact]
    public void ToJson_RoundTripsExactly_ForAnySettings() =>
        Prop.ForAll(Gen.Choose(1, 1_000_000).ToArbitrary(), Gen.Choose(0, 50).ToArbitrary(), Gen.Choose(1, 65535).ToArbitrary(), (rate, retries, port) =>
        {
            var plan = new ScanPlan
            {
                Targets = PortAtlas.Targets.TargetSet.FromAddresses([IPAddress.Parse("198.18.0.1"), IPAddress.Parse("::1")]),
                Ports = new PortList(tcp: [port], udp: [port]),
                TcpTechnique = ScanTechnique.Syn,
                Options = new ScanOptions { Rate = rate / 7.0, MaxRetries = retries, Seed = (ulong)rate * 0x9E3779B97F4A7C15UL, HostTimeout = TimeSpan.FromMilliseconds(port), SkipDiscovery = port % 2 == 0 },
                Detect = port % 3 == 0,
                RuleFiles = ["rules.tsv"],
                OutputPaths = [$"out{port}.json"],
                CommandLine = "ports scan \"x\"",
            };
            var json = plan.ToJson();
            var back = ScanPlan.FromJson(json).Plan!;
            return back.ToJson() == json && back.Options.Rate == plan.Options.Rate && back.Options.Seed == plan.Options.Seed
                && back.Ports.Udp.SequenceEqual(plan.Ports.Udp) && back.Options.HostTimeout == plan.Options.HostTimeout;
        }).QuickCheckThrowOnFailure();

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"format\":1}")]
    [InlineData("{\"format\":9}")]
    public void FromJson_DamagedText_FailsWithoutThrowing(string json)
    {
        var result = ScanPlan.FromJson(json);
        Assert.False(result.Success);
        Assert.DoesNotContain('\n', result.Error);
    }
}
