using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PortAtlas.Detection;

/// <summary>One probe: bytes to send (built for the endpoint) and the framing of the answer.</summary>
internal sealed class ServiceProbe
{
    public ServiceProbe(string name, Func<IPEndPoint, byte[]> payload, Framing framing, bool patient = false)
    {
        Name = name;
        Payload = payload;
        Framing = framing;
        Patient = patient;
    }

    /// <summary>
    /// The answer may pause for seconds before it is complete (an IRC server looks up the client's name first):
    /// reading goes on until the framing says complete or the probe timeout, not only until the idle gap.
    /// </summary>
    public bool Patient { get; }

    /// <summary>The name the signature file refers to.</summary>
    public string Name { get; }

    public Func<IPEndPoint, byte[]> Payload { get; }

    public Framing Framing { get; }
}

/// <summary>How to approach a port, chosen from its registry name.</summary>
internal sealed record ProbePlan
{
    /// <summary>The registry name the plan was chosen by, or null.</summary>
    public string? Hint { get; init; }
    /// <summary>The client speaks first (HTTP, Redis ...): the banner wait is shortened.</summary>
    public bool ClientFirst { get; init; }
    /// <summary>The hinted service speaks first (SSH, FTP, SMTP ...): the full banner wait applies.</summary>
    public bool ServerFirst { get; init; }
    /// <summary>The port usually speaks TLS from the first byte (HTTPS, IMAPS ...).</summary>
    public bool TlsFirst { get; init; }
    /// <summary>Probes for the hinted service, in order, before the general ones.</summary>
    public IReadOnlyList<string> Probes { get; init; } = [];
    /// <summary>The plan to follow inside TLS.</summary>
    public ProbePlan? Inner { get; init; }
}

/// <summary>
/// The probes, written from the protocols' specifications, and which to send on which port.
/// "tls" and "pg" are dialogs handled by the session rather than single payloads.
/// </summary>
internal static partial class ServiceProbes
{
    public const string Banner = "banner";
    public const string Tls = "tls";
    public const string Postgres = "pg";
    public const string PostgresSslRequest = "pg-sslrequest";
    public const string PostgresStartup = "pg-startup";

