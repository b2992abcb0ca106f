using PortAtlas.Registry;

namespace PortAtlas.Tests.Registry;

/// <summary>The curated layer: the seed table's ports with their corrected names, and its consistency with IANA.</summary>
public sealed class CuratedKnowledgeTests
{
    private static readonly PortRegistry s_registry = PortRegistry.Default;

    // The seed document's table of significant ports, after checking each row against IANA (see
    // src/PortAtlas/data/curated-ports.NOTES.md): port, the corrected name, and whether the use is unofficial.
    public static TheoryData<int, string, bool> SeedTable => new()
    {
        { 7, "echo", false }, { 20, "ftp-data", false }, { 21, "ftp", false }, { 22, "ssh", false },
        { 23, "telnet", false }, { 25, "smtp", false }, { 53, "domain", false }, { 69, "tftp", false },
        { 80, "http", false }, { 88, "kerberos", false }, { 102, "iso-tsap", false }, { 110, "pop3", false },
        { 135, "epmap", false }, { 137, "netbios-ns", false }, { 139, "netbios-ssn", false }, { 143, "imap", false },
        { 381, "hp-collector", false }, { 388, "unidata-ldm", false }, { 443, "https", false }, { 464, "kpasswd", false },
        { 465, "submissions", false }, { 587, "submission", false }, { 593, "http-rpc-epmap", false }, { 636, "ldaps", false },
        { 691, "msexch-routing", false }, { 902, "vmware-authd", true }, { 989, "ftps-data", false }, { 990, "ftps", false },
        { 993, "imaps", false }, { 995, "pop3s", false }, { 1025, "msrpc-dynamic", true }, { 1194, "openvpn", false },
        { 1337, "waste", true }, { 1589, "vqp", false }, { 1725, "steam", true }, { 2082, "cpanel", true },
        { 2083, "radsec", false }, { 2483, "ttc", false }, { 2484, "ttc-ssl", false }, { 2967, "ssc-agent", false },
        { 3074, "xbox", false }, { 3306, "mysql", false }, { 3389, "ms-wbt-server", false }, { 3724, "blizwow", false },
        { 4664, "google-desktop", true }, { 5432, "postgresql", false }, { 5900, "rfb", false }, { 6665, "ircu", false },
        { 6669, "ircu", false }, { 6881, "bittorrent", true }, { 6970, "quicktime-rtp", true }, { 6999, "bittorrent", true },
        { 8086, "d-s-n", false }, { 8087, "simplifymedia", false }, { 8222, "vmware-server-mui", true }, { 9100, "pdl-datastream", false },
        { 10000, "ndmp", false }, { 10000, "webmin", true }, { 12345, "netbus", true }, { 27374, "subseven", true },
        { 31337, "back-orifice", true },
    };

    [Theory]
    [MemberData(nameof(SeedTable))]
    public void SeedPort_IsCuratedWithTheCorrectedName(int port, string name, bool unofficial)
    {
        var entry = s_registry.AtPort(port).ToArray().FirstOrDefault(e => e.Source != EntrySource.Iana && e.Name == name);
        Assert.NotNull(entry);
        Assert.Equal(unofficial ? EntrySource.Unofficial : EntrySource.Curated, entry.Source);
        Assert.NotNull(entry.Risk);
        Assert.False(string.IsNullOrWhiteSpace(entry.Notes));
        Assert.False(string.IsNullOrWhiteSpace(entry.Hardening));
        Assert.False(string.IsNullOrWhiteSpace(entry.Products));
    }

    [Fact]
    public void SeedMistakes_AreCorrected()
    {
        Assert.DoesNotContain(s_registry.Search("stream", 500), e => e.Port == 1725 && e.Source != EntrySource.Iana && e.Name == "stream");
        Assert.Contains(s_registry.AtPort(990).ToArray(), e => e.Source == EntrySource.Curated && e.Name == "ftps");
        Assert.Single(s_registry.AtPort(989).ToArray(), e => e.Source == EntrySource.Curated && e.Protocol == Transport.Tcp);
        var irc = s_registry.AtPort(6667).ToArray().Single(e => e.Source == EntrySource.Curated);
        Assert.Equal((6665, 6669), (irc.Port!.Value, irc.EndPort!.Value));
    }

    [Fact]
    public void CuratedLayer_HasAtLeast150Ports()
    {
        var ports = s_registry.Entries.Where(e => e.Source != EntrySource.Iana).Select(e => e.Port).Distinct().Count();
        Assert.True(ports >= 150, $"only {ports} curated ports");
    }

