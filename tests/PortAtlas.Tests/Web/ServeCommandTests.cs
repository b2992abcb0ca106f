using System.Net;
using PortAtlas.Cli;
using PortAtlas.Cli.Commands;

namespace PortAtlas.Tests.Web;

public sealed class ServeCommandTests
{
    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1:8080")]
    [InlineData("127.0.0.2", "127.0.0.2:8080")]
    [InlineData("[::1]:9000", "[::1]:9000")]
    [InlineData("0.0.0.0:0", "0.0.0.0:0")]
    public void TryParseListen_ReadsAddressAndPort(string text, string expected)
    {
        Assert.True(ServeCommand.TryParseListen(text, out var endPoint));
        Assert.Equal(expected, endPoint.ToString());
    }

    [Theory]
    [InlineData("localhost:80")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("127.0.0.1:80:80")]
    [InlineData("")]
    public void TryParseListen_RefusesWhatIsNotAnEndPoint(string text) => Assert.False(ServeCommand.TryParseListen(text, out _));

    [Fact]
    public async Task Serve_WithABadListen_ExitsTwoNamingIt()
    {
        var error = new StringWriter();
        var code = await CliApp.RunAsync(["serve", "--listen", "nowhere:80"], CliContext.ForWriters(new StringWriter(), error), TestContext.Current.CancellationToken);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("'nowhere:80'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithAShortTokenFile_ExitsTwo()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "short\n", TestContext.Current.CancellationToken);
            var error = new StringWriter();
            var code = await CliApp.RunAsync(["serve", "--token-file", file, "--listen", "127.0.0.2:0"], CliContext.ForWriters(new StringWriter(), error), TestContext.Current.CancellationToken);
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Contains("--token-file", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void NonLoopbackAddresses_NeedAToken()
    {
        Assert.False(new PortAtlas.Web.ServeOptions { Listen = new IPEndPoint(IPAddress.Loopback, 1) }.TokenRequired);
        Assert.False(new PortAtlas.Web.ServeOptions { Listen = new IPEndPoint(IPAddress.IPv6Loopback, 1) }.TokenRequired);
        Assert.True(new PortAtlas.Web.ServeOptions { Listen = new IPEndPoint(IPAddress.Parse("127.0.0.2"), 1) }.TokenRequired);
        Assert.True(new PortAtlas.Web.ServeOptions { Listen = new IPEndPoint(IPAddress.Any, 1) }.TokenRequired);
    }
}