    private static readonly Dictionary<string, ServiceProbe> s_probes = new(StringComparer.Ordinal)
    {
        ["http-get"] = new("http-get", ep => HttpGet(ep, "/"), Framings.Http),
        ["http-version"] = new("http-version", ep => HttpGet(ep, "/version"), Framings.Http),
        // Inline commands (RESP section "Inline commands"); INFO server carries redis_version.
        ["redis"] = new("redis", _ => "PING\r\nINFO server\r\n"u8.ToArray(), Framings.Redis),
        // memcached protocol.txt, "version".
        ["memcached"] = new("memcached", _ => "version\r\n"u8.ToArray(), Framings.Line),
        ["dns-version-bind"] = new("dns-version-bind", _ => DnsVersionBind(), Framings.DnsTcp),
        ["mongodb"] = new("mongodb", _ => MongoBuildInfo(), Framings.MongoDb),
        ["ldap-rootdse"] = new("ldap-rootdse", _ => LdapRootDse(), Framings.Ber),
        ["smb-negotiate"] = new("smb-negotiate", _ => SmbNegotiate(), Framings.NetBios),
        ["rdp"] = new("rdp", _ => RdpConnectionRequest(), Framings.Tpkt),
        ["mqtt"] = new("mqtt", _ => MqttConnect(), Framings.Mqtt),
        // AMQP 0-9-1 section 4.2.2: "AMQP" 0 0 9 1.
        ["amqp"] = new("amqp", _ => [.. "AMQP"u8, 0, 0, 9, 1], Framings.Amqp),
        // A line most text protocols that wait for the client answer with an error or a help text.
        ["generic-line"] = new("generic-line", _ => "HELP\r\n"u8.ToArray(), Framings.Line),
        ["http-proxy"] = new("http-proxy", _ => HttpProxyGet(), Framings.Http),
        ["socks5"] = new("socks5", _ => Socks5Greeting(), Framings.Socks),
        ["socks4"] = new("socks4", _ => Socks4Connect(), Framings.Socks),
        ["rpc-portmap"] = new("rpc-portmap", _ => RpcNull(100000, 2), Framings.RpcRecord),
        ["rpc-nfs"] = new("rpc-nfs", _ => RpcNull(100003, 3), Framings.RpcRecord),
        ["kafka"] = new("kafka", _ => KafkaApiVersions(), Framings.Int32Length),
        ["tds"] = new("tds", _ => TdsPrelogin(), Framings.Tds),
        ["cassandra"] = new("cassandra", _ => CassandraOptions(), Framings.Cql),
        ["mongodb-ismaster"] = new("mongodb-ismaster", _ => MongoIsMaster(), Framings.MongoDb),
        ["xmpp"] = new("xmpp", _ => XmppStream(), Framings.None),
        ["x11"] = new("x11", _ => X11Setup(), Framings.X11),
        ["git"] = new("git", _ => GitUploadPack(), Framings.None),
        ["zabbix"] = new("zabbix", _ => ZabbixAgentVersion(), Framings.Zabbix),
        ["modbus"] = new("modbus", _ => ModbusDeviceId(), Framings.Modbus),
        ["iso-tsap"] = new("iso-tsap", _ => IsoTsapConnect(), Framings.Tpkt),
        ["enip"] = new("enip", _ => EnipListIdentity(), Framings.Enip),
        ["dnp3"] = new("dnp3", _ => Dnp3LinkStatus(), Framings.None),
        ["sip"] = new("sip", SipOptions, Framings.Headers),
        ["rtsp"] = new("rtsp", _ => RtspOptions(), Framings.Headers),
        ["msrpc"] = new("msrpc", _ => MsRpcBind(), Framings.DceRpc),
        ["openvpn"] = new("openvpn", _ => OpenVpnReset(), Framings.UInt16Length),
        ["pptp"] = new("pptp", _ => PptpStart(), Framings.UInt16LengthInclusive),
        ["minecraft"] = new("minecraft", MinecraftStatus, Framings.None),
        // beanstalkd protocol.txt "stats" (YAML with "version:"); memcached answers it too.
        ["stats"] = new("stats", _ => "stats\r\n"u8.ToArray(), Framings.None),
        // ZooKeeper four-letter word "srvr" (administrator's guide): "Zookeeper version: ...".
        ["srvr"] = new("srvr", _ => "srvr"u8.ToArray(), Framings.None),
        // EPMD NAMES_REQ (Erlang distribution protocol): length 1, 'n'.
        ["epmd"] = new("epmd", _ => [0x00, 0x01, 0x6E], Framings.None),
        ["tns"] = new("tns", _ => TnsConnect(), Framings.UInt16LengthInclusive),
        // RFC 8489 section 5: a Binding request over TCP (magic cookie, our transaction id); answers carry SOFTWARE (0x8022).
        ["stun"] = new("stun", _ => [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, .. "PortAtlasSTN"u8], Framings.Stun),
        // Gearman administrative protocol: "version" answers "OK <version>".
        ["kerberos"] = new("kerberos", _ => KerberosAsReq(), Framings.Int32Length),
        ["gearman"] = new("gearman", _ => "version\n"u8.ToArray(), Framings.Line),
        // munin node protocol: "version" after the greeting.
        ["munin"] = new("munin", _ => "version\n"u8.ToArray(), Framings.MuninVersion),
        // RFC 2812 section 3.1: registration; the welcome numerics 002 and 004 carry the server's version.
        ["irc"] = new("irc", _ => "NICK portatlas\r\nUSER portatlas 0 * :PortAtlas\r\n"u8.ToArray(), Framings.IrcWelcome, patient: true),
    };

    /// <summary>
    /// After the hinted probes, the general ones: first those that reveal the most services (TLS and HTTP carry
    /// most of them), sent one after another; then the rest, sent a few at a time in parallel on separate
    /// connections, each protocol on any port, not only its registry one.
    /// </summary>
    private static readonly string[] s_general =
    [
        Tls, "http-get",
        "generic-line", "dns-version-bind", "rpc-portmap", "smb-negotiate",
        "socks5", "redis", "rdp", "mongodb",
        "ldap-rootdse", "tds", "kafka", "cassandra",
        Postgres, "mqtt", "amqp", "msrpc",
        "socks4", "stun", "xmpp", "x11",
    ];

    /// <summary>Probes that must not run in parallel with others (dialogs handled by the session).</summary>
    public static bool IsDialog(string name) => name is Tls or Postgres;

