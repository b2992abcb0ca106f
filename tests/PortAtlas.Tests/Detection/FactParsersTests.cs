using FsCheck;
using FsCheck.Fluent;
using PortAtlas.Detection;

namespace PortAtlas.Tests.Detection;

public class FactParsersTests
{
    [Fact]
    public void RedisAuth_LabInfoAnswer_IsNone() =>
        Assert.Equal("none", FactParsers.RedisAuth([.. Wire.Fixture("6379-ping.bin"), .. Wire.Fixture("6379-info.bin")]));

    [Theory]
    [InlineData("-NOAUTH Authentication required.\r\n-NOAUTH Authentication required.\r\n", "required")]
    [InlineData("-ERR operation not permitted, auth first\r\n", "required")]
    [InlineData("-DENIED Redis is running in protected mode\r\n", null)]
    [InlineData("+PONG\r\n", null)]
    [InlineData("+PONG\r\n$5\r\nhello\r\n", null)]
    public void RedisAuth_RefusalsAndAnswersWithoutInfo(string answer, string? expected) =>
        Assert.Equal(expected, FactParsers.RedisAuth(Wire.Latin1(answer)));

    [Theory]
    [InlineData("STAT pid 1\r\nSTAT uptime 5\r\nEND\r\n", "none")]
    [InlineData("CLIENT_ERROR unauthenticated\r\n", "required")]
    [InlineData("ERROR\r\n", null)]
    [InlineData("", null)]
    public void MemcachedStatsAuth_ReadsTheFirstLine(string answer, string? expected) =>
        Assert.Equal(expected, FactParsers.MemcachedStatsAuth(Wire.Latin1(answer)));

    [Theory]
    [InlineData("230 Login successful.\r\n", 230)]
    [InlineData("530-Not here\r\n530 Login incorrect.\r\n", 530)]
    [InlineData("331 Please specify the password.\r\n", 331)]
    [InlineData("23", -1)]
    [InlineData("2300 no\r\n", -1)]
    [InlineData("", -1)]
    public void FtpReplyCode_IsTheLastLinesCode(string reply, int code) =>
        Assert.Equal(code, FactParsers.FtpReplyCode(Wire.Latin1(reply)));

