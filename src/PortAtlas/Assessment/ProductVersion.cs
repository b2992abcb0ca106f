namespace PortAtlas.Assessment;

/// <summary>
/// Compares product versions as services announce them and as NVD writes them: dotted numbers with letters
/// (<c>9.2p1</c>, <c>1.0.2k</c>), pre-releases (<c>2.0rc1</c>, <c>1.5.0-beta2</c>) and a distribution tail
/// (<c>9.2p1 Debian 2+deb12u3</c>, <c>10.11.19-MariaDB</c>), which is ignored.
/// </summary>
/// <remarks>
/// A version splits into runs of ASCII digits and runs of ASCII letters; anything else separates. Runs compare
/// in order, and a shorter version is padded with an "end" mark. Runs of different kinds order as:
/// pre-release words (<c>dev</c>, <c>alpha</c>, <c>a</c>, <c>beta</c>, <c>b</c>, <c>pre</c>, <c>preview</c>,
/// <c>rc</c>, <c>snapshot</c>; a lone <c>a</c> or <c>b</c> only before a digit) &lt; end &lt; other letters (<c>p1</c>, OpenSSL's <c>k</c>) &lt; numbers. So
/// <c>2.0rc1 &lt; 2.0 &lt; 2.0p1 &lt; 2.0.1</c> and <c>1.0.2 &lt; 1.0.2k</c>. Numbers of any length compare by
/// value, letters without regard to case. The order is total and never throws, whatever the text.
/// </remarks>
public static class ProductVersion
{
    /// <summary>A comparer over version strings with this order; null and empty sort first.</summary>
    public static IComparer<string?> Comparer { get; } = new VersionComparer();

    /// <summary>
    /// The upstream part of a version: the text before the first white space, and before the first '-', '+' or
    /// '~' that does not start a pre-release word. <c>9.2p1 Debian 2+deb12u3</c> gives <c>9.2p1</c>,
    /// <c>10.11.19-MariaDB-0+deb12u1</c> gives <c>10.11.19</c>, <c>2.0-rc1</c> stays.
    /// </summary>
    public static string Upstream(string? version)
    {
        if (string.IsNullOrWhiteSpace(version))
        {
            return "";
        }
        var text = version.AsSpan().Trim();
        var end = text.Length;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                end = i;
                break;
            }
            if (c is '-' or '+' or '~' && i > 0 && !StartsPreRelease(text[(i + 1)..]))
            {
                end = i;
                break;
            }
        }
        return text[..end].ToString();
    }

    /// <summary>True when <paramref name="version"/> holds at least one digit: something to compare.</summary>
    public static bool IsComparable(string? version) =>
        !string.IsNullOrEmpty(version) && version.AsSpan().IndexOfAnyInRange('0', '9') >= 0;

    /// <summary>Compares the upstream parts of two versions: negative when <paramref name="x"/> is older, 0 when equal, positive when newer.</summary>
    public static int Compare(string? x, string? y)
    {
        var a = Upstream(x).AsSpan();
        var b = Upstream(y).AsSpan();
        int ia = 0, ib = 0;
        while (true)
        {
            var ta = NextToken(a, ref ia);
            var tb = NextToken(b, ref ib);
            if (ta.Kind == TokenKind.End && tb.Kind == TokenKind.End)
            {
                return 0;
            }
            var order = CompareTokens(ta, tb, a, b);
            if (order != 0)
            {
                return order;
            }
        }
    }

    private enum TokenKind : byte
    {
        PreRelease = 0,
        End = 1,
        Letters = 2,
        Number = 3,
    }

    private readonly record struct Token(TokenKind Kind, int Start, int Length);

    private static Token NextToken(ReadOnlySpan<char> text, ref int index)
    {
        while (index < text.Length && !char.IsAsciiDigit(text[index]) && !char.IsAsciiLetter(text[index]))
        {
            index++;
        }
        if (index >= text.Length)
        {
            return new Token(TokenKind.End, index, 0);
        }
        var start = index;
        var digits = char.IsAsciiDigit(text[index]);
        while (index < text.Length && (digits ? char.IsAsciiDigit(text[index]) : char.IsAsciiLetter(text[index])))
        {
            index++;
        }
        if (digits)
        {
            return new Token(TokenKind.Number, start, index - start);
        }
        var word = text.Slice(start, index - start);
        // A lone "a" or "b" is a pre-release only before a number (1.0a1); OpenSSL's 1.0.1a is a later release.
        var preRelease = PreReleaseRank(word) >= 0
            && (word.Length > 1 || (index < text.Length && char.IsAsciiDigit(text[index])));
        var kind = preRelease ? TokenKind.PreRelease : TokenKind.Letters;
        return new Token(kind, start, index - start);
    }

    private static int CompareTokens(Token ta, Token tb, ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (ta.Kind != tb.Kind)
        {
            return ((int)ta.Kind).CompareTo((int)tb.Kind);
        }
        var sa = a.Slice(ta.Start, ta.Length);
        var sb = b.Slice(tb.Start, tb.Length);
        switch (ta.Kind)
        {
            case TokenKind.Number:
                // By value without parsing: leading zeros off, then the longer is larger, then digit by digit.
                sa = sa.TrimStart('0');
                sb = sb.TrimStart('0');
                return sa.Length != sb.Length ? sa.Length.CompareTo(sb.Length) : sa.SequenceCompareTo(sb);
            case TokenKind.PreRelease:
                var rank = PreReleaseRank(sa).CompareTo(PreReleaseRank(sb));
                return rank != 0 ? rank : CompareLetters(sa, sb);
            case TokenKind.Letters:
                return CompareLetters(sa, sb);
            default:
                return 0;
        }
    }

    private static int CompareLetters(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            var order = char.ToLowerInvariant(a[i]).CompareTo(char.ToLowerInvariant(b[i]));
            if (order != 0)
            {
                return order;
            }
        }
        return a.Length.CompareTo(b.Length);
    }

    private static int PreReleaseRank(ReadOnlySpan<char> word)
    {
        ReadOnlySpan<string> words = ["dev", "snapshot", "alpha", "a", "beta", "b", "pre", "preview", "rc"];
        for (var i = 0; i < words.Length; i++)
        {
            if (word.Equals(words[i], StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    private static bool StartsPreRelease(ReadOnlySpan<char> text)
    {
        var length = 0;
        while (length < text.Length && char.IsAsciiLetter(text[length]))
        {
            length++;
        }
        return length > 0 && PreReleaseRank(text[..length]) >= 0;
    }

    private sealed class VersionComparer : IComparer<string?>
    {
        public int Compare(string? x, string? y) => ProductVersion.Compare(x, y);
    }
}
