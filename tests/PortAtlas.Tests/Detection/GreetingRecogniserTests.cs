using System.Text;
using FsCheck;
using FsCheck.Fluent;
using PortAtlas.Detection;

namespace PortAtlas.Tests.Detection;

/// <summary>The generic reading of product and version from greeting shapes no signature knows.</summary>
public class GreetingRecogniserTests
{
    [Theory]
    [InlineData("220 files.example.test FTP server (MyFtpd 4.2.1) ready.\r\n", "MyFtpd", "4.2.1")]
    [InlineData("220 mx.example.test ESMTP Frobmail 3.1 ready\r\n", "Frobmail", "3.1")]
    [InlineData("+OK Widget-POP/2.0.7 at pop.example.test\r\n", "Widget-POP", "2.0.7")]
    [InlineData("OK Foobar-Daemon 2.0 ready\r\n", "Foobar-Daemon", "2.0")]
    [InlineData("* OK Quux-IMAPd v5.3.2 ready\r\n", "Quux-IMAPd", "5.3.2")]
    [InlineData("200 news.example.test Newsly Server version 1.9.4 ready\r\n", "Newsly Server", "1.9.4")]
    [InlineData("{\"server\":\"acmekv\",\"version\":\"1.4.2\",\"proto\":3}\n", "acmekv", "1.4.2")]
    [InlineData("INFO {\"server_id\":\"X\",\"server_name\":\"hub-1\",\"version\":\"2.10.7\"}\r\n", "hub-1", "2.10.7")]
    public void Recognise_CommonGreetingShapes_ReadsProductAndVersion(string greeting, string product, string version)
    {
        var found = GreetingRecogniser.Recognise(Encoding.ASCII.GetBytes(greeting));

        Assert.NotNull(found);
        Assert.Equal(product, found.Value.Product);
        Assert.Equal(version, found.Value.Version);
    }

    [Theory]
    [InlineData("220 mail.example.test ESMTP ready\r\n")]
    [InlineData("220 host 10.1.2.3 FTP ready\r\n")]
    [InlineData("* OK [CAPABILITY IMAP4rev1] ready.\r\n")]
    [InlineData("")]
    public void Recognise_NoProductInTheGreeting_IsNull(string greeting) =>
        Assert.Null(GreetingRecogniser.Recognise(Encoding.ASCII.GetBytes(greeting)));

    [Fact]
    public void Recognise_HttpJsonBody_IsHttpWithNameAndVersion()
    {
        var answer = Wire.Latin1("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"name\":\"Acme Registry\",\"version\":\"7.3.0\"}");

        var found = GreetingRecogniser.Recognise(answer);

        Assert.Equal(new Recognised("http", "Acme Registry", "7.3.0"), found);
    }

    [Fact]
    public void Recognise_HttpPoweredBy_IsHttpWithProduct()
    {
        var answer = Wire.Latin1("HTTP/1.1 200 OK\r\n\r\n<html><body><p>Powered by <a href=\"https://x.test\">Frobnicator</a> 2.4.1</p></body></html>");

        Assert.Equal(new Recognised("http", "Frobnicator", "2.4.1"), GreetingRecogniser.Recognise(answer));
    }

    [Fact]
    public void Recognise_RandomBytes_NeverThrows() =>
        Prop.ForAll<byte[]>(bytes =>
        {
            GreetingRecogniser.Recognise(bytes);
            return true;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Recognise_HugeHostileLine_FinishesQuickly()
    {
        var answer = Wire.Latin1(string.Concat(Enumerable.Repeat("a-a-a-a-a-a-a-a ", 20000)));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        GreetingRecogniser.Recognise(answer);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }
}
