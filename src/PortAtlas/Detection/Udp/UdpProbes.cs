using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace PortAtlas.Detection.Udp;

/// <summary>Names the service in one reply datagram, or returns null when the reply is not an answer to this probe.</summary>
internal delegate ServiceInfo? UdpRecogniser(ReadOnlySpan<byte> reply);

/// <summary>One request datagram and the recogniser of its answers.</summary>
/// <param name="Name">Short name for diagnostics and tests.</param>
/// <param name="Payload">The datagram sent.</param>
/// <param name="Recognise">Reads an answer.</param>
/// <param name="Ports">Ports where the protocol is likely; these probes go first there.</param>
/// <param name="GenericRank">Place among the probes tried on ports with no likely protocol (lower first); -1 when never tried there.</param>
/// <param name="AnySourcePort">The answer comes from another port of the host (TFTP's new transfer ID, RFC 1350, 4).</param>
internal sealed record UdpProbe(string Name, byte[] Payload, UdpRecogniser Recognise, int[] Ports, int GenericRank = -1, bool AnySourcePort = false);

/// <summary>
/// The UDP probes and their recognisers, written from each protocol's specification. Request bytes shared with the
/// raw UDP scan come from <see cref="UdpPayloads"/>, so each protocol's request is written once.
/// </summary>
internal static partial class UdpProbes
{
    internal const ushort DnsRootQueryId = 0x5041;
    internal const ushort LlmnrQueryId = 0x5042;
    internal const ushort VersionBindId = 0x5043;
    internal const ushort IdServerId = 0x5044;
    internal const ushort NetbiosQueryId = 0x5041;
    internal const ushort MemcachedRequestId = 0x5041;
    internal const int SnmpRequestId = 0x5041544C;
    internal const int SnmpV3MessageId = 0x5041544D;
    internal const uint RpcXid = 0x50410001;
    internal const ushort CoapMessageId = 0x5041;

    /// <summary>The STUN transaction ID of <see cref="UdpPayloads"/>' Binding request.</summary>
    internal static ReadOnlySpan<byte> StunTransaction => "PortAtlas-01"u8;
    /// <summary>The ISAKMP initiator SPI of <see cref="UdpPayloads"/>' Main Mode request.</summary>
    internal static ReadOnlySpan<byte> IkeSpi => "PortAtls"u8;
    /// <summary>The OpenVPN session ID of <see cref="UdpPayloads"/>' hard reset.</summary>
    internal static ReadOnlySpan<byte> OpenVpnSession => [0x50, 0x41, 0x54, 0x4C, 0x41, 0x53, 0x00, 0x01];
    internal static ReadOnlySpan<byte> QuicDestination => "PA-dcid1"u8;
    internal static ReadOnlySpan<byte> QuicSource => "PA-scid1"u8;
    internal static ReadOnlySpan<byte> MumbleIdent => "PortAtls"u8;

    /// <summary>Every probe, in the order they are sent when several fit a port.</summary>
    public static IReadOnlyList<UdpProbe> All { get; } = Build();

