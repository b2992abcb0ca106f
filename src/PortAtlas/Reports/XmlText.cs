using System.Buffers;

namespace PortAtlas.Reports;

/// <summary>XML 1.0 escaping for attribute values, text and comments, as Nmap escapes its own output.</summary>
internal static class XmlText
{
    /// <summary>
    /// Writes <paramref name="value"/> escaped for an attribute value in double quotes or for element text:
    /// markup characters as entities, tab, CR and LF as character references (so that attribute normalisation
    /// keeps them), and characters XML 1.0 cannot carry at all (other C0 controls, U+FFFE, U+FFFF) as U+FFFD.
    /// </summary>
    public static void WriteEscaped(IBufferWriter<byte> output, ReadOnlySpan<char> value)
    {
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            ReadOnlySpan<byte> replacement = c switch
            {
                '&' => "&amp;"u8,
                '<' => "&lt;"u8,
                '>' => "&gt;"u8,
                '"' => "&quot;"u8,
                '\'' => "&apos;"u8,
                '\t' => "&#x9;"u8,
                '\n' => "&#xa;"u8,
                '\r' => "&#xd;"u8,
                < ' ' or '\uFFFE' or '\uFFFF' => "\uFFFD"u8,
                _ => default,
            };
            if (replacement.IsEmpty)
            {
                continue;
            }
            Utf8Text.Write(output, value[start..i]);
            Utf8Text.Write(output, replacement);
            start = i + 1;
        }
        Utf8Text.Write(output, value[start..]);
    }

    /// <summary>Writes <c> name="value"</c>, escaped.</summary>
    public static void WriteAttribute(IBufferWriter<byte> output, ReadOnlySpan<byte> name, ReadOnlySpan<char> value)
    {
        Utf8Text.Write(output, " "u8);
        Utf8Text.Write(output, name);
        Utf8Text.Write(output, "=\""u8);
        WriteEscaped(output, value);
        Utf8Text.Write(output, "\""u8);
    }

    /// <summary>Writes <c> name="value"</c> for a number.</summary>
    public static void WriteAttribute(IBufferWriter<byte> output, ReadOnlySpan<byte> name, long value)
    {
        Utf8Text.Write(output, " "u8);
        Utf8Text.Write(output, name);
        Utf8Text.Write(output, "=\""u8);
        Utf8Text.Write(output, value);
        Utf8Text.Write(output, "\""u8);
    }

    /// <summary>Writes the attribute only when <paramref name="value"/> is not null or empty.</summary>
    public static void WriteOptionalAttribute(IBufferWriter<byte> output, ReadOnlySpan<byte> name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            WriteAttribute(output, name, value);
        }
    }

    /// <summary>
    /// Text fit for a comment: XML forbids "--" inside one and a '-' just before its end, and has no escapes there,
    /// so a space splits each such pair; characters XML cannot carry become U+FFFD and line breaks spaces.
    /// </summary>
    public static string ForComment(string text)
    {
        var chars = new List<char>(text.Length + 4);
        foreach (var c in text)
        {
            var safe = c is '\n' or '\r' or '\t' ? ' ' : c < ' ' || c is '\uFFFE' or '\uFFFF' ? '\uFFFD' : c;
            if (safe == '-' && chars.Count > 0 && chars[^1] == '-')
            {
                chars.Add(' ');
            }
            chars.Add(safe);
        }
        if (chars.Count > 0 && chars[^1] == '-')
        {
            chars.Add(' ');
        }
        return new string([.. chars]);
    }
}