    [Theory]
    [InlineData("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"Router admin\"\r\n\r\n", "basic", "Router admin")]
    [InlineData("HTTP/1.0 401 Unauthorized\r\nwww-authenticate: Digest realm=lab, qop=\"auth\"\r\n\r\n", "digest", "lab")]
    [InlineData("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM\r\n\r\n", "ntlm", null)]
    [InlineData("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"no close quote\r\n\r\n", "basic", "no close quote")]
    public void TryParseHttpChallenge_SchemeLowercaseAndRealm(string response, string scheme, string? realm)
    {
        Assert.True(FactParsers.TryParseHttpChallenge(Wire.Latin1(response), out var gotScheme, out var gotRealm));
        Assert.Equal(scheme, gotScheme);
        Assert.Equal(realm, gotRealm);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nWWW-Authenticate: Basic realm=\"x\"\r\n\r\n")]
    [InlineData("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("SSH-2.0-OpenSSH_9.2p1\r\n")]
    public void TryParseHttpChallenge_NoChallengeOrNot401_IsFalse(string response) =>
        Assert.False(FactParsers.TryParseHttpChallenge(Wire.Latin1(response), out _, out _));

    [Fact]
    public void TryParseHttpChallenge_LongRealm_IsCut()
    {
        var response = Wire.Latin1("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"" + new string('r', 5000) + "\"\r\n\r\n");

        Assert.True(FactParsers.TryParseHttpChallenge(response, out _, out var realm));
        Assert.Equal(200, realm?.Length);
    }

    [Theory]
    [InlineData("RFB 003.008\n", "RFB 003.008\n", true)]
    [InlineData("RFB 003.889\n", "RFB 003.008\n", true)]
    [InlineData("RFB 003.007\n", "RFB 003.007\n", true)]
    [InlineData("RFB 003.003\n", "RFB 003.003\n", false)]
    public void RfbClientVersion_AnswersTheHighestWeSpeak(string server, string client, bool list)
    {
        Assert.Equal(Wire.Latin1(client), FactParsers.RfbClientVersion(Wire.Latin1(server), out var listOfTypes));
        Assert.Equal(list, listOfTypes);
    }

    [Fact]
    public void TryParseRfbSecurity_ListWithNone_NamesEveryType()
    {
        Assert.True(FactParsers.TryParseRfbSecurity([3, 1, 2, 19], listOfTypes: true, out var types));
        Assert.Equal(["none", "vnc", "vencrypt"], types);
    }

    [Fact]
    public void TryParseRfbSecurity_Version33DecidedType_IsOneName()
    {
        Assert.True(FactParsers.TryParseRfbSecurity([0, 0, 0, 2], listOfTypes: false, out var types));
        Assert.Equal(["vnc"], types);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 5 })]
    [InlineData(new byte[] { 4, 1, 2 })]
    [InlineData(new byte[0])]
    public void TryParseRfbSecurity_RefusedOrShort_IsFalse(byte[] answer) =>
        Assert.False(FactParsers.TryParseRfbSecurity(answer, listOfTypes: true, out _));

    [Fact]
    public void MongoListDatabasesAuth_OkOne_IsNone() =>
        Assert.Equal("none", FactParsers.MongoListDatabasesAuth(Wire.MongoReply(Wire.Bson(("totalSize", 0.0), ("ok", 1.0)))));

    [Fact]
    public void MongoListDatabasesAuth_Unauthorized_IsRequired() =>
        Assert.Equal("required", FactParsers.MongoListDatabasesAuth(Wire.MongoReply(Wire.Bson(
            ("ok", 0.0), ("errmsg", "command listDatabases requires authentication"), ("codeName", "Unauthorized")))));

    [Fact]
    public void MongoListDatabasesAuth_OtherError_IsUnknown() =>
        Assert.Null(FactParsers.MongoListDatabasesAuth(Wire.MongoReply(Wire.Bson(("ok", 0.0), ("codeName", "CommandNotFound")))));

    [Fact]
    public void MongoListDatabases_IsAnOpMsgWithOneBodyDocument()
    {
        var message = FactParsers.MongoListDatabases();

        Assert.Equal(message.Length, BitConverter.ToInt32(message, 0));
        Assert.Equal(2013, BitConverter.ToInt32(message, 12));
        Assert.Equal(0, message[20]);
        Assert.Equal(message.Length - 21, BitConverter.ToInt32(message, 21));
        Assert.Equal(0, message[^1]);
    }

    [Fact]
    public void Parsers_RandomBytes_NeverThrow() =>
        Prop.ForAll<byte[]>(bytes =>
        {
            FactParsers.RedisAuth(bytes);
            FactParsers.MemcachedStatsAuth(bytes);
            FactParsers.FtpReplyCode(bytes);
            FactParsers.TryParseHttpChallenge(bytes, out _, out _);
            FactParsers.RfbClientVersion(bytes, out _);
            FactParsers.TryParseRfbSecurity(bytes, true, out _);
            FactParsers.TryParseRfbSecurity(bytes, false, out _);
            FactParsers.MongoListDatabasesAuth(bytes);
            return true;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void MongoListDatabasesAuth_ReplyWithOneByteChanged_NeverThrows()
    {
        var original = Wire.MongoReply(Wire.Bson(("ok", 0.0), ("errmsg", "no"), ("codeName", "Unauthorized")));
        Prop.ForAll(Gen.Choose(0, original.Length - 1).ToArbitrary(), Gen.Choose(0, 255).ToArbitrary(), (at, value) =>
        {
            var reply = (byte[])original.Clone();
            reply[at] = (byte)value;
            FactParsers.MongoListDatabasesAuth(reply);
            return true;
        }).QuickCheckThrowOnFailure();
    }
}
