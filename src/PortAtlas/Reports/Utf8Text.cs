using System.Buffers;
using System.Globalization;
using System.Text;

namespace PortAtlas.Reports;

/// <summary>Appends text and numbers to a UTF-8 buffer, for the formats written without a serializer.</summary>
internal static class Utf8Text
{
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> utf8) => output.Write(utf8);

    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        if (!text.IsEmpty)
        {
            // A lone surrogate becomes U+FFFD: output stays valid UTF-8 whatever a banner held.
            Encoding.UTF8.GetBytes(text, output);
        }
    }

    public static void Write(IBufferWriter<byte> output, char c) => Write(output, new ReadOnlySpan<char>(in c));

    public static void Write(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    public static void Write(IBufferWriter<byte> output, double value, string format)
    {
        var span = output.GetSpan(32);
        if (!value.TryFormat(span, out var written, format, CultureInfo.InvariantCulture))
        {
            Write(output, value.ToString(format, CultureInfo.InvariantCulture).AsSpan());
            return;
        }
        output.Advance(written);
    }
}
