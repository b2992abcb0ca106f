using System.Buffers.Binary;

namespace PortAtlas.Detection.Tls;

/// <summary>
/// What a server sent back to one ClientHello, read from its plaintext records: the ServerHello, and for TLS 1.2 and
/// older the Certificate, CertificateStatus and ServerKeyExchange messages that follow it (RFC 5246 section 7.4). TLS
/// 1.3 encrypts everything after ServerHello, so only the ServerHello is read there.
/// </summary>
public sealed class TlsServerFlight
{
    // RFC 8446 section 4.1.3: a HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest").
    private static ReadOnlySpan<byte> HelloRetryRandom =>
    [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ];

    /// <summary>Handshake messages are limited so a hostile server cannot make us buffer without end.</summary>
    public const int MaxHandshakeBytes = 256 * 1024;

    private readonly List<byte> _handshake = [];
    private int _handshakeRead;

    /// <summary>A ServerHello (or HelloRetryRequest) arrived.</summary>
    public bool HasServerHello { get; private set; }
    /// <summary>The ServerHello was a HelloRetryRequest: version and suite are chosen, a key share is wanted.</summary>
    public bool HelloRetry { get; private set; }
    /// <summary>The negotiated version (from supported_versions when present).</summary>
    public TlsVersion Version { get; private set; }
    /// <summary>The suite chosen.</summary>
    public ushort CipherSuite { get; private set; }
    /// <summary>The compression method chosen (0 none, 1 DEFLATE).</summary>
    public byte Compression { get; private set; }
    /// <summary>The ServerHello carried renegotiation_info (RFC 5746).</summary>
    public bool SecureRenegotiation { get; private set; }
    /// <summary>The ServerHello carried status_request, or a CertificateStatus message came: OCSP is stapled.</summary>
    public bool OcspStapled { get; private set; }
    /// <summary>SCTs delivered in the TLS extension (RFC 6962 section 3.3).</summary>
    public bool SctExtension { get; private set; }
    /// <summary>The ALPN protocol the server chose (TLS 1.2 and older only: 1.3 encrypts it).</summary>
    public string? Alpn { get; private set; }
    /// <summary>The group of the TLS 1.3 key share or HelloRetryRequest, or of the TLS 1.2 ECDHE key exchange.</summary>
    public ushort? Group { get; private set; }
    /// <summary>The prime's size of a DHE key exchange, in bits.</summary>
    public int? DhBits { get; private set; }
    /// <summary>The certificates as sent, leaf first, DER (TLS 1.2 and older).</summary>
    public List<byte[]> Certificates { get; } = [];
    /// <summary>The alert that ended the exchange: (level, description), RFC 8446 section 6.</summary>
    public (byte Level, byte Description)? Alert { get; private set; }
    /// <summary>The server's flight is over as far as plaintext goes: ServerHelloDone, an alert, or encrypted records.</summary>
    public bool Complete { get; private set; }
    /// <summary>The bytes were not TLS (a plaintext service, garbage), or broke a length rule.</summary>
    public bool Malformed { get; private set; }

    /// <summary>Reads as many whole records as <paramref name="data"/> holds; returns the bytes consumed.</summary>
    public int Feed(ReadOnlySpan<byte> data)
    {
        var used = 0;
        while (!Complete && data.Length - used >= 5)
        {
            var header = data[used..];
            var type = header[0];
            var length = BinaryPrimitives.ReadUInt16BigEndian(header[3..]);
            if (type is < 20 or > 24 || header[1] != 3 || length > 18432)
            {
                Malformed = true;
                Complete = true;
                return used;
            }
            if (header.Length < 5 + length)
            {
                break;
            }
            var payload = header.Slice(5, length);
            used += 5 + length;
            switch (type)
            {
                case 21:
                    if (payload.Length >= 2)
                    {
                        Alert = (payload[0], payload[1]);
                    }
                    Complete = true;
                    break;
                case 22:
                    if (_handshake.Count + payload.Length > MaxHandshakeBytes)
                    {
                        Malformed = true;
                        Complete = true;
                        break;
                    }
                    foreach (var b in payload)
                    {
                        _handshake.Add(b);
                    }
                    ReadMessages();
                    break;
                default:
                    // ChangeCipherSpec or encrypted records: TLS 1.3 (or a resumed session) has gone dark.
                    Complete = HasServerHello;
                    Malformed |= !HasServerHello;
                    Complete |= Malformed;
                    break;
            }
        }
        return used;
    }