    private static UdpProbe[] Build() =>
    [
        new("dns-version.bind", UdpPayloads.DnsQuery(VersionBindId, ["version", "bind"], type: 16, @class: 3), RecogniseDns, [53], GenericRank: 0),
        new("dns-id.server", UdpPayloads.DnsQuery(IdServerId, ["id", "server"], type: 16, @class: 3), RecogniseDns, [53]),
        new("dns-root-ns", UdpPayloads.For(53).ToArray(), RecogniseDns, [53]),
        new("ntp-client", UdpPayloads.For(123).ToArray(), RecogniseNtp, [123], GenericRank: 3),
        new("ntp-readvar", NtpReply.ReadVariablesRequest(), RecogniseNtp, [123], GenericRank: 4),
        new("snmp-v2c-sysdescr", UdpPayloads.SnmpGetSysDescr(1), RecogniseSnmp, [161, 162, 1161], GenericRank: 1),
        new("snmp-v3-discovery", SnmpReply.DiscoveryRequest(SnmpV3MessageId), RecogniseSnmp, [161, 162, 1161], GenericRank: 2),
        new("sip-options", UdpPayloads.For(5060).ToArray(), RecogniseSip, [5060, 5061, 5062, 5070, 5080], GenericRank: 5),
        new("stun-binding", UdpPayloads.For(3478).ToArray(), RecogniseStun, [3478, 3479, 5349, 19302], GenericRank: 6),
        new("netbios-nbstat", UdpPayloads.For(137).ToArray(), RecogniseNetbios, [137]),
        new("mdns-services", UdpPayloads.For(5353).ToArray(), RecogniseMdns, [5353]),
        new("llmnr", UdpPayloads.For(5355).ToArray(), RecogniseLlmnr, [5355]),
        new("memcached-version", UdpPayloads.For(11211).ToArray(), RecogniseMemcached, [11211], GenericRank: 7),
        new("openvpn-reset", UdpPayloads.For(1194).ToArray(), RecogniseOpenVpn, [1194, 1195, 1196]),
        new("ike-main-mode", UdpPayloads.For(500).ToArray(), RecogniseIke, [500]),
        new("ike-nat-t", [0, 0, 0, 0, .. UdpPayloads.For(500)], RecogniseIkeNatT, [4500]),
        new("quic-version", QuicVersionNegotiation.Request(QuicDestination, QuicSource), RecogniseQuic, [443, 4433, 8443]),
        new("tftp-read", UdpPayloads.For(69).ToArray(), RecogniseTftp, [69], AnySourcePort: true),
        new("rpc-null", UdpPayloads.For(111).ToArray(), RecogniseRpc, [111], GenericRank: 8),
        new("mumble-ping", [0, 0, 0, 0, .. MumbleIdent], RecogniseMumble, [64738], GenericRank: 9),
        new("ssdp-search", UdpPayloads.For(1900).ToArray(), RecogniseSsdp, [1900]),
        new("coap-core", UdpPayloads.For(5683).ToArray(), RecogniseCoap, [5683]),
        new("rmcp-ping", UdpPayloads.For(623).ToArray(), RecogniseRmcp, [623]),
        new("nat-pmp", UdpPayloads.For(5351).ToArray(), RecogniseNatPmp, [5351]),
        new("kerberos-as-req", KerberosReply.AsRequest(), RecogniseKerberos, [88, 750]),
        new("daytime", "\r\n"u8.ToArray(), RecogniseDaytime, [13]),
        new("qotd", "\r\n"u8.ToArray(), RecogniseQotd, [17]),
    ];

    private static ServiceInfo Probed(string name, string? product = null, string? version = null, string? extra = null, string? cpe = null, string? os = null) => new()
    {
        Name = name,
        Product = product,
        Version = version,
        ExtraInfo = extra,
        Cpe = cpe is null ? [] : [cpe],
        OperatingSystem = os,
        Method = "probe",
    };

    // DNS: a response carrying one of our query IDs. version.bind names the product (BIND answers with its bare
    // version, others with "name version"); id.server names the server instance.
    internal static ServiceInfo? RecogniseDns(ReadOnlySpan<byte> reply)
    {
        if (!DnsReply.TryParse(reply, out var dns) || dns.Id is not (DnsRootQueryId or VersionBindId or IdServerId))
        {
            return null;
        }
        if (dns.Id == VersionBindId && dns.ResponseCode == 0 && dns.Texts.Count > 0)
        {
            return DescribeDnsVersion(dns.Texts[0]);
        }
        if (dns.Id == IdServerId && dns.ResponseCode == 0 && dns.Texts.Count > 0)
        {
            return Probed("domain", extra: "id.server: " + ProductText.Trim(dns.Texts[0], 60));
        }
        return Probed("domain");
    }

    [GeneratedRegex(@"^(?:BIND\s+)?(?<version>9\.\d+\.\d+(?:-[SP]\d+)*)(?<rest>.*)$", RegexOptions.CultureInvariant, 200)]
    private static partial Regex BindVersion();

    internal static ServiceInfo DescribeDnsVersion(string text)
    {
        var bind = BindVersion().Match(text);
        if (bind.Success)
        {
            var rest = bind.Groups["rest"].Value;
            string? distro = rest.Contains("Debian", StringComparison.OrdinalIgnoreCase) ? "Debian"
                : rest.Contains("Ubuntu", StringComparison.OrdinalIgnoreCase) ? "Ubuntu"
                : rest.Contains("RedHat", StringComparison.OrdinalIgnoreCase) || rest.Contains(".el", StringComparison.Ordinal) ? "Red Hat" : null;
            var version = bind.Groups["version"].Value;
            return Probed("domain", "ISC BIND", version, distro, ProductText.Cpe("isc:bind", version), distro is null ? null : "Linux");
        }
        var (_, announced) = ProductText.Split(text);
        var described = ProductText.Describe("domain", text, keepUnknown: announced is not null);
        return described.Product is "Microsoft DNS" ? described with { OperatingSystem = "Windows" } : described;
    }

