using System.Globalization;
using System.Net;

namespace PortAtlas.Detection.Tls;

/// <summary>
/// After detection: what a TLS service (or a service offering STARTTLS) accepts, merged into the
/// <see cref="ServiceInfo"/> with the facts the TLS rules of assessment read.
/// </summary>
internal static class TlsDeepInspection
{
    /// <summary>Runs <see cref="TlsScanner"/> when the service spoke TLS or offered an upgrade we can perform.</summary>
    public static async Task<ServiceInfo?> EnrichAsync(IPEndPoint endpoint, ServiceInfo? info, DetectionOptions options, TimeProvider time, CancellationToken ct)
    {
        if (info is null || !options.InspectTlsAccepted)
        {
            return info;
        }
        string? startTls = null;
        if (info.Tls is null)
        {
            // Detection asks SMTP, IMAP, POP3, FTP and PostgreSQL whether they upgrade; LDAP, MySQL and XMPP are asked by
            // the upgrade itself, and the scan stops at the first refusal (a few connections on a server without TLS).
            if (!StartTlsPreamble.Supports(info.Name) || (info.StartTls is null && UpgradeName(info.Name) is null))
            {
                return info;
            }
            startTls = info.Name;
        }
        var scan = await TlsScanner.ScanAsync(endpoint, new TlsScanOptions
        {
            ServerName = options.ServerName,
            StartTls = startTls,
            EnumerateCiphers = options.EnumerateTls,
            CheckHsts = info.Name is "https" or "https-alt" || info.Tls?.Alpn is "http/1.1" or "h2" || info.Name.StartsWith("http", StringComparison.Ordinal),
            TrustAnchors = options.TrustAnchors,
            HelloTimeout = options.TlsHandshakeTimeout,
            // Full enumeration is a few dozen hellos in a row per version: give it room.
            Budget = options.EnumerateTls ? TimeSpan.FromSeconds(45) : TimeSpan.FromSeconds(20),
            Time = time,
        }, ct).ConfigureAwait(false);
        if (scan.AcceptedVersions.Count == 0)
        {
            return info;
        }
        // Detection's own handshake stays the record of what was negotiated; the scan adds what is accepted.
        var tls = info.Tls is { } seen
            ? (scan.Subject is null ? MergeAccepted(seen, scan) : scan with { Protocol = seen.Protocol ?? scan.Protocol, CipherSuite = seen.CipherSuite, Alpn = seen.Alpn })
            : scan;
        var facts = WithFacts(info.Facts, tls, time.GetUtcNow());
        if (startTls is not null && info.StartTls is null)
        {
            facts = new Dictionary<string, string>(facts, StringComparer.Ordinal) { [ServiceFacts.StartTls] = "yes" };
        }
        return info with { Tls = tls, StartTls = info.StartTls ?? (startTls is null ? null : UpgradeName(startTls)), Facts = facts };
    }

    /// <summary>The upgrade's name for the services only the upgrade itself asks about (null for the others).</summary>
    private static string? UpgradeName(string service) => service switch
    {
        "ldap" => "StartTLS",
        "mysql" => "SSL",
        "xmpp" or "xmpp-client" or "xmpp-server" => "STARTTLS",
        _ => null,
    };

    // The scan ran out of time before it read a certificate: keep detection's, add what was learnt.
    private static TlsInfo MergeAccepted(TlsInfo seen, TlsInfo scan) => seen with
    {
        AcceptedVersions = scan.AcceptedVersions,
        CipherSuites = scan.CipherSuites,
        WeakSuites = scan.WeakSuites,
        Groups = scan.Groups,
        ForwardSecrecy = scan.ForwardSecrecy,
        DhBits = scan.DhBits,
        FallbackScsv = scan.FallbackScsv,
        SecureRenegotiation = scan.SecureRenegotiation,
        Compression = scan.Compression,
        OcspStapling = scan.OcspStapling,
        AlpnProtocols = scan.AlpnProtocols,
        ServerName = scan.ServerName,
    };

    /// <summary>The TLS facts (see <see cref="ServiceFacts"/>) for what the scan found.</summary>
    internal static IReadOnlyDictionary<string, string> WithFacts(IReadOnlyDictionary<string, string> facts, TlsInfo tls, DateTimeOffset now)
    {
        var bag = new Dictionary<string, string>(facts, StringComparer.Ordinal)
        {
            [ServiceFacts.TlsVersions] = string.Join(',', tls.AcceptedVersions),
        };
        var weak = tls.WeakSuites.Select(s => TlsCipherSuite.All.FirstOrDefault(c => s.EndsWith(" " + c.Name, StringComparison.Ordinal))).Where(c => c.Name is not null).SelectMany(c => c.Weaknesses()).Where(w => w != "no-fs").Distinct().ToList();
        if (tls.WeakSuites.Count > 0)
        {
            bag["tls.weak"] = string.Join(',', weak);
            bag["tls.weak.suites"] = string.Join(", ", tls.WeakSuites.Take(6)) + (tls.WeakSuites.Count > 6 ? ", ..." : "");
        }
        else
        {
            bag["tls.weak"] = "none";
        }
        if (tls.ForwardSecrecy is bool fs)
        {
            bag["tls.fs"] = fs ? "yes" : "no";
        }
        var old = tls.AcceptedVersions.Where(v => v is "SSLv3" or "TLSv1.0" or "TLSv1.1").ToList();
        if (old.Count > 0)
        {
            bag["tls.cbc-old"] = "yes";
            bag["tls.old-versions"] = string.Join(',', old);
        }
        if (tls.DhBits is int dh)
        {
            bag["tls.dh.bits"] = dh.ToString(CultureInfo.InvariantCulture);
        }
        if (tls.Compression is bool compression)
        {
            bag["tls.compression"] = compression ? "yes" : "no";
        }
        if (tls.FallbackScsv is bool scsv)
        {
            bag["tls.fallback-scsv"] = scsv ? "yes" : "no";
        }
        if (tls.SecureRenegotiation is bool renegotiation)
        {
            bag["tls.renegotiation"] = renegotiation ? "secure" : "insecure";
        }
        if (tls.Trusted is bool trusted)
        {
            bag["tls.trusted"] = trusted ? "yes" : "no";
            if (tls.TrustProblem is { Length: > 0 } problem)
            {
                bag["tls.trust.problem"] = problem;
            }
        }
        // A name mismatch matters only for a name the user scanned; an address rarely appears in a certificate.
        if (tls.ServerName is not null && tls.NameMatches is bool matches)
        {
            bag["tls.name"] = matches ? "match" : "mismatch";
            bag["tls.servername"] = tls.ServerName;
        }
        if (tls.NotAfter is DateTimeOffset notAfter && notAfter > now)
        {
            bag["tls.expires.days"] = ((int)(notAfter - now).TotalDays).ToString(CultureInfo.InvariantCulture);
        }
        if (tls.Chain.Skip(1).Any(c => c.Issuer != c.Subject && c.SignatureAlgorithm is { } s && (s.StartsWith("sha1", StringComparison.OrdinalIgnoreCase) || s.StartsWith("md5", StringComparison.OrdinalIgnoreCase))))
        {
            bag["tls.chain.weak-signature"] = "yes";
        }
        if (tls.CertificateTransparency is bool ct)
        {
            bag["tls.sct"] = ct ? "yes" : "no";
        }
        if (tls.Hsts is bool hsts)
        {
            bag["http.hsts"] = hsts ? "yes" : "no";
        }
        return bag;
    }
}
