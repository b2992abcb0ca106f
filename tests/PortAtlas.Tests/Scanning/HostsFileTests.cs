using System.Net;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Scanning;

public sealed class HostsFileTests
{
    [Fact]
    public void Parse_FirstLineAndFirstNameWin_CommentsAndJunkAreSkipped()
    {
        var hosts = HostsFile.Parse("# a comment\n127.0.0.1\tlocalhost runsc\n127.0.0.1 vm\n198.18.0.2 lab.portatlas.test lab # the lab\nnot-an-address name\n::1 ip6-localhost\n198.18.0.9 bad\u001bname\n");

        Assert.Equal("localhost", hosts.NameOf(IPAddress.Loopback));
        Assert.Equal("lab.portatlas.test", hosts.NameOf(IPAddress.Parse("198.18.0.2")));
        Assert.Equal("lab.portatlas.test", hosts.NameOf(IPAddress.Parse("::ffff:198.18.0.2")));
        Assert.Equal("ip6-localhost", hosts.NameOf(IPAddress.IPv6Loopback));
        Assert.Null(hosts.NameOf(IPAddress.Parse("198.18.0.9")));
        Assert.Null(hosts.NameOf(IPAddress.Parse("198.18.0.3")));
    }

    [Fact]
    public void Load_MissingFile_NamesNothing() =>
        Assert.Null(HostsFile.Load("/nonexistent/portatlas-hosts").NameOf(IPAddress.Loopback));

    [Fact]
    public async Task ReverseDns_AnswersFromTheHostsFile_WithoutAQuery()
    {
        using var server = new FakeDnsServer(new() { ["2.0.18.198.in-addr.arpa"] = "from-dns.portatlas.test" });
        var dns = new ReverseDns([server.Endpoint], HostsFile.Parse("198.18.0.2 from-hosts.portatlas.test\n"));
        HostResult[] hosts = [new() { Address = IPAddress.Parse("198.18.0.2") }];

        var names = await dns.LookupAsync(hosts, ReverseDnsMode.UpHosts, TestContext.Current.CancellationToken);

        Assert.Equal("from-hosts.portatlas.test", names[IPAddress.Parse("198.18.0.2")]);
        Assert.Equal(0, server.Queries);
        Assert.Equal(0, dns.QueriesSent);
    }
}
