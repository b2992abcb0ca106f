using System.Collections.Frozen;
using System.Text;

namespace PortAtlas.Detection.Udp;

/// <summary>
/// Protocol-correct request datagrams for well-known UDP services, each written from its specification, so that an
/// open port answers instead of silently dropping an empty datagram. Ports without one get an empty datagram.
/// </summary>
public static class UdpPayloads
{
    private static readonly FrozenDictionary<int, byte[]> s_payloads = Build().ToFrozenDictionary();

    /// <summary>Ports that have a payload.</summary>
    public static IEnumerable<int> Ports => s_payloads.Keys.Order();

    /// <summary>The request for <paramref name="port"/>, or empty when none is known.</summary>
    public static ReadOnlySpan<byte> For(int port) => s_payloads.TryGetValue(port, out var payload) ? payload : [];

    private static Dictionary<int, byte[]> Build()
    {
        var dns = DnsQuery(0x5041, [], type: 2);
        var mdns = DnsQuery(0x0000, ["_services", "_dns-sd", "_udp", "local"], type: 12);
        var payloads = new Dictionary<int, byte[]>
        {
            // DNS (RFC 1035, 4.1): a recursive query for the root's NS records; any answer, even REFUSED, is an answer.
            [53] = dns,
            // LLMNR (RFC 4795) shares DNS's message format.
            [5355] = DnsQuery(0x5042, ["portatlas"], type: 1),
            // mDNS / DNS-SD (RFC 6762, RFC 6763 9): enumerate service types.
            [5353] = mdns,
            // TFTP (RFC 1350): a read request; a server without the file answers with an ERROR packet.
            [69] = [0, 1, .. "portatlas-probe"u8, 0, .. "octet"u8, 0],
            // ONC RPC portmapper (RFC 5531, RFC 1833): a NULL call to program 100000 version 2, AUTH_NULL.
            [111] = RpcNullCall(0x50410001, program: 100000, version: 2),
            // NTP (RFC 5905, 7.3): a 48-byte client request, LI 3 (unsynchronised), version 4, mode 3.
            [123] = [0xE3, .. new byte[47]],
            // NetBIOS name service (RFC 1002, 4.2.18): a node status request for the wildcard name "*".
            [137] = NetbiosStatusRequest(),
            // SNMPv2c (RFC 3416) GetRequest for sysDescr.0 with community "public", BER encoded (RFC 1157, 4).
            [161] = SnmpGetSysDescr(),
            // IKEv1 (RFC 2408, RFC 2409): a Main Mode first message with one ISAKMP proposal.
            [500] = IkeMainMode(),
            // IPMI over RMCP (DMTF ASF 2.0, 3.2.4): an ASF presence ping.
            [623] = [0x06, 0x00, 0xFF, 0x06, 0x00, 0x00, 0x11, 0xBE, 0x80, 0x00, 0x00, 0x00],
            // OpenVPN: a P_CONTROL_HARD_RESET_CLIENT_V2 packet (opcode 7, key id 0), session id, no acks, packet id 0.
            [1194] = [0x38, 0x50, 0x41, 0x54, 0x4C, 0x41, 0x53, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00],
            // SSDP (UPnP Device Architecture 1.1, 1.3.2): a search for all devices.
            [1900] = Encoding.ASCII.GetBytes("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n"),
            // STUN (RFC 8489, 5 and 6): a Binding request with the magic cookie.
            [3478] = [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, .. "PortAtlas-01"u8],
            // SIP (RFC 3261, 11): an OPTIONS request.
            [5060] = SipOptions(),
            // NAT-PMP (RFC 6886, 3.2): an external address request.
            [5351] = [0, 0],
            // CoAP (RFC 7252, 3 and 7.2): a confirmable GET of /.well-known/core.
            [5683] = [0x40, 0x01, 0x50, 0x41, 0xBB, .. ".well-known"u8, 0x04, .. "core"u8],
            // memcached UDP (protocol.txt, "UDP protocol"): an 8-byte frame header (request id, sequence 0, 1 datagram) then "version".
            [11211] = [0x50, 0x41, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, .. "version\r\n"u8],
        };
        return payloads;
    }

