using PortAtlas.Detection;

namespace PortAtlas.Tests.Detection;

public class FramingsTests
{
    [Theory]
    [InlineData("SSH-2.0-OpenSSH_9.2p1\r\n", true)]
    [InlineData("220-first line\r\n", false)]
    [InlineData("220-first line\r\n220 last\r\n", true)]
    [InlineData("no line end", false)]
    // vsftpd's FEAT: the middle lines start with a space; read up to one of them, the reply is not done (a read that
    // stopped there left " UTF8\r\n211 End" to be taken as the answer to the next command, USER anonymous).
    [InlineData("211-Features:\r\n EPRT\r\n EPSV\r\n", false)]
    [InlineData("211-Features:\r\n EPRT\r\n EPSV\r\n211 End\r\n", true)]
    [InlineData("230-Welcome\r\nplain text line\r\n230 Login successful.\r\n", true)]
    [InlineData("230-Welcome\r\n231 not the same code\r\n", false)]
    public void Banner_CompleteAtLineEndUnlessContinued(string text, bool complete) =>
        Assert.Equal(complete, Framings.Banner(Wire.Latin1(text)));

    [Fact]
    public void Banner_MySqlHandshake_IsCompleteByItsLength()
    {
        var packet = Wire.MySqlHandshake("8.0.36");

        Assert.True(Framings.Banner(packet));
        Assert.False(Framings.Banner(packet[..^1]));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok", false)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", true)]
    [InlineData("HTTP/1.1 200 OK\r\nServer: x\r\n", false)]
    [InlineData("HTTP/1.1 200 OK\r\n\r\nbody until close", false)]
    [InlineData("-ERR unknown command\r\n", true)]
    public void Http_CompleteByContentLengthOrLastChunk(string text, bool complete) =>
        Assert.Equal(complete, Framings.Http(Wire.Latin1(text)));

    [Fact]
    public void Redis_PongThenBulkInfo_IsCompleteWhenTheBulkIs()
    {
        Assert.True(Framings.Redis(Wire.Fixture("6379-ping.bin").Concat(Wire.Fixture("6379-info.bin")).ToArray()));
        Assert.False(Framings.Redis(Wire.Latin1("+PONG\r\n$627\r\n# Server\r\n")));
    }

    [Fact]
    public void OwnProbes_AreWellFramedByTheirProtocols()
    {
        Assert.True(Framings.DnsTcp(ServiceProbes.DnsVersionBind()));
        Assert.True(Framings.MongoDb(ServiceProbes.MongoBuildInfo()));
        Assert.True(Framings.Ber(ServiceProbes.LdapRootDse()));
        Assert.True(Framings.NetBios(ServiceProbes.SmbNegotiate()));
        Assert.True(Framings.Tpkt(ServiceProbes.RdpConnectionRequest()));
        Assert.True(Framings.Mqtt(ServiceProbes.MqttConnect()));
        Assert.Equal(ServiceProbes.DnsVersionBind().Length - 2, (ServiceProbes.DnsVersionBind()[0] << 8) | ServiceProbes.DnsVersionBind()[1]);
        Assert.Equal(ServiceProbes.MongoBuildInfo().Length, BitConverter.ToInt32(ServiceProbes.MongoBuildInfo()));
        Assert.Equal(ServiceProbes.LdapRootDse().Length - 2, ServiceProbes.LdapRootDse()[1]);
    }

    [Fact]
    public void LabAnswers_AreCompleteByTheirFraming()
    {
        Assert.True(Framings.DnsTcp(Wire.Fixture("53-version-bind.bin")));
        Assert.True(Framings.Postgres(Wire.Fixture("5432-startup-v4.bin")));
        Assert.True(Framings.Postgres(Wire.Fixture("5432-badversion.bin")));
        Assert.True(Framings.Http(Wire.Fixture("80-http-get.bin")));
        Assert.True(Framings.Line(Wire.Fixture("11211-version.bin")));
    }

    [Fact]
    public void Framings_OnTruncatedOrEmptyInput_NeverThrow()
    {
        Framing[] all = [Framings.Banner, Framings.Http, Framings.Redis, Framings.Line, Framings.DnsTcp, Framings.MySql, Framings.Postgres,
            Framings.MongoDb, Framings.Ber, Framings.NetBios, Framings.Tpkt, Framings.Mqtt, Framings.Amqp, Framings.OneByte];
        var random = new Random(3);
        foreach (var framing in all)
        {
            for (var length = 0; length < 40; length++)
            {
                var bytes = new byte[length];
                random.NextBytes(bytes);
                _ = framing(bytes);
            }
            _ = framing([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]);
        }
    }
}
