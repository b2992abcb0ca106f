using System.Text;
using System.Text.RegularExpressions;

namespace PortAtlas.Detection;

/// <summary>What a generic recogniser read from an answer: the service when the shape proves it, product, version.</summary>
internal readonly record struct Recognised(string? Service, string? Product, string? Version);

/// <summary>
/// Reads product and version from the common shapes answers take when no signature knows the product:
/// a greeting line ("220 host ESMTP Foo 1.2 ready", "+OK Bar/3.4", "OK MPD 0.23.5"), a JSON greeting or body
/// with "version" and "name"-like members, and an HTTP page's "powered by X 1.2". Patterns run with a timeout
/// on at most the first 4 KiB; a timeout is no reading.
/// </summary>
internal static partial class GreetingRecogniser
{
    private const int MaxChars = 4096;

    /// <summary>Words that sit before a version number without being a product's name.</summary>
    private static readonly HashSet<string> s_notProducts = new(StringComparer.OrdinalIgnoreCase)
    {
        "ESMTP", "SMTP", "LMTP", "FTP", "FTPD", "Server", "Service", "Daemon", "Version", "ver", "ready", "protocol", "proto", "HTTP",
        "RFB", "SSH", "IMAP4rev1", "IMAP4", "POP3", "AMQP", "TLS", "SSL", "TLSv1", "v", "on", "at", "from", "host", "Welcome", "OK",
        "to", "by", "is", "for", "the", "release", "build", "running", "rev", "revision", "node", "API", "NNTP", "IRC", "mail",
        "localhost", "Linux", "Debian", "Ubuntu", "Python", "Go", "go", "OpenSSL", "Date", "GMT", "UTC", "port", "pid",
    };

    /// <summary>Second words that belong to the product before them ("FileZilla Server 0.9").</summary>
    private static readonly HashSet<string> s_productSuffixes = new(StringComparer.OrdinalIgnoreCase) { "Server", "Daemon", "Proxy", "Service", "Gateway" };

    [GeneratedRegex(@"(?<![\w.@/-])([A-Za-z][A-Za-z0-9+_.-]{0,30}?)(?: (Server|Daemon|Proxy|Service|Gateway))?(?:/| v| version | |_|-|/v)[vV]?(\d+\.\d+(?:\.\d+){0,3}(?:[a-z]\d*)?(?:[-+~][A-Za-z0-9.]+)?)(?![\w.]*@)", RegexOptions.CultureInvariant, 100)]
    private static partial Regex ProductVersion();

    [GeneratedRegex(@"""(?:version|Version|server_version|serverVersion|VERSION)""\s*:\s*(?:""([^""\\]{1,40})""|\{[^{}]{0,200}?""number""\s*:\s*""([^""\\]{1,40})"")", RegexOptions.CultureInvariant, 100)]
    private static partial Regex JsonVersion();

    [GeneratedRegex(@"""(?:product|server_name|serverName|server|application|app|name|tagline)""\s*:\s*""([^""\\]{1,60})""", RegexOptions.CultureInvariant, 100)]
    private static partial Regex JsonName();

    [GeneratedRegex(@"(?i)powered by\s*(?:<a[^>]*>\s*)?([A-Za-z][\w .-]{1,30}?)\s*(?:</a>)?\s+v?(\d+\.\d+[\w.-]*)", RegexOptions.CultureInvariant, 100)]
    private static partial Regex PoweredBy();

    /// <summary>The reading of <paramref name="answer"/>, or null when no shape fits.</summary>
    public static Recognised? Recognise(ReadOnlySpan<byte> answer)
    {
        if (answer.IsEmpty)
        {
            return null;
        }
        var text = Encoding.Latin1.GetString(answer[..Math.Min(answer.Length, MaxChars)]);
        try
        {
            if (text.StartsWith("HTTP/", StringComparison.Ordinal))
            {
                return FromHttp(text);
            }
            var json = text.IndexOf('{', StringComparison.Ordinal);
            if (json is >= 0 and < 16 && FromJson(text[json..]) is { } fromJson)
            {
                return fromJson;
            }
            return FromLine(FirstLines(text));
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    private static Recognised? FromHttp(string text)
    {
        var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (bodyStart < 0)
        {
            return null;
        }
        var body = text[(bodyStart + 4)..].TrimStart();
        if (body.StartsWith('{') && FromJson(body) is { } json)
        {
            return json with { Service = "http" };
        }
        var powered = PoweredBy().Match(body);
        if (powered.Success && !s_notProducts.Contains(powered.Groups[1].Value.Trim()))
        {
            return new Recognised("http", powered.Groups[1].Value.Trim(), powered.Groups[2].Value);
        }
        return null;
    }

    private static Recognised? FromJson(string text)
    {
        var version = JsonVersion().Match(text);
        if (!version.Success)
        {
            return null;
        }
        var value = version.Groups[1].Success ? version.Groups[1].Value : version.Groups[2].Value;
        var name = JsonName().Match(text);
        var product = name.Success ? name.Groups[1].Value : null;
        return IsVersion(value) ? new Recognised(null, Clean(product), value) : null;
    }

    private static Recognised? FromLine(string line)
    {
        foreach (Match m in ProductVersion().Matches(line))
        {
            var word = m.Groups[1].Value.TrimEnd('.', '-', '_');
            var version = m.Groups[3].Value;
            if (word.Length < 2 || s_notProducts.Contains(word) || word.Contains('.', StringComparison.Ordinal) || LooksLikeAddress(version))
            {
                continue;
            }
            var product = m.Groups[2].Success && s_productSuffixes.Contains(m.Groups[2].Value) ? $"{word} {m.Groups[2].Value}" : word;
            return new Recognised(null, product, version);
        }
        return null;
    }

    /// <summary>The first two lines (a greeting may put the product on the second), printable only.</summary>
    private static string FirstLines(string text)
    {
        var sb = new StringBuilder(Math.Min(text.Length, 400));
        var lines = 0;
        foreach (var c in text)
        {
            if (c == '\n' && ++lines == 2)
            {
                break;
            }
            sb.Append(c is >= ' ' and < '\x7f' ? c : ' ');
            if (sb.Length >= 400)
            {
                break;
            }
        }
        return sb.ToString();
    }

    private static bool IsVersion(string value) => value.Length > 0 && char.IsAsciiDigit(value.TrimStart('v', 'V').FirstOrDefault());

    /// <summary>A dotted quad of small numbers is an address, not a version.</summary>
    private static bool LooksLikeAddress(string version)
    {
        var parts = version.Split('.');
        return parts.Length == 4 && parts.All(p => int.TryParse(p, out var n) && n <= 255) && int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) >= 10;
    }

    private static string? Clean(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is >= ' ' and < '\x7f')
            {
                sb.Append(c);
            }
        }
        return sb.Length == 0 ? null : sb.ToString().Trim();
    }
}