    private void ReadMessages()
    {
        var all = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_handshake);
        while (!Complete && all.Length - _handshakeRead >= 4)
        {
            var m = all[_handshakeRead..];
            var length = (m[1] << 16) | (m[2] << 8) | m[3];
            if (m.Length < 4 + length)
            {
                return;
            }
            var body = m.Slice(4, length);
            _handshakeRead += 4 + length;
            switch (m[0])
            {
                case 2:
                    if (!ReadServerHello(body))
                    {
                        Malformed = true;
                        Complete = true;
                    }
                    else if (HelloRetry || Version == TlsVersion.Tls13)
                    {
                        Complete = true;
                    }
                    break;
                case 11:
                    ReadCertificates(body);
                    break;
                case 12:
                    ReadServerKeyExchange(body);
                    break;
                case 22:
                    OcspStapled = true;
                    break;
                case 14:
                    Complete = true;
                    break;
                default:
                    break;
            }
        }
    }

    private bool ReadServerHello(ReadOnlySpan<byte> body)
    {
        // legacy_version(2) random(32) session_id<0..32> cipher_suite(2) compression(1) extensions<0..2^16-1>
        if (body.Length < 38)
        {
            return false;
        }
        Version = (TlsVersion)BinaryPrimitives.ReadUInt16BigEndian(body);
        HelloRetry = body.Slice(2, 32).SequenceEqual(HelloRetryRandom);
        var p = 34;
        int sessionLength = body[p++];
        if (sessionLength > 32 || body.Length < p + sessionLength + 3)
        {
            return false;
        }
        p += sessionLength;
        CipherSuite = BinaryPrimitives.ReadUInt16BigEndian(body[p..]);
        p += 2;
        Compression = body[p++];
        HasServerHello = true;
        if (body.Length < p + 2)
        {
            return true; // SSL 3.0 and early TLS servers may send no extensions at all
        }
        var extensionsLength = BinaryPrimitives.ReadUInt16BigEndian(body[p..]);
        p += 2;
        if (body.Length < p + extensionsLength)
        {
            return false;
        }
        var extensions = body.Slice(p, extensionsLength);
        while (extensions.Length >= 4)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(extensions);
            var length = BinaryPrimitives.ReadUInt16BigEndian(extensions[2..]);
            if (extensions.Length < 4 + length)
            {
                return false;
            }
            var data = extensions.Slice(4, length);
            extensions = extensions[(4 + length)..];
            switch (type)
            {
                case 0xFF01: SecureRenegotiation = true; break;
                case 0x0005: OcspStapled = true; break;
                case 0x0012: SctExtension = true; break;
                case 0x0010:
                    // ProtocolNameList with exactly one name (RFC 7301 section 3.1).
                    if (data.Length >= 3 && data[2] + 3 <= data.Length)
                    {
                        Alpn = System.Text.Encoding.ASCII.GetString(data.Slice(3, data[2]));
                    }
                    break;
                case 0x002B:
                    if (data.Length >= 2)
                    {
                        Version = (TlsVersion)BinaryPrimitives.ReadUInt16BigEndian(data);
                    }
                    break;
                case 0x0033:
                    // key_share: a KeyShareEntry in ServerHello, the selected group alone in HelloRetryRequest.
                    if (data.Length >= 2)
                    {
                        Group = BinaryPrimitives.ReadUInt16BigEndian(data);
                    }
                    break;
                default:
                    break;
            }
        }
        return true;
    }

    private void ReadCertificates(ReadOnlySpan<byte> body)
    {
        if (Version == TlsVersion.Tls13 || body.Length < 3)
        {
            return;
        }
        var total = (body[0] << 16) | (body[1] << 8) | body[2];
        var list = body[3..Math.Min(body.Length, 3 + total)];
        while (list.Length >= 3 && Certificates.Count < 16)
        {
            var length = (list[0] << 16) | (list[1] << 8) | list[2];
            if (list.Length < 3 + length)
            {
                return;
            }
            Certificates.Add(list.Slice(3, length).ToArray());
            list = list[(3 + length)..];
        }
    }

    private void ReadServerKeyExchange(ReadOnlySpan<byte> body)
    {
        var suite = TlsCipherSuite.ForCode(CipherSuite);
        if (suite.IsDhe)
        {
            // ServerDHParams: dh_p<1..2^16-1>, dh_g, dh_Ys (RFC 5246 section 7.4.3).
            if (body.Length < 2)
            {
                return;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(body);
            if (length == 0 || body.Length < 2 + length)
            {
                return;
            }
            var prime = body.Slice(2, length);
            var leading = 0;
            while (leading < prime.Length && prime[leading] == 0)
            {
                leading++;
            }
            DhBits = leading == prime.Length ? 0 : ((prime.Length - leading) * 8) - System.Numerics.BitOperations.LeadingZeroCount((uint)prime[leading]) + 24;
        }
        else if (suite.Name.StartsWith("TLS_ECDHE_", StringComparison.Ordinal) && body.Length >= 3 && body[0] == 3)
        {
            // ECParameters: curve_type named_curve(3), NamedCurve (RFC 8422 section 5.4).
            Group = BinaryPrimitives.ReadUInt16BigEndian(body[1..]);
        }
    }

    /// <summary>RFC 8446 section 6 alert names for the descriptions a scan meets.</summary>
    public static string AlertName(byte description) => description switch
    {
        10 => "unexpected_message",
        40 => "handshake_failure",
        47 => "illegal_parameter",
        50 => "decode_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        112 => "unrecognized_name",
        120 => "no_application_protocol",
        _ => "alert " + description.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
