using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using PortAtlas.Detection.Udp;

namespace PortAtlas.Tests.Detection.Udp;

public class UdpProbesTests
{
    internal static byte[] Payload(string name) => UdpProbes.All.Single(p => p.Name == name).Payload;

    [Theory]
    [InlineData("9.18.28-1~deb12u2-Debian", "ISC BIND", "9.18.28", "cpe:/a:isc:bind:9.18.28")]
    [InlineData("9.11.5-P4-5.1+deb10u9-Debian", "ISC BIND", "9.11.5-P4", "cpe:/a:isc:bind:9.11.5-p4")]
    [InlineData("unbound 1.17.1", "Unbound", "1.17.1", "cpe:/a:nlnetlabs:unbound:1.17.1")]
    [InlineData("dnsmasq-2.90", "dnsmasq", "2.90", "cpe:/a:thekelleys:dnsmasq:2.90")]
    [InlineData("NSD 4.6.1", "NSD", "4.6.1", "cpe:/a:nlnetlabs:nsd:4.6.1")]
    [InlineData("Knot DNS 3.2.6", "Knot DNS", "3.2.6", "cpe:/a:nic:knot_dns:3.2.6")]
    [InlineData("PowerDNS Recursor 4.8.4", "PowerDNS Recursor", "4.8.4", "cpe:/a:powerdns:recursor:4.8.4")]
    [InlineData("PowerDNS Authoritative Server 4.7.3 (built Jan 1 2023)", "PowerDNS Authoritative Server", "4.7.3", "cpe:/a:powerdns:authoritative_server:4.7.3")]
    public void RecogniseDns_VersionBindAnswer_NamesTheProduct(string text, string product, string version, string cpe)
    {
        var service = UdpProbes.RecogniseDns(UdpReplies.DnsTxt(Payload("dns-version.bind"), text));

        Assert.NotNull(service);
        Assert.Equal(("domain", product, version, "probe"), (service.Name, service.Product, service.Version, service.Method));
        Assert.Equal([cpe], service.Cpe);
    }

    [Fact]
    public void RecogniseDns_RefusedVersionBind_IsStillDomainWithoutProduct()
    {
        var service = UdpProbes.RecogniseDns(UdpReplies.DnsTxt(Payload("dns-version.bind"), "", rcode: 5));

        Assert.Equal("domain", service?.Name);
        Assert.Null(service?.Product);
    }

    [Fact]
    public void RecogniseDns_HiddenVersionString_KeepsTheTextAsExtraNotProduct()
    {
        var service = UdpProbes.RecogniseDns(UdpReplies.DnsTxt(Payload("dns-version.bind"), "none of your business"));

        Assert.Null(service?.Product);
        Assert.Equal("none of your business", service?.ExtraInfo);
    }

    [Fact]
    public void RecogniseDns_AnswerToAQueryWeDidNotSend_IsNotRecognised()
    {
        var reply = UdpReplies.DnsTxt(Payload("dns-version.bind"), "unbound 1.17.1");
        reply[0] = 0x12;

        Assert.Null(UdpProbes.RecogniseDns(reply));
        Assert.Null(UdpProbes.RecogniseDns(Payload("dns-version.bind")));
    }

    [Fact]
    public void RecogniseNtp_ServerPacket_GivesVersionAndStratum()
    {
        var service = UdpProbes.RecogniseNtp(UdpReplies.NtpServer(4, 2));

        Assert.Equal(("ntp", "NTPv4, stratum 2"), (service?.Name, service?.ExtraInfo));
    }

    [Theory]
    [InlineData("version=\"ntpd 4.2.8p15@1.3728-o Wed Sep 23 11:46:38 UTC 2020 (1)\", processor=\"x86_64\", system=\"Linux/6.1.0-18-amd64\", leap=00", "ntpd", "4.2.8p15", "Linux")]
    [InlineData("version=\"ntpsec-1.2.2 2023-01-01T00:00:00Z\", system=\"Linux/6.1.0\"", "NTPsec", "1.2.2", "Linux")]
    public void RecogniseNtp_ReadVarAnswer_NamesTheDaemon(string variables, string product, string version, string os)
    {
        var service = UdpProbes.RecogniseNtp(UdpReplies.NtpControl(variables));

        Assert.Equal((product, version, os), (service?.Product, service?.Version, service?.OperatingSystem));
    }

