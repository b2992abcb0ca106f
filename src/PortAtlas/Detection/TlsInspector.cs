using System.Formats.Asn1;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PortAtlas.Scanning;

namespace PortAtlas.Detection;

/// <summary>Reads a TLS session and its certificate into a <see cref="TlsInfo"/>. Certificates are recorded, never trusted or rejected.</summary>
internal static class TlsInspector
{
    /// <summary>Client options that accept any certificate: the scanner inspects, it does not authenticate.</summary>
    public static SslClientAuthenticationOptions ClientOptions(string? targetHost, bool offerHttp) => new()
    {
        // An IP literal is not sent as SNI (RFC 6066 section 3), so the target host is a name only when the user gave one.
        TargetHost = targetHost ?? "",
        RemoteCertificateValidationCallback = static (_, _, _, _) => true,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        ApplicationProtocols = offerHttp ? [SslApplicationProtocol.Http11] : null,
        AllowRenegotiation = false,
    };

    /// <summary>The session's facts; <paramref name="now"/> decides <see cref="TlsInfo.Expired"/>.</summary>
    public static TlsInfo Describe(SslStream tls, DateTimeOffset now)
    {
        TlsInfo info;
        using (var certificate = tls.RemoteCertificate is { } remote ? X509CertificateLoader.LoadCertificate(remote.GetRawCertData()) : null)
        {
            info = certificate is null ? new TlsInfo() : Describe(certificate, now);
        }
        string? cipher;
        try
        {
            cipher = tls.NegotiatedCipherSuite.ToString();
        }
        catch (NotSupportedException)
        {
            cipher = null;
        }
        var alpn = tls.NegotiatedApplicationProtocol;
        return info with
        {
            Protocol = ProtocolName(tls.SslProtocol),
            CipherSuite = cipher,
            Alpn = alpn.Protocol.IsEmpty ? null : alpn.ToString(),
        };
    }

    /// <summary>The certificate's facts.</summary>
    public static TlsInfo Describe(X509Certificate2 certificate, DateTimeOffset now)
    {
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var (keyType, keyBits) = KeyOf(certificate);
        return new TlsInfo
        {
            Subject = certificate.Subject,
            Issuer = certificate.Issuer,
            SubjectAlternativeNames = AlternativeNames(certificate),
            NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            NotAfter = notAfter,
            KeyType = keyType,
            KeyBits = keyBits,
            SignatureAlgorithm = certificate.SignatureAlgorithm.FriendlyName ?? certificate.SignatureAlgorithm.Value,
            SelfSigned = IsSelfSigned(certificate),
            Expired = notAfter < now,
            CertificateSha256 = Convert.ToHexStringLower(SHA256.HashData(certificate.RawDataMemory.Span)),
        };
    }

    /// <summary>TLSv1.2-style names, as nmap and openssl print them.</summary>
    public static string ProtocolName(SslProtocols protocol) => protocol switch
    {
#pragma warning disable SYSLIB0039, CS0618 // Old protocols are named when a server negotiates them; they are not enabled here.
        SslProtocols.Tls => "TLSv1.0",
        SslProtocols.Tls11 => "TLSv1.1",
        SslProtocols.Ssl3 => "SSLv3",
        SslProtocols.Ssl2 => "SSLv2",
#pragma warning restore SYSLIB0039, CS0618
        SslProtocols.Tls12 => "TLSv1.2",
        SslProtocols.Tls13 => "TLSv1.3",
        _ => protocol.ToString(),
    };

    private static List<string> AlternativeNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                try
                {
                    names.AddRange(san.EnumerateDnsNames().Select(n => "DNS:" + n));
                    names.AddRange(san.EnumerateIPAddresses().Select(a => "IP:" + a));
                }
                catch (CryptographicException)
                {
                    // A malformed extension: report what was read.
                }
            }
        }
        return names;
    }

    private static (string? Type, int? Bits) KeyOf(X509Certificate2 certificate)
    {
        try
        {
            switch (certificate.PublicKey.Oid.Value)
            {
                case "1.2.840.113549.1.1.1":
                case "1.2.840.113549.1.1.10":
                    using (var rsa = certificate.GetRSAPublicKey())
                    {
                        return ("RSA", rsa?.KeySize);
                    }
                case "1.2.840.10045.2.1":
                    using (var ec = certificate.GetECDsaPublicKey())
                    {
                        return ("ECDSA", ec?.KeySize);
                    }
                case "1.3.101.112":
                    return ("Ed25519", 256);
                case "1.3.101.113":
                    return ("Ed448", 456);
                case "1.2.840.10040.4.1":
                    return ("DSA", certificate.PublicKey.EncodedKeyValue.RawData.Length * 8);
                default:
                    return (certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value, null);
            }
        }
        catch (CryptographicException)
        {
            return (certificate.PublicKey.Oid.FriendlyName, null);
        }
    }

    /// <summary>
    /// Subject equals issuer and the signature verifies with the certificate's own key (RSA PKCS#1 v1.5 and ECDSA
    /// with SHA-2). For other algorithms, subject equals issuer and the authority key id, when present, equals the
    /// subject key id (RFC 5280 section 4.2.1.1).
    /// </summary>
    internal static bool IsSelfSigned(X509Certificate2 certificate)
    {
        if (!certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData))
        {
            return false;
        }
        if (TryVerifyOwnSignature(certificate, out var verified))
        {
            return verified;
        }
        var ski = certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes;
        var aki = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier;
        return aki is null || ski is null || aki.Value.Span.SequenceEqual(ski.Value.Span);
    }

    /// <summary>Verifies the certificate's signature with its own public key; false when the algorithm is not one we check.</summary>
    private static bool TryVerifyOwnSignature(X509Certificate2 certificate, out bool verified)
    {
        verified = false;
        try
        {
            // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING } (RFC 5280 section 4.1).
            var reader = new AsnReader(certificate.RawDataMemory, AsnEncodingRules.DER);
            var outer = reader.ReadSequence();
            var tbs = outer.ReadEncodedValue();
            var algorithm = outer.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            var signature = outer.ReadBitString(out _);
            HashAlgorithmName hash;
            bool rsa;
            switch (oid)
            {
                case "1.2.840.113549.1.1.11": hash = HashAlgorithmName.SHA256; rsa = true; break;
                case "1.2.840.113549.1.1.12": hash = HashAlgorithmName.SHA384; rsa = true; break;
                case "1.2.840.113549.1.1.13": hash = HashAlgorithmName.SHA512; rsa = true; break;
                case "1.2.840.113549.1.1.5": hash = HashAlgorithmName.SHA1; rsa = true; break;
                case "1.2.840.10045.4.3.2": hash = HashAlgorithmName.SHA256; rsa = false; break;
                case "1.2.840.10045.4.3.3": hash = HashAlgorithmName.SHA384; rsa = false; break;
                case "1.2.840.10045.4.3.4": hash = HashAlgorithmName.SHA512; rsa = false; break;
                default: return false;
            }
            if (rsa)
            {
                using var key = certificate.GetRSAPublicKey();
                if (key is null)
                {
                    return false;
                }
                verified = key.VerifyData(tbs.Span, signature, hash, RSASignaturePadding.Pkcs1);
            }
            else
            {
                using var key = certificate.GetECDsaPublicKey();
                if (key is null)
                {
                    return false;
                }
                verified = key.VerifyData(tbs.Span, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
            }
            return true;
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return false;
        }
    }
}
