using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Scanning;

/// <summary>Our PTR client against a DNS server of the test's own on loopback: no query leaves the machine.</summary>
public sealed class DnsPtrClientTests
{
    private const string LabPtr = "2.0.18.198.in-addr.arpa";

    [Theory]
    [InlineData("198.18.0.2", "2.0.18.198.in-addr.arpa")]
    [InlineData("127.0.0.1", "1.0.0.127.in-addr.arpa")]
    [InlineData("::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa")]
    [InlineData("2001:db8::567:89ab", "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")]
    [InlineData("::ffff:198.18.0.2", "2.0.18.198.in-addr.arpa")]
    public void ReverseName_FollowsRfc1035AndRfc3596(string address, string expected) =>
        Assert.Equal(expected, DnsPtrClient.ReverseName(IPAddress.Parse(address)));

    [Fact]
    public void WriteQuery_IsOneRecursivePtrQuestion()
    {
        var buffer = new byte[64];
        var length = DnsPtrClient.WriteQuery(buffer, 0xBEEF, LabPtr);
        var query = buffer.AsSpan(0, length);

        Assert.Equal(0xBEEF, BinaryPrimitives.ReadUInt16BigEndian(query));
        Assert.Equal(0x0100, BinaryPrimitives.ReadUInt16BigEndian(query[2..]));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(query[4..]));
        Assert.True(PortAtlas.Detection.Udp.DnsReply.TryReadName(query, 12, out var name));
        Assert.Equal(LabPtr, name);
        Assert.Equal(12, BinaryPrimitives.ReadUInt16BigEndian(query[(length - 4)..]));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(query[(length - 2)..]));
    }

    [Fact]
    public async Task Lookup_AsksTheGivenServer_AndReturnsTheName()
    {
        using var server = new FakeDnsServer(new() { [LabPtr] = "lab.portatlas.test." });
        var client = new DnsPtrClient([server.Endpoint]);

        var name = await client.LookupAsync(IPAddress.Parse("198.18.0.2"), TestContext.Current.CancellationToken);

        Assert.Equal("lab.portatlas.test", name);
        Assert.Equal(1, server.Queries);
        Assert.Equal(1, client.QueriesSent);
    }

    [Fact]
    public async Task Lookup_NxDomain_IsNoName_WithoutRetrying()
    {
        using var server = new FakeDnsServer([]);
        var client = new DnsPtrClient([server.Endpoint]) { Tries = 3 };

        Assert.Null(await client.LookupAsync(IPAddress.Parse("198.18.0.9"), TestContext.Current.CancellationToken));
        Assert.Equal(1, server.Queries);
    }

    [Fact]
    public async Task Lookup_IgnoresAnAnswerWithAnotherId()
    {
        using var server = new FakeDnsServer(new() { [LabPtr] = "lab.portatlas.test" }) { WrongIdFirst = true };
        var client = new DnsPtrClient([server.Endpoint]);

        Assert.Equal("lab.portatlas.test", await client.LookupAsync(IPAddress.Parse("198.18.0.2"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Lookup_SilentServer_GivesUpAfterItsTries_AndTriesTheNextServer()
    {
        using var silent = new FakeDnsServer(new() { [LabPtr] = "never.portatlas.test" }) { Silent = true };
        using var failing = new FakeDnsServer(new() { [LabPtr] = "never.portatlas.test" }) { Fail = true };
        var client = new DnsPtrClient([silent.Endpoint, failing.Endpoint]) { Timeout = TimeSpan.FromMilliseconds(100), Tries = 2 };

        Assert.Null(await client.LookupAsync(IPAddress.Parse("198.18.0.2"), TestContext.Current.CancellationToken));
        Assert.Equal(2, silent.Queries);
        Assert.Equal(2, failing.Queries);
        Assert.Equal(4, client.QueriesSent);
    }

    [Fact]
    public async Task Lookup_AfterAFailingServer_TakesTheNextOnesAnswer()
    {
        using var failing = new FakeDnsServer([]) { Fail = true };
        using var good = new FakeDnsServer(new() { [LabPtr] = "lab.portatlas.test" });
        var client = new DnsPtrClient([failing.Endpoint, good.Endpoint]);

        Assert.Equal("lab.portatlas.test", await client.LookupAsync(IPAddress.Parse("198.18.0.2"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Lookup_NoServerListening_EndsQuickly()
    {
        // A port bound by nobody: the connected socket learns it from the ICMP port unreachable.
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        var client = new DnsPtrClient([new IPEndPoint(IPAddress.Loopback, port)]) { Timeout = TimeSpan.FromSeconds(5) };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        Assert.Null(await client.LookupAsync(IPAddress.Parse("198.18.0.2"), TestContext.Current.CancellationToken));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("lab.portatlas.test.", "lab.portatlas.test")]
    [InlineData("a-b_c.example", "a-b_c.example")]
    [InlineData("bad name.example", null)]
    [InlineData("esc\u001b[31m.example", null)]
    [InlineData("dot..example", null)]
    [InlineData("", null)]
    [InlineData("\u202eevil.example", null)]
    public void Clean_AcceptsHostNamesOnly(string name, string? expected) => Assert.Equal(expected, DnsPtrClient.Clean(name));

    [Fact]
    public void Check_AnswerForAnotherQuestion_IsNotOurs()
    {
        var buffer = new byte[128];
        var length = DnsPtrClient.WriteQuery(buffer, 7, "9.9.18.198.in-addr.arpa");
        var reply = buffer.AsSpan(0, length).ToArray();
        reply[2] = 0x81;
        reply[3] = 0x83;

        Assert.Null(DnsPtrClient.Check(reply, 7, LabPtr));
        Assert.Equal((true, (string?)null), DnsPtrClient.Check(reply, 7, "9.9.18.198.in-addr.arpa"));
        Assert.Null(DnsPtrClient.Check(reply, 8, "9.9.18.198.in-addr.arpa"));
    }

    [Fact]
    public void Check_RandomBytes_NeverThrows() =>
        Prop.ForAll<byte[]>(bytes =>
        {
            DnsPtrClient.Check(bytes, bytes.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : (ushort)0, LabPtr);
            return true;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Check_ARealAnswerWithOneByteChanged_NeverThrows_AndNeverYieldsABadName()
    {
        var buffer = new byte[64];
        var length = DnsPtrClient.WriteQuery(buffer, 0x1234, LabPtr);
        var rdata = FakeDnsServer.EncodeName("lab.portatlas.test");
        var answer = buffer.AsSpan(0, length).ToArray().Concat(new byte[] { 0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 60, 0, (byte)rdata.Length }).Concat(rdata).ToArray();
        answer[2] = 0x81;
        answer[3] = 0x80;
        answer[7] = 1;
        Assert.Equal((true, "lab.portatlas.test"), DnsPtrClient.Check(answer, 0x1234, LabPtr));
        Prop.ForAll(Gen.Choose(0, answer.Length - 1).ToArbitrary(), Gen.Choose(0, 255).ToArbitrary(), (at, value) =>
        {
            var changed = (byte[])answer.Clone();
            changed[at] = (byte)value;
            var outcome = DnsPtrClient.Check(changed, 0x1234, LabPtr);
            return outcome?.Name is null || DnsPtrClient.Clean(outcome.Value.Name) == outcome.Value.Name;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public async Task Lookup_HostileName_IsDropped()
    {
        using var server = new FakeDnsServer(new() { [LabPtr] = "evil\u001b]0;owned\u0007.example" });
        var client = new DnsPtrClient([server.Endpoint]);

        Assert.Null(await client.LookupAsync(IPAddress.Parse("198.18.0.2"), TestContext.Current.CancellationToken));
    }
}
