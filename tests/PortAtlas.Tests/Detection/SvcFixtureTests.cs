using PortAtlas.Detection;

namespace PortAtlas.Tests.Detection;

/// <summary>
/// Answers captured from the non-held-out daemons of the lab's pa-svc / pa-svc2 hosts (issue 11;
/// tests/PortAtlas.Tests/Detection/Fixtures/capture-svc.py), run through the signature database.
/// The held-out daemons (tests/lab/README.md) have no fixture here by design.
/// </summary>
public class SvcFixtureTests
{
    private static readonly SignatureDatabase s_db = SignatureDatabase.Default;

    /// <summary>fixture, probe, service, product (null: service only), version (null: none on the wire).</summary>
    public static TheoryData<string, string, string, string?, string?> Fixtures => new()
    {
        // web servers, caches, forward proxies
        { "svc-80-http-get.bin", "http-get", "http", "Apache httpd", "2.4.71" },
        { "svc-6081-http-get.bin", "http-get", "http", "Varnish http accelerator", "7.1" },
        { "svc-3128-http-get.bin", "http-get", "http-proxy", "Squid http proxy", "5.7" },
        { "svc-8118-http-get.bin", "http-get", "http-proxy", "Privoxy", null },
        // printing, HTTP APIs of monitoring, brokers and databases
        { "svc-631-http-get.bin", "http-get", "ipp", "CUPS", "2.4.2" },
        { "svc-9100-http-get.bin", "http-get", "http", "Prometheus node_exporter", null },
        { "svc-8222-http-get.bin", "http-get", "http", "NATS server", "2.9.10" },
        { "svc-8086-http-get.bin", "http-get", "http", "InfluxDB", "1.6.7~rc0" },
        // DNS, on 53 and on high ports
        { "svc-53-dns-version-bind.bin", "dns-version-bind", "domain", "ISC BIND", "9.18.49" },
        { "svc-8053-dns-version-bind.bin", "dns-version-bind", "domain", "Unbound", "1.17.1" },
        { "svc-5301-dns-version-bind.bin", "dns-version-bind", "domain", "PowerDNS Authoritative Server", "4.7.3" },
        { "svc2-53-dns-version-bind.bin", "dns-version-bind", "domain", "Knot DNS", "3.2.6" },
        // directory and file sharing
        { "svc-389-ldap-rootdse.bin", "ldap-rootdse", "ldap", "OpenLDAP", null },
        { "svc-445-smb-negotiate.bin", "smb-negotiate", "microsoft-ds", "Samba smbd", null },
        // brokers and caches
        { "svc-4222-banner.bin", "banner", "nats", "NATS server", "2.9.10" },
        { "svc-26379-redis.bin", "redis", "redis", "Redis key-value store", "7.0.15" },
        { "svc-4730-http-get.bin", "http-get", "gearman", "gearmand", null },
        { "svc-1883-mqtt.bin", "mqtt", "mqtt", null, null },
        // chat
        { "svc-6667-http-get.bin", "http-get", "irc", "ngircd", null },
        { "svc-5222-http-get.bin", "http-get", "xmpp-client", null, null },
        { "svc-5269-http-get.bin", "http-get", "xmpp-server", null, null },
        // inetd's small services
        { "svc-13-banner.bin", "banner", "daytime", null, null },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Match_RecordedSvcAnswer_NamesServiceProductAndVersion(string fixture, string probe, string service, string? product, string? version)
    {
        var match = s_db.Match(probe, Wire.Fixture(fixture));

        Assert.NotNull(match);
        Assert.Equal(service, match.Service);
        Assert.Equal(product, match.Product);
        Assert.Equal(version, match.Version);
    }

    [Fact]
    public void Match_CacheInFrontOfApache_IsNamedAsTheCacheNotTheBackend()
    {
        var answer = Wire.Fixture("svc-6081-http-get.bin");

        var match = s_db.Match("http-get", answer)!;

        // The backend's Server: header is in the same answer; the cache's Via wins.
        Assert.Contains("Server: Apache/", System.Text.Encoding.Latin1.GetString(answer), StringComparison.Ordinal);
        Assert.Equal("Varnish http accelerator", match.Product);
    }

    [Fact]
    public void Match_ForwardProxyRefusingOriginForm_IsHttpProxy()
    {
        var match = s_db.Match("http-get", Wire.Fixture("svc-3128-http-get.bin"))!;

        Assert.Equal("http-proxy", match.Service);
        Assert.Equal(MatchKind.Hard, match.Kind);
    }

    [Fact]
    public void Match_DaytimeShapeElsewhere_DoesNotMatch()
    {
        // A date inside a longer greeting is not a daytime service.
        Assert.NotEqual("daytime", s_db.Match("banner", Wire.Latin1("220 mail ESMTP ready Tue Dec  1 20:37:15 2026\r\n"))?.Service);
        Assert.NotEqual("daytime", s_db.Match("banner", Wire.Latin1("Tue Dec  1 20:37:15 2026\r\nlogin: "))?.Service);
    }
}
