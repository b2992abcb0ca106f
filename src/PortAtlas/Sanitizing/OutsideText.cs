using System.Buffers;
using System.Text;

namespace PortAtlas.Sanitizing;

/// <summary>
/// Text that came from outside (the network, a file, another process) made safe to show: every renderer and report
/// passes such text through here before it reaches a terminal or a spreadsheet. A banner, a certificate subject or a
/// process name can hold escape sequences that rewrite a terminal (OSC title, cursor moves, C1 CSI) or text that a
/// spreadsheet runs as a formula.
/// </summary>
public static class OutsideText
{
    /// <summary>The first characters that make a spreadsheet read a CSV cell as a formula (OWASP's list).</summary>
    private static readonly SearchValues<char> s_formulaStarts = SearchValues.Create("=+-@\t\r\uFF1D\uFF0B\uFF0D\uFF20");

    /// <summary>
    /// Whether <paramref name="c"/> is unsafe to print: C0 controls other than tab and line feed, DEL, the C1 controls
    /// (U+0080 to U+009F; U+009B is CSI on a UTF-8 terminal), the bidirectional overrides and isolates
    /// (U+202A to U+202E, U+2066 to U+2069, which reorder what the reader sees) and lone surrogates.
    /// </summary>
    public static bool IsUnsafe(char c) =>
        (c < ' ' && c is not ('\t' or '\n'))
        || (c >= '\x7f' && c <= '\x9f')
        || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069');

    /// <summary>Whether <paramref name="text"/> holds anything <see cref="IsUnsafe(char)"/> or a lone surrogate.</summary>
    public static bool NeedsEscaping(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (IsUnsafe(c))
            {
                return true;
            }
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// <paramref name="text"/> with every unsafe character written as an escape (<c>\x1b</c>, <c>\u202e</c>) and, when
    /// <paramref name="singleLine"/>, line breaks and tabs too (<c>\n</c>, <c>\t</c>); cut to
    /// <paramref name="maxLength"/> characters with "…" when longer. Null stays null. Printable text, including
    /// non-ASCII letters, is returned unchanged (the same instance when nothing changes).
    /// </summary>
    public static string? Printable(string? text, int maxLength = int.MaxValue, bool singleLine = false)
    {
        if (text is null)
        {
            return null;
        }
        var needs = NeedsEscaping(text) || (singleLine && text.AsSpan().IndexOfAny('\n', '\t') >= 0);
        if (!needs && text.Length <= maxLength)
        {
            return text;
        }
        var sb = new StringBuilder(Math.Min(text.Length, maxLength) + 8);
        var i = 0;
        for (; i < text.Length && sb.Length < maxLength; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[++i]);
            }
            else if (c == '\n' && singleLine)
            {
                sb.Append("\\n");
            }
            else if (c == '\t' && singleLine)
            {
                sb.Append("\\t");
            }
            else if (IsUnsafe(c) || char.IsSurrogate(c))
            {
                sb.Append(c <= '\xff' ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}");
            }
            else
            {
                sb.Append(c);
            }
        }
        if (i < text.Length || sb.Length > maxLength)
        {
            sb.Length = Math.Max(0, maxLength - 1);
            if (sb.Length > 0 && char.IsHighSurrogate(sb[^1]))
            {
                sb.Length--;
            }
            sb.Append('…');
        }
        return sb.ToString();
    }

    /// <summary>A short, printable, single-line excerpt of a bad line for an error message (at most 40 characters).</summary>
    public static string Excerpt(string? text, int maxLength = 40) => Printable(text ?? "", maxLength, singleLine: true)!;

    /// <summary>
    /// A CSV cell's value protected against formula injection: a value starting with = + - @ tab or carriage return
    /// (or their full-width forms) gets a leading apostrophe, so spreadsheets show it as text. Also made printable.
    /// </summary>
    public static string? CsvCell(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }
        var printable = Printable(text)!;
        return s_formulaStarts.Contains(text[0]) ? "'" + printable : printable;
    }

    /// <summary>Whether a CSV cell starting with <paramref name="first"/> needs the formula guard.</summary>
    public static bool StartsFormula(char first) => s_formulaStarts.Contains(first);
}
