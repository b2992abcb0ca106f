using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using PortAtlas.Assessment;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Assessment;

/// <summary>
/// Known-exploited matching on normalised identities: for each product a detection (PortAtlas's own, or Nmap XML
/// imported) can report, the KEV entries that name it, specified independently of the alias table as a pattern over
/// KEV's own vendorProject and product text (plus the "Multiple Products" CVEs whose description names it).
/// </summary>
public sealed class KevMatchingTests
{
    /// <summary>One case: what detection reports, and which KEV entries belong to that product.</summary>
    public sealed record Case(string Label, string Product, string? Version, string[] Cpe, string Vendor, string ProductPattern, string[] ExtraCves, int Expected)
    {
        public override string ToString() => Label;
    }

    public static TheoryData<Case> Cases => new(
        new Case("Apache Tomcat (Coyote CPE)", "Apache Tomcat/Coyote JSP engine", "1.1", ["cpe:/a:apache:coyote_http_connector:1.1"], "Apache", "^Tomcat$", [], 6),
        new Case("Cisco IOS (OS CPE)", "Cisco IOS http config", null, ["cpe:/o:cisco:ios"], "Cisco", @"^(Cisco )?IOS( [Ss]oftware)?$|^IOS( Software)? and (Cisco )?IOS XE|^IOS, (IOS )?XR", [], 36),
        new Case("Cisco IOS XE (OS CPE)", "Cisco IOS XE http config", null, ["cpe:/o:cisco:ios_xe"], "Cisco", @"IOS XE|XE Software", [], 28),
        new Case("MikroTik RouterOS (OS CPE)", "MikroTik RouterOS sshd", "6.49", ["cpe:/o:mikrotik:routeros:6.49"], "MikroTik", "^RouterOS$", [], 2),
        new Case("FortiOS as Nmap reports it", "Fortinet FortiGate HTTPS", null, ["cpe:/o:fortinet:fortios"], "Fortinet", "^FortiOS", ["CVE-2022-40684", "CVE-2024-23113", "CVE-2025-59718", "CVE-2026-24858"], 19),
        new Case("Microsoft Exchange", "Microsoft Exchange smtpd", null, ["cpe:/a:microsoft:exchange_server", "cpe:/o:microsoft:windows"], "Microsoft", "^Exchange( Server)?$", [], 18),
        new Case("Redis (Debian package)", "Redis key-value store", "6.0.16 (Debian 5:6.0.16-1+deb11u2)", ["cpe:/a:redis:redis:6.0.16"], "Redis", "Redis", [], 1),
        new Case("Redis (upstream build: KEV's entry is Debian-only)", "Redis key-value store", "7.0.5", ["cpe:/a:redis:redis:7.0.5"], "Redis", "^$", [], 0),
        new Case("Jenkins", "Jenkins", "2.401", ["cpe:/a:jenkins:jenkins:2.401"], "Jenkins", "^Jenkins", [], 4),
        new Case("Ivanti Connect Secure", "Ivanti Connect Secure", null, ["cpe:/a:ivanti:connect_secure"], "Ivanti|Pulse Secure", "Connect Secure", [], 14),
        new Case("Pulse Connect Secure (old CPE)", "Pulse Secure SSL VPN", null, ["cpe:/a:pulsesecure:pulse_connect_secure"], "Ivanti|Pulse Secure", "Connect Secure", [], 14),
        new Case("Citrix NetScaler ADC (name only)", "Citrix NetScaler", null, [], "Citrix", @"NetScaler(?! SD-WAN Enterprise)|Application Delivery Controller", [], 15),
        new Case("Confluence Server", "Atlassian Confluence", "7.13.0", ["cpe:/a:atlassian:confluence_server:7.13.0"], "Atlassian", "^Confluence", [], 9),
        new Case("Confluence Data Center", "Atlassian Confluence", "8.5.1", ["cpe:/a:atlassian:confluence_data_center:8.5.1"], "Atlassian", "^Confluence", [], 9),
        new Case("HTTP.sys (Microsoft HTTPAPI)", "Microsoft HTTPAPI httpd", "2.0", ["cpe:/o:microsoft:windows"], "Microsoft", @"^HTTP\.sys$|^HTTP Protocol Stack$", [], 2),
        new Case("Microsoft IIS", "Microsoft IIS httpd", "10.0", ["cpe:/a:microsoft:internet_information_services:10.0", "cpe:/o:microsoft:windows"], "Microsoft", "^Internet Information Services", [], 1),
        new Case("Remote Desktop (Terminal Services)", "Microsoft Terminal Services", null, ["cpe:/o:microsoft:windows"], "Microsoft", "^Remote Desktop Services$", [], 1),
        new Case("Apache httpd", "Apache httpd", "2.4.49", ["cpe:/a:apache:http_server:2.4.49"], "Apache", "^HTTP Server$|^Apache$", [], 5),
        new Case("Oracle WebLogic", "Oracle WebLogic Server", "12.2.1.3", ["cpe:/a:oracle:weblogic_server:12.2.1.3"], "Oracle", "^WebLogic Server$", [], 12),
        new Case("Exim", "Exim smtpd", "4.87", ["cpe:/a:exim:exim:4.87"], "Exim", ".", [], 5),
        new Case("PHP", "PHP", "7.4.33", ["cpe:/a:php:php:7.4.33"], "PHP|PHP Group", "^PHP$|FastCGI Process Manager", [], 3),
        new Case("MongoDB", "MongoDB", "4.4.0", ["cpe:/a:mongodb:mongodb:4.4.0"], "MongoDB", "^MongoDB and MongoDB Server$", [], 1),
        new Case("Samba", "Samba smbd", "4.5.0", ["cpe:/a:samba:samba:4.5.0"], "Samba", "^Samba$", [], 1),
        new Case("OpenSSL", "OpenSSL", "1.0.1f", ["cpe:/a:openssl:openssl:1.0.1f"], "OpenSSL", "^OpenSSL$", [], 1),
        new Case("Elasticsearch", "Elasticsearch REST API", "1.4.2", ["cpe:/a:elastic:elasticsearch:1.4.2"], "Elastic", "^Elasticsearch$", [], 2),
        new Case("OpenSSH (no KEV entry)", "OpenSSH", "9.2p1", ["cpe:/a:openbsd:openssh:9.2p1", "cpe:/o:linux:linux_kernel"], "OpenBSD", "OpenSSH", [], 0),
        new Case("nginx (no KEV entry)", "nginx", "1.24.0", ["cpe:/a:f5:nginx:1.24.0"], "F5", "^nginx$", [], 0),
        new Case("Windows RPC (OS CPE only: no Windows entries)", "Microsoft Windows RPC", null, ["cpe:/o:microsoft:windows"], "Microsoft", "^$", [], 0));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Detection_FindsExactlyTheKevEntriesNamingItsProduct(Case c)
    {
        var expected = Expected(c);
        Assert.Equal(c.Expected, expected.Count);
        var found = Found(c);
        Assert.True(expected.SetEquals(found),
            $"{c.Label}: missing [{string.Join(", ", expected.Except(found))}], extra [{string.Join(", ", found.Except(expected))}]");
    }