    [Fact]
    public void RecogniseSnmp_LinuxSysDescr_GivesTheOsAndKernel()
    {
        var reply = UdpReplies.SnmpSysDescr(UdpProbes.SnmpRequestId, "Linux pa-lab 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 x86_64");

        var service = UdpProbes.RecogniseSnmp(reply);

        Assert.Equal(("snmp", "Linux"), (service?.Name, service?.OperatingSystem));
        Assert.Equal("SNMPv2c; community public; Linux 6.1.0-18-amd64", service?.ExtraInfo);
    }

    [Fact]
    public void RecogniseSnmp_CiscoSysDescr_GivesIosAndVersion()
    {
        var reply = UdpReplies.SnmpSysDescr(UdpProbes.SnmpRequestId,
            "Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 12.2(55)SE5, RELEASE SOFTWARE (fc1)", version: 0);

        var service = UdpProbes.RecogniseSnmp(reply);

        Assert.Equal(("Cisco IOS SNMP service", "12.2(55)SE5"), (service?.Product, service?.Version));
    }

    [Fact]
    public void RecogniseSnmp_WindowsSysDescr_GivesWindows()
    {
        var reply = UdpReplies.SnmpSysDescr(UdpProbes.SnmpRequestId,
            "Hardware: Intel64 Family 6 Model 85 Stepping 7 AT/AT COMPATIBLE - Software: Windows Version 6.3 (Build 17763 Multiprocessor Free)");

        var service = UdpProbes.RecogniseSnmp(reply);

        Assert.Equal(("Microsoft Windows SNMP service", "Windows"), (service?.Product, service?.OperatingSystem));
    }

    [Theory]
    [InlineData(8072, "net-snmp")]
    [InlineData(9, "Cisco SNMP service")]
    [InlineData(311, "Microsoft Windows SNMP service")]
    public void RecogniseSnmp_V3ReportEngineId_NamesTheVendor(int enterprise, string product)
    {
        var service = UdpProbes.RecogniseSnmp(UdpReplies.SnmpV3Report(UdpProbes.SnmpV3MessageId, enterprise));

        Assert.Equal(product, service?.Product);
        Assert.StartsWith("SNMPv3; engine boots 3; up 1 days", service?.ExtraInfo);
    }

    [Fact]
    public void RecogniseSnmp_OtherRequestId_IsNotRecognised() =>
        Assert.Null(UdpProbes.RecogniseSnmp(UdpReplies.SnmpSysDescr(1234, "Linux x 6.1")));

    [Theory]
    [InlineData("Asterisk PBX 20.1.0", "Asterisk", "20.1.0")]
    [InlineData("kamailio (5.6.3 (x86_64/linux))", "Kamailio", "5.6.3")]
    [InlineData("OpenSIPS (3.4.2 (x86_64/linux))", "OpenSIPS", "3.4.2")]
    [InlineData("FreeSWITCH-mod_sofia/1.10.9-release~64bit", "FreeSWITCH", "1.10.9")]
    [InlineData("Acme Voice Gateway/7.1", "Acme Voice Gateway", "7.1")]
    public void RecogniseSip_ServerHeader_NamesTheProduct(string server, string product, string version)
    {
        var service = UdpProbes.RecogniseSip(UdpReplies.Sip(server));

        Assert.Equal(("sip", product, version), (service?.Name, service?.Product, service?.Version));
    }

    [Fact]
    public void RecogniseSip_UserAgentWithoutServer_IsUsed() =>
        Assert.Equal("FreeSWITCH", UdpProbes.RecogniseSip(UdpReplies.Sip("FreeSWITCH-mod_sofia/1.10.9", "User-Agent"))?.Product);