    /// <summary>A DNS query (RFC 1035, 4.1) for one name, type and class (1 IN, 3 CHAOS), recursion desired.</summary>
    internal static byte[] DnsQuery(ushort id, string[] labels, ushort type, ushort @class = 1)
    {
        var bytes = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in labels)
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }
        bytes.AddRange([0, (byte)(type >> 8), (byte)type, (byte)(@class >> 8), (byte)@class]);
        return [.. bytes];
    }

    /// <summary>An ONC RPC NULL call (RFC 5531, 9) with AUTH_NULL credentials and verifier.</summary>
    internal static byte[] RpcNullCall(uint xid, uint program, uint version)
    {
        var words = new uint[] { xid, 0, 2, program, version, 0, 0, 0, 0, 0 };
        var bytes = new byte[words.Length * 4];
        for (var i = 0; i < words.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), words[i]);
        }
        return bytes;
    }

    private static byte[] NetbiosStatusRequest()
    {
        var bytes = new List<byte> { 0x50, 0x41, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0x20 };
        // First-level encoding (RFC 1001, 14.1): each half-byte of the 16-byte name becomes 'A' + nibble.
        var name = new byte[16];
        name[0] = (byte)'*';
        foreach (var b in name)
        {
            bytes.Add((byte)('A' + (b >> 4)));
            bytes.Add((byte)('A' + (b & 0x0F)));
        }
        bytes.AddRange([0x00, 0x00, 0x21, 0x00, 0x01]);
        return [.. bytes];
    }

    /// <summary>An SNMP GetRequest for sysDescr.0 (1.3.6.1.2.1.1.1.0) with community "public"; version 1 is SNMPv2c, 0 is SNMPv1.</summary>
    internal static byte[] SnmpGetSysDescr(byte version = 1)
    {
        byte[] varbind = [0x30, 0x0C, 0x06, 0x08, 0x2B, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00];
        byte[] pduBody = [0x02, 0x04, 0x50, 0x41, 0x54, 0x4C, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, (byte)varbind.Length, .. varbind];
        byte[] message = [0x02, 0x01, version, 0x04, 0x06, .. "public"u8, 0xA0, (byte)pduBody.Length, .. pduBody];
        return [0x30, (byte)message.Length, .. message];
    }

    private static byte[] IkeMainMode()
    {
        // Transform: KEY_IKE with 3DES-CBC, SHA, pre-shared key, MODP-1024, lifetime 28800 s (RFC 2409, appendix A).
        byte[] attributes = [0x80, 0x01, 0x00, 0x05, 0x80, 0x02, 0x00, 0x02, 0x80, 0x03, 0x00, 0x01, 0x80, 0x04, 0x00, 0x02, 0x80, 0x0B, 0x00, 0x01, 0x80, 0x0C, 0x70, 0x80];
        byte[] transform = [0x00, 0x00, 0x00, (byte)(8 + attributes.Length), 0x01, 0x01, 0x00, 0x00, .. attributes];
        byte[] proposal = [0x00, 0x00, 0x00, (byte)(8 + transform.Length), 0x01, 0x01, 0x00, 0x01, .. transform];
        byte[] sa = [0x00, 0x00, 0x00, (byte)(12 + proposal.Length), 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, .. proposal];
        var length = 28 + sa.Length;
        byte[] header = [.. "PortAtls"u8, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x10, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, (byte)length];
        return [.. header, .. sa];
    }

    private static byte[] SipOptions() => Encoding.ASCII.GetBytes(
        "OPTIONS sip:probe@portatlas.invalid SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP portatlas.invalid;branch=z9hG4bK-portatlas-1;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "From: <sip:scanner@portatlas.invalid>;tag=portatlas\r\n" +
        "To: <sip:probe@portatlas.invalid>\r\n" +
        "Call-ID: portatlas-options-probe\r\n" +
        "CSeq: 1 OPTIONS\r\n" +
        "Contact: <sip:scanner@portatlas.invalid>\r\n" +
        "Accept: application/sdp\r\n" +
        "Content-Length: 0\r\n\r\n");
}