    [Fact]
    public void CoyoteVersion_IsNotTakenForTomcats()
    {
        var service = new ServiceInfo { Name = "http", Product = "Apache Tomcat/Coyote JSP engine", Version = "1.1", Method = "probe", Cpe = ["cpe:/a:apache:coyote_http_connector:1.1"] };
        var id = Assert.Single(ProductNames.Identify(service));
        Assert.Equal("apache:tomcat", id.Key);
        Assert.Null(id.Version);
    }

    [Fact]
    public void GeneralPurposeOsCpes_AreStillIgnored()
    {
        foreach (var cpe in new[] { "cpe:/o:microsoft:windows", "cpe:/o:linux:linux_kernel", "cpe:/o:apple:mac_os_x" })
        {
            Assert.Empty(ProductNames.Identify(new ServiceInfo { Name = "x", Method = "probe", Cpe = [cpe] }));
        }
    }

    /// <summary>
    /// Every KEV vendor/product pair a detection can produce: for each identity PortAtlas's signatures (and the
    /// alias table's names and platform CPEs) can yield, each KEV pair of the same vendor whose product text holds
    /// the identity's product words is found under that identity.
    /// </summary>
    // KEV products whose words contain an identity's words but name a different product.
    private static readonly Dictionary<string, Regex> s_differentProducts = new(StringComparer.Ordinal)
    {
        ["cisco:ios"] = new Regex(@"^(Cisco )?IOS X[ER]( Software| Web UI)?$"),
        // Nagios XI is the commercial product (CPE nagios:nagios_xi), not the Nagios Core a "Nagios" page names.
        ["nagios:nagios"] = new Regex(@"^Nagios XI$"),
    };