    [GeneratedRegex(@"^ntpd (?<version>[0-9][0-9A-Za-z.]*)", RegexOptions.CultureInvariant, 200)]
    private static partial Regex NtpdVersion();

    [GeneratedRegex(@"^ntpsec-(?<version>[0-9][0-9A-Za-z.]*)", RegexOptions.CultureInvariant, 200)]
    private static partial Regex NtpsecVersion();

    // NTP: a server packet (mode 4) names the protocol version and stratum; a mode 6 READVAR answer names ntpd or NTPsec and the system.
    internal static ServiceInfo? RecogniseNtp(ReadOnlySpan<byte> reply)
    {
        if (NtpReply.TryParse(reply, out var ntp))
        {
            var state = ntp.LeapIndicator == 3 || ntp.Stratum is 0 or 16 ? "unsynchronized" : $"stratum {ntp.Stratum}";
            return Probed("ntp", extra: $"NTPv{ntp.Version}, {state}");
        }
        if (!NtpControlReply.TryParse(reply, out var control))
        {
            return null;
        }
        var text = control.Variable("version");
        var system = control.Variable("system");
        string? os = system is null ? null : system.Split('/')[0] is { Length: > 0 and < 20 } first ? first : null;
        if (text is not null)
        {
            var ntpd = NtpdVersion().Match(text);
            if (ntpd.Success)
            {
                var version = ntpd.Groups["version"].Value;
                return Probed("ntp", "ntpd", version, system is null ? null : ProductText.Trim(system, 40), ProductText.Cpe("ntp:ntp", version), os);
            }
            var ntpsec = NtpsecVersion().Match(text);
            if (ntpsec.Success)
            {
                var version = ntpsec.Groups["version"].Value;
                return Probed("ntp", "NTPsec", version, system is null ? null : ProductText.Trim(system, 40), ProductText.Cpe("ntpsec:ntpsec", version), os);
            }
        }
        return Probed("ntp", extra: text is null ? "mode 6" : ProductText.Trim(text, 60), os: os);
    }

    // SNMP: sysDescr.0 tells the system (and often the product); an SNMPv3 engine ID names the agent's vendor (RFC 3411, 5).
    internal static ServiceInfo? RecogniseSnmp(ReadOnlySpan<byte> reply)
    {
        if (!SnmpReply.TryParse(reply, out var snmp))
        {
            return null;
        }
        if (snmp.Version == 3)
        {
            if (snmp.PduType != 0xA8 && snmp.RequestId != SnmpV3MessageId)
            {
                return null;
            }
            var (product, cpe) = snmp.Enterprise switch
            {
                8072 or 2021 => ("net-snmp", "net-snmp:net-snmp"),
                9 => ("Cisco SNMP service", "cisco:ios"),
                311 => ("Microsoft Windows SNMP service", null),
                2636 => ("Juniper SNMP service", "juniper:junos"),
                14988 => ("MikroTik RouterOS SNMP service", "mikrotik:routeros"),
                4413 => ("Broadcom SNMP service", null),
                _ => ((string?)null, (string?)null),
            };
            var up = TimeSpan.FromSeconds(Math.Clamp(snmp.EngineTime, 0, int.MaxValue));
            var uptime = snmp.EngineTime <= 0 ? "" : up.TotalDays >= 1 ? $"; up {(int)up.TotalDays} days" : $"; up {(int)up.TotalHours} hours";
            var enterprise = product is null && snmp.Enterprise >= 0 ? $"; enterprise {snmp.Enterprise}" : "";
            return Probed("snmp", product, extra: $"SNMPv3; engine boots {snmp.EngineBoots}{uptime}{enterprise}", cpe: cpe is null ? null : "cpe:/a:" + cpe);
        }
        if (snmp.RequestId != SnmpRequestId || snmp.PduType != 0xA2)
        {
            return null;
        }
        var community = $"{(snmp.Version == 0 ? "SNMPv1" : "SNMPv2c")}; community {snmp.Community}";
        return snmp.FirstValue is null ? Probed("snmp", extra: community) : DescribeSysDescr(snmp.FirstValue, community);
    }

