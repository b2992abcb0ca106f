namespace PortAtlas.Detection.Tls;

/// <summary>
/// A TLS cipher suite: its code point and IANA name (the "TLS Cipher Suites" registry of the TLS parameters,
/// RFC 8447), and what its name says about it. Weakness classes follow RFC 7465 (RC4), RFC 8996 (old versions),
/// RFC 9325 (BCP 195: NULL, EXPORT, anonymous, 3DES and static-RSA key exchange).
/// </summary>
public readonly record struct TlsCipherSuite(ushort Code, string Name)
{
    /// <summary>A TLS 1.3 suite (no key exchange in the name, RFC 8446 appendix B.4).</summary>
    public bool IsTls13 => !Name.Contains("_WITH_", StringComparison.Ordinal);

    /// <summary>Usable only from TLS 1.2 on: AEAD modes or SHA-2 MACs (RFC 5246).</summary>
    public bool NeedsTls12 => !IsTls13 && (Name.Contains("GCM", StringComparison.Ordinal) || Name.Contains("CCM", StringComparison.Ordinal)
        || Name.Contains("CHACHA20", StringComparison.Ordinal) || Name.EndsWith("SHA256", StringComparison.Ordinal) || Name.EndsWith("SHA384", StringComparison.Ordinal));

    /// <summary>No encryption at all.</summary>
    public bool IsNull => Name.Contains("_NULL_", StringComparison.Ordinal);

    /// <summary>1990s export-grade: 40- or 56-bit keys (FREAK, Logjam).</summary>
    public bool IsExport => Name.Contains("EXPORT", StringComparison.Ordinal);

    /// <summary>RC4 (prohibited by RFC 7465).</summary>
    public bool IsRc4 => Name.Contains("RC4", StringComparison.Ordinal);

    /// <summary>DES or 3DES: 64-bit blocks (Sweet32) or 56-bit keys.</summary>
    public bool IsDes => Name.Contains("DES_", StringComparison.Ordinal) || Name.Contains("DES40", StringComparison.Ordinal);

    /// <summary>No server authentication: anyone on the path can be the server.</summary>
    public bool IsAnonymous => Name.Contains("_anon_", StringComparison.Ordinal);

    /// <summary>CBC mode (padding-oracle attacks on TLS 1.0/1.1: BEAST, Lucky13).</summary>
    public bool IsCbc => Name.Contains("_CBC_", StringComparison.Ordinal);

    /// <summary>Forward secrecy: ephemeral (EC)DH, or any TLS 1.3 suite.</summary>
    public bool HasForwardSecrecy => IsTls13 || Name.StartsWith("TLS_DHE_", StringComparison.Ordinal) || Name.StartsWith("TLS_ECDHE_", StringComparison.Ordinal);

    /// <summary>Ephemeral finite-field Diffie-Hellman, whose group size the server chooses.</summary>
    public bool IsDhe => Name.StartsWith("TLS_DHE_", StringComparison.Ordinal) || Name.StartsWith("TLS_DH_anon_", StringComparison.Ordinal);

    /// <summary>
    /// A short strength grade in the style of nmap's ssl-enum-ciphers and testssl.sh: <c>F</c> for no or broken
    /// encryption (NULL, EXPORT, anonymous, RC4, single DES), <c>C</c> for 3DES, <c>B</c> without forward secrecy or
    /// CBC, <c>A</c> otherwise.
    /// </summary>
    public char Grade => IsNull || IsExport || IsAnonymous || IsRc4 || (IsDes && !Name.Contains("3DES", StringComparison.Ordinal)) ? 'F'
        : Name.Contains("3DES", StringComparison.Ordinal) ? 'C'
        : !HasForwardSecrecy || IsCbc ? 'B'
        : 'A';

    /// <summary>The weakness classes this suite belongs to: null, export, anonymous, rc4, des, cbc, no-fs.</summary>
    public IEnumerable<string> Weaknesses()
    {
        if (IsNull) { yield return "null"; }
        if (IsExport) { yield return "export"; }
        if (IsAnonymous) { yield return "anonymous"; }
        if (IsRc4) { yield return "rc4"; }
        if (IsDes) { yield return "des"; }
        if (!HasForwardSecrecy) { yield return "no-fs"; }
    }

    /// <summary>The suites PortAtlas offers and names, from the IANA registry (code points as assigned).</summary>
    public static IReadOnlyList<TlsCipherSuite> All { get; } =
    [
        new(0x0001, "TLS_RSA_WITH_NULL_MD5"),
        new(0x0002, "TLS_RSA_WITH_NULL_SHA"),
        new(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"),
        new(0x0004, "TLS_RSA_WITH_RC4_128_MD5"),
        new(0x0005, "TLS_RSA_WITH_RC4_128_SHA"),
        new(0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5"),
        new(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA"),
        new(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"),
        new(0x0009, "TLS_RSA_WITH_DES_CBC_SHA"),
        new(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
        new(0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA"),
        new(0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA"),
        new(0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA"),
        new(0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA"),
        new(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"),
        new(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"),
        new(0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA"),
        new(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"),
        new(0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5"),
        new(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5"),
        new(0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA"),
        new(0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA"),
        new(0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA"),
        new(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"),
        new(0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA"),
        new(0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA"),
        new(0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"),
        new(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"),
        new(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA"),
        new(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"),
        new(0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA"),
        new(0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA"),
        new(0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"),
        new(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"),
        new(0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA"),
        new(0x003B, "TLS_RSA_WITH_NULL_SHA256"),
        new(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256"),
        new(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256"),
        new(0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256"),
        new(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"),
        new(0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA"),
        new(0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"),
        new(0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA"),
        new(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"),
        new(0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256"),
        new(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"),
        new(0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256"),
        new(0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256"),
        new(0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"),
        new(0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA"),
        new(0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"),
        new(0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA"),
        new(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA"),
        new(0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA"),
        new(0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA"),
        new(0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA"),
        new(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256"),
        new(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384"),
        new(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
        new(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
        new(0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"),
        new(0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"),
        new(0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256"),
        new(0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384"),
        new(0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
        new(0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
        new(0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256"),
        new(0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256"),
        new(0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256"),
        new(0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256"),
        new(0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256"),
        new(0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256"),
        new(0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA"),
        new(0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA"),
        new(0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA"),
        new(0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA"),
        new(0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA"),
        new(0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"),
        new(0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"),
        new(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
        new(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
        new(0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA"),
        new(0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA"),
        new(0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA"),
        new(0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA"),
        new(0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA"),
        new(0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"),
        new(0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"),
        new(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
        new(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
        new(0xC015, "TLS_ECDH_anon_WITH_NULL_SHA"),
        new(0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA"),
        new(0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA"),
        new(0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"),
        new(0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA"),
        new(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
        new(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
        new(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
        new(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
        new(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        new(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
        new(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        new(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        new(0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256"),
        new(0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384"),
        new(0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256"),
        new(0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384"),
        new(0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256"),
        new(0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384"),
        new(0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256"),
        new(0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384"),
        new(0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256"),
        new(0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384"),
        new(0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
        new(0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384"),
        new(0xC09C, "TLS_RSA_WITH_AES_128_CCM"),
        new(0xC09D, "TLS_RSA_WITH_AES_256_CCM"),
        new(0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM"),
        new(0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM"),
        new(0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8"),
        new(0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8"),
        new(0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8"),
        new(0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8"),
        new(0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"),
        new(0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"),
        new(0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"),
        new(0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8"),
        new(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
        new(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
        new(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
        new(0x1301, "TLS_AES_128_GCM_SHA256"),
        new(0x1302, "TLS_AES_256_GCM_SHA384"),
        new(0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
        new(0x1304, "TLS_AES_128_CCM_SHA256"),
        new(0x1305, "TLS_AES_128_CCM_8_SHA256"),
    ];

    private static readonly Dictionary<ushort, TlsCipherSuite> s_byCode = All.ToDictionary(s => s.Code);

    /// <summary>The suite with this code point; unknown codes get a name like <c>0xC0FF</c>.</summary>
    public static TlsCipherSuite ForCode(ushort code) =>
        s_byCode.TryGetValue(code, out var suite) ? suite : new TlsCipherSuite(code, "0x" + code.ToString("X4", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The suites a ClientHello for <paramref name="version"/> may offer.</summary>
    /// <remarks>
    /// Strongest first, ECDHE before static RSA before DHE: a server that follows the client's order then answers with a
    /// suite it can complete (a DHE pick without parameters ends some handshakes in silence).
    /// </remarks>
    public static IReadOnlyList<TlsCipherSuite> For(TlsVersion version) => version == TlsVersion.Tls13
        ? All.Where(s => s.IsTls13).ToArray()
        : All.Where(s => !s.IsTls13 && (version == TlsVersion.Tls12 || !s.NeedsTls12))
            .OrderBy(s => s.Grade)
            .ThenBy(s => s.Name.StartsWith("TLS_ECDHE_", StringComparison.Ordinal) ? 0 : s.IsDhe ? 2 : 1)
            .ToArray();
}