    [Fact]
    public void EveryKevPairOfADetectableProduct_IsFound()
    {
        var identities = DetectableIdentities();
        Assert.Contains("apache:tomcat", identities);
        Assert.Contains("cisco:ios", identities);
        Assert.Contains("mikrotik:routeros", identities);
        var problems = new List<string>();
        var pairs = KevCatalog.Default.Entries.GroupBy(e => (e.VendorProject, e.Product));
        foreach (var identity in identities)
        {
            var colon = identity.IndexOf(':', StringComparison.Ordinal);
            var vendor = identity[..colon].Split('_')[0];
            var words = identity[(colon + 1)..].Split('_', '-', '.');
            var found = KevCatalog.Default.Find(identity[..colon], identity[(colon + 1)..]).Select(e => e.CveId).ToHashSet();
            foreach (var pair in pairs)
            {
                var kevVendor = ProductNames.Normalize(pair.Key.VendorProject).Split(' ')[0];
                var kevWords = ProductNames.Normalize(pair.Key.Product).Split(' ');
                if (kevVendor == vendor && words.All(w => kevWords.Contains(w)) && !pair.All(e => found.Contains(e.CveId))
                    && !(s_differentProducts.TryGetValue(identity, out var other) && other.IsMatch(pair.Key.Product)))
                {
                    problems.Add($"{identity}: KEV '{pair.Key.VendorProject} | {pair.Key.Product}' not matched");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static HashSet<string> DetectableIdentities()
    {
        var identities = new HashSet<string>(StringComparer.Ordinal);
        using var stream = typeof(KevCatalog).Assembly.GetManifestResourceStream("PortAtlas.data.service-signatures.tsv")!;
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            var columns = line.Split('\t');
            if (line.StartsWith('#') || columns.Length != 10)
            {
                continue;
            }
            var service = new ServiceInfo
            {
                Name = columns[2], Method = "probe",
                Product = columns[4] == "-" || columns[4].Contains('$', StringComparison.Ordinal) ? null : columns[4],
                Cpe = columns[9] == "-" ? [] : columns[9].Split(' ').Select(c => Regex.Replace(c, @"\$\d", "1")).ToArray(),
            };
            identities.UnionWith(ProductNames.Identify(service).Select(p => p.Key));
        }
        foreach (var (alias, keys) in ProductNames.AllKeys)
        {
            if (alias.Contains(':', StringComparison.Ordinal) && ProductNames.IsPlatform(alias))
            {
                identities.Add(keys[0]);
            }
        }
        return identities;
    }

    private static HashSet<string> Expected(Case c)
    {
        var vendor = new Regex($"^(?:{c.Vendor})$");
        var product = new Regex(c.ProductPattern);
        return [.. KevCatalog.Default.Entries
            .Where(e => (vendor.IsMatch(e.VendorProject) && product.IsMatch(e.Product)) || c.ExtraCves.Contains(e.CveId))
            .Select(e => e.CveId)];
    }

    private static HashSet<string> Found(Case c)
    {
        var service = new ServiceInfo { Name = "x", Product = c.Product, Version = c.Version, Method = "probe", Cpe = c.Cpe };
        var port = LabReports.Open(443, service);
        var assessor = new Assessor(new AssessorOptions { TimeProvider = new FakeTimeProvider(LabReports.Now) });
        return [.. assessor.Assess(port).Where(f => f.Id.StartsWith("PA-KEV-", StringComparison.Ordinal)).Select(f => f.Id["PA-KEV-".Length..])];
    }
}