    [GeneratedRegex(@"Version (?<version>[0-9][0-9A-Za-z.()]*)", RegexOptions.CultureInvariant, 200)]
    private static partial Regex CiscoVersion();

    internal static ServiceInfo DescribeSysDescr(string sysDescr, string community)
    {
        var text = ProductText.Trim(sysDescr, 120);
        if (text.Contains("Cisco IOS", StringComparison.Ordinal) || text.Contains("Cisco Internetwork Operating System", StringComparison.Ordinal))
        {
            var version = CiscoVersion().Match(text) is { Success: true } m ? m.Groups["version"].Value : null;
            return Probed("snmp", "Cisco IOS SNMP service", version, community, ProductText.Cpe("cisco:ios", version, 'o'), "IOS") with { DeviceType = "router" };
        }
        if (text.Contains("Software: Windows", StringComparison.Ordinal))
        {
            var at = text.IndexOf("Windows", StringComparison.Ordinal);
            return Probed("snmp", "Microsoft Windows SNMP service", extra: $"{community}; {text[at..]}", os: "Windows");
        }
        var first = text.Split(' ', 2)[0];
        var os = first switch
        {
            "Linux" => "Linux",
            "FreeBSD" or "OpenBSD" or "NetBSD" or "Darwin" => first,
            "SunOS" => "Solaris",
            "RouterOS" => "RouterOS",
            _ => null,
        };
        if (os == "Linux")
        {
            // net-snmp's default sysDescr is uname: "Linux <host> <kernel release> <build> <machine>".
            var parts = text.Split(' ');
            return Probed("snmp", extra: parts.Length > 2 ? $"{community}; Linux {parts[2]}" : community, os: "Linux");
        }
        return Probed("snmp", extra: $"{community}; {text}", os: os);
    }

    internal static ServiceInfo? RecogniseSip(ReadOnlySpan<byte> reply)
    {
        if (!SipReply.TryParse(reply, out var sip))
        {
            return null;
        }
        var status = $"status {sip.StatusCode}";
        return sip.Server is { Length: > 0 } server ? ProductText.Describe("sip", server, keepUnknown: true, status) : Probed("sip", extra: status);
    }

    internal static ServiceInfo? RecogniseStun(ReadOnlySpan<byte> reply)
    {
        if (!StunReply.TryParse(reply, StunTransaction, out var stun))
        {
            return null;
        }
        var extra = stun.HasMagicCookie ? null : "RFC 3489";
        return stun.Software is { Length: > 0 } software ? ProductText.Describe("stun", software, keepUnknown: true, extra) : Probed("stun", extra: extra);
    }

    // NetBIOS: Samba's nmbd reports an all-zero unit ID where Windows reports its MAC address.
    internal static ServiceInfo? RecogniseNetbios(ReadOnlySpan<byte> reply)
    {
        if (!NetbiosStatusReply.TryParse(reply, NetbiosQueryId, out var status))
        {
            return null;
        }
        var parts = new List<string>();
        if (status.Workgroup is not null)
        {
            parts.Add("workgroup: " + status.Workgroup);
        }
        if (status.ComputerName is not null)
        {
            parts.Add("name: " + status.ComputerName);
        }
        var samba = status.Mac is "00:00:00:00:00:00";
        if (status.Mac is not null && !samba)
        {
            parts.Add("MAC: " + status.Mac);
        }
        return samba
            ? Probed("netbios-ns", "Samba nmbd", extra: string.Join("; ", parts), cpe: "cpe:/a:samba:samba")
            : Probed("netbios-ns", "Microsoft Windows netbios-ns", extra: string.Join("; ", parts), os: "Windows");
    }

    internal static ServiceInfo? RecogniseMdns(ReadOnlySpan<byte> reply)
    {
        if (!DnsReply.TryParse(reply, out var dns) || dns.Id != 0)
        {
            return null;
        }
        var services = dns.Pointers.Take(6).Select(p => ProductText.Trim(p, 40)).ToList();
        return Probed("mdns", extra: services.Count == 0 ? "DNS-SD" : "services: " + string.Join(", ", services));
    }

