using System.Buffers.Binary;
using System.Text;
using PortAtlas.Detection;

namespace PortAtlas.Tests.Detection;

/// <summary>
/// One answer per family added for breadth, written from the protocol's document or the vendor's published
/// format (the lab's captured answers join them as fixtures), matched against the embedded signatures.
/// </summary>
public class SignatureBreadthTests
{
    private static readonly SignatureDatabase s_db = SignatureDatabase.Default;

    /// <summary>Answers written from the protocols' documents; SignatureDatabaseTests matches each against the database.</summary>
    public static TheoryData<byte[], string, string, string?, string?> Answers => new()
    {
        // Web servers, caches, proxies, applications
        { Wire.Latin1("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nVia: 1.1 varnish (Varnish/6.6)\r\nX-Varnish: 5 3\r\n\r\n"), "http-get", "http", "Varnish http accelerator", "6.6" },
        { Wire.Latin1("HTTP/1.1 200 OK\r\nServer: ATS/9.2.3\r\nAge: 0\r\n\r\n"), "http-get", "http", "Apache Traffic Server", "9.2.3" },
        { Wire.Latin1("HTTP/1.1 400 Bad Request\r\nServer: tinyproxy/1.11.1\r\nContent-Type: text/html\r\n\r\n"), "http-get", "http-proxy", "tinyproxy", "1.11.1" },
        { Wire.Latin1("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html\r\n\r\n<title>Privoxy: DNS error</title>Privoxy 3.0.34"), "http-proxy", "http-proxy", "Privoxy", "3.0.34" },
        { Wire.Latin1("HTTP/1.0 502 Bad Gateway\r\nContent-Type: text/html\r\n\r\n<p>The proxy could not resolve portatlas.invalid</p>"), "http-proxy", "http-proxy", null, null },
        { Wire.Latin1("HTTP/1.1 200 OK\r\nServer: CUPS/2.4 IPP/2.1\r\n\r\n"), "http-get", "ipp", "CUPS", "2.4" },
        { Wire.Latin1("HTTP/1.1 200 OK\r\nServer: CouchDB/3.3.2 (Erlang OTP/25)\r\n\r\n{\"couchdb\":\"Welcome\",\"version\":\"3.3.2\"}"), "http-get", "http", "Apache CouchDB", "3.3.2" },
        { Wire.Latin1("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"etcdserver\":\"3.4.23\",\"etcdcluster\":\"3.4.0\"}"), "http-version", "http", "etcd", "3.4.23" },
        { Wire.Latin1("HTTP/1.1 404 Not Found\r\nX-Influxdb-Build: OSS\r\nX-Influxdb-Version: 1.8.10\r\n\r\n"), "http-get", "http", "InfluxDB", "1.8.10" },
        { Wire.Latin1("HTTP/1.1 302 Found\r\nContent-Type: text/html; charset=utf-8\r\nLocation: /graph\r\n\r\n<a href=\"/graph\">Found</a>.\n"), "http-get", "http", "Prometheus", null },
        { Wire.Latin1("HTTP/1.1 200 OK\r\nServer: thttpd/2.29 23May2018\r\n\r\n"), "http-get", "http", "thttpd", "2.29" },
        { Wire.Latin1("HTTP/1.1 200 OK\r\nServer: TornadoServer/6.2\r\n\r\n"), "http-get", "http", "Tornado httpd", "6.2" },
        { Wire.Latin1("HTTP/1.1 200 OK\r\nServer: uvicorn\r\n\r\n"), "http-get", "http", "Uvicorn", null },
        // DNS
        { Wire.VersionBindAnswer("NSD 4.6.1"), "dns-version-bind", "domain", "NSD", "4.6.1" },
        { Wire.VersionBindAnswer("9.18.28-1~deb12u2-Debian"), "dns-version-bind", "domain", "ISC BIND", "9.18.28" },
        // Mail, news, sieve
        { Wire.Latin1("220 mx.example.test ESMTP MDaemon 23.0.1; Tue, 01 Dec 2026\r\n"), "banner", "smtp", "MDaemon smtpd", "23.0.1" },
        { Wire.Latin1("+OK Qpopper (version 4.1.0) at mail.example.test starting.\r\n"), "banner", "pop3", "Qpopper", "4.1.0" },
        { Wire.Latin1("200 news.example.test InterNetNews NNRP server INN 2.7.1 ready (posting ok)\r\n"), "banner", "nntp", "INN", "2.7.1" },
        { Wire.Latin1("\"IMPLEMENTATION\" \"Dovecot Pigeonhole\"\r\n\"SIEVE\" \"fileinto\"\r\nOK \"ready\"\r\n"), "banner", "sieve", "Dovecot Pigeonhole managesieve", null },
        { Wire.Latin1("220 bftpd 5.7 at 198.18.3.2 ready.\r\n"), "banner", "ftp", "bftpd", "5.7" },
        { Wire.Latin1("SSH-2.0-AsyncSSH_2.13.2\r\n"), "banner", "ssh", "AsyncSSH", "2.13.2" },
        // TinySSH names its release (a date) after "tinyssh_", or "noversion" when built without one; a packager's
        // revision and a per-connection token may follow.
        { Wire.Latin1("SSH-2.0-tinyssh_20230101-1 AbCdEfGh\r\n"), "banner", "ssh", "TinySSH", "20230101" },
        { Wire.Latin1("SSH-2.0-tinyssh_noversion\r\n"), "banner", "ssh", "TinySSH", null },
        // Files, RPC, version control
        { Wire.Latin1("@RSYNCD: 31.0\n"), "banner", "rsync", "rsyncd", null },
        { RpcAcceptedReply(), "rpc-portmap", "rpcbind", null, null },
        { Wire.Latin1("0045ERR access denied or repository not exported: /portatlas-probe.git"), "git", "git", "git daemon", null },
        { Wire.Latin1("( success ( 2 2 ( ) ( edit-pipeline svndiff1 accepts-svndiff2 absent-entries depth ) ) ) "), "banner", "svn", "Subversion svnserve", null },
        // Brokers and caches
        { Wire.Latin1("INFO {\"server_id\":\"NAB\",\"version\":\"2.9.20\",\"proto\":1,\"go\":\"go1.19.8\",\"host\":\"0.0.0.0\"}\r\n"), "banner", "nats", "NATS server", "2.9.20" },
        { Wire.Latin1("OK 900\r\n---\ncurrent-jobs-urgent: 0\nversion: 1.12\n"), "stats", "beanstalkd", "beanstalkd", "1.12" },
        { KafkaApiVersionsReply(), "kafka", "kafka", "Apache Kafka", null },
        { Wire.Latin1("Zookeeper version: 3.8.0-5a02a05eddb59aee6ac762f7ea82e92a68eb9c0f, built on 2022-02-25\nLatency min/avg/max: 0/0.0/0\n"), "srvr", "zookeeper", "Apache ZooKeeper", "3.8.0" },
        // Databases
        { TdsPreloginReply(15, 0, 2000), "tds", "ms-sql-s", "Microsoft SQL Server", null },
        { CqlSupported(), "cassandra", "cassandra", "Apache Cassandra", null },
        // Monitoring
        { Wire.Latin1("# munin node at node1.example.test\nmunins node on node1.example.test version: 2.0.73\n"), "munin", "munin", "Munin node", "2.0.73" },
        { ZabbixReply("6.0.14"), "zabbix", "zabbix-agent", "Zabbix agent", "6.0.14" },
        // Voice, video, chat
        { Wire.Latin1("SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1:5060\r\nServer: Asterisk PBX 20.5.0\r\nContent-Length: 0\r\n\r\n"), "sip", "sip", "Asterisk", "20.5.0" },
        { Wire.Latin1("RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: GStreamer RTSP server\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n"), "rtsp", "rtsp", "GStreamer RTSP server", null },
        { Wire.Latin1(":irc.example.test 001 portatlas :Welcome\r\n:irc.example.test 002 portatlas :Your host is irc.example.test, running version ngircd-26.1 (x86_64/pc/linux-gnu)\r\n"), "irc", "irc", "ngIRCd", "26.1" },
        { Wire.Latin1("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='x' from='example.test' version='1.0'><stream:features><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://prosody.im' ver='x'/></stream:features>"), "xmpp", "xmpp-client", "Prosody XMPP server", null },
        // Proxies, VPN, remote access
        { new byte[] { 0x05, 0x02 }, "socks5", "socks5", null, null },
        { new byte[] { 0x00, 0x5B, 0, 0, 0, 0, 0, 0 }, "socks4", "socks4", null, null },
        { new byte[] { 0x00, 0x0E, 0x40, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0 }, "openvpn", "openvpn", "OpenVPN", null },
        { X11Denied("No protocol specified\n"), "x11", "X11", "X11 server", null },
        { Wire.Latin1("TS3\n\rWelcome to the TeamSpeak 3 ServerQuery interface\n\r"), "banner", "teamspeak3", "TeamSpeak 3 ServerQuery", null },
        { KrbError(68), "kerberos", "kerberos-sec", null, null },
        // Industrial, games, media
        { ModbusDeviceIdReply("Schneider Electric", "BMX P34 2020", "v3.20"), "modbus", "modbus", "Schneider Electric BMX P34 2020", "v3.20" },
        { EnipIdentity("1756-L71/B LOGIX5571"), "enip", "ethernet-ip", "1756-L71/B LOGIX5571", null },
        { Wire.Latin1("\u0080\u0001\u0000{\"version\":{\"name\":\"1.20.1\",\"protocol\":763},\"players\":{\"max\":20,\"online\":0}}"), "minecraft", "minecraft", "Minecraft", "1.20.1" },
        { Wire.Latin1("OK MPD 0.23.5\n"), "banner", "mpd", "Music Player Daemon", null },
        // inetd's small services
        { Wire.Latin1(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n"), "banner", "chargen", null, null },
        { Wire.Latin1("Tue Dec  1 20:30:00 2026\r\n"), "banner", "daytime", null, null },
    };

    [Fact]
    public void TdsVersion_ReadsMajorMinorBuildFromPrelogin() =>
        Assert.Equal("15.0.2000", DetectionSession.TdsVersion(TdsPreloginReply(15, 0, 2000)));

    [Fact]
    public void TdsVersion_TruncatedAnswer_IsNull()
    {
        var reply = TdsPreloginReply(15, 0, 2000);

        Assert.Null(DetectionSession.TdsVersion(reply.AsSpan(0, 20)));
    }

    [Fact]
    public void Signatures_CoverAtLeast150Products()
    {
        var products = s_db.Signatures.Select(s => s.Product).Where(p => p is not null && !p.Contains('$', StringComparison.Ordinal)).Distinct().Count();

        Assert.True(products >= 150, $"{products} products");
    }

    [Fact]
    public void Probes_NamedBySignatures_AllExist()
    {
        var named = s_db.Signatures.SelectMany(s => s.Probes).Where(p => p != "*" && p != ServiceProbes.Banner).Distinct();

        Assert.All(named, p => Assert.True(ServiceProbes.Get(p) is not null || p is "pg-sslrequest" or "pg-startup", p));
    }

    [Fact]
    public void KerberosAsReq_IsOneDerElementAfterItsLength()
    {
        var request = ServiceProbes.KerberosAsReq();

        Assert.Equal(request.Length - 4, BinaryPrimitives.ReadInt32BigEndian(request));
        Assert.Equal(0x6A, request[4]); // [APPLICATION 10] AS-REQ
        Assert.True(Framings.Ber(request.AsSpan(4)));
        Assert.Equal(request.Length - 4, request[5] == 0x81 ? request[6] + 3 : request[5] + 2);
    }

    /// <summary>A KRB-ERROR (RFC 4120 section 5.9.1) with pvno, msg-type 30, stime, susec and the error code.</summary>
    private static byte[] KrbError(byte code)
    {
        byte[] body =
        [
            0xA0, 0x03, 0x02, 0x01, 0x05, 0xA1, 0x03, 0x02, 0x01, 0x1E,
            0xA4, 0x11, 0x18, 0x0F, .. "20261201210000Z"u8, 0xA5, 0x03, 0x02, 0x01, 0x00,
            0xA6, 0x03, 0x02, 0x01, code,
        ];
        byte[] error = [0x7E, (byte)(body.Length + 2), 0x30, (byte)body.Length, .. body];
        return [0, 0, 0, (byte)error.Length, .. error];
    }

    private static byte[] RpcAcceptedReply()
    {
        var reply = new byte[4 + 24];
        BinaryPrimitives.WriteUInt32BigEndian(reply, 0x80000000u | 24);
        BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(4), 0x50410001);
        BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(8), 1); // REPLY; the rest zero: accepted, AUTH_NONE, SUCCESS
        return reply;
    }

