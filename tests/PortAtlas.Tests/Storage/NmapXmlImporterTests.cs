using System.Net;
using PortAtlas.Registry;
using PortAtlas.Reports;
using PortAtlas.Scanning;
using PortAtlas.Storage;
using PortAtlas.StoreHarness;
using PortAtlas.Tests.Reports;

namespace PortAtlas.Tests.Storage;

public sealed class NmapXmlImporterTests
{
    [Fact]
    public void Import_OfOurOwnXml_DiffsAsNoChange_AndKeepsWhatXmlCarries()
    {
        var report = ReportFixture.Create();
        using var xml = new MemoryStream();
        new NmapXmlReportWriter(ReportFixture.Options).Write(report, xml);
        xml.Position = 0;

        var imported = NmapXmlImporter.Parse(xml);

        Assert.True(ScanDiff.Compare(report, imported).IsEmpty, ScanDiffWriter.ToText(ScanDiff.Compare(report, imported)));
        Assert.True(ScanDiff.Compare(imported, report).IsEmpty);
        Assert.Equal(report.Hosts.Select(h => (h.Address, h.State)), imported.Hosts.Select(h => (h.Address, h.State)));
        Assert.Equal(
            report.Hosts.SelectMany(h => h.Ports).Select(p => (p.Address, p.Port, p.Protocol, p.State, p.Reason, p.Service?.Product, p.Service?.Version, p.Service?.ExtraInfo, string.Join(' ', p.Service?.Cpe ?? []))),
            imported.Hosts.SelectMany(h => h.Ports).Select(p => (p.Address, p.Port, p.Protocol, p.State, p.Reason, p.Service?.Product, p.Service?.Version, p.Service?.ExtraInfo, string.Join(' ', p.Service?.Cpe ?? []))));
        Assert.Equal(report.Stats.CommandLine, imported.Stats.CommandLine);
        Assert.Equal(report.Stats.Started.ToUnixTimeSeconds(), imported.Stats.Started.ToUnixTimeSeconds());
        Assert.Equal(report.Stats.Finished.ToUnixTimeSeconds(), imported.Stats.Finished.ToUnixTimeSeconds());
        Assert.Equal(report.Stats.Interrupted, imported.Stats.Interrupted);
    }

    [Fact]
    public void Import_OfALargeSyntheticScan_DiffsAsNoChange_AndKeepsTheCounts()
    {
        var report = SyntheticReports.Create(40, 1000, 0.02, 3);
        using var xml = new MemoryStream();
        new NmapXmlReportWriter().Write(report, xml);
        xml.Position = 0;

        var imported = NmapXmlImporter.Parse(xml);

        Assert.True(ScanDiff.Compare(report, imported).IsEmpty);
        Assert.Equal(report.Stats.StateCounts.OrderBy(c => c.Key), imported.Stats.StateCounts.OrderBy(c => c.Key));
        Assert.Equal(report.Hosts.Select(h => h.StateCounts["closed"]), imported.Hosts.Select(h => h.StateCounts["closed"]));
        Assert.Equal(report.Stats.Ports!.Tcp, imported.Stats.Ports!.Tcp);
    }

