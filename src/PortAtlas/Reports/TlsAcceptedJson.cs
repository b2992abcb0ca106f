using System.Text.Json;

namespace PortAtlas.Reports;

/// <summary>
/// The JSON of what a TLS server accepts (<see cref="TlsInfo.AcceptedVersions"/> and the fields after it), shared by the
/// scan report and the history store so both spell it the same way. Fields not checked are left out.
/// </summary>
internal static class TlsAcceptedJson
{
    /// <summary>Writes the accepted-set fields into the open TLS object.</summary>
    public static void Write(Utf8JsonWriter json, TlsInfo tls)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(tls);
        Strings(json, "acceptedVersions"u8, tls.AcceptedVersions);
        if (tls.CipherSuites.Count > 0)
        {
            json.WriteStartArray("cipherSuites"u8);
            foreach (var list in tls.CipherSuites)
            {
                json.WriteStartObject();
                json.WriteString("version"u8, list.Version);
                if (list.ServerOrder is bool order)
                {
                    json.WriteBoolean("serverOrder"u8, order);
                }
                Strings(json, "suites"u8, list.Suites, always: true);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        Strings(json, "weakSuites"u8, tls.WeakSuites);
        Strings(json, "groups"u8, tls.Groups);
        Bool(json, "forwardSecrecy"u8, tls.ForwardSecrecy);
        if (tls.DhBits is int dh)
        {
            json.WriteNumber("dhBits"u8, dh);
        }
        Bool(json, "fallbackScsv"u8, tls.FallbackScsv);
        Bool(json, "secureRenegotiation"u8, tls.SecureRenegotiation);
        Bool(json, "compression"u8, tls.Compression);
        Bool(json, "ocspStapling"u8, tls.OcspStapling);
        Strings(json, "alpnProtocols"u8, tls.AlpnProtocols);
        if (tls.Chain.Count > 0)
        {
            json.WriteStartArray("chain"u8);
            foreach (var c in tls.Chain)
            {
                json.WriteStartObject();
                Text(json, "subject"u8, c.Subject);
                Text(json, "issuer"u8, c.Issuer);
                if (c.NotAfter is DateTimeOffset notAfter)
                {
                    json.WriteString("notAfter"u8, notAfter);
                }
                Text(json, "keyType"u8, c.KeyType);
                if (c.KeyBits is int bits)
                {
                    json.WriteNumber("keyBits"u8, bits);
                }
                Text(json, "signatureAlgorithm"u8, c.SignatureAlgorithm);
                Text(json, "sha256"u8, c.Sha256);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        Text(json, "serverName"u8, tls.ServerName);
        Bool(json, "trusted"u8, tls.Trusted);
        Text(json, "trustProblem"u8, tls.TrustProblem);
        Bool(json, "nameMatches"u8, tls.NameMatches);
        Bool(json, "certificateTransparency"u8, tls.CertificateTransparency);
        Bool(json, "hsts"u8, tls.Hsts);
    }

    /// <summary>Reads back what <see cref="Write"/> wrote, onto <paramref name="tls"/>.</summary>
    public static TlsInfo Read(JsonElement t, TlsInfo tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        return tls with
        {
            AcceptedVersions = Strings(t, "acceptedVersions"u8),
            CipherSuites = t.TryGetProperty("cipherSuites"u8, out var lists) && lists.ValueKind == JsonValueKind.Array
                ? [.. lists.EnumerateArray().Select(l => new TlsCipherList
                {
                    Version = Text(l, "version"u8) ?? "",
                    ServerOrder = Bool(l, "serverOrder"u8),
                    Suites = Strings(l, "suites"u8),
                })]
                : [],
            WeakSuites = Strings(t, "weakSuites"u8),
            Groups = Strings(t, "groups"u8),
            ForwardSecrecy = Bool(t, "forwardSecrecy"u8),
            DhBits = t.TryGetProperty("dhBits"u8, out var dh) && dh.TryGetInt32(out var bits) ? bits : null,
            FallbackScsv = Bool(t, "fallbackScsv"u8),
            SecureRenegotiation = Bool(t, "secureRenegotiation"u8),
            Compression = Bool(t, "compression"u8),
            OcspStapling = Bool(t, "ocspStapling"u8),
            AlpnProtocols = Strings(t, "alpnProtocols"u8),
            Chain = t.TryGetProperty("chain"u8, out var chain) && chain.ValueKind == JsonValueKind.Array
                ? [.. chain.EnumerateArray().Select(c => new TlsCertificate
                {
                    Subject = Text(c, "subject"u8),
                    Issuer = Text(c, "issuer"u8),
                    NotAfter = c.TryGetProperty("notAfter"u8, out var n) && n.TryGetDateTimeOffset(out var when) ? when : null,
                    KeyType = Text(c, "keyType"u8),
                    KeyBits = c.TryGetProperty("keyBits"u8, out var k) && k.TryGetInt32(out var kb) ? kb : null,
                    SignatureAlgorithm = Text(c, "signatureAlgorithm"u8),
                    Sha256 = Text(c, "sha256"u8),
                })]
                : [],
            ServerName = Text(t, "serverName"u8),
            Trusted = Bool(t, "trusted"u8),
            TrustProblem = Text(t, "trustProblem"u8),
            NameMatches = Bool(t, "nameMatches"u8),
            CertificateTransparency = Bool(t, "certificateTransparency"u8),
            Hsts = Bool(t, "hsts"u8),
        };
    }

    private static void Strings(Utf8JsonWriter json, ReadOnlySpan<byte> name, IReadOnlyList<string> values, bool always = false)
    {
        if (values.Count == 0 && !always)
        {
            return;
        }
        json.WriteStartArray(name);
        foreach (var v in values)
        {
            json.WriteStringValue(v);
        }
        json.WriteEndArray();
    }

    private static void Bool(Utf8JsonWriter json, ReadOnlySpan<byte> name, bool? value)
    {
        if (value is bool b)
        {
            json.WriteBoolean(name, b);
        }
    }

    private static void Text(Utf8JsonWriter json, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static string[] Strings(JsonElement e, ReadOnlySpan<byte> name) =>
        e.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array
            ? [.. a.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)]
            : [];

    private static bool? Bool(JsonElement e, ReadOnlySpan<byte> name) =>
        e.TryGetProperty(name, out var b) && b.ValueKind is JsonValueKind.True or JsonValueKind.False ? b.GetBoolean() : null;

    private static string? Text(JsonElement e, ReadOnlySpan<byte> name) =>
        e.TryGetProperty(name, out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
}
