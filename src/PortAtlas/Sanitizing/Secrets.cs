using System.Text.RegularExpressions;

namespace PortAtlas.Sanitizing;

/// <summary>
/// Masks credentials in text that is echoed or saved: the password of a <c>postgres://user:password@host</c> URL
/// (any scheme) and the value of <c>Password=</c> or <c>Pwd=</c> in a connection string. Used wherever a command line
/// is written: the saved scan, the Nmap XML <c>args</c>, the grepable header, SARIF, HTML and JSON reports.
/// </summary>
public static partial class Secrets
{
    /// <summary>What a masked password reads as.</summary>
    public const string Mask = "***";

    /// <summary><paramref name="text"/> with every URL password and connection-string password replaced by <see cref="Mask"/>.</summary>
    public static string MaskCredentials(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains("://", StringComparison.Ordinal) && !text.Contains("pw", StringComparison.OrdinalIgnoreCase)
            && !text.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            return text;
        }
        text = UrlPassword().Replace(text, "${head}" + Mask + "@");
        return KeyPassword().Replace(text, "${key}" + Mask);
    }

    // scheme://user:password@ — the user part has no '/', '@' or space; the password runs to the last '@' before the host.
    [GeneratedRegex(@"(?<head>[A-Za-z][A-Za-z0-9+.-]*://[^/@:\s]*:)[^\s/]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"(?<key>\b(?:password|pwd)\s*=\s*)(?:'[^']*'|""[^""]*""|[^;\s]*)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex KeyPassword();
}
