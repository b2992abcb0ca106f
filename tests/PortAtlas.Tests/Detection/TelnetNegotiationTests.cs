using PortAtlas.Detection;

namespace PortAtlas.Tests.Detection;

public class TelnetNegotiationTests
{
    [Fact]
    public void WriteRefusals_LabTelnetd_RefusesEveryOption()
    {
        var data = Wire.Fixture("23-banner.bin");
        var reply = new byte[64];

        var written = TelnetNegotiation.WriteRefusals(data, reply);

        // 2 WILL (-> DONT) and 5 DO (-> WONT).
        Assert.Equal(21, written);
        Assert.Equal([0xFF, 0xFE, 0x25, 0xFF, 0xFE, 0x26, 0xFF, 0xFC, 0x18], reply[..9]);
    }

    [Fact]
    public void WriteRefusals_SubnegotiationAndTruncatedCommand_AreSkipped()
    {
        byte[] data = [0xFF, 0xFA, 0x18, 0x01, 0xFF, 0xF0, 0xFF, 0xFD, 0x01, 0xFF, 0xFD];
        var reply = new byte[16];

        Assert.Equal(3, TelnetNegotiation.WriteRefusals(data, reply));
        Assert.Equal([0xFF, 0xFC, 0x01], reply[..3]);
    }

    [Fact]
    public void WriteRefusals_SmallDestination_StopsWithoutOverflow() =>
        Assert.Equal(3, TelnetNegotiation.WriteRefusals(Wire.Fixture("23-banner.bin"), new byte[5]));

    [Theory]
    [InlineData("vm login: ", true)]
    [InlineData("Password: ", true)]
    [InlineData("Router> ", true)]
    [InlineData("Linux 6.1 (host)\r\n", false)]
    public void EndsWithPrompt_RecognisesPrompts(string text, bool prompt) =>
        Assert.Equal(prompt, TelnetNegotiation.EndsWithPrompt(Wire.Latin1(text)));
}