    [Fact]
    public void RecogniseStun_SoftwareAttribute_NamesCoturn()
    {
        var reply = UdpReplies.StunSuccess(Payload("stun-binding"), "Coturn-4.6.1 'Gorst'");

        var service = UdpProbes.RecogniseStun(reply);

        Assert.Equal(("stun", "coturn", "4.6.1"), (service?.Name, service?.Product, service?.Version));
    }

    [Fact]
    public void RecogniseStun_OtherTransaction_IsNotRecognised()
    {
        var reply = UdpReplies.StunSuccess(Payload("stun-binding"), "Coturn-4.6.1");
        reply[19] ^= 1;

        Assert.Null(UdpProbes.RecogniseStun(reply));
    }

    [Fact]
    public void RecogniseNetbios_ZeroUnitId_IsSamba()
    {
        var service = UdpProbes.RecogniseNetbios(UdpReplies.NetbiosStatus(UdpProbes.NetbiosQueryId, "SVC", "PORTATLAS", new byte[6]));

        Assert.Equal(("netbios-ns", "Samba nmbd"), (service?.Name, service?.Product));
        Assert.Equal("workgroup: PORTATLAS; name: SVC", service?.ExtraInfo);
    }

    [Fact]
    public void RecogniseNetbios_RealMac_IsWindowsWithTheMac()
    {
        var service = UdpProbes.RecogniseNetbios(UdpReplies.NetbiosStatus(UdpProbes.NetbiosQueryId, "DESKTOP1", "WORKGROUP", [0x00, 0x15, 0x5d, 0x01, 0x02, 0x03]));

        Assert.Equal(("Microsoft Windows netbios-ns", "Windows"), (service?.Product, service?.OperatingSystem));
        Assert.Contains("MAC: 00:15:5d:01:02:03", service?.ExtraInfo);
    }

    [Fact]
    public void RecogniseMemcached_VersionLine_GivesTheVersion()
    {
        byte[] reply = [0x50, 0x41, 0, 0, 0, 1, 0, 0, .. "VERSION 1.6.18\r\n"u8];

        var service = UdpProbes.RecogniseMemcached(reply);

        Assert.Equal(("memcached", "memcached", "1.6.18"), (service?.Name, service?.Product, service?.Version));
    }

    [Fact]
    public void RecogniseOpenVpn_ServerResetAckingOurSession_IsOpenVpn()
    {
        byte[] reply = [0x40, 1, 2, 3, 4, 5, 6, 7, 8, 1, 0, 0, 0, 0, .. UdpProbes.OpenVpnSession, 0, 0, 0, 0];

        Assert.Equal(("OpenVPN", null), (UdpProbes.RecogniseOpenVpn(reply)?.Product, UdpProbes.RecogniseOpenVpn(reply)?.ExtraInfo));
        reply[^5] ^= 1;
        Assert.Equal("busy with another peer", UdpProbes.RecogniseOpenVpn(reply)?.ExtraInfo);
        Assert.Null(UdpProbes.RecogniseOpenVpn(reply.AsSpan(0, reply.Length - 1)));
    }

    [Fact]
    public void RecogniseOpenVpn_ResetCapturedFromTheLabServer_IsOpenVpn()
    {
        // OpenVPN 2.6 (Debian 12) in point-to-point TLS mode, answering while bound to an earlier peer.
        var reply = Convert.FromHexString("4070011e80709b69b5010000000064c17801b89bcb8f00000000");

        Assert.Equal("OpenVPN", UdpProbes.RecogniseOpenVpn(reply)?.Product);
    }

    [Fact]
    public void RecogniseIke_StrongSwanVendorId_NamesStrongSwan()
    {
        var strongSwan = MD5.HashData("strongSwan"u8);
        byte[] natT = Convert.FromHexString("4a131c81070358455c5728f20e95452f");

        var service = UdpProbes.RecogniseIke(UdpReplies.IkeResponse(UdpProbes.IkeSpi, natT, strongSwan));

        Assert.Equal(("isakmp", "strongSwan"), (service?.Name, service?.Product));
        Assert.Equal("IKEv1; NAT-T (RFC 3947)", service?.ExtraInfo);
    }