    private static readonly ProbePlan s_httpInner = new() { Hint = "http", ClientFirst = true, Probes = ["http-get"] };
    private static readonly ProbePlan s_serverFirstInner = new() { Probes = ["http-get"] };

    public static ServiceProbe? Get(string name) => s_probes.GetValueOrDefault(name);

    /// <summary>The probe that can turn a soft match on <paramref name="service"/> into a hard one, or null.</summary>
    public static string? ProbeFor(string service) => service switch
    {
        "http" => "http-get",
        "http-proxy" => "http-proxy",
        "redis" => "redis",
        "memcache" => "memcached",
        "postgresql" => Postgres,
        "mongodb" => "mongodb",
        "domain" => "dns-version-bind",
        "ldap" => "ldap-rootdse",
        "microsoft-ds" => "smb-negotiate",
        "ms-wbt-server" => "rdp",
        "mqtt" => "mqtt",
        "amqp" => "amqp",
        "beanstalkd" => "stats",
        "munin" => "munin",
        "irc" => "irc",
        "xmpp-client" => "xmpp",
        "rtsp" => "rtsp",
        "sip" => "sip",
        "ms-sql-s" => "tds",
        "kafka" => "kafka",
        "cassandra" => "cassandra",
        "rpcbind" => "rpc-portmap",
        "msrpc" => "msrpc",
        _ => null,
    };

    /// <summary>The general probes, for ports whose hinted probes found nothing.</summary>
    public static IReadOnlyList<string> General => s_general;