    // The shape of nmap 7.94's -oX output (https://nmap.org/book/output-formats-xml-output.html), service detection on.
    private const string NmapOutput = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE nmaprun>
        <?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>
        <!-- Nmap 7.94SVN scan initiated Mon Jan  6 10:00:00 2025 as: nmap -sV -p 22,80,443,3306 -oX - 198.18.0.0/30 -->
        <nmaprun scanner="nmap" args="nmap -sV -p 22,80,443,3306 -oX - 198.18.0.0/30" start="1736157600" startstr="Mon Jan  6 10:00:00 2025" version="7.94SVN" xmloutputversion="1.05">
        <scaninfo type="syn" protocol="tcp" numservices="4" services="22,80,443,3306"/>
        <verbose level="0"/>
        <debugging level="0"/>
        <hosthint><status state="up" reason="arp-response" reason_ttl="0"/><address addr="198.18.0.1" addrtype="ipv4"/></hosthint>
        <host starttime="1736157601" endtime="1736157612"><status state="up" reason="echo-reply" reason_ttl="64"/>
        <address addr="198.18.0.1" addrtype="ipv4"/>
        <address addr="02:42:AC:11:00:02" addrtype="mac" vendor="Unknown"/>
        <hostnames>
        <hostname name="gw.example" type="PTR"/>
        </hostnames>
        <ports><extraports state="closed" count="1">
        <extrareasons reason="reset" count="1" proto="tcp" ports="3306"/>
        </extraports>
        <port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="ssh" product="OpenSSH" version="9.6p1 Ubuntu 3ubuntu13.5" extrainfo="Ubuntu Linux; protocol 2.0" ostype="Linux" method="probed" conf="10"><cpe>cpe:/a:openbsd:openssh:9.6p1</cpe><cpe>cpe:/o:linux:linux_kernel</cpe></service></port>
        <port protocol="tcp" portid="80"><state state="filtered" reason="no-response" reason_ttl="0"/><service name="http" method="table" conf="3"/></port>
        <port protocol="tcp" portid="443"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="http" product="nginx" version="1.24.0" tunnel="ssl" method="probed" conf="10"><cpe>cpe:/a:igor_sysoev:nginx:1.24.0</cpe></service><script id="ssl-cert" output="Subject: commonName=gw.example"/></port>
        </ports>
        <os><portused state="open" proto="tcp" portid="22"/></os>
        <times srtt="412" rttvar="121" to="100000"/>
        </host>
        <host starttime="1736157601" endtime="1736157612"><status state="down" reason="no-response" reason_ttl="0"/>
        <address addr="198.18.0.2" addrtype="ipv4"/>
        <hostnames/>
        </host>
        <runstats><finished time="1736157612" timestr="Mon Jan  6 10:00:12 2025" summary="Nmap done at Mon Jan  6 10:00:12 2025; 4 IP addresses (1 host up) scanned in 12.34 seconds" elapsed="12.34" exit="success"/><hosts up="1" down="3" total="4"/>
        </runstats>
        </nmaprun>
        """;

    [Fact]
    public void Import_OfNmapOutput_ReadsHostsPortsServicesAndRunstats()
    {
        var report = NmapXmlImporter.Parse(NmapOutput);

        Assert.Equal("nmap -sV -p 22,80,443,3306 -oX - 198.18.0.0/30", report.Stats.CommandLine);
        Assert.Equal("syn", report.Stats.ScanType);
        Assert.Equal([22, 80, 443, 3306], report.Stats.Ports!.Tcp);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1736157600), report.Stats.Started);
        // Nmap's elapsed (12.34 s) is finer than its whole-second finish time.
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1736157600) + TimeSpan.FromSeconds(12.34), report.Stats.Finished);
        Assert.Equal(4, report.Stats.HostsScanned);
        Assert.False(report.Stats.Interrupted);
        Assert.Equal([("198.18.0.1", "up", "gw.example"), ("198.18.0.2", "down", null)], report.Hosts.Select(h => (h.Address.ToString(), h.State, h.Hostname)));

        var host = report.Hosts[0];
        Assert.Equal([(22, PortState.Open, "syn-ack"), (80, PortState.Filtered, "no-response"), (443, PortState.Open, "syn-ack")], host.Ports.Select(p => (p.Port, p.State, p.Reason)));
        var ssh = host.Ports[0].Service!;
        Assert.Equal(("ssh", "OpenSSH", "9.6p1 Ubuntu 3ubuntu13.5", "Ubuntu Linux; protocol 2.0"), (ssh.Name, ssh.Product, ssh.Version, ssh.ExtraInfo));
        Assert.Equal(["cpe:/a:openbsd:openssh:9.6p1", "cpe:/o:linux:linux_kernel"], ssh.Cpe);
        // Nmap's name from its port table stays, marked as taken from the port number.
        Assert.Equal(("http", "registry"), (host.Ports[1].Service!.Name, host.Ports[1].Service!.Method));
        Assert.NotNull(host.Ports[2].Service!.Tls);
        Assert.Equal(new Dictionary<string, long> { ["open"] = 2, ["filtered"] = 1, ["closed"] = 1 }.OrderBy(c => c.Key), host.StateCounts.OrderBy(c => c.Key));
        Assert.Equal(4, report.Stats.PortsScanned);
        Assert.Equal(IPAddress.Parse("198.18.0.1"), host.Ports[0].Address);
    }

    [Fact]
    public void Import_OfAnInterruptedRun_IsMarkedInterrupted()
    {
        var xml = NmapOutput.Replace("exit=\"success\"", "exit=\"error\" errormsg=\"interrupted\"", StringComparison.Ordinal);
        Assert.True(NmapXmlImporter.Parse(xml).Stats.Interrupted);
    }

    [Fact]
    public void Import_NeverExpandsEntities()
    {
        // Billion laughs: a processed DTD would expand this to gigabytes.
        var laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE nmaprun [
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
              <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
              <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
              <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
              <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
              <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
            ]>
            <nmaprun args="&lol9;"></nmaprun>
            """;
        Assert.Throws<FormatException>(() => NmapXmlImporter.Parse(laughs));
    }

    [Fact]
    public void Import_NeverFetchesExternalEntities()
    {
        var secret = Path.GetTempFileName();
        File.WriteAllText(secret, "TOP-SECRET");
        try
        {
            var xxe = $"""
                <?xml version="1.0"?>
                <!DOCTYPE nmaprun [ <!ENTITY xxe SYSTEM "file://{secret}"> ]>
                <nmaprun args="x"><host><status state="up"/><address addr="198.18.0.1" addrtype="ipv4"/><hostnames><hostname name="&xxe;"/></hostnames></host></nmaprun>
                """;
            var error = Assert.Throws<FormatException>(() => NmapXmlImporter.Parse(xxe));
            Assert.DoesNotContain("TOP-SECRET", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public void Import_RefusesDocumentsOverTheSizeCap()
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(NmapOutput));
        Assert.Throws<FormatException>(() => NmapXmlImporter.Parse(stream, maxCharacters: 500));
    }

    [Theory]
    [InlineData("<notnmap/>")]
    [InlineData("<nmaprun><host><address addr=\"198.18.0.1\" addrtype=\"ipv4\"/><ports><port protocol=\"tcp\" portid=\"70000\"/></ports></host></nmaprun>")]
    [InlineData("<nmaprun><host><address addr=\"198.18.0.1\" addrtype=\"ipv4\"/><ports><port protocol=\"tcp\" portid=\"1\"><state state=\"ajar\"/></port></ports></host></nmaprun>")]
    [InlineData("<nmaprun><scaninfo protocol=\"tcp\" services=\"5-1\"/></nmaprun>")]
    [InlineData("<nmaprun")]
    public void Import_OfMalformedInput_IsAFormatException(string xml)
    {
        Assert.Throws<FormatException>(() => NmapXmlImporter.Parse(xml));
    }

    [Fact]
    public void Import_OfAPortListedTwiceInOneHost_KeepsTheLaterAndSaysSo()
    {
        // "0443" is 443 again; the host is mentioned twice, so the two mentions are merged as well.
        const string Host = """
            <host><status state="up"/><address addr="198.18.0.1" addrtype="ipv4"/><ports>
            <port protocol="tcp" portid="443"><state state="closed" reason="reset"/></port>
            <port protocol="tcp" portid="22"><state state="open" reason="syn-ack"/></port>
            <port protocol="tcp" portid="0443"><state state="open" reason="syn-ack"/></port>
            <port protocol="ip" portid="6"><state state="open"/></port><port protocol="ip" portid="06"><state state="closed"/></port>
            </ports></host>
            """;
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"<nmaprun>{Host}{Host}</nmaprun>"));

        var result = NmapXmlImporter.Import(stream);

        var host = Assert.Single(result.Report.Hosts);
        Assert.Equal([(22, PortState.Open), (443, PortState.Open)], host.Ports.Select(p => (p.Port, p.State)).Order());
        Assert.Equal(new Dictionary<string, long> { ["open"] = 2 }, host.StateCounts);
        Assert.Equal(PortState.Closed, Assert.Single(host.Protocols).State);
        Assert.Contains(result.Warnings, w => w.Contains("port 443/tcp is listed twice", StringComparison.Ordinal));
    }
}