    [Theory]
    [InlineData(502)]   // Modbus
    [InlineData(102)]   // S7 over ISO-TSAP
    [InlineData(20000)] // DNP3
    [InlineData(47808, "udp")] // BACnet
    [InlineData(44818)] // EtherNet/IP
    [InlineData(6379)]  // Redis
    [InlineData(2375)]  // Docker API
    [InlineData(6443)]  // Kubernetes API
    [InlineData(10250)] // kubelet
    [InlineData(9092)]  // Kafka
    [InlineData(5672)]  // AMQP
    [InlineData(27017)] // MongoDB
    [InlineData(51820, "udp")] // WireGuard
    [InlineData(5985)]  // WinRM
    [InlineData(50000)] // Jenkins agents, SAP J2EE, Db2
    [InlineData(5666)]  // NRPE
    [InlineData(10050)] // Zabbix agent
    [InlineData(10051)] // Zabbix trapper
    [InlineData(8728)]  // RouterOS API
    [InlineData(8729)]  // RouterOS API over TLS
    [InlineData(7946)]  // Swarm/Serf gossip
    [InlineData(4789, "udp")] // VXLAN
    [InlineData(10257)] // kube-controller-manager
    [InlineData(10259)] // kube-scheduler
    [InlineData(2888)]  // ZooKeeper quorum
    [InlineData(3888)]  // ZooKeeper election
    [InlineData(25672)] // RabbitMQ distribution
    [InlineData(7002)]  // WebLogic SSL
    [InlineData(3200)]  // SAP dispatcher
    [InlineData(3300)]  // SAP gateway
    [InlineData(3299)]  // SAProuter
    [InlineData(9389)]  // AD Web Services
    [InlineData(1801)]  // MSMQ
    [InlineData(7070)]  // AnyDesk
    [InlineData(33060)] // MySQL X
    [InlineData(26379)] // Redis Sentinel
    [InlineData(1217)]  // CODESYS gateway
    [InlineData(11740)] // CODESYS runtime
    [InlineData(5007)]  // MELSEC-Q
    [InlineData(1645, "udp")] // RADIUS (old)
    [InlineData(1646, "udp")] // RADIUS accounting (old)
    [InlineData(1719, "udp")] // H.323 RAS
    [InlineData(5351, "udp")] // PCP / NAT-PMP
    public void PractitionerPort_IsCurated(int port, string protocol = "tcp")
    {
        Assert.True(TransportNames.TryParse(protocol, out var transport));
        Assert.Contains(s_registry.AtPort(port).ToArray(), e => e.Source != EntrySource.Iana && e.Risk is not null && e.Protocol == transport);
    }

    [Fact]
    public void Port514_IsRshOnTcpAndSyslogOnUdp()
    {
        Assert.Equal("shell", s_registry.Explain(514, Transport.Tcp)!.Name);
        var udp = s_registry.Explain(514, Transport.Udp)!;
        Assert.Equal("syslog", udp.Name);
        Assert.Equal(EntrySource.Curated, udp.Source);
    }

    [Fact]
    public void RiskLevels_RankExposedRdpWithVncAndTelnet_AndDirectoryTlsWithItsPlainForm()
    {
        Assert.Equal(RiskLevel.Critical, s_registry.Explain(3389, Transport.Tcp)!.Risk);
        Assert.True(s_registry.Explain(3389, Transport.Tcp)!.Risk >= s_registry.Explain(5900, Transport.Tcp)!.Risk);
        Assert.True(s_registry.Explain(3389, Transport.Tcp)!.Risk >= s_registry.Explain(23, Transport.Tcp)!.Risk);
        Assert.Equal(s_registry.Explain(3269, Transport.Tcp)!.Risk, s_registry.Explain(636, Transport.Tcp)!.Risk);
        Assert.Equal(s_registry.Explain(389, Transport.Tcp)!.Risk, s_registry.Explain(636, Transport.Tcp)!.Risk);
        // Unauthenticated by default like Redis, and the 2018 reflection record: as critical as Redis.
        Assert.Equal(s_registry.Explain(6379, Transport.Tcp)!.Risk, s_registry.Explain(11211, Transport.Tcp)!.Risk);
    }