    /// <summary>The plan for a port whose registry name is <paramref name="hint"/> (null when unknown).</summary>
    public static ProbePlan PlanFor(string? hint) => hint switch
    {
        "http" or "http-alt" or "www-http" or "http-mgmt" or "elasticsearch" or "http-rpc-epmap"
            or "ipp" or "sun-answerbook" or "radan-http" or "trivnet1" or "irdmi" or "jetdirect"
            => new() { Hint = hint, ClientFirst = true, Probes = ["http-get"] },
        "docker" => new() { Hint = hint, ClientFirst = true, Probes = ["http-version", "http-get"] },
        "https" or "https-alt" or "pcsync-https" or "oracleas-https" or "wap-wsp-s" or "sun-sr-https"
            => new() { Hint = hint, ClientFirst = true, TlsFirst = true, Inner = s_httpInner, Probes = ["http-get"] },
        "kube-apiserver" or "docker-s" => new()
        {
            Hint = hint, ClientFirst = true, TlsFirst = true, Probes = ["http-get"],
            Inner = new() { Hint = "http", ClientFirst = true, Probes = ["http-version", "http-get"] },
        },
        "imaps" or "pop3s" or "submissions" or "smtps" or "ftps" or "ircs" or "nntps" or "telnets"
            => new() { Hint = hint, ClientFirst = true, TlsFirst = true, Inner = s_serverFirstInner },
        "ldaps" => new() { Hint = hint, ClientFirst = true, TlsFirst = true, Inner = new() { Hint = "ldap", ClientFirst = true, Probes = ["ldap-rootdse"] } },
        "secure-mqtt" => new() { Hint = hint, ClientFirst = true, TlsFirst = true, Inner = new() { Hint = "mqtt", ClientFirst = true, Probes = ["mqtt"] } },
        "amqps" => new() { Hint = hint, ClientFirst = true, TlsFirst = true, Inner = new() { Hint = "amqp", ClientFirst = true, Probes = ["amqp"] } },
        "redis" => new() { Hint = hint, ClientFirst = true, Probes = ["redis"] },
        "memcache" => new() { Hint = hint, ClientFirst = true, Probes = ["memcached"] },
        "postgresql" => new() { Hint = hint, ClientFirst = true, Probes = [Postgres] },
        "mongodb" or "mongod" => new() { Hint = hint, ClientFirst = true, Probes = ["mongodb", "mongodb-ismaster"] },
        "domain" => new() { Hint = hint, ClientFirst = true, Probes = ["dns-version-bind"] },
        "ldap" or "msft-gc" => new() { Hint = hint, ClientFirst = true, Probes = ["ldap-rootdse"] },
        "microsoft-ds" or "netbios-ssn" => new() { Hint = hint, ClientFirst = true, Probes = ["smb-negotiate"] },
        "ms-wbt-server" => new() { Hint = hint, ClientFirst = true, Probes = ["rdp"] },
        "mqtt" => new() { Hint = hint, ClientFirst = true, Probes = ["mqtt"] },
        "amqp" => new() { Hint = hint, ClientFirst = true, Probes = ["amqp"] },
        "socks" => new() { Hint = hint, ClientFirst = true, Probes = ["socks5", "socks4", "http-proxy"] },
        "squid-http" or "webcache" or "http-proxy" or "privoxy" or "tinyproxy"
            => new() { Hint = hint, ClientFirst = true, Probes = ["http-get", "http-proxy"] },
        "sunrpc" or "rpcbind" => new() { Hint = hint, ClientFirst = true, Probes = ["rpc-portmap"] },
        "nfs" => new() { Hint = hint, ClientFirst = true, Probes = ["rpc-nfs", "rpc-portmap"] },
        "epmap" or "msrpc" => new() { Hint = hint, ClientFirst = true, Probes = ["msrpc"] },
        "ms-sql-s" => new() { Hint = hint, ClientFirst = true, Probes = ["tds"] },
        "kafka" => new() { Hint = hint, ClientFirst = true, Probes = ["kafka"] },
        "cassandra-cql" or "cassandra" => new() { Hint = hint, ClientFirst = true, Probes = ["cassandra"] },
        "x11" => new() { Hint = hint, ClientFirst = true, Probes = ["x11"] },
        "git" => new() { Hint = hint, ClientFirst = true, Probes = ["git"] },
        "zabbix-agent" => new() { Hint = hint, ClientFirst = true, Probes = ["zabbix"] },
        "mbap" => new() { Hint = hint, ClientFirst = true, Probes = ["modbus"] },
        "iso-tsap" => new() { Hint = hint, ClientFirst = true, Probes = ["iso-tsap"] },
        "EtherNet-IP-2" or "EtherNet/IP-2" or "ethernet-ip-2" => new() { Hint = hint, ClientFirst = true, Probes = ["enip"] },
        "dnp" => new() { Hint = hint, ClientFirst = true, Probes = ["dnp3"] },
        "sip" => new() { Hint = hint, ClientFirst = true, Probes = ["sip"] },
        "rtsp" or "rtsp-alt" => new() { Hint = hint, ClientFirst = true, Probes = ["rtsp", "http-get"] },
        "openvpn" => new() { Hint = hint, ClientFirst = true, Probes = ["openvpn"] },
        "pptp" => new() { Hint = hint, ClientFirst = true, Probes = ["pptp"] },
        "minecraft" => new() { Hint = hint, ClientFirst = true, Probes = ["minecraft"] },
        "beanstalkd" => new() { Hint = hint, ClientFirst = true, Probes = ["stats"] },
        "eforward" or "zookeeper" => new() { Hint = hint, ClientFirst = true, Probes = ["srvr"] },
        "epmd" => new() { Hint = hint, ClientFirst = true, Probes = ["epmd"] },
        "stun" or "turn" or "stun-behavior" => new() { Hint = hint, ClientFirst = true, Probes = ["stun"] },
        "gearman" => new() { Hint = hint, ClientFirst = true, Probes = ["gearman"] },
        "kerberos" or "kerberos-sec" or "kerberos-adm" => new() { Hint = hint, ClientFirst = true, Probes = ["kerberos"] },
        "ncube-lm" or "oracle-tns" or "oracle" => new() { Hint = hint, ClientFirst = true, Probes = ["tns"] },
        "etcd-client" or "etcd-server" or "etcd" => new() { Hint = hint, ClientFirst = true, Probes = ["http-version", "http-get"] },
        "grafana" or "consul" or "kubelet" or "couchdb" or "influxdb" or "clickhouse-http" or "wsman" or "node-exporter"
            or "prometheus" or "kibana" or "d-s-n" or "pdl-datastream"
            => new() { Hint = hint, ClientFirst = true, Probes = ["http-get"] },
        "munin" or "rsync" or "svn" or "nats" or "ircs-u" or "sieve" or "nut" or "mpd"
            => new() { Hint = hint, ServerFirst = true },
        "ssh" or "ssh-alt" or "ftp" or "smtp" or "submission" or "pop3" or "imap" or "telnet" or "mysql" or "rfb" or "vnc"
            or "nntp" or "pop2" or "lmtp" or "ftp-alt"
            => new() { Hint = hint, ServerFirst = true },
        "ircu" or "irc" => new() { Hint = hint, ServerFirst = true, Probes = ["irc"] },
        "xmpp-client" or "xmpp-server" => new() { Hint = hint, ClientFirst = true, Probes = ["xmpp"] },
        _ => new() { Hint = hint },
    };

