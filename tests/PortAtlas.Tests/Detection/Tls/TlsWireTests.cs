using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Time.Testing;
using PortAtlas.Assessment;
using PortAtlas.Detection.Tls;
using PortAtlas.Tests.Assessment;

namespace PortAtlas.Tests.Detection.Tls;

public sealed class TlsWireTests
{
    [Fact]
    public void Build_Tls12Hello_IsOneHandshakeRecordOfferingTheSuitesWithSniAndRenegotiationScsv()
    {
        var hello = TlsHello.Build(new TlsHelloSpec { Version = TlsVersion.Tls12, CipherSuites = [0xC02F, 0x009C], ServerName = "www.portatlas.test" });

        Assert.Equal(22, hello[0]);
        Assert.Equal(hello.Length - 5, BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(3)));
        Assert.Equal(1, hello[5]);
        Assert.Equal(0x0303, BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(9)));
        var suitesAt = 9 + 2 + 32 + 1 + 32;
        var suiteBytes = BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(suitesAt));
        var suites = Enumerable.Range(0, suiteBytes / 2).Select(i => BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(suitesAt + 2 + (2 * i)))).ToList();
        Assert.Equal([0xC02F, 0x009C, 0x00FF], suites);
        Assert.True(hello.AsSpan().IndexOf("www.portatlas.test"u8) > 0);
        Assert.True(hello.Length >= 512 || hello.Length < 256 + 5, "hellos of 256-511 bytes are padded past 512 (RFC 7685)");
    }

    [Fact]
    public void Build_AddressAsServerName_SendsNoSni()
    {
        var hello = TlsHello.Build(new TlsHelloSpec { Version = TlsVersion.Tls12, CipherSuites = [0xC02F], ServerName = "198.18.0.2" });
        Assert.True(hello.AsSpan().IndexOf("198.18.0.2"u8) < 0);
    }

    [Fact]
    public void Build_Tls13Hello_OffersOnly13InSupportedVersionsWithAKeyShare()
    {
        var hello = TlsHello.Build(new TlsHelloSpec { Version = TlsVersion.Tls13, CipherSuites = [0x1301], KeyShares = [0x001D, 0x0017] });
        Assert.True(hello.AsSpan().IndexOf(new byte[] { 0x00, 0x2B, 0x00, 0x03, 0x02, 0x03, 0x04 }) > 0);
        Assert.True(hello.AsSpan().IndexOf(new byte[] { 0x00, 0x33 }) > 0);
    }

    [Fact]
    public void Feed_ServerHelloSplitAcrossReads_ReadsVersionSuiteAndExtensions()
    {
        var record = Record(22, Handshake(2, ServerHello(0x0303, 0xC02F, [(0xFF01, [0]), (0x0010, [0, 3, 2, (byte)'h', (byte)'2']), (0x0005, [])])));
        var flight = new TlsServerFlight();

        var used = flight.Feed(record.AsSpan(0, 20));
        Assert.Equal(0, used);
        Assert.False(flight.HasServerHello);
        Assert.Equal(record.Length, flight.Feed(record));

        Assert.True(flight.HasServerHello);
        Assert.Equal(TlsVersion.Tls12, flight.Version);
        Assert.Equal(0xC02F, flight.CipherSuite);
        Assert.True(flight.SecureRenegotiation);
        Assert.True(flight.OcspStapled);
        Assert.Equal("h2", flight.Alpn);
        Assert.False(flight.Complete);
    }

    [Fact]
    public void Feed_HelloRetryRequest_IsCompleteWithTheGroupChosen()
    {
        byte[] hrrRandom = Convert.FromHexString("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");
        var body = ServerHello(0x0303, 0x1302, [(0x002B, [3, 4]), (0x0033, [0, 0x17])], hrrRandom);
        var flight = new TlsServerFlight();
        flight.Feed(Record(22, Handshake(2, body)));

        Assert.True(flight.HelloRetry);
        Assert.Equal(TlsVersion.Tls13, flight.Version);
        Assert.Equal((ushort)0x0017, flight.Group);
        Assert.True(flight.Complete);
    }

    [Fact]
    public void Feed_Alert_EndsTheFlightWithItsDescription()
    {
        var flight = new TlsServerFlight();
        flight.Feed(Record(21, [2, 70]));
        Assert.True(flight.Complete);
        Assert.Equal(((byte)2, (byte)70), flight.Alert);
        Assert.Equal("protocol_version", TlsServerFlight.AlertName(70));
    }

    [Fact]
    public void Feed_FullTls12Flight_ReadsCertificatesDhSizeAndServerHelloDone()
    {
        var prime = new byte[128];
        prime[0] = 0x80; // a 1024-bit prime's leading bit
        var ske = new List<byte> { 0, 128 };
        ske.AddRange(prime);
        ske.AddRange([0, 1, 2, 0, 1, 5]);
        byte[] cert = [0x30, 0x03, 0x02, 0x01, 0x01];
        byte[] certs = [0, 0, 8, 0, 0, 5, .. cert];
        byte[] messages = [.. Handshake(2, ServerHello(0x0303, 0x009E, [])), .. Handshake(11, certs), .. Handshake(12, [.. ske]), .. Handshake(14, [])];
        var flight = new TlsServerFlight();

        // Handshake messages may span records (RFC 5246 section 6.2.1): split the flight in two records.
        flight.Feed([.. Record(22, messages[..50]), .. Record(22, messages[50..])]);

        Assert.True(flight.Complete);
        Assert.Equal(1024, flight.DhBits);
        Assert.Equal(cert, Assert.Single(flight.Certificates));
    }

    [Fact]
    public void Feed_PlainTextGreeting_IsMalformedNotAnException()
    {
        var flight = new TlsServerFlight();
        flight.Feed("220 smtp.portatlas.test ESMTP\r\n"u8);
        Assert.True(flight.Malformed);
        Assert.False(flight.HasServerHello);
    }

    [Fact]
    public void Feed_AnyBytes_NeverThrows()
    {
        Prop.ForAll<byte[]>(bytes =>
        {
            var flight = new TlsServerFlight();
            var used = flight.Feed(bytes ?? []);
            return used >= 0 && used <= (bytes?.Length ?? 0);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Feed_MutatedRealFlight_NeverThrows()
    {
        byte[] original = [.. Record(22, [.. Handshake(2, ServerHello(0x0303, 0xC02F, [(0xFF01, [0]), (0x0010, [0, 3, 2, (byte)'h', (byte)'2'])])), .. Handshake(14, [])])];
        Prop.ForAll(Gen.Choose(0, original.Length - 1).ToArbitrary(), Gen.Choose(0, 255).ToArbitrary(), (at, value) =>
        {
            var copy = (byte[])original.Clone();
            copy[at] = (byte)value;
            new TlsServerFlight().Feed(copy);
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void CipherSuite_Classes_FollowTheName()
    {
        var rc4 = TlsCipherSuite.ForCode(0x0005);
        Assert.Equal("TLS_RSA_WITH_RC4_128_SHA", rc4.Name);
        Assert.Equal('F', rc4.Grade);
        Assert.Contains("no-fs", rc4.Weaknesses());
        Assert.Equal('C', TlsCipherSuite.ForCode(0xC012).Grade);
        Assert.Equal('A', TlsCipherSuite.ForCode(0xC02F).Grade);
        Assert.True(TlsCipherSuite.ForCode(0x1301).IsTls13);
        Assert.DoesNotContain(TlsCipherSuite.For(TlsVersion.Tls10), s => s.NeedsTls12 || s.IsTls13);
        Assert.Equal("0xABCD", TlsCipherSuite.ForCode(0xABCD).Name);
        Assert.Equal(TlsCipherSuite.All.Count, TlsCipherSuite.All.Select(s => s.Code).Distinct().Count());
    }

    [Fact]
    public void Facts_FromAWeakServer_RaiseTheTlsFindingsWithTheAcceptedSuiteAsEvidence()
    {
        var now = LabReports.Now;
        var tls = new TlsInfo
        {
            Protocol = "TLSv1.2",
            Subject = "CN=old.portatlas.test",
            Issuer = "CN=Old CA",
            NotAfter = now.AddDays(10),
            AcceptedVersions = ["TLSv1.0", "TLSv1.2"],
            WeakSuites = ["TLSv1.0 TLS_RSA_WITH_RC4_128_SHA", "TLSv1.2 TLS_DH_anon_WITH_AES_128_CBC_SHA"],
            ForwardSecrecy = false,
            DhBits = 1024,
            Compression = true,
            Trusted = false,
            TrustProblem = "issuer not found (incomplete chain)",
            ServerName = "old.portatlas.test",
            NameMatches = false,
            Hsts = false,
        };
        var facts = TlsDeepInspection.WithFacts(new Dictionary<string, string>(), tls, now);
        var port = LabReports.Open(443, new ServiceInfo { Name = "https", Method = "tls", Tls = tls, Facts = facts });

        var findings = new Assessor(new AssessorOptions { TimeProvider = new FakeTimeProvider(now) }).Assess(port);
        var ids = findings.Select(f => f.Id).ToHashSet();

        string[] expected = ["PA-TLS-BROKEN-CIPHERS", "PA-TLS-RC4", "PA-TLS-NO-FORWARD-SECRECY", "PA-TLS-CBC-OLD-VERSIONS", "PA-TLS-WEAK-DH", "PA-TLS-COMPRESSION",
            "PA-TLS-UNTRUSTED", "PA-TLS-NAME-MISMATCH", "PA-TLS-EXPIRES-SOON", "PA-HTTPS-NO-HSTS", "PA-TLS-TLS10"];
        Assert.All(expected, id => Assert.Contains(id, ids));
        Assert.Contains("TLS_RSA_WITH_RC4_128_SHA", findings.Single(f => f.Id == "PA-TLS-RC4").Evidence, StringComparison.Ordinal);
        Assert.Equal(RiskLevel.Medium, findings.Single(f => f.Id == "PA-TLS-WEAK-DH").Severity);
    }

    [Fact]
    public void Facts_FromAModernServer_RaiseNoTlsFinding()
    {
        var now = LabReports.Now;
        var tls = new TlsInfo
        {
            Protocol = "TLSv1.3", Subject = "CN=good.portatlas.test", Issuer = "CN=Good CA", NotAfter = now.AddDays(80),
            AcceptedVersions = ["TLSv1.2", "TLSv1.3"], ForwardSecrecy = true, Compression = false, Trusted = true,
            ServerName = "good.portatlas.test", NameMatches = true, Hsts = true, FallbackScsv = true, SecureRenegotiation = true,
        };
        var facts = TlsDeepInspection.WithFacts(new Dictionary<string, string>(), tls, now);
        var port = LabReports.Open(443, new ServiceInfo { Name = "https", Method = "tls", Tls = tls, Facts = facts });

        var findings = new Assessor(new AssessorOptions { TimeProvider = new FakeTimeProvider(now) }).Assess(port);

        Assert.DoesNotContain(findings, f => f.Id.StartsWith("PA-TLS", StringComparison.Ordinal) || f.Id == "PA-HTTPS-NO-HSTS");
    }

    private static byte[] Record(byte type, byte[] payload) =>
        [type, 3, 3, (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];

    private static byte[] Handshake(byte type, byte[] body) =>
        [type, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length, .. body];

    private static byte[] ServerHello(ushort version, ushort suite, (ushort Type, byte[] Data)[] extensions, byte[]? random = null)
    {
        var ext = new List<byte>();
        foreach (var (type, data) in extensions)
        {
            ext.AddRange([(byte)(type >> 8), (byte)type, (byte)(data.Length >> 8), (byte)data.Length, .. data]);
        }
        return [(byte)(version >> 8), (byte)version, .. random ?? new byte[32], 0, (byte)(suite >> 8), (byte)suite, 0, (byte)(ext.Count >> 8), (byte)ext.Count, .. ext];
    }
}