    [Fact]
    public void Srcds_DoesNotClaimRust_AndGlassFishConsoleIsHttpFirst()
    {
        Assert.DoesNotContain("Rust", s_registry.Explain(27015, Transport.Udp)!.Products, StringComparison.Ordinal);
        var glassfish = s_registry.Explain(4848, Transport.Tcp)!;
        Assert.Contains("plain HTTP until secure admin", glassfish.Description, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every curated row against the IANA data, mechanically: a row marked curated uses IANA's name at each of its
    /// ports and transports; an unofficial row on ports IANA leaves unassigned says "Not IANA-assigned"; an unofficial
    /// row on an assigned port names the assignee and never says "Not IANA-assigned" without naming it; and every
    /// "IANA assigns N[/proto] to NAME" in a row's text is true.
    /// </summary>
    [Fact]
    public void EveryCuratedRow_AgreesWithTheIanaData()
    {
        var problems = new List<string>();
        foreach (var entry in s_registry.Entries.Where(e => e.Source != EntrySource.Iana))
        {
            var transport = entry.Protocol!.Value;
            var where = $"{entry.Name} {entry.PortText}/{transport.ToName()}";
            var text = $"{entry.Description} {entry.Notes}";
            var assigned = new List<(int Port, string[] Names)>();
            for (var p = entry.Port!.Value; p <= entry.EndPort!.Value; p++)
            {
                var names = IanaNames(p, transport);
                if (names.Length > 0)
                {
                    assigned.Add((p, names));
                }
                if (entry.Source == EntrySource.Curated && !names.Contains(entry.Name, StringComparer.OrdinalIgnoreCase))
                {
                    problems.Add($"{where}: marked curated but IANA's {p}/{transport.ToName()} is [{string.Join(", ", names)}]");
                }
            }
            if (entry.Source == EntrySource.Unofficial)
            {
                if (assigned.Count == 0 && !text.Contains("Not IANA-assigned", StringComparison.Ordinal))
                {
                    problems.Add($"{where}: unassigned in IANA but the row does not say 'Not IANA-assigned'");
                }
                foreach (var (port, names) in assigned)
                {
                    if (!names.Any(n => System.Text.RegularExpressions.Regex.IsMatch(text, $@"\b{System.Text.RegularExpressions.Regex.Escape(n)}\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase)))
                    {
                        problems.Add($"{where}: IANA assigns {port} to {names[0]}, which the row does not name");
                    }
                }
                if (assigned.Count == entry.EndPort - entry.Port + 1 && text.Contains("Not IANA-assigned", StringComparison.Ordinal))
                {
                    problems.Add($"{where}: says 'Not IANA-assigned' but IANA assigns every port of it");
                }
            }
            foreach (System.Text.RegularExpressions.Match claim in System.Text.RegularExpressions.Regex.Matches(
                text, @"IANA (?:assigns|registers)(?: only)? (\d+)(?:/(tcp|udp))? (?:to|as) ([a-z0-9][a-z0-9_/-]*[a-z0-9])"))
            {
                var port = int.Parse(claim.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                var claimed = claim.Groups[2].Success && TransportNames.TryParse(claim.Groups[2].Value, out var t) ? t : transport;
                if (!IanaNames(port, claimed).Contains(claim.Groups[3].Value, StringComparer.OrdinalIgnoreCase))
                {
                    problems.Add($"{where}: claims IANA assigns {port}/{claimed.ToName()} to {claim.Groups[3].Value}, but IANA has [{string.Join(", ", IanaNames(port, claimed))}]");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [InlineData("IANA assigns 12346 to italk", 12346, "tcp")]
    [InlineData("IANA assigns 6970 to conductor", 6970, "udp")]
    public void IanaNames_RejectTheClaimsTheIssueFound(string claim, int port, string protocol)
    {
        Assert.True(TransportNames.TryParse(protocol, out var transport));
        Assert.DoesNotContain(claim.Split(' ')[^1], IanaNames(port, transport));
    }

    private static string[] IanaNames(int port, Transport transport) =>
        [.. s_registry.AtPort(port).ToArray().Where(e => e.Source == EntrySource.Iana && e.Protocol == transport && e.Name.Length > 0).Select(e => e.Name)];

    [Fact]
    public void CuratedRows_ClaimingIana_UseANameIanaAssignsToThatPortAndTransport()
    {
        foreach (var entry in s_registry.Entries.Where(e => e.Source == EntrySource.Curated))
        {
            var iana = s_registry.AtPort(entry.Port!.Value).ToArray()
                .Where(e => e.Source == EntrySource.Iana && e.Name.Equals(entry.Name, StringComparison.OrdinalIgnoreCase));
            Assert.True(iana.Any(), $"{entry.Name} {entry.PortText}/{entry.Protocol?.ToName()} is marked curated but IANA does not assign it there");
        }
    }

    [Fact]
    public void TrojanPorts_AreCriticalAndUnofficial()
    {
        foreach (var port in new[] { 12345, 27374, 31337 })
        {
            var entry = s_registry.Explain(port, Transport.Tcp);
            Assert.NotNull(entry);
            Assert.Equal(EntrySource.Unofficial, entry.Source);
            Assert.True(entry.Risk >= RiskLevel.High, $"{port} risk {entry.Risk}");
        }
    }
}