    [Fact]
    public void RecogniseQuic_VersionNegotiation_ListsTheVersionsWithoutGrease()
    {
        var reply = UdpReplies.QuicVersionNegotiation(UdpProbes.QuicDestination, UdpProbes.QuicSource, 0x6b3343cf, 1, 0xff00001d, 0x3a4a5a6a);

        var service = UdpProbes.RecogniseQuic(reply);

        Assert.Equal(("quic", "versions: v2, v1, draft-29"), (service?.Name, service?.ExtraInfo));
    }

    [Fact]
    public void RecogniseTftp_ErrorPacket_GivesTheMessage() =>
        Assert.Equal("error 1: File not found", UdpProbes.RecogniseTftp([0, 5, 0, 1, .. "File not found"u8, 0])?.ExtraInfo);

    [Fact]
    public void RecogniseMumble_PingAnswer_GivesTheVersion()
    {
        byte[] reply = [0, 1, 3, 4, .. UdpProbes.MumbleIdent, 0, 0, 0, 2, 0, 0, 0, 10, 0, 1, 0xF4, 0];

        var service = UdpProbes.RecogniseMumble(reply);

        Assert.Equal(("mumble", "1.3.4", "users 2/10"), (service?.Name, service?.Version, service?.ExtraInfo));
    }

    [Fact]
    public void RecogniseKerberos_ErrorCapturedFromMitKdc_GivesTheRealm()
    {
        // MIT krb5kdc 1.20 (Debian 12) answering an AS-REQ for an unknown client in realm "NM": KDC_ERR_C_PRINCIPAL_UNKNOWN.
        var reply = Convert.FromHexString("7e593057a003020105a10302011ea411180f32303236313230313230333432305aa50502030234"
            + "15a603020106a9041b024e4daa173015a003020100a10e300c1b066b72627467741b024e4dab0d1b0b4e554c4c5f434c49454e54");

        var service = UdpProbes.RecogniseKerberos(reply);

        Assert.Equal(("kerberos-sec", "realm: NM; client unknown"), (service?.Name, service?.ExtraInfo));
    }

    [Fact]
    public void KerberosAsRequest_IsWellFormedDer()
    {
        var request = KerberosReply.AsRequest();
        var reader = new BerReader(request);

        Assert.True(reader.TryRead(0x6A, out var body));
        Assert.True(new BerReader(body).TryRead(0x30, out _));
    }

