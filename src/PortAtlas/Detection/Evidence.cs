using System.Text;

namespace PortAtlas.Detection;

/// <summary>Escapes answer bytes for display: printable ASCII as is, \r \n \t \\ escaped, every other byte as \xNN.</summary>
public static class Evidence
{
    /// <summary>
    /// The escaped form of <paramref name="bytes"/>, at most <paramref name="maxLength"/> characters (at least 4);
    /// when cut, it ends with "..." within the limit, and an escape is never split.
    /// </summary>
    public static string Escape(ReadOnlySpan<byte> bytes, int maxLength = 160)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 4);
        var sb = new StringBuilder(Math.Min(maxLength + 4, (bytes.Length * 4) + 1));
        var lastFit = 0;
        foreach (var b in bytes)
        {
            switch (b)
            {
                case (byte)'\r': sb.Append("\\r"); break;
                case (byte)'\n': sb.Append("\\n"); break;
                case (byte)'\t': sb.Append("\\t"); break;
                case (byte)'\\': sb.Append("\\\\"); break;
                case >= 0x20 and < 0x7f: sb.Append((char)b); break;
                default: sb.Append("\\x").Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xf)); break;
            }
            if (sb.Length > maxLength)
            {
                sb.Length = lastFit;
                return sb.Append("...").ToString();
            }
            if (sb.Length <= maxLength - 3)
            {
                lastFit = sb.Length;
            }
        }
        return sb.ToString();
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);
}
