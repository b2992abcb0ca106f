using System.Net;
using PortAtlas.Scanning;
using PortAtlas.Targets;

namespace PortAtlas.Tests.Scanning;

public sealed class TechniqueChoiceTests
{
    private static TargetSet Targets(params string[] specs) => TargetSpecParser.Parse(specs).Value!;

    private static IReadOnlySet<IPAddress> Own() => new HashSet<IPAddress> { IPAddress.Parse("198.18.9.9") };

    [Fact]
    public void IsThisMachine_LoopbackAddresses_IsTrue() =>
        Assert.True(TechniqueChoice.IsThisMachine(Targets("127.0.0.1", "127.0.0.2", "::1"), Own));

    [Fact]
    public void IsThisMachine_AnAddressOfItsOwnInterfaces_IsTrue() =>
        Assert.True(TechniqueChoice.IsThisMachine(Targets("127.0.0.1", "198.18.9.9"), Own));

    [Fact]
    public void IsThisMachine_ARemoteAddressAmongLocalOnes_IsFalse() =>
        Assert.False(TechniqueChoice.IsThisMachine(Targets("127.0.0.1", "198.18.0.2"), Own));

    [Fact]
    public void IsThisMachine_MoreTargetsThanItChecks_IsFalse() =>
        Assert.False(TechniqueChoice.IsThisMachine(Targets("127.0.0.0/16"), Own));

    [Fact]
    public async Task ScanSession_AutoOnLoopbackWithRawSockets_UsesConnectAndSaysWhy()
    {
        var plan = (await ScanPlan.ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Ports = "1-10" },
            cancellationToken: TestContext.Current.CancellationToken)).Plan!;
        await using var session = new ScanSession(plan, new ScanSessionOptions { RawAvailable = true });
        Assert.Equal("connect", session.ScanType);
        Assert.Equal(ScanTechnique.Connect, session.Plan.TcpTechnique);
        Assert.Contains("this machine", session.TechniqueNote, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanSession_AutoOnALabHostWithRawSockets_UsesSyn()
    {
        var plan = (await ScanPlan.ParseAsync(new ScanPlanInput { Targets = ["198.18.0.2"], Ports = "1-10" },
            cancellationToken: TestContext.Current.CancellationToken)).Plan!;
        await using var session = new ScanSession(plan, new ScanSessionOptions { RawAvailable = true });
        Assert.Equal("syn", session.ScanType);
    }

    [Fact]
    public void PrefersConnect_ThisMachineAndSmall_IsTrue_LargeOrRemote_IsFalse()
    {
        Assert.True(TechniqueChoice.PrefersConnect(Targets("127.0.0.1"), 1000, Own));
        Assert.True(TechniqueChoice.PrefersConnect(Targets("127.0.0.1", "127.0.0.2"), 24_999, Own));
        Assert.False(TechniqueChoice.PrefersConnect(Targets("127.0.0.1", "127.0.0.2"), 25_000, Own));
        Assert.False(TechniqueChoice.PrefersConnect(Targets("127.0.0.1"), 65_535, Own));
        Assert.False(TechniqueChoice.PrefersConnect(Targets("198.18.0.2"), 10, Own));
    }

    [Fact]
    public async Task ScanSession_AutoOnLoopbackAllPortsWithRawSockets_UsesSyn()
    {
        var plan = (await ScanPlan.ParseAsync(new ScanPlanInput { Targets = ["127.0.0.1"], Ports = "1-65535" },
            cancellationToken: TestContext.Current.CancellationToken)).Plan!;
        await using var session = new ScanSession(plan, new ScanSessionOptions { RawAvailable = true });
        Assert.Equal("syn", session.ScanType);
        Assert.Equal(ScanTechnique.Syn, session.Plan.TcpTechnique);
    }
}
