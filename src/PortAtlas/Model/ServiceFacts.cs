using System.Collections.Frozen;

namespace PortAtlas.Model;

/// <summary>
/// The keys of <see cref="ServiceInfo.Facts"/> that assessment reads, and helpers to build the bag.
/// Detection fills what it established; a key that is absent means "not checked", never "no".
/// </summary>
public static class ServiceFacts
{
    /// <summary>
    /// <c>auth</c>: <c>none</c> when the service answered a request that needs credentials without any (Redis INFO,
    /// memcached stats, MongoDB listDatabases, Elasticsearch <c>GET /</c>, VNC security type None), <c>required</c>
    /// when it refused one.
    /// </summary>
    public const string Auth = "auth";

    /// <summary><c>anonymous</c>: <c>yes</c> when an anonymous login (FTP <c>USER anonymous</c>) was accepted, <c>no</c> when refused.</summary>
    public const string Anonymous = "anonymous";

    /// <summary>
    /// <c>starttls</c>: <c>yes</c> when the service offered its in-protocol upgrade to TLS (SMTP and IMAP STARTTLS,
    /// POP3 STLS, FTP AUTH TLS), <c>no</c> when its capability list had none.
    /// </summary>
    public const string StartTls = "starttls";

    /// <summary><c>http.auth</c>: the scheme of the WWW-Authenticate challenge, lowercase: <c>basic</c>, <c>digest</c>, <c>ntlm</c>, <c>bearer</c>.</summary>
    public const string HttpAuth = "http.auth";

    /// <summary><c>http.realm</c>: the realm of that challenge, for evidence.</summary>
    public const string HttpRealm = "http.realm";

    /// <summary><c>vnc.security</c>: the RFB security types offered, as names separated by commas (<c>none</c>, <c>vnc</c>, <c>tight</c>, <c>vencrypt</c>, <c>ra2</c> ...).</summary>
    public const string VncSecurity = "vnc.security";

    /// <summary><c>ssh.kex</c>: key exchange algorithms offered in SSH_MSG_KEXINIT, comma-separated (RFC 4253 section 7.1).</summary>
    public const string SshKex = "ssh.kex";

    /// <summary><c>ssh.hostkey</c>: server host key algorithms offered, comma-separated.</summary>
    public const string SshHostKey = "ssh.hostkey";

    /// <summary><c>ssh.ciphers</c>: encryption algorithms offered (server to client), comma-separated.</summary>
    public const string SshCiphers = "ssh.ciphers";

    /// <summary><c>ssh.macs</c>: MAC algorithms offered (server to client), comma-separated.</summary>
    public const string SshMacs = "ssh.macs";

    /// <summary><c>tls.versions</c>: every protocol version the service accepted when offered alone, comma-separated (<c>SSLv3</c>, <c>TLSv1</c>, <c>TLSv1.1</c>, <c>TLSv1.2</c>, <c>TLSv1.3</c>).</summary>
    public const string TlsVersions = "tls.versions";

    /// <summary><c>os</c>: an operating system the service named, such as <c>Windows Server 2008 R2</c>.</summary>
    public const string OperatingSystem = "os";

    /// <summary>An empty bag.</summary>
    public static IReadOnlyDictionary<string, string> Empty { get; } = FrozenDictionary<string, string>.Empty;

    /// <summary>A bag with case-insensitive keys from the given pairs; a later pair replaces an earlier one with the same key.</summary>
    public static IReadOnlyDictionary<string, string> Create(params ReadOnlySpan<KeyValuePair<string, string>> facts)
    {
        if (facts.IsEmpty)
        {
            return Empty;
        }
        var bag = new Dictionary<string, string>(facts.Length, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in facts)
        {
            bag[key] = value;
        }
        return bag.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The value of <paramref name="key"/> in <paramref name="facts"/>, matching the key in any case; null when absent.</summary>
    public static string? Get(IReadOnlyDictionary<string, string>? facts, string key)
    {
        if (facts is null || facts.Count == 0)
        {
            return null;
        }
        if (facts.TryGetValue(key, out var value))
        {
            return value;
        }
        foreach (var (k, v) in facts)
        {
            if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
            {
                return v;
            }
        }
        return null;
    }
}