    private static byte[] KafkaApiVersionsReply() =>
        [0x00, 0x00, 0x00, 0x0C, 0x50, 0x41, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12];

    private static byte[] TdsPreloginReply(byte major, byte minor, ushort build)
    {
        byte[] options = [0x00, 0x00, 0x0B, 0x00, 0x06, 0x01, 0x00, 0x11, 0x00, 0x01, 0xFF, major, minor, (byte)(build >> 8), (byte)build, 0x00, 0x00, 0x02];
        var packet = new byte[8 + options.Length];
        packet[0] = 0x04;
        packet[1] = 0x01;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        packet[6] = 0x01;
        options.CopyTo(packet, 8);
        return packet;
    }

    private static byte[] CqlSupported()
    {
        var body = new List<byte> { 0x00, 0x01, 0x00, 0x0B };
        body.AddRange("CQL_VERSION"u8.ToArray());
        body.AddRange([0x00, 0x01, 0x00, 0x05]);
        body.AddRange("3.4.5"u8.ToArray());
        byte[] header = [0x84, 0x00, 0x50, 0x41, 0x06, 0, 0, 0, (byte)body.Count];
        return [.. header, .. body];
    }

    private static byte[] ZabbixReply(string version)
    {
        var data = Encoding.ASCII.GetBytes(version);
        var reply = new byte[13 + data.Length];
        "ZBXD"u8.CopyTo(reply);
        reply[4] = 1;
        BinaryPrimitives.WriteInt64LittleEndian(reply.AsSpan(5), data.Length);
        data.CopyTo(reply, 13);
        return reply;
    }

