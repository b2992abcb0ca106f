using PortAtlas.Detection;

namespace PortAtlas.Tests.Detection;

public class EvidenceTests
{
    [Fact]
    public void Escape_ControlAndHighBytes_AreEscapedPrintableKept() =>
        Assert.Equal("220 ok\\r\\n\\x00\\xff\\t\\\\", Evidence.Escape([.. "220 ok\r\n"u8, 0x00, 0xFF, (byte)'\t', (byte)'\\']));

    [Fact]
    public void Escape_LongInput_IsCutWithEllipsisWithinTheLimit()
    {
        var text = Evidence.Escape(new byte[1000], 50);

        Assert.Equal(50 - 3 - (47 % 4) + 3, text.Length);
        Assert.EndsWith("...", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\\x0...", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Escape_InputThatFitsExactly_IsNotCut() =>
        Assert.Equal("abcd", Evidence.Escape("abcd"u8, 4));
}