    internal static ServiceInfo? RecogniseLlmnr(ReadOnlySpan<byte> reply) =>
        DnsReply.TryParse(reply, out var dns) && dns.Id == LlmnrQueryId ? Probed("llmnr") : null;

    internal static ServiceInfo? RecogniseMemcached(ReadOnlySpan<byte> reply)
    {
        if (!MemcachedReply.TryParse(reply, MemcachedRequestId, out var memcached))
        {
            return null;
        }
        var version = memcached.Version is { } v ? ProductText.Split("memcached " + v).Version ?? v : null;
        return Probed("memcached", "memcached", version, "UDP", ProductText.Cpe("memcached:memcached", version));
    }

    internal static ServiceInfo? RecogniseOpenVpn(ReadOnlySpan<byte> reply) =>
        OpenVpnReply.IsServerReset(reply, OpenVpnSession, out var ours)
            ? Probed("openvpn", "OpenVPN", extra: ours ? null : "busy with another peer", cpe: "cpe:/a:openvpn:openvpn") : null;

    internal static ServiceInfo? RecogniseIke(ReadOnlySpan<byte> reply)
    {
        if (!IkeReply.TryParse(reply, IkeSpi, out var ike))
        {
            return null;
        }
        string? product = null;
        var features = new List<string> { $"IKEv{ike.MajorVersion}" };
        foreach (var id in ike.VendorIds)
        {
            var (name, feature) = IkeReply.DescribeVendorId(id);
            product ??= name;
            if (feature is not null)
            {
                features.Add(feature);
            }
        }
        if (ike.Notifications.Contains(14))
        {
            features.Add("no proposal chosen");
        }
        var cpe = product switch
        {
            "strongSwan" => "cpe:/a:strongswan:strongswan",
            "Libreswan" => "cpe:/a:libreswan:libreswan",
            _ => null,
        };
        return Probed("isakmp", product, extra: string.Join("; ", features), cpe: cpe, os: product == "Microsoft Windows" ? "Windows" : null);
    }

    // IKE over UDP 4500 (RFC 3948, 2.2): a four-byte non-ESP marker of zeros precedes the ISAKMP message.
    internal static ServiceInfo? RecogniseIkeNatT(ReadOnlySpan<byte> reply) =>
        reply.Length > 4 && BinaryPrimitives.ReadUInt32BigEndian(reply) == 0 ? RecogniseIke(reply[4..]) is { } ike ? ike with { Name = "ipsec-nat-t" } : null : null;

    internal static ServiceInfo? RecogniseQuic(ReadOnlySpan<byte> reply)
    {
        if (!QuicVersionNegotiation.TryParse(reply, QuicDestination, QuicSource, out var negotiation))
        {
            return null;
        }
        // Servers may list a reserved version to keep clients honest (RFC 9000, 6.3); those say nothing.
        var versions = negotiation.Versions.Where(v => (v & 0x0f0f0f0f) != 0x0a0a0a0a).Select(QuicVersionNegotiation.Name).Distinct().Take(8);
        return Probed("quic", extra: "versions: " + string.Join(", ", versions));
    }

    internal static ServiceInfo? RecogniseTftp(ReadOnlySpan<byte> reply)
    {
        if (!TftpReply.TryParse(reply, out var tftp))
        {
            return null;
        }
        return Probed("tftp", extra: tftp.Opcode == 5 ? $"error {tftp.ErrorCode}: {tftp.Message}" : "file served");
    }

    internal static ServiceInfo? RecogniseRpc(ReadOnlySpan<byte> reply)
    {
        if (!RpcReply.IsReplyTo(reply, RpcXid, out var accepted))
        {
            return null;
        }
        // Program 100000 answering a NULL call is the portmapper; any other RPC server refuses the program.
        var status = accepted && reply.Length >= 24 ? BinaryPrimitives.ReadUInt32BigEndian(reply[20..]) : uint.MaxValue;
        return status == 0 ? Probed("rpcbind", extra: "RPC #100000 v2") : Probed("rpc", extra: "ONC RPC");
    }

