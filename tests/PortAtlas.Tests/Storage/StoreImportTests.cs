using System.Text;
using PortAtlas.Assessment;
using PortAtlas.Storage;

namespace PortAtlas.Tests.Storage;

/// <summary>The streamed import into SQLite stores exactly what reading the whole report and saving it stores.</summary>
public sealed class StoreImportTests
{
    // Three hosts, one named twice (its ports merge), a telnet port that draws a finding, a host without ports (down).
    private const string Xml = """
        <?xml version="1.0"?>
        <nmaprun scanner="nmap" args="nmap -sV 198.18.9.0/29" start="1700000000" version="7.93">
        <scaninfo type="syn" protocol="tcp" numservices="3" services="22-23,80"/>
        <host><status state="up" reason="syn-ack"/><address addr="198.18.9.1" addrtype="ipv4"/><hostnames><hostname name="a.lab.test" type="PTR"/></hostnames>
        <ports><extraports state="closed" count="1"/><port protocol="tcp" portid="22"><state state="open" reason="syn-ack"/><service name="ssh" product="OpenSSH" version="9.2p1" method="probed" conf="10"><cpe>cpe:/a:openbsd:openssh:9.2p1</cpe></service></port>
        <port protocol="tcp" portid="23"><state state="open" reason="syn-ack"/><service name="telnet" method="table" conf="3"/></port></ports></host>
        <host><status state="up" reason="syn-ack"/><address addr="198.18.9.2" addrtype="ipv4"/>
        <ports><port protocol="tcp" portid="80"><state state="open" reason="syn-ack"/><service name="http" product="nginx" version="1.22.1" method="probed" conf="10"/><script id="http-title" output="x"><elem key="title">x</elem></script></port></ports></host>
        <host><status state="down" reason="no-response"/><address addr="198.18.9.3" addrtype="ipv4"/></host>
        <host><status state="up" reason="syn-ack"/><address addr="198.18.9.1" addrtype="ipv4"/>
        <ports><port protocol="tcp" portid="80"><state state="open" reason="syn-ack"/><service name="http" method="table" conf="3"/></port>
        <port protocol="tcp" portid="22"><state state="filtered" reason="no-response"/></port></ports></host>
        <runstats><finished time="1700000060" elapsed="60.00" exit="success"/><hosts up="2" down="1" total="3"/></runstats>
        </nmaprun>
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ImportAsync_IntoSqlite_StreamsAndStoresWhatAWholeReportSaveStores(bool assess)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var streamed = await TestStore.CreateAsync(TestStore.Sqlite);
        await using var whole = await TestStore.CreateAsync(TestStore.Sqlite);
        var assessor = assess ? new Assessor() : null;

        var result = await StoreImport.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(Xml)), streamed.Store, assessor, cancellationToken: ct);
        var report = ScanImporter.Import(new MemoryStream(Encoding.UTF8.GetBytes(Xml))).Report;
        if (assessor is not null)
        {
            report = ImportedScans.Assess(report, assessor);
        }
        var wholeId = await whole.Store.SaveAsync(report, new ScanMetadata { Targets = ImportedScans.Targets(report) }, ct);

        Assert.True(result.Streamed);
        Assert.Equal(3, result.Hosts);
        var a = await streamed.Store.GetAsync(result.Id, ct);
        var b = await whole.Store.GetAsync(wholeId, ct);
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Equal(ScanReportJson.ToJson(b.Report), ScanReportJson.ToJson(a.Report));
        static object Facts(ScanSummary s) => (s.Started, s.Finished, s.ScanType, s.CommandLine, s.HostsScanned, s.HostsUp, s.PortsScanned, s.OpenPorts, s.Interrupted);
        Assert.Equal(Facts(b.Summary), Facts(a.Summary));
        Assert.Equal(b.Metadata.Targets, a.Metadata.Targets);
        Assert.Equal(
            (await whole.Store.ListPortsAsync(wholeId, ct)).Select(p => p with { ScanId = 0 }),
            (await streamed.Store.ListPortsAsync(result.Id, ct)).Select(p => p with { ScanId = 0 }));
        Assert.Equal(report.Hosts.Sum(h => h.Ports.Count(p => p.State == PortState.Open)), result.OpenPorts);
        Assert.Equal(report.Hosts.Sum(h => h.Ports.Sum(p => (long)p.Findings.Count)), result.Findings);
        Assert.Equal(assess, result.Findings > 0);
        // The merged host holds the later mention's ports over the earlier's.
        var merged = a.Report.Hosts.Single(h => h.Address.ToString() == "198.18.9.1");
        Assert.Equal([22, 23, 80], merged.Ports.Select(p => p.Port));
        Assert.Equal(PortState.Filtered, merged.Ports[0].State);
    }

    [Fact]
    public async Task ImportAsync_PastTheHostCap_RefusesNamingTheLimitAndSavesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await TestStore.CreateAsync(TestStore.Sqlite);

        var error = await Assert.ThrowsAsync<FormatException>(() => StoreImport.ImportAsync(
            new MemoryStream(Encoding.UTF8.GetBytes(Xml)), test.Store, new Assessor(), limits: new ImportLimits { MaxHosts = 2 }, cancellationToken: ct));

        Assert.Contains("more than 2 hosts", error.Message, StringComparison.Ordinal);
        Assert.Empty(await test.Store.ListAsync(cancellationToken: ct));
        // The whole-report reader holds the same cap.
        Assert.Throws<FormatException>(() => ScanImporter.Import(new MemoryStream(Encoding.UTF8.GetBytes(Xml)), new ImportLimits { MaxHosts = 2 }));
    }

    [Fact]
    public async Task ImportAsync_OfRustScanOutput_SavesTheWholeReportWithTheGivenStartTime()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await TestStore.CreateAsync(TestStore.Sqlite);
        var started = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        var result = await StoreImport.ImportAsync(new MemoryStream("198.18.9.1 -> [22,80]\n"u8.ToArray()), test.Store, null, started, cancellationToken: ct);

        Assert.False(result.Streamed);
        Assert.Equal(ImportFormat.RustScan, result.Format);
        Assert.Equal(2, result.OpenPorts);
        var stored = await test.Store.GetAsync(result.Id, ct);
        Assert.Equal(started, stored!.Summary.Started);
    }
}
