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
    [InlineData(47808)] // BACnet
    [InlineData(44818)] // EtherNet/IP
    [InlineData(6379)]  // Redis
    [InlineData(2375)]  // Docker API
    [InlineData(6443)]  // Kubernetes API
    [InlineData(10250)] // kubelet
    [InlineData(9092)]  // Kafka
    [InlineData(5672)]  // AMQP
    [InlineData(27017)] // MongoDB
    [InlineData(51820)] // WireGuard
    [InlineData(5985)]  // WinRM
    public void PractitionerPort_IsCurated(int port) =>
        Assert.Contains(s_registry.AtPort(port).ToArray(), e => e.Source != EntrySource.Iana && e.Risk is not null);

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