    internal static ServiceInfo? RecogniseMumble(ReadOnlySpan<byte> reply)
    {
        if (!MumblePingReply.TryParse(reply, MumbleIdent, out var ping))
        {
            return null;
        }
        return Probed("mumble", "Mumble server", ping.Version, $"users {ping.Users}/{ping.MaxUsers}", ProductText.Cpe("mumble:murmur", ping.Version));
    }

    internal static ServiceInfo? RecogniseSsdp(ReadOnlySpan<byte> reply)
    {
        if (!reply.StartsWith("HTTP/1.1 200"u8) && !reply.StartsWith("NOTIFY "u8))
        {
            return null;
        }
        var text = ProductText.Ascii(reply, 1024);
        foreach (var line in text.Split('?'))
        {
            if (line.StartsWith("SERVER:", StringComparison.OrdinalIgnoreCase))
            {
                // "OS/version UPnP/1.0 product/version": the product comes last.
                var tokens = line[7..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var last = tokens.LastOrDefault(t => !t.StartsWith("UPnP/", StringComparison.OrdinalIgnoreCase));
                return last is null ? Probed("upnp") : ProductText.Describe("upnp", last, keepUnknown: true, ProductText.Trim(line[7..], 80));
            }
        }
        return Probed("upnp");
    }

    // CoAP (RFC 7252, 3): version 1, an Acknowledgement or Reset carrying our message ID.
    internal static ServiceInfo? RecogniseCoap(ReadOnlySpan<byte> reply) =>
        reply.Length >= 4 && reply[0] >> 6 == 1 && ((reply[0] >> 4) & 3) is 2 or 3 && BinaryPrimitives.ReadUInt16BigEndian(reply[2..]) == CoapMessageId
            ? Probed("coap", extra: $"code {reply[1] >> 5}.{reply[1] & 0x1F:00}") : null;

    // RMCP (DMTF ASF 2.0, 3.2.4): an ASF presence pong (message type 0x40); bit 7 of the supported entities means IPMI.
    internal static ServiceInfo? RecogniseRmcp(ReadOnlySpan<byte> reply) =>
        reply.Length >= 9 && reply[0] == 0x06 && reply[3] == 0x06 && reply[8] == 0x40
            ? Probed("asf-rmcp", extra: reply.Length >= 21 && (reply[20] & 0x80) != 0 ? "IPMI" : null) : null;

    // NAT-PMP (RFC 6886, 3.2): version 0, opcode 128 (the answer to 0), a result code.
    internal static ServiceInfo? RecogniseNatPmp(ReadOnlySpan<byte> reply) =>
        reply.Length >= 8 && reply[0] == 0 && reply[1] == 128 ? Probed("nat-pmp") : null;

    internal static ServiceInfo? RecogniseKerberos(ReadOnlySpan<byte> reply)
    {
        if (!KerberosReply.TryParse(reply, out var kerberos))
        {
            return null;
        }
        var error = kerberos.ErrorCode switch
        {
            -1 => "AS-REP",
            6 => "client unknown",
            25 => "pre-authentication required",
            68 => "wrong realm",
            var code => $"error {code}",
        };
        // A KDC echoes the realm asked for; only another realm (a referral, error 68) is news.
        var realm = kerberos.Realm is { } r && !r.Equals(KerberosReply.ProbeRealm, StringComparison.OrdinalIgnoreCase) ? r : null;
        return Probed("kerberos-sec", extra: realm is null ? error : $"realm: {realm}; {error}");
    }

    internal static ServiceInfo? RecogniseDaytime(ReadOnlySpan<byte> reply) => RecogniseText(reply, "daytime");

    internal static ServiceInfo? RecogniseQotd(ReadOnlySpan<byte> reply) => RecogniseText(reply, "qotd");

    // Daytime (RFC 867) and quote of the day (RFC 865) answer any datagram with a line of text.
    private static ServiceInfo? RecogniseText(ReadOnlySpan<byte> reply, string name)
    {
        if (reply.Length is < 4 or > 1024 || reply.SequenceEqual("\r\n"u8))
        {
            return null;
        }
        foreach (var b in reply)
        {
            if (b is not (>= 0x20 and < 0x7f or (byte)'\r' or (byte)'\n' or (byte)'\t'))
            {
                return null;
            }
        }
        return Probed(name, extra: ProductText.Trim(Encoding.ASCII.GetString(reply).Trim(), 60));
    }
}
