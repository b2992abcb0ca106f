using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace PortAtlas.Detection.Tls;

/// <summary>A protocol version as it appears on the wire (RFC 8446 section 4.2.1; SSL 3.0 is RFC 6101).</summary>
public enum TlsVersion : ushort
{
    /// <summary>SSL 3.0.</summary>
    Ssl3 = 0x0300,
    /// <summary>TLS 1.0.</summary>
    Tls10 = 0x0301,
    /// <summary>TLS 1.1.</summary>
    Tls11 = 0x0302,
    /// <summary>TLS 1.2.</summary>
    Tls12 = 0x0303,
    /// <summary>TLS 1.3.</summary>
    Tls13 = 0x0304,
}

/// <summary>Names of <see cref="TlsVersion"/>, as openssl and nmap print them.</summary>
public static class TlsVersionNames
{
    /// <summary>SSLv3, TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3.</summary>
    public static string ToName(this TlsVersion version) => version switch
    {
        TlsVersion.Ssl3 => "SSLv3",
        TlsVersion.Tls10 => "TLSv1.0",
        TlsVersion.Tls11 => "TLSv1.1",
        TlsVersion.Tls12 => "TLSv1.2",
        TlsVersion.Tls13 => "TLSv1.3",
        _ => "0x" + ((ushort)version).ToString("X4", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Every version, oldest first.</summary>
    public static IReadOnlyList<TlsVersion> All { get; } = [TlsVersion.Ssl3, TlsVersion.Tls10, TlsVersion.Tls11, TlsVersion.Tls12, TlsVersion.Tls13];
}

/// <summary>Named groups for key exchange (RFC 8446 section 4.2.7, RFC 7919).</summary>
public static class TlsGroups
{
    /// <summary>The groups PortAtlas asks about, by code point and name.</summary>
    public static IReadOnlyList<(ushort Code, string Name)> All { get; } =
    [
        (0x001D, "x25519"), (0x0017, "secp256r1"), (0x0018, "secp384r1"), (0x0019, "secp521r1"), (0x001E, "x448"),
        (0x0100, "ffdhe2048"), (0x0101, "ffdhe3072"), (0x0102, "ffdhe4096"), (0x0103, "ffdhe6144"), (0x0104, "ffdhe8192"),
        (0x11EC, "X25519MLKEM768"),
    ];

    /// <summary>The name of a group code point.</summary>
    public static string NameOf(ushort code)
    {
        foreach (var (c, name) in All)
        {
            if (c == code)
            {
                return name;
            }
        }
        return "0x" + code.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>What one ClientHello offers.</summary>
public sealed record TlsHelloSpec
{
    /// <summary>The highest version offered (TLS 1.3 is offered through supported_versions).</summary>
    public required TlsVersion Version { get; init; }
    /// <summary>Cipher suites, in our order of preference.</summary>
    public required IReadOnlyList<ushort> CipherSuites { get; init; }
    /// <summary>Server name for SNI; null or an IP literal sends none (RFC 6066 section 3).</summary>
    public string? ServerName { get; init; }
    /// <summary>Groups for supported_groups; default: every group we know.</summary>
    public IReadOnlyList<ushort>? Groups { get; init; }
    /// <summary>TLS 1.3 key shares to send (x25519 and secp256r1 only); empty asks the server to choose (HelloRetryRequest).</summary>
    public IReadOnlyList<ushort> KeyShares { get; init; } = [0x001D];
    /// <summary>ALPN protocols; empty sends no ALPN extension.</summary>
    public IReadOnlyList<string> Alpn { get; init; } = [];
    /// <summary>Append TLS_FALLBACK_SCSV (RFC 7507).</summary>
    public bool FallbackScsv { get; init; }
    /// <summary>Offer DEFLATE compression before null (RFC 3749), to see whether the server takes it (CRIME).</summary>
    public bool OfferCompression { get; init; }
}

/// <summary>
/// Builds ClientHello records byte by byte: SslStream cannot offer chosen suites or old versions, and a scanner must
/// (RFC 5246 section 7.4.1.2, RFC 8446 section 4.1.2). Nothing here completes a handshake.
/// </summary>
public static class TlsHello
{
    private const ushort EmptyRenegotiationInfoScsv = 0x00FF;
    private const ushort FallbackScsvCode = 0x5600;

    /// <summary>The ClientHello as one TLS record (several records are never needed: the hello stays under 16 KiB).</summary>
    public static byte[] Build(TlsHelloSpec spec)
    {
        var body = new List<byte>(512);
        var legacy = spec.Version >= TlsVersion.Tls12 ? TlsVersion.Tls12 : spec.Version;
        AddU16(body, (ushort)legacy);
        var random = new byte[32];
        RandomNumberGenerator.Fill(random);
        body.AddRange(random);
        // A 32-byte legacy session id: TLS 1.3 middlebox compatibility (RFC 8446 appendix D.4), harmless before it.
        body.Add(32);
        var session = new byte[32];
        RandomNumberGenerator.Fill(session);
        body.AddRange(session);

        var suites = new List<ushort>(spec.CipherSuites);
        if (spec.Version != TlsVersion.Ssl3 || suites.Count > 0)
        {
            suites.Add(EmptyRenegotiationInfoScsv); // RFC 5746 section 3.3
        }
        if (spec.FallbackScsv)
        {
            suites.Add(FallbackScsvCode);
        }
        AddU16(body, (ushort)(suites.Count * 2));
        foreach (var s in suites)
        {
            AddU16(body, s);
        }
        if (spec.OfferCompression)
        {
            body.Add(2); body.Add(1); body.Add(0);
        }
        else
        {
            body.Add(1); body.Add(0);
        }

        if (spec.Version != TlsVersion.Ssl3)
        {
            var extensions = Extensions(spec);
            // RFC 7685: some servers fail on hellos of 256-511 bytes; pad past 512.
            var length = 4 + body.Count + 2 + extensions.Count;
            if (length is >= 256 and < 512)
            {
                var pad = Math.Max(1, 512 - length - 4);
                AddU16(extensions, 0x0015);
                AddU16(extensions, (ushort)pad);
                extensions.AddRange(new byte[pad]);
            }
            AddU16(body, (ushort)extensions.Count);
            body.AddRange(extensions);
        }

        var record = new byte[5 + 4 + body.Count];
        record[0] = 22; // handshake
        // The record layer says TLS 1.0 (SSL 3.0 for SSL 3.0) for the widest acceptance (RFC 8446 section 5.1).
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(1), spec.Version == TlsVersion.Ssl3 ? (ushort)0x0300 : (ushort)0x0301);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(3), (ushort)(4 + body.Count));
        record[5] = 1; // client_hello
        record[6] = (byte)(body.Count >> 16);
        record[7] = (byte)(body.Count >> 8);
        record[8] = (byte)body.Count;
        body.CopyTo(record, 9);
        return record;
    }

    private static List<byte> Extensions(TlsHelloSpec spec)
    {
        var ext = new List<byte>(256);
        if (spec.ServerName is { Length: > 0 } name && !System.Net.IPAddress.TryParse(name, out _))
        {
            var host = Encoding.ASCII.GetBytes(name);
            AddU16(ext, 0x0000);
            AddU16(ext, (ushort)(host.Length + 5));
            AddU16(ext, (ushort)(host.Length + 3));
            ext.Add(0); // host_name
            AddU16(ext, (ushort)host.Length);
            ext.AddRange(host);
        }
        // status_request (OCSP stapling, RFC 6066 section 8): an empty responder list and no extensions.
        AddU16(ext, 0x0005);
        AddU16(ext, 5);
        ext.Add(1); AddU16(ext, 0); AddU16(ext, 0);

        var groups = spec.Groups ?? TlsGroups.All.Select(g => g.Code).ToArray();
        AddU16(ext, 0x000A);
        AddU16(ext, (ushort)(groups.Count * 2 + 2));
        AddU16(ext, (ushort)(groups.Count * 2));
        foreach (var g in groups)
        {
            AddU16(ext, g);
        }
        // ec_point_formats: uncompressed only (RFC 8422 section 5.1.2).
        AddU16(ext, 0x000B); AddU16(ext, 2); ext.Add(1); ext.Add(0);
        // signature_algorithms (RFC 8446 section 4.2.3): what current servers sign with, SHA-1 last for old ones.
        ushort[] schemes = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807, 0x0808, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201, 0x0402, 0x0202];
        AddU16(ext, 0x000D);
        AddU16(ext, (ushort)(schemes.Length * 2 + 2));
        AddU16(ext, (ushort)(schemes.Length * 2));
        foreach (var s in schemes)
        {
            AddU16(ext, s);
        }
        if (spec.Alpn.Count > 0)
        {
            var list = new List<byte>();
            foreach (var p in spec.Alpn)
            {
                var bytes = Encoding.ASCII.GetBytes(p);
                list.Add((byte)bytes.Length);
                list.AddRange(bytes);
            }
            AddU16(ext, 0x0010);
            AddU16(ext, (ushort)(list.Count + 2));
            AddU16(ext, (ushort)list.Count);
            ext.AddRange(list);
        }
        // signed_certificate_timestamp (RFC 6962 section 3.3.1): empty, asks for SCTs in the handshake.
        AddU16(ext, 0x0012); AddU16(ext, 0);
        // extended_master_secret (RFC 7627) and session_ticket: expected by some servers before they answer at all.
        AddU16(ext, 0x0017); AddU16(ext, 0);
        AddU16(ext, 0x0023); AddU16(ext, 0);
        if (spec.Version == TlsVersion.Tls13)
        {
            // supported_versions: 1.3 alone, so the answer tells whether 1.3 itself is accepted.
            AddU16(ext, 0x002B); AddU16(ext, 3); ext.Add(2); AddU16(ext, 0x0304);
            // psk_key_exchange_modes: psk_dhe_ke.
            AddU16(ext, 0x002D); AddU16(ext, 2); ext.Add(1); ext.Add(1);
            var shares = new List<byte>();
            foreach (var group in spec.KeyShares)
            {
                var key = KeyShare(group);
                if (key is null)
                {
                    continue;
                }
                AddU16(shares, group);
                AddU16(shares, (ushort)key.Length);
                shares.AddRange(key);
            }
            AddU16(ext, 0x0033);
            AddU16(ext, (ushort)(shares.Count + 2));
            AddU16(ext, (ushort)shares.Count);
            ext.AddRange(shares);
        }
        return ext;
    }

    // A key share the server can accept: x25519 takes any 32 bytes as a point (RFC 7748 section 5); secp256r1 needs a
    // real uncompressed point. The private halves are dropped: the handshake is never completed.
    private static byte[]? KeyShare(ushort group)
    {
        switch (group)
        {
            case 0x001D:
                var x = new byte[32];
                RandomNumberGenerator.Fill(x);
                x[31] &= 0x7F;
                x[0] |= 1; // never the all-zero or low-order points servers reject
                return x;
            case 0x0017:
                using (var ec = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256))
                {
                    var p = ec.ExportParameters(false).Q;
                    return [4, .. p.X!, .. p.Y!];
                }
            default:
                return null;
        }
    }

    private static void AddU16(List<byte> list, ushort value)
    {
        list.Add((byte)(value >> 8));
        list.Add((byte)value);
    }
}