    /// <summary>The plan inside a TLS session on a port with no TLS hint: a short wait for a banner, then HTTP.</summary>
    public static ProbePlan InnerFor(ProbePlan outer) => outer.Inner ?? outer.Hint switch
    {
        null => s_serverFirstInner,
        _ when outer.Probes.Count > 0 => outer with { TlsFirst = false, Inner = null },
        _ => s_serverFirstInner,
    };

    /// <summary>
    /// The port's registry name when it names the same protocol as <paramref name="service"/> in another role
    /// (SMB on the NetBIOS session port, XMPP between servers), else <paramref name="service"/>.
    /// </summary>
    public static string InRoleOf(string service, string? hint) => (service, hint) switch
    {
        ("microsoft-ds", "netbios-ssn") => "netbios-ssn",
        ("xmpp-client", "xmpp-server") => "xmpp-server",
        ("irc", "ircu" or "ircs-u") => "irc",
        _ => service,
    };

    /// <summary>The name of a service when it runs inside TLS.</summary>
    public static string TlsName(string service) => service switch
    {
        "http" => "https",
        "imap" => "imaps",
        "pop3" => "pop3s",
        "smtp" => "smtps",
        "ftp" => "ftps",
        "ldap" => "ldaps",
        "telnet" => "telnets",
        "mqtt" => "secure-mqtt",
        "amqp" => "amqps",
        "nntp" => "nntps",
        "irc" => "ircs-u",
        "submission" => "submissions",
        "domain" => "domain-s",
        "sip" => "sips",
        "xmpp-client" => "xmpps-client",
        _ => service,
    };