    private static byte[] X11Denied(string reason)
    {
        var text = Encoding.ASCII.GetBytes(reason);
        var padded = (text.Length + 3) / 4 * 4;
        var reply = new byte[8 + padded];
        reply[1] = (byte)text.Length;
        reply[2] = 11;
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(6), (ushort)(padded / 4));
        text.CopyTo(reply, 8);
        return reply;
    }

    private static byte[] ModbusDeviceIdReply(string vendor, string product, string revision)
    {
        var objects = new List<byte>();
        byte id = 0;
        foreach (var value in (string[])[vendor, product, revision])
        {
            objects.Add(id++);
            objects.Add((byte)value.Length);
            objects.AddRange(Encoding.ASCII.GetBytes(value));
        }
        byte[] pdu = [0x2B, 0x0E, 0x01, 0x01, 0x00, 0x00, 0x03, .. objects];
        var length = (ushort)(pdu.Length + 1);
        return [0x50, 0x41, 0x00, 0x00, (byte)(length >> 8), (byte)length, 0x00, .. pdu];
    }

    private static byte[] EnipIdentity(string name)
    {
        var item = new List<byte> { 0x01, 0x00 }; // encapsulation version
        item.AddRange(new byte[16]); // socket address
        item.AddRange([0x01, 0x00, 0x0E, 0x00, 0x36, 0x00, 0x14, 0x0B, 0x60, 0x31, 0x12, 0x34, 0x56, 0x78]);
        item.Add((byte)name.Length);
        item.AddRange(Encoding.ASCII.GetBytes(name));
        item.Add(0x03);
        var data = new List<byte> { 0x01, 0x00, 0x0C, 0x00, (byte)item.Count, (byte)(item.Count >> 8) };
        data.AddRange(item);
        var header = new byte[24];
        header[0] = 0x63;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), (ushort)data.Count);
        "PortAtls"u8.CopyTo(header.AsSpan(12));
        return [.. header, .. data];
    }
}
