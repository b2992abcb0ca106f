using System.Text.RegularExpressions;

namespace PortAtlas.Detection;

/// <summary>Asks a plain-text service whether it can upgrade to TLS in-protocol, and names the command it offers.</summary>
internal static partial class StartTlsCheck
{
    /// <summary>The command to send for a service, the framing of its answer and the pattern that means "offered"; null when the protocol has none.</summary>
    public static (byte[] Command, Framing Framing, Regex Offered, string Name)? For(string service) => service switch
    {
        // RFC 3207: the EHLO reply lists STARTTLS.
        "smtp" or "submission" => ("EHLO portatlas.invalid\r\n"u8.ToArray(), Framings.Banner, SmtpOffered(), "STARTTLS"),
        // RFC 9051 section 6.1.1 / RFC 3501: CAPABILITY lists STARTTLS.
        "imap" => ("A1 CAPABILITY\r\n"u8.ToArray(), ImapDone, ImapOffered(), "STARTTLS"),
        // RFC 2595 section 4: CAPA lists STLS.
        "pop3" => ("CAPA\r\n"u8.ToArray(), Pop3Done, Pop3Offered(), "STLS"),
        // RFC 4217 section 6 / RFC 2389: FEAT lists AUTH TLS.
        "ftp" => ("FEAT\r\n"u8.ToArray(), Framings.Banner, FtpOffered(), "AUTH TLS"),
        _ => null,
    };

    /// <summary>True when the greeting itself already advertises the upgrade (IMAP's CAPABILITY response code).</summary>
    public static bool OfferedInGreeting(string service, string greeting) => service == "imap" && ImapOffered().IsMatch(greeting);

    /// <summary>
    /// True when <paramref name="reply"/> is the protocol's positive answer listing capabilities (EHLO 250, IMAP
    /// "* CAPABILITY" with a tagged OK, POP3 "+OK", FTP FEAT 211), so an upgrade missing from it is really absent.
    /// </summary>
    public static bool IsCapabilityList(string service, ReadOnlySpan<byte> reply) => service switch
    {
        "smtp" or "submission" => reply.StartsWith("250"u8),
        "imap" => reply.IndexOf("* CAPABILITY "u8) >= 0 && reply.IndexOf("A1 OK"u8) >= 0,
        "pop3" => reply.StartsWith("+OK"u8) && reply.EndsWith("\r\n.\r\n"u8),
        "ftp" => reply.StartsWith("211"u8),
        _ => false,
    };

    private static readonly Framing ImapDone = static answer => answer.IndexOf("A1 "u8) >= 0 && answer[^1] == (byte)'\n';

    private static readonly Framing Pop3Done = static answer => answer.StartsWith("-"u8) ? answer[^1] == (byte)'\n' : answer.EndsWith("\r\n.\r\n"u8);

    [GeneratedRegex(@"(?m)^250[ -]STARTTLS\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex SmtpOffered();

    [GeneratedRegex(@"CAPABILITY [^\r\n]*\bSTARTTLS\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex ImapOffered();

    [GeneratedRegex(@"(?m)^STLS\r?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex Pop3Offered();

    [GeneratedRegex(@"(?m)^ ?AUTH[ \t]+[^\r\n]*\b(?:TLS|SSL)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 250)]
    private static partial Regex FtpOffered();
}
