using System.Text.RegularExpressions;

namespace PortAtlas.Detection.Udp;

/// <summary>
/// Reads a product and a version out of the free text a protocol carries (a SIP Server header, a STUN SOFTWARE
/// attribute, a DNS version string), and names the products we know with their CPE.
/// </summary>
internal static partial class ProductText
{
    // Lowercase prefix of the announced name → product as printed and its CPE vendor:product.
    private static readonly (string Prefix, string Product, string Cpe)[] s_known =
    [
        ("asterisk", "Asterisk", "digium:asterisk"),
        ("fpbx", "FreePBX (Asterisk)", "freepbx:freepbx"),
        ("kamailio", "Kamailio", "kamailio:kamailio"),
        ("opensips", "OpenSIPS", "opensips:opensips"),
        ("freeswitch", "FreeSWITCH", "freeswitch:freeswitch"),
        ("yate", "Yate", "null:yate"),
        ("repro", "reSIProcate repro", "resiprocate:resiprocate"),
        ("sems", "SEMS", "iptel:sems"),
        ("coturn", "coturn", "coturn_project:coturn"),
        ("reTurnServer", "reTurn", "resiprocate:resiprocate"),
        ("restund", "restund", "creytiv:restund"),
        ("eturnal", "eturnal", "processone:eturnal"),
        ("unbound", "Unbound", "nlnetlabs:unbound"),
        ("nsd", "NSD", "nlnetlabs:nsd"),
        ("dnsmasq", "dnsmasq", "thekelleys:dnsmasq"),
        ("knot dns", "Knot DNS", "nic:knot_dns"),
        ("knot resolver", "Knot Resolver", "nic:knot_resolver"),
        ("powerdns recursor", "PowerDNS Recursor", "powerdns:recursor"),
        ("powerdns authoritative", "PowerDNS Authoritative Server", "powerdns:authoritative_server"),
        ("powerdns", "PowerDNS", "powerdns:powerdns"),
        ("coredns", "CoreDNS", "coredns.io:coredns"),
        ("microsoft dns", "Microsoft DNS", "microsoft:dns_server"),
        ("miniupnpd", "MiniUPnPd", "miniupnp_project:miniupnpd"),
    ];

    // "Name/1.2.3", "Name 1.2.3", "Name-1.2.3", "Name (1.2.3 ...": a name of letters, digits and a few marks, then a
    // dotted version with an optional letter suffix (4.2.8p15, 1.2.3rc1).
    [GeneratedRegex(@"^\s*(?<name>[A-Za-z][A-Za-z0-9_.+\- ]{0,60}?)[\s/\-_(]+v?(?<version>\d+(?:\.\d+)+(?:[a-z]+\d*)?)", RegexOptions.CultureInvariant, 200)]
    private static partial Regex NameVersion();

    /// <summary>The name and version at the start of <paramref name="text"/>; the whole text (trimmed) as name when no version follows it.</summary>
    public static (string Name, string? Version) Split(string text)
    {
        try
        {
            var match = NameVersion().Match(text);
            if (match.Success)
            {
                return (match.Groups["name"].Value.Trim(), match.Groups["version"].Value);
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // Hostile text: fall through to the plain name.
        }
        return (text.Trim(), null);
    }

    /// <summary>
    /// A service description from announced text: the known product with its CPE, or the announced name as product
    /// when <paramref name="keepUnknown"/> (a SIP Server header names its software; a DNS version string may be a joke).
    /// </summary>
    public static ServiceInfo Describe(string service, string text, bool keepUnknown, string? extra = null)
    {
        var (name, version) = Split(text);
        foreach (var (prefix, product, cpe) in s_known)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return new ServiceInfo
                {
                    Name = service,
                    Product = product,
                    Version = version,
                    ExtraInfo = extra,
                    Cpe = [Cpe(cpe, version)],
                    Method = "probe",
                };
            }
        }
        return new ServiceInfo
        {
            Name = service,
            Product = keepUnknown && name.Length > 0 ? Trim(name, 60) : null,
            Version = keepUnknown ? version : null,
            ExtraInfo = extra ?? (keepUnknown ? null : Trim(text, 80)),
            Method = "probe",
        };
    }

    /// <summary>cpe:/a:vendor:product[:version], the version lowercased as CPE 2.2 writes it.</summary>
    public static string Cpe(string vendorProduct, string? version, char part = 'a') =>
        string.IsNullOrEmpty(version) ? $"cpe:/{part}:{vendorProduct}" : $"cpe:/{part}:{vendorProduct}:{version.ToLowerInvariant()}";

    /// <summary>At most <paramref name="max"/> characters of printable text: controls become spaces, so that outside text cannot steer a terminal.</summary>
    public static string Trim(string text, int max)
    {
        Span<char> buffer = stackalloc char[Math.Min(text.Length, max)];
        for (var i = 0; i < buffer.Length; i++)
        {
            var c = text[i];
            buffer[i] = c is >= ' ' and < '\x7f' ? c : ' ';
        }
        return new string(buffer).Trim();
    }

    /// <summary>ASCII text from bytes, every byte outside printable ASCII as '?', at most <paramref name="max"/> bytes.</summary>
    public static string Ascii(ReadOnlySpan<byte> bytes, int max = 256)
    {
        if (bytes.Length > max)
        {
            bytes = bytes[..max];
        }
        Span<char> buffer = stackalloc char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            buffer[i] = b is >= 0x20 and < 0x7f ? (char)b : '?';
        }
        return new string(buffer);
    }
}
