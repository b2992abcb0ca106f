using System.Text;

namespace PortAtlas.Detection.Udp;

/// <summary>
/// A KDC's KRB-ERROR (RFC 4120, 5.9.1; DER, X.690): the error code and the realm it names. A KDC answers an AS-REQ
/// for an unknown client with KDC_ERR_C_PRINCIPAL_UNKNOWN (6) or with a request for pre-authentication (25).
/// </summary>
/// <param name="ErrorCode">The error code.</param>
/// <param name="Realm">The server's realm.</param>
internal readonly record struct KerberosReply(long ErrorCode, string? Realm)
{
    /// <summary>Reads a KRB-ERROR ([APPLICATION 30]); an AS-REP ([APPLICATION 11]) counts too, with error code -1.</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out KerberosReply reply)
    {
        reply = default;
        var outer = new BerReader(message);
        if (outer.TryRead(0x6B, out _))
        {
            reply = new KerberosReply(-1, null);
            return true;
        }
        if (!new BerReader(message).TryRead(0x7E, out var application) || !new BerReader(application).TryRead(0x30, out var fields))
        {
            return false;
        }
        var reader = new BerReader(fields);
        long? error = null;
        long pvno = 0;
        string? realm = null;
        while (reader.TryReadAny(out var tag, out var content))
        {
            var inner = new BerReader(content);
            switch (tag)
            {
                case 0xA0 when inner.TryReadInteger(out var version):
                    pvno = version;
                    break;
                case 0xA6 when inner.TryReadInteger(out var code):
                    error = code;
                    break;
                case 0xA9 when inner.TryRead(0x1B, out var name):
                    realm = ProductText.Ascii(name, 64);
                    break;
            }
        }
        if (pvno != 5 || error is null)
        {
            return false;
        }
        reply = new KerberosReply(error.Value, realm);
        return true;
    }

    /// <summary>The realm our AS-REQ names.</summary>
    public const string ProbeRealm = "PORTATLAS.INVALID";

    /// <summary>
    /// An AS-REQ (RFC 4120, 5.4.1) for the unknown client "portatlas" in realm PORTATLAS.INVALID, asking for a ticket
    /// for krbtgt: any KDC answers it with a KRB-ERROR naming its own realm or the error.
    /// </summary>
    public static byte[] AsRequest()
    {
        byte[] realm = Der(0x1B, Encoding.ASCII.GetBytes(ProbeRealm));
        byte[] cname = Der(0x30, [.. Der(0xA0, Der(0x02, [1])), .. Der(0xA1, Der(0x30, Der(0x1B, "portatlas"u8.ToArray())))]);
        byte[] sname = Der(0x30, [.. Der(0xA0, Der(0x02, [2])), .. Der(0xA1, Der(0x30, [.. Der(0x1B, "krbtgt"u8.ToArray()), .. realm]))]);
        byte[] body = Der(0x30,
        [
            .. Der(0xA0, Der(0x03, [0, 0, 0, 0, 0x10])),
            .. Der(0xA1, cname),
            .. Der(0xA2, realm),
            .. Der(0xA3, sname),
            .. Der(0xA5, Der(0x18, "20370913024805Z"u8.ToArray())),
            .. Der(0xA7, Der(0x02, [0x50, 0x41, 0x54, 0x41])),
            .. Der(0xA8, Der(0x30, [.. Der(0x02, [18]), .. Der(0x02, [17]), .. Der(0x02, [23])])),
        ]);
        return Der(0x6A, Der(0x30, [.. Der(0xA1, Der(0x02, [5])), .. Der(0xA2, Der(0x02, [10])), .. Der(0xA4, body)]));
    }

    // DER lengths: short form below 128, else one or two length octets (X.690, 8.1.3).
    private static byte[] Der(byte tag, byte[] content) => content.Length switch
    {
        < 128 => [tag, (byte)content.Length, .. content],
        < 256 => [tag, 0x81, (byte)content.Length, .. content],
        _ => [tag, 0x82, (byte)(content.Length >> 8), (byte)content.Length, .. content],
    };
}
