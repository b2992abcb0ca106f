using System.Buffers.Binary;
using System.Text;

namespace PortAtlas.Detection;

/// <summary>Payloads of the probes added for breadth, each written from its protocol's document.</summary>
internal static partial class ServiceProbes
{
    /// <summary>
    /// A host name that never resolves (RFC 6761 section 6.4), for probes that must name a destination: a proxy
    /// or SOCKS server asked to reach it answers with its own error and opens no connection anywhere.
    /// </summary>
    internal const string NowhereHost = "portatlas.invalid";

    /// <summary>A forward-proxy request: an absolute URI (RFC 9112 section 3.2.2) for a host that cannot resolve.</summary>
    internal static byte[] HttpProxyGet() =>
        Encoding.ASCII.GetBytes($"GET http://{NowhereHost}/ HTTP/1.0\r\nHost: {NowhereHost}\r\nUser-Agent: PortAtlas\r\nAccept: */*\r\n\r\n");

    /// <summary>SOCKS5 greeting (RFC 1928 section 3): version 5, one method, "no authentication required".</summary>
    internal static byte[] Socks5Greeting() => [0x05, 0x01, 0x00];

    /// <summary>SOCKS4a CONNECT to port 80 of <see cref="NowhereHost"/> (IP 0.0.0.1 means "resolve the name"), user "pa".</summary>
    internal static byte[] Socks4Connect() => [0x04, 0x01, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, (byte)'p', (byte)'a', 0x00, .. Encoding.ASCII.GetBytes(NowhereHost), 0x00];