    [Fact]
    public void RecogniseRpc_AcceptedNullReply_IsRpcbind()
    {
        byte[] reply = [0x50, 0x41, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

        Assert.Equal("rpcbind", UdpProbes.RecogniseRpc(reply)?.Name);
    }

    [Fact]
    public void Probes_EveryGenericPayloadIsUniqueAndEveryPayloadFitsOneDatagram()
    {
        var generic = UdpProbes.All.Where(p => p.GenericRank >= 0).ToList();
        Assert.Equal(generic.Count, generic.Select(p => Convert.ToHexString(p.Payload)).Distinct().Count());
        Assert.Equal(generic.Count, generic.Select(p => p.GenericRank).Distinct().Count());
        Assert.All(UdpProbes.All, p => Assert.InRange(p.Payload.Length, 1, 1472));
    }

    public static TheoryData<string> RealReplies => new(ValidReplies().Keys);

    private static Dictionary<string, byte[]> ValidReplies() => new()
    {
        ["dns"] = UdpReplies.DnsTxt(Payload("dns-version.bind"), "9.18.28-1~deb12u2-Debian"),
        ["ntp"] = UdpReplies.NtpServer(),
        ["ntp6"] = UdpReplies.NtpControl("version=\"ntpd 4.2.8p15\""),
        ["snmp"] = UdpReplies.SnmpSysDescr(UdpProbes.SnmpRequestId, "Linux a 6.1"),
        ["snmp3"] = UdpReplies.SnmpV3Report(UdpProbes.SnmpV3MessageId, 8072),
        ["sip"] = UdpReplies.Sip("kamailio (5.6.3 (x86_64/linux))"),
        ["stun"] = UdpReplies.StunSuccess(Payload("stun-binding"), "Coturn-4.6.1 'Gorst'"),
        ["netbios"] = UdpReplies.NetbiosStatus(UdpProbes.NetbiosQueryId, "SVC", "WG", new byte[6]),
        ["ike"] = UdpReplies.IkeResponse(UdpProbes.IkeSpi, MD5.HashData("strongSwan"u8)),
        ["quic"] = UdpReplies.QuicVersionNegotiation(UdpProbes.QuicDestination, UdpProbes.QuicSource, 1),
        ["kerberos"] = Convert.FromHexString("7e593057a003020105a10302011ea411180f32303236313230313230333432305aa50502030234"
            + "15a603020106a9041b024e4daa173015a003020100a10e300c1b066b72627467741b024e4dab0d1b0b4e554c4c5f434c49454e54"),
    };

    private static readonly UdpRecogniser[] s_recognisers = [.. UdpProbes.All.Select(p => p.Recognise).Distinct()];

    [Theory]
    [MemberData(nameof(RealReplies))]
    public void Recognisers_EveryTruncationOfARealReply_NeverThrows(string name)
    {
        var reply = ValidReplies()[name];
        Assert.Contains(s_recognisers, r => r(reply) is not null);
        for (var length = 0; length < reply.Length; length++)
        {
            foreach (var recognise in s_recognisers)
            {
                recognise(reply.AsSpan(0, length));
            }
        }
    }

    [Fact]
    public void Recognisers_RandomBytes_NeverThrow() =>
        Prop.ForAll<byte[]>(bytes =>
        {
            foreach (var recognise in s_recognisers)
            {
                recognise(bytes);
            }
            return true;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Recognisers_RealRepliesWithOneByteChanged_NeverThrow()
    {
        var replies = ValidReplies().Values.ToArray();
        Prop.ForAll(Gen.Choose(0, replies.Length - 1).ToArbitrary(), Gen.Choose(0, 4095).ToArbitrary(), Gen.Choose(0, 255).ToArbitrary(), (which, at, value) =>
        {
            var reply = (byte[])replies[which].Clone();
            reply[at % reply.Length] = (byte)value;
            foreach (var recognise in s_recognisers)
            {
                recognise(reply);
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void DnsReply_PointerLoop_IsRejected()
    {
        // An answer whose PTR target points at itself (RFC 1035, 4.1.4 forbids nothing, so the reader must bound it).
        byte[] message = [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xC0, 0x0C, 0, 12, 0, 1, 0, 0, 0, 0, 0, 2, 0xC0, 0x18];

        Assert.True(DnsReply.TryParse(message, out var reply));
        Assert.Empty(reply.Pointers);
    }

    [Fact]
    public void SnmpReply_LengthBeyondTheMessage_IsRejected()
    {
        var reply = UdpReplies.SnmpSysDescr(UdpProbes.SnmpRequestId, "Linux a 6.1");
        reply[1] = 0x7F;

        Assert.False(SnmpReply.TryParse(reply, out _));
    }

    [Fact]
    public void SnmpV3Discovery_IsValidBerThatOurReaderAccepts()
    {
        var request = SnmpReply.DiscoveryRequest(UdpProbes.SnmpV3MessageId);

        Assert.True(SnmpReply.TryParse(request, out var parsed));
        Assert.Equal((3, 0xA0, (long)UdpProbes.SnmpV3MessageId), (parsed.Version, parsed.PduType, parsed.RequestId));
        Assert.Empty(parsed.EngineId);
    }

    [Fact]
    public void ProductText_Trim_ReplacesControlCharacters() =>
        Assert.Equal("a b", ProductText.Trim("a\u001bb", 10));

    [Fact]
    public void Describe_UnknownNameWithoutVersion_KeepsNoProductWhenAsked() =>
        Assert.Null(ProductText.Describe("domain", Encoding.ASCII.GetString("go away"u8), keepUnknown: false).Product);
}
