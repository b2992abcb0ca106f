using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PortAtlas.Tests.Detection;

/// <summary>Certificates made in the test, never read from disk: self-signed, expired, CA-issued, and a forged self-issued one.</summary>
internal static class TestCertificates
{
    public static X509Certificate2 SelfSignedRsa(string cn, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={cn}, O=PortAtlas tests", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        AddNames(request, cn);
        return Exportable(request.CreateSelfSigned(notBefore, notAfter));
    }

    public static X509Certificate2 SelfSignedEcdsa(string cn)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
        AddNames(request, cn);
        return Exportable(request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30)));
    }

    /// <summary>A leaf issued by a separate CA: not self-signed.</summary>
    public static X509Certificate2 IssuedByCa(string cn)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=PortAtlas Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(60));
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        AddNames(request, cn);
        using var leaf = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), [1, 2, 3, 4]);
        return Exportable(leaf.CopyWithPrivateKey(key));
    }

    /// <summary>Subject equals issuer, but the signature is another key's: must not count as self-signed.</summary>
    public static X509Certificate2 SelfIssuedSignedByOtherKey(string cn)
    {
        using var key = RSA.Create(2048);
        using var other = RSA.Create(2048);
        var name = new X500DistinguishedName($"CN={cn}");
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.Create(name, X509SignatureGenerator.CreateForRSA(other, RSASignaturePadding.Pkcs1),
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), [9, 9]);
        return Exportable(cert.CopyWithPrivateKey(key));
    }

    private static void AddNames(CertificateRequest request, string cn)
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(cn);
        san.AddDnsName("www." + cn);
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
    }

    /// <summary>Round-trips through PKCS#12 so the private key is usable by SslStream on every platform.</summary>
    private static X509Certificate2 Exportable(X509Certificate2 certificate)
    {
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }
}
