using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace PortAtlas.Detection;

/// <summary>The page title and redirect target of an HTTP response, for <see cref="ServiceInfo.ExtraInfo"/>.</summary>
internal static partial class HttpFacts
{
    private const int MaxTitle = 80;

    [GeneratedRegex(@"<title[^>]*>([^<]{1,1000})</title", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex Title();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex Spaces();

    /// <summary>
    /// "server: ..." (when <paramref name="product"/> is not the Server header's product: a cache or an
    /// application in front of or on a web server), "redirect: ..." and "title: ..." parts; empty when the answer
    /// is not HTTP or has none.
    /// </summary>
    public static IEnumerable<string> Describe(ReadOnlySpan<byte> answer, string? product = null)
    {
        var parts = new List<string>(3);
        if (!answer.StartsWith("HTTP/"u8) && !answer.StartsWith("RTSP/"u8) && !answer.StartsWith("SIP/"u8))
        {
            return parts;
        }
        var end = answer.IndexOf("\r\n\r\n"u8);
        var headers = end < 0 ? answer : answer[..end];
        if (product is not null && Framings.TryHeaderValue(headers, "server:"u8, out var server) && !server.IsEmpty)
        {
            var value = Clean(Encoding.Latin1.GetString(server[..Math.Min(server.Length, 80)]));
            var token = value.Split('/', ' ', '(')[0];
            if (token.Length > 0 && !product.Contains(token, StringComparison.OrdinalIgnoreCase) && !token.Contains(product.Split(' ')[0], StringComparison.OrdinalIgnoreCase))
            {
                parts.Add("server: " + value);
            }
        }
        if (answer.Length > 12 && answer[9] == (byte)'3' && Framings.TryHeaderValue(headers, "location:"u8, out var location) && !location.IsEmpty)
        {
            parts.Add("redirect: " + Clean(Encoding.Latin1.GetString(location[..Math.Min(location.Length, 200)])));
        }
        if (end >= 0)
        {
            try
            {
                var m = Title().Match(Encoding.Latin1.GetString(answer[(end + 4)..]));
                if (m.Success)
                {
                    var title = Clean(WebUtility.HtmlDecode(Spaces().Replace(m.Groups[1].Value, " ")).Trim());
                    if (title.Length > MaxTitle)
                    {
                        title = string.Concat(title.AsSpan(0, MaxTitle - 3), "...");
                    }
                    if (title.Length > 0)
                    {
                        parts.Add("title: " + title);
                    }
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A hostile page: no title.
            }
        }
        return parts;
    }

    private static string Clean(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            sb.Append(char.IsControl(c) ? ' ' : c);
        }
        return sb.ToString();
    }
}