    private static byte[] HttpGet(IPEndPoint endpoint, string path)
    {
        // RFC 9110 section 7.2: Host is the authority; an IPv6 literal goes in brackets.
        var host = endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString();
        if (endpoint.Port != 80 && endpoint.Port != 443)
        {
            host = $"{host}:{endpoint.Port}";
        }
        return Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: PortAtlas\r\nAccept: */*\r\nConnection: close\r\n\r\n");
    }

    /// <summary>A TCP DNS query (RFC 1035 section 4.2.2) for version.bind, class CHAOS (3), type TXT (16); ID 0x5041.</summary>
    internal static byte[] DnsVersionBind()
    {
        byte[] question = [7, .. "version"u8, 4, .. "bind"u8, 0, 0x00, 0x10, 0x00, 0x03];
        var message = new byte[2 + 12 + question.Length];
        BinaryPrimitives.WriteUInt16BigEndian(message, (ushort)(message.Length - 2));
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 0x5041);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), 0x0100); // RD
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), 1); // QDCOUNT
        question.CopyTo(message, 14);
        return message;
    }

    /// <summary>MongoDB OP_MSG (opcode 2013) with one body section: { buildinfo: 1, $db: "admin" }.</summary>
    internal static byte[] MongoBuildInfo()
    {
        var doc = new List<byte>();
        doc.Add(0x10); // int32 element
        doc.AddRange("buildinfo\0"u8.ToArray());
        doc.AddRange([1, 0, 0, 0]);
        doc.Add(0x02); // string element
        doc.AddRange("$db\0"u8.ToArray());
        doc.AddRange([6, 0, 0, 0]);
        doc.AddRange("admin\0"u8.ToArray());
        doc.Add(0x00);
        var bson = new byte[4 + doc.Count];
        BinaryPrimitives.WriteInt32LittleEndian(bson, bson.Length);
        doc.CopyTo(bson, 4);

        var message = new byte[16 + 4 + 1 + bson.Length];
        BinaryPrimitives.WriteInt32LittleEndian(message, message.Length);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(4), 0x5041);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(12), 2013);
        // flagBits 0, then section kind 0 (body).
        bson.CopyTo(message, 21);
        return message;
    }

    /// <summary>An LDAPv3 searchRequest for the root DSE (RFC 4511 section 4.5.1; RFC 4512 section 5.1), BER-encoded.</summary>
    internal static byte[] LdapRootDse()
    {
        byte[] search =
        [
            0x04, 0x00,             // baseObject ""
            0x0a, 0x01, 0x00,       // scope baseObject
            0x0a, 0x01, 0x00,       // derefAliases neverDerefAliases
            0x02, 0x01, 0x00,       // sizeLimit 0
            0x02, 0x01, 0x00,       // timeLimit 0
            0x01, 0x01, 0x00,       // typesOnly FALSE
            0x87, 0x0b, .. "objectClass"u8, // filter: present objectClass
            0x30, 0x00,             // attributes: all user attributes
        ];
        byte[] body = [0x02, 0x01, 0x01, 0x63, (byte)search.Length, .. search];
        return [0x30, (byte)body.Length, .. body];
    }

    /// <summary>
    /// An SMB1 NEGOTIATE ([MS-SMB] 2.2.4.52) over direct TCP offering "NT LM 0.12", "SMB 2.002" and "SMB 2.???",
    /// so SMB2-capable servers answer with an SMB2 NEGOTIATE response ([MS-SMB2] 3.3.5.3.1).
    /// </summary>
    internal static byte[] SmbNegotiate()
    {
        var dialects = new List<byte>();
        foreach (var d in (string[])["NT LM 0.12", "SMB 2.002", "SMB 2.???"])
        {
            dialects.Add(0x02);
            dialects.AddRange(Encoding.ASCII.GetBytes(d));
            dialects.Add(0x00);
        }
        var smb = new byte[32 + 1 + 2 + dialects.Count];
        smb[0] = 0xFF;
        "SMB"u8.CopyTo(smb.AsSpan(1));
        smb[4] = 0x72; // SMB_COM_NEGOTIATE
        smb[9] = 0x18; // flags: case-insensitive, canonicalized paths
        BinaryPrimitives.WriteUInt16LittleEndian(smb.AsSpan(10), 0xC801); // flags2: unicode, NT status, extended security, long names
        BinaryPrimitives.WriteUInt16LittleEndian(smb.AsSpan(30), 1); // MID
        smb[32] = 0; // WordCount
        BinaryPrimitives.WriteUInt16LittleEndian(smb.AsSpan(33), (ushort)dialects.Count);
        dialects.CopyTo(smb, 35);
        var message = new byte[4 + smb.Length];
        message[2] = (byte)(smb.Length >> 8);
        message[3] = (byte)smb.Length;
        smb.CopyTo(message, 4);
        return message;
    }

    /// <summary>TPKT + X.224 Connection Request with an RDP Negotiation Request for TLS and CredSSP ([MS-RDPBCGR] 2.2.1.1).</summary>
    internal static byte[] RdpConnectionRequest() =>
    [
        0x03, 0x00, 0x00, 0x13,                   // TPKT, length 19
        0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, // X.224 CR TPDU
        0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00, // RDP_NEG_REQ: PROTOCOL_SSL | PROTOCOL_HYBRID
    ];

    /// <summary>An MQTT 3.1.1 CONNECT (section 3.1) with a clean session, keep-alive 60 s, client id "portatlas".</summary>
    internal static byte[] MqttConnect()
    {
        byte[] variable = [0x00, 0x04, .. "MQTT"u8, 0x04, 0x02, 0x00, 0x3c];
        byte[] payload = [0x00, 0x09, .. "portatlas"u8];
        return [0x10, (byte)(variable.Length + payload.Length), .. variable, .. payload];
    }

    /// <summary>PostgreSQL SSLRequest (protocol section 55.2.10): length 8, code 80877103.</summary>
    internal static byte[] PostgresSslRequestBytes()
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 8);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), 80877103);
        return bytes;
    }

    /// <summary>
    /// A StartupMessage asking for protocol 4.0, which every PostgreSQL since 7.4 refuses with an ErrorResponse
    /// naming the versions it supports, whatever its authentication settings.
    /// </summary>
    internal static byte[] PostgresStartupBytes()
    {
        byte[] parameters = [.. "user\0portatlas\0\0"u8];
        var bytes = new byte[8 + parameters.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, bytes.Length);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), 4 << 16);
        parameters.CopyTo(bytes, 8);
        return bytes;
    }
}