    /// <summary>
    /// ONC RPC (RFC 5531 section 9) call of procedure 0 (NULL) of <paramref name="program"/> version
    /// <paramref name="version"/>, AUTH_NONE, over TCP with the record mark of section 11 (last fragment, length).
    /// </summary>
    internal static byte[] RpcNull(uint program, uint version)
    {
        var message = new byte[4 + 40];
        BinaryPrimitives.WriteUInt32BigEndian(message, 0x80000000u | 40u);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), 0x50410001); // xid
        // msg_type CALL (0), rpcvers 2, prog, vers, proc 0, cred AUTH_NONE (0, len 0), verf AUTH_NONE (0, len 0)
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(12), 2);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(16), program);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(20), version);
        return message;
    }

    /// <summary>Kafka ApiVersions request v0 (Kafka protocol guide): api key 18, correlation id 0x50410002, client "pa".</summary>
    internal static byte[] KafkaApiVersions()
    {
        byte[] body = [0x00, 0x12, 0x00, 0x00, 0x50, 0x41, 0x00, 0x02, 0x00, 0x02, (byte)'p', (byte)'a'];
        var message = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(message, body.Length);
        body.CopyTo(message, 4);
        return message;
    }

    /// <summary>
    /// A TDS 7 PRELOGIN packet ([MS-TDS] 2.2.6.5): VERSION, ENCRYPTION (off), INSTOPT (""), THREADID, MARS (off),
    /// terminator. The server answers with its own PRELOGIN carrying its version.
    /// </summary>
    internal static byte[] TdsPrelogin()
    {
        byte[] options =
        [
            0x00, 0x00, 0x1A, 0x00, 0x06, // VERSION at 26, 6 bytes
            0x01, 0x00, 0x20, 0x00, 0x01, // ENCRYPTION at 32, 1 byte
            0x02, 0x00, 0x21, 0x00, 0x01, // INSTOPT at 33, 1 byte
            0x03, 0x00, 0x22, 0x00, 0x04, // THREADID at 34, 4 bytes
            0x04, 0x00, 0x26, 0x00, 0x01, // MARS at 38, 1 byte
            0xFF,
            0x09, 0x00, 0x00, 0x00, 0x00, 0x00, // client version 9.0.0.0
            0x02, // ENCRYPT_NOT_SUP
            0x00, // instance ""
            0x00, 0x00, 0x00, 0x00,
            0x00,
        ];
        var packet = new byte[8 + options.Length];
        packet[0] = 0x12; // PRELOGIN
        packet[1] = 0x01; // end of message
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        packet[6] = 0x01; // packet id
        options.CopyTo(packet, 8);
        return packet;
    }

    /// <summary>A CQL native protocol v4 OPTIONS request (native_protocol_v4.spec sections 2 and 4.1.3): stream 0x5041.</summary>
    internal static byte[] CassandraOptions() => [0x04, 0x00, 0x50, 0x41, 0x05, 0x00, 0x00, 0x00, 0x00];

    /// <summary>An XMPP client stream header (RFC 6120 section 4.2) for a domain that does not exist.</summary>
    internal static byte[] XmppStream() => Encoding.ASCII.GetBytes(
        $"<?xml version='1.0'?><stream:stream to='{NowhereHost}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>");

    /// <summary>An X11 connection setup (X Window System Protocol, "Connection Setup"): little-endian, protocol 11.0, no authorisation.</summary>
    internal static byte[] X11Setup() => [0x6C, 0x00, 0x0B, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

    /// <summary>A git protocol request (gitprotocol-pack, "pkt-line" and git-upload-pack) for a repository that is not there.</summary>
    internal static byte[] GitUploadPack()
    {
        var line = $"git-upload-pack /portatlas-probe.git\0host={NowhereHost}\0";
        return Encoding.ASCII.GetBytes($"{line.Length + 4:x4}{line}");
    }

    /// <summary>A Zabbix agent passive check of "agent.version" (Zabbix header protocol: "ZBXD", flags 1, 8-byte length).</summary>
    internal static byte[] ZabbixAgentVersion()
    {
        var key = "agent.version"u8;
        var message = new byte[13 + key.Length];
        "ZBXD"u8.CopyTo(message);
        message[4] = 0x01;
        BinaryPrimitives.WriteInt64LittleEndian(message.AsSpan(5), key.Length);
        key.CopyTo(message.AsSpan(13));
        return message;
    }

    /// <summary>
    /// A Modbus/TCP Read Device Identification request (Modbus Application Protocol v1.1b3 section 6.21: function
    /// 0x2B, MEI 0x0E, basic objects) with the MBAP header of the Modbus messaging guide (transaction 0x5041, unit 0).
    /// </summary>
    internal static byte[] ModbusDeviceId() => [0x50, 0x41, 0x00, 0x00, 0x00, 0x05, 0x00, 0x2B, 0x0E, 0x01, 0x00];

    /// <summary>
    /// An ISO transport (RFC 1006 / X.224) Connection Request with the TSAPs an S7 PLC accepts (local 0x0100,
    /// remote 0x0102: rack 0, slot 2), as S7 clients send it.
    /// </summary>
    internal static byte[] IsoTsapConnect() =>
    [
        0x03, 0x00, 0x00, 0x16, 0x11, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00,
        0xC1, 0x02, 0x01, 0x00, 0xC2, 0x02, 0x01, 0x02, 0xC0, 0x01, 0x0A,
    ];

    /// <summary>An EtherNet/IP ListIdentity request (CIP Vol. 2, section 2-4.2): command 0x63, empty, context "PortAtls".</summary>
    internal static byte[] EnipListIdentity() =>
        [0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, .. "PortAtls"u8, 0x00, 0x00, 0x00, 0x00];

    /// <summary>A DNP3 link-layer REQUEST LINK STATUS (IEEE 1815 section 9.2) from address 3 to 1, with its CRC.</summary>
    internal static byte[] Dnp3LinkStatus()
    {
        byte[] header = [0x05, 0x64, 0x05, 0xC9, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00];
        var crc = Dnp3Crc(header.AsSpan(0, 8));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), crc);
        return header;
    }

    /// <summary>DNP3's CRC-16 (polynomial 0x3D65, reflected, complemented).</summary>
    internal static ushort Dnp3Crc(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (ushort)((crc >> 1) ^ 0xA6BC) : (ushort)(crc >> 1);
            }
        }
        return (ushort)~crc;
    }

    /// <summary>A SIP OPTIONS request over TCP (RFC 3261 section 11) to an invalid user.</summary>
    internal static byte[] SipOptions(System.Net.IPEndPoint endpoint)
    {
        var host = endpoint.Address.ToString();
        return Encoding.ASCII.GetBytes(
            $"OPTIONS sip:pa@{NowhereHost} SIP/2.0\r\nVia: SIP/2.0/TCP {host}:5060;branch=z9hG4bKportatlas\r\nFrom: <sip:pa@{NowhereHost}>;tag=pa1\r\n"
            + $"To: <sip:pa@{NowhereHost}>\r\nCall-ID: portatlas-probe\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 0\r\nContent-Length: 0\r\n\r\n");
    }

    /// <summary>An RTSP OPTIONS request (RFC 2326 section 10.1).</summary>
    internal static byte[] RtspOptions() => "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: PortAtlas\r\n\r\n"u8.ToArray();

    /// <summary>
    /// A DCE/RPC bind ([C706] section 12.6.4.3; [MS-RPCE]) to the endpoint mapper interface
    /// e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0 with the NDR transfer syntax; any RPC server answers bind_ack or bind_nak.
    /// </summary>
    internal static byte[] MsRpcBind()
    {
        byte[] epm = [0x08, 0x83, 0xAF, 0xE1, 0x1F, 0x5D, 0xC9, 0x11, 0x91, 0xA4, 0x08, 0x00, 0x2B, 0x14, 0xA0, 0xFA];
        byte[] ndr = [0x04, 0x5D, 0x88, 0x8A, 0xEB, 0x1C, 0xC9, 0x11, 0x9F, 0xE8, 0x08, 0x00, 0x2B, 0x10, 0x48, 0x60];
        var message = new byte[72];
        message[0] = 5; // rpc_vers
        message[2] = 11; // bind
        message[3] = 0x03; // first and last fragment
        message[4] = 0x10; // little-endian data representation
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(8), 72);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(12), 0x5041); // call id
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(16), 4280); // max xmit
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(18), 4280); // max recv
        message[24] = 1; // one context
        message[30] = 1; // one transfer syntax
        epm.CopyTo(message, 32);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(48), 3);
        ndr.CopyTo(message, 52);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(68), 2);
        return message;
    }

    /// <summary>
    /// An OpenVPN P_CONTROL_HARD_RESET_CLIENT_V2 (opcode 7, key 0) over TCP, with a two-byte length (OpenVPN
    /// protocol overview, "TCP/UDP packet format"); a server without tls-auth answers P_CONTROL_HARD_RESET_SERVER_V2.
    /// </summary>
    internal static byte[] OpenVpnReset() =>
        [0x00, 0x0E, 0x38, .. "PortAtls"u8, 0x00, 0x00, 0x00, 0x00, 0x00];

    /// <summary>A PPTP Start-Control-Connection-Request (RFC 2637 section 2.1), host "portatlas".</summary>
    internal static byte[] PptpStart()
    {
        var message = new byte[156];
        BinaryPrimitives.WriteUInt16BigEndian(message, 156);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 1); // control message
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), 0x1A2B3C4D); // magic cookie
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(8), 1); // Start-Control-Connection-Request
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(12), 0x0100); // protocol 1.0
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(16), 1); // framing: async
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(20), 1); // bearer: analog
        "portatlas"u8.CopyTo(message.AsSpan(28));
        "PortAtlas"u8.CopyTo(message.AsSpan(92));
        return message;
    }

    /// <summary>
    /// A Minecraft Java "Server List Ping": Handshake (protocol -1 as VarInt, next state 1) then Status Request, as the
    /// community protocol documentation describes.
    /// </summary>
    internal static byte[] MinecraftStatus(System.Net.IPEndPoint endpoint)
    {
        var host = Encoding.ASCII.GetBytes(endpoint.Address.ToString());
        var body = new List<byte> { 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, (byte)host.Length };
        body.AddRange(host);
        body.Add((byte)(endpoint.Port >> 8));
        body.Add((byte)endpoint.Port);
        body.Add(0x01);
        return [(byte)body.Count, .. body, 0x01, 0x00];
    }

    /// <summary>MongoDB OP_QUERY of { isMaster: 1 } on admin.$cmd (legacy wire protocol), answered by every version.</summary>
    internal static byte[] MongoIsMaster()
    {
        byte[] doc = [0x13, 0x00, 0x00, 0x00, 0x10, .. "isMaster"u8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00];
        var collection = "admin.$cmd\0"u8;
        var message = new byte[16 + 4 + collection.Length + 8 + doc.Length];
        BinaryPrimitives.WriteInt32LittleEndian(message, message.Length);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(4), 0x5042);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(12), 2004);
        collection.CopyTo(message.AsSpan(20));
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(20 + collection.Length + 4), -1); // numberToReturn
        doc.CopyTo(message, 20 + collection.Length + 8);
        return message;
    }

    /// <summary>
    /// An Oracle Net (TNS) CONNECT packet asking the listener for its version ("(CONNECT_DATA=(COMMAND=VERSION))");
    /// the listener answers with ACCEPT, REFUSE or RESEND carrying "(DESCRIPTION=...(VSNNUM=...))".
    /// </summary>
    internal static byte[] TnsConnect()
    {
        var data = "(CONNECT_DATA=(COMMAND=VERSION))"u8;
        var packet = new byte[58 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(packet, (ushort)packet.Length);
        packet[4] = 0x01; // CONNECT
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(8), 0x0136); // version 310
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), 0x012C); // lowest compatible 300
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(14), 0x0800); // SDU
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(16), 0x7FFF); // TDU
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(18), 0x7F08); // NT protocol characteristics
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(22), 0x0001); // byte order marker
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(24), (ushort)data.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(26), 58); // offset of connect data
        packet[32] = 0x41; // connect flags
        packet[33] = 0x41;
        data.CopyTo(packet.AsSpan(58));
        return packet;
    }

    /// <summary>
    /// A Kerberos AS-REQ (RFC 4120 section 5.4.1) for krbtgt of a realm that does not exist, over TCP with its
    /// four-byte length (section 7.2.2); a KDC answers with a KRB-ERROR ([APPLICATION 30]).
    /// </summary>
    internal static byte[] KerberosAsReq()
    {
        const string realm = "PORTATLAS.INVALID";
        static byte[] Der(byte tag, params byte[][] parts)
        {
            var content = parts.SelectMany(x => x).ToArray();
            byte[] length = content.Length < 0x80 ? [(byte)content.Length] : [0x81, (byte)content.Length];
            return [tag, .. length, .. content];
        }
        static byte[] Text(string text) => Der(0x1B, Encoding.ASCII.GetBytes(text));
        static byte[] Int(byte value) => Der(0x02, [value]);
        var body = Der(0x30,
            Der(0xA0, Der(0x03, [0x00, 0x50, 0x00, 0x00, 0x00])),
            Der(0xA1, Der(0x30, Der(0xA0, Int(1)), Der(0xA1, Der(0x30, Text("portatlas"))))),
            Der(0xA2, Text(realm)),
            Der(0xA3, Der(0x30, Der(0xA0, Int(2)), Der(0xA1, Der(0x30, Text("krbtgt"), Text(realm))))),
            Der(0xA5, Der(0x18, Encoding.ASCII.GetBytes("20370913024805Z"))),
            Der(0xA7, Der(0x02, [0x50, 0x41, 0x50, 0x41])),
            Der(0xA8, Der(0x30, Int(18), Int(17), Int(23))));
        var request = Der(0x6A, Der(0x30, Der(0xA1, Int(5)), Der(0xA2, Int(10)), Der(0xA4, body)));
        var message = new byte[4 + request.Length];
        BinaryPrimitives.WriteInt32BigEndian(message, request.Length);
        request.CopyTo(message, 4);
        return message;
    }
}
