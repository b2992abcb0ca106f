using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using PortAtlas.Reports;
using PortAtlas.Storage;
using PortAtlas.Tests.Reports;

namespace PortAtlas.Tests.Storage;

/// <summary>
/// The interop suite of issue 14: output written by Nmap and masscan themselves (Fixtures/Interop, see its PROVENANCE.md),
/// and RustScan and naabu samples in their documented forms, imported and compared field by field with an independent
/// parse (XDocument here, sharing no code with the importer); ndiff run on our XML against Nmap's in every mode.
/// </summary>
public sealed class InteropTests
{
    private static string FixtureDirectory => Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures", "Interop");

    private static string Fixture(string name) => Path.Combine(FixtureDirectory, name);

    // Ours (Interop/) and public samples written by others (Public/, python-libnmap's test files; see their PROVENANCE.md).
    public static TheoryData<string> NmapXmlFiles() =>
        [.. new[] { "Interop", "Public" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures", d), "*.xml").Select(f => Path.Combine("..", d, Path.GetFileName(f))))
            .Order(StringComparer.Ordinal)];

    private static ImportResult Import(string name)
    {
        using var stream = File.OpenRead(Fixture(name));
        return ScanImporter.Import(stream);
    }

    [Theory]
    [MemberData(nameof(NmapXmlFiles))]
    public void Import_OfXmlWrittenByTheTool_MatchesAnIndependentParseFieldByField(string name)
    {
        var report = Import(name).Report;
        var comparison = new FieldComparison();
        IndependentNmapParse.Compare(XDocument.Load(Fixture(name)), report, comparison);

        Assert.True(comparison.Mismatches.Count == 0, string.Join('\n', comparison.Mismatches));
        Assert.True(comparison.Fields > 10, $"only {comparison.Fields} fields compared");
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "portatlas-interop-fields.txt"), $"{name} {comparison.Fields} {comparison.Mismatches.Count}\n");
    }

    [Theory]
    [MemberData(nameof(NmapXmlFiles))]
    public void Import_ThenStore_ReadsBackEqual(string name)
    {
        var report = ImportedScans.Assess(Import(name).Report, new PortAtlas.Assessment.Assessor());
        var json = ScanReportJson.ToJson(report);
        Assert.Equal(json, ScanReportJson.ToJson(ScanReportJson.Read(json)));
    }

    [Theory]
    [MemberData(nameof(NmapXmlFiles))]
    public void Import_OfOurXmlOfAnImport_KeepsWhatNmapSaid(string name)
    {
        var first = ImportedScans.Assess(Import(name).Report, new PortAtlas.Assessment.Assessor());
        var xml = new NmapXmlReportWriter().WriteToString(first);
        var second = NmapXmlImporter.Parse(xml);

        Assert.Equal(first.Hosts.Select(Summary), second.Hosts.Select(Summary));
        // An empty product is written as none. A port without a service (masscan's) is written with the registry's name, marked as such, as Nmap does.
        Assert.Equal(first.Hosts.SelectMany(h => h.Ports).Select(p => (p.Port, p.Service?.Name, (string?)(p.Service?.Method ?? "registry"), (string.IsNullOrEmpty(p.Service?.Product) ? null : p.Service.Product), p.Service?.Tls is null, string.Join(',', p.Scripts.Select(s => s.Id)), string.Join(',', p.Findings.Select(f => f.Id)))),
            second.Hosts.SelectMany(h => h.Ports).Select(p => (p.Port, first.Hosts.SelectMany(h => h.Ports).Any(q => q.Port == p.Port && q.Service is null) ? null : p.Service?.Name, (string?)(p.Service?.Method ?? "registry"), (string.IsNullOrEmpty(p.Service?.Product) ? null : p.Service.Product), p.Service?.Tls is null, string.Join(',', p.Scripts.Select(s => s.Id)), string.Join(',', p.Findings.Select(f => f.Id)))));

        static string Summary(HostResult h) => string.Create(CultureInfo.InvariantCulture,
            $"{h.Address} {h.State} {h.MacAddress} {h.MacVendor} [{string.Join(',', h.Hostnames)}] os[{string.Join(',', h.OsMatches.Select(o => $"{o.Name}:{o.Accuracy}:{o.Classes.Count}"))}] scripts[{string.Join(',', h.Scripts.Select(s => s.Id))}] protocols[{string.Join(',', h.Protocols.Select(p => $"{p.Number}:{p.State.ToName()}"))}] ports {h.Ports.Count}");
    }

    public static TheoryData<string, string> NdiffPairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in new[] { "nmap-sS.xml", "nmap-sV.xml", "nmap-sC.xml", "nmap-O.xml", "nmap-sO.xml", "nmap-ssl-cert.xml", "nmap-names.xml", "nmap-down.xml" })
        {
            foreach (var mode in new[] { "", "-v", "--xml" })
            {
                data.Add(file, mode);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(NdiffPairs))]
    public async Task Ndiff_OurXmlAgainstNmaps_RunsInEveryModeAndBothDirections(string name, string mode)
    {
        var ndiff = ExternalTool.Find("ndiff");
        if (ndiff is null)
        {
            Assert.Skip("ndiff is not installed (apt-get install ndiff)");
        }
        // Ours: the import with its findings (so ports carry findings beside Nmap's scripts), against Nmap's own file
        // and against an Nmap file of another scan type, so that ports, services and scripts differ.
        var ours = Path.Combine(Path.GetTempPath(), $"portatlas-ndiff-{Guid.NewGuid():N}.xml");
        try
        {
            var report = ImportedScans.Assess(Import(name).Report, new PortAtlas.Assessment.Assessor());
            await File.WriteAllTextAsync(ours, new NmapXmlReportWriter().WriteToString(report), TestContext.Current.CancellationToken);
            foreach (var nmaps in new[] { Fixture(name), Fixture("nmap-sS.xml") })
            {
                // Nmap's own -sC output has ports with two scripts, which ndiff cannot read even against itself (nmap/nmap#2930):
                // such a file is no test of ours.
                if ((await ExternalTool.RunAsync(ndiff, [nmaps, nmaps], TestContext.Current.CancellationToken)).ExitCode != 0)
                {
                    continue;
                }
                foreach (var (a, b) in new[] { (ours, nmaps), (nmaps, ours) })
                {
                    string[] arguments = mode.Length == 0 ? [a, b] : [mode, a, b];
                    var (exitCode, output, error) = await ExternalTool.RunAsync(ndiff, arguments, TestContext.Current.CancellationToken);
                    // ndiff exits 0 (same) or 1 (different); 2 and a traceback are failures.
                    Assert.True(exitCode is 0 or 1 && !error.Contains("Traceback", StringComparison.Ordinal), $"ndiff {mode} exited {exitCode}: {error}{output}");
                }
            }
        }
        finally
        {
            File.Delete(ours);
        }
    }

    [Fact]
    public void Import_OfARepeatedTarget_MergesTheHost()
    {
        var report = Import("nmap-repeated.xml").Report;

        var host = Assert.Single(report.Hosts);
        Assert.Equal([111, 2222, 8080, 8443, 9929], host.Ports.Where(p => p.State == PortState.Open).Select(p => p.Port));
        Assert.Equal(host.Ports.Count, host.Ports.Select(p => p.Port).Distinct().Count());
    }

    [Fact]
    public async Task Import_OfARepeatedTarget_SavesToTheStore()
    {
        var report = Import("nmap-repeated.xml").Report;
        var path = Path.Combine(Path.GetTempPath(), $"portatlas-interop-{Guid.NewGuid():N}.db");
        try
        {
            await using var store = ScanStore.Open(path);
            var id = await store.SaveAsync(report, new ScanMetadata { Targets = ImportedScans.Targets(report) }, TestContext.Current.CancellationToken);
            var stored = await store.GetAsync(id, TestContext.Current.CancellationToken);
            Assert.Single(stored!.Report.Hosts);
            Assert.Equal(["198.18.60.2", "198.18.60.2"], stored.Metadata.Targets);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }

    [Fact]
    public void Import_OfAProtocolScan_KeepsTheIpProtocols()
    {
        var result = Import("nmap-sO.xml");

        var host = Assert.Single(result.Report.Hosts);
        Assert.Empty(host.Ports);
        Assert.Equal([1, 6, 17, 47, 132], host.Protocols.Select(p => p.Number));
        Assert.Equal("icmp", host.Protocols[0].Name);
        Assert.Equal("ip", result.Report.Stats.ScanType);
    }

    [Fact]
    public void Import_KeepsNmapsTableNames_MarkedAsFromThePortNumber()
    {
        var ports = Import("nmap-sS.xml").Report.Hosts[0].Ports.ToDictionary(p => p.Port);

        Assert.Equal(("rpcbind", "registry"), (ports[111].Service!.Name, ports[111].Service!.Method));
        Assert.Equal(("nping-echo", "registry"), (ports[9929].Service!.Name, ports[9929].Service!.Method));
        var unknown = NmapXmlImporter.Parse(Minimal("""<port protocol="tcp" portid="4000"><state state="open" reason="syn-ack"/><service name="unknown" method="table" conf="3"/></port>"""));
        Assert.Equal("unknown", unknown.Hosts[0].Ports[0].Service!.Name);
    }

    [Fact]
    public void Import_OfSslCert_FillsTheCertificate_CheckedFromItsPem()
    {
        var port = Import("nmap-ssl-cert.xml").Report.Hosts[0].Ports.Single(p => p.Port == 8443);
        var tls = port.Service!.Tls!;
        var script = Assert.Single(port.Scripts);
        var pem = script.Elements.Single(e => e.Key == "pem").Value;
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);

        Assert.Equal("commonName=interop.test/organizationName=PortAtlas fixture", tls.Subject);
        Assert.Equal(tls.Subject, tls.Issuer);
        Assert.Equal(("RSA", 2048), (tls.KeyType, tls.KeyBits));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(certificate.RawData)), tls.CertificateSha256);
        Assert.Equal(script.Elements.Single(e => e.Key == "md5").Value, tls.CertificateMd5);
        Assert.Equal(new DateTimeOffset(certificate.NotAfter.ToUniversalTime()), tls.NotAfter);
        Assert.True(tls.SelfSigned);
    }

    [Fact]
    public void Import_OfATlsPortWithoutCertificate_DoesNotClaimNotSelfSigned()
    {
        var report = NmapXmlImporter.Parse(Minimal("""<port protocol="tcp" portid="443"><state state="open" reason="syn-ack"/><service name="http" tunnel="ssl" method="probed" conf="10"/></port>"""));
        var tls = report.Hosts[0].Ports[0].Service!.Tls!;

        Assert.Null(tls.SelfSigned);
        var json = new JsonReportWriter().WriteToString(report);
        Assert.Contains("\"selfSigned\": null", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"selfSigned\": false", json, StringComparison.Ordinal);
        Assert.DoesNotContain(new PortAtlas.Assessment.Assessor().Annotate(report).Hosts[0].Ports[0].Findings, f => f.Id.Contains("SELF-SIGNED", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_WithAFinishBeforeTheStart_NeverHasANegativeDuration()
    {
        var xml = """<nmaprun scanner="nmap" args="nmap x" start="1796155681"><runstats><finished time="1796155671" elapsed="1.53" exit="success"/></runstats></nmaprun>""";
        Assert.Equal(TimeSpan.FromSeconds(1.53), NmapXmlImporter.Parse(xml).Stats.Elapsed);

        var withoutElapsed = """<nmaprun scanner="nmap" args="nmap x" start="1796155681"><runstats><finished time="1796155671" exit="success"/></runstats></nmaprun>""";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(withoutElapsed));
        var result = NmapXmlImporter.Import(stream);
        Assert.Equal(TimeSpan.Zero, result.Report.Stats.Elapsed);
        Assert.Contains(result.Warnings, w => w.Contains("finish time", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_OfAnImpossibleCount_ClampsItWithAWarning()
    {
        var xml = Minimal("""<extraports state="closed" count="99999999999"/>""");
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(xml));
        var result = NmapXmlImporter.Import(stream);

        Assert.Equal(65536, result.Report.Hosts[0].StateCounts["closed"]);
        Assert.Contains(result.Warnings, w => w.Contains("99999999999", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_OfAnUnknownProtocol_WarnsInsteadOfRefusingTheFile()
    {
        var xml = Minimal("""<port protocol="ddp" portid="4"><state state="open" reason="x"/></port><port protocol="tcp" portid="22"><state state="open" reason="syn-ack"/></port>""");
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(xml));
        var result = NmapXmlImporter.Import(stream);

        Assert.Equal([22], result.Report.Hosts[0].Ports.Select(p => p.Port));
        Assert.Contains(result.Warnings, w => w.Contains("ddp", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_OfNamesAndOs_KeepsEveryNameTypeMacAndOsClass()
    {
        var names = Import("nmap-names.xml").Report.Hosts[0];
        Assert.Contains(new HostName("localhost", "user"), names.Hostnames);
        Assert.Equal("localhost", names.Hostname);

        var os = Import("nmap-O.xml").Report.Hosts[0];
        Assert.Equal("02:00:5E:10:60:02", os.MacAddress);
        Assert.NotEmpty(os.OsMatches);
        Assert.All(os.OsMatches, m => Assert.InRange(m.Accuracy, 1, 100));
        Assert.Contains(os.OsMatches, m => m.Classes.Any(c => c.Family == "Linux"));
    }

    [Fact]
    public void Import_AssessesTheImportedFacts_MarkingTheirOrigin()
    {
        var report = ImportedScans.Assess(Import("nmap-sC.xml").Report, new PortAtlas.Assessment.Assessor());
        var findings = report.Hosts.SelectMany(h => h.Ports).SelectMany(p => p.Findings).ToList();

        Assert.Contains(findings, f => f.Id == "PA-TLS-SELF-SIGNED");
        Assert.All(findings, f => Assert.Equal("import:nmap", f.Origin));
        Assert.NotEmpty(new SarifReportWriter().WriteToString(report));
    }

    [Fact]
    public void TargetsOf_AnNmapCommandLine_IsTheTargetSpecWithoutOptionValues()
    {
        Assert.Equal(["198.18.0.0/22", "lab.test"], NmapXmlImporter.TargetsOf("nmap -sS -p 1-100 --top-ports 10 -oX out.xml --script=ssl-cert -T4 198.18.0.0/22 lab.test"));
        var many = new ScanReport
        {
            Stats = new ScanStats(),
            Hosts = [.. Enumerable.Range(0, 1024).Select(i => new HostResult { Address = new IPAddress([198, 18, (byte)(i / 256), (byte)(i % 256)]) })],
        };
        var targets = ImportedScans.Targets(many);
        Assert.Equal(ImportedScans.MaxListedTargets + 1, targets.Count);
        Assert.Equal("(+1008 more)", targets[^1]);
    }

    [Theory]
    [InlineData("masscan.xml", ImportFormat.NmapXml)]
    [InlineData("masscan.json", ImportFormat.MasscanJson)]
    [InlineData("masscan.txt", ImportFormat.MasscanList)]
    public void Import_OfMasscanOutput_InEachFormat_GivesItsOpenPorts(string name, ImportFormat format)
    {
        var result = Import(name);
        var text = File.ReadAllText(Fixture(name));
        // Independent reading: every port number masscan wrote, by a regular expression over the text.
        var expected = System.Text.RegularExpressions.Regex.Matches(text, format switch
        {
            ImportFormat.MasscanJson => "\"port\": (\\d+)",
            ImportFormat.MasscanList => "open tcp (\\d+) ",
            _ => "portid=\"(\\d+)\"",
        }).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().Order();

        Assert.Equal(format, result.Format);
        Assert.Equal("masscan", result.Report.Stats.Scanner);
        var host = Assert.Single(result.Report.Hosts);
        Assert.Equal("up", host.State);
        Assert.Equal(expected, host.Ports.Select(p => p.Port));
        Assert.All(host.Ports, p => Assert.Equal(PortState.Open, p.State));
    }

    [Fact]
    public void Import_OfRustScanOutput_ReadsGreppableAndPlainLines()
    {
        var greppable = Import("rustscan-greppable.txt");
        Assert.Equal(ImportFormat.RustScan, greppable.Format);
        Assert.Equal([("198.18.60.2", 5), ("198.18.60.3", 1)], greppable.Report.Hosts.Select(h => (h.Address.ToString(), h.Ports.Count)));

        var plain = Import("rustscan-plain.txt");
        Assert.Equal([("198.18.60.2", "111,2222,8080"), ("::1", "8443")], plain.Report.Hosts.Select(h => (h.Address.ToString(), string.Join(',', h.Ports.Select(p => p.Port)))));
    }

    [Fact]
    public void Import_OfNaabuJsonLines_ReadsPortsProtocolsNamesAndTls()
    {
        var result = Import("naabu.json");

        Assert.Equal(ImportFormat.NaabuJson, result.Format);
        Assert.Equal("naabu", result.Report.Stats.Scanner);
        var lab = result.Report.Hosts[0];
        Assert.Equal("lab.portatlas.test", lab.Hostname);
        Assert.Equal([111, 8080, 8443], lab.Ports.Select(p => p.Port));
        Assert.NotNull(lab.Ports.Single(p => p.Port == 8443).Service!.Tls);
        Assert.Null(lab.Ports.Single(p => p.Port == 8443).Service!.Tls!.SelfSigned);
        var dns = result.Report.Hosts[1];
        Assert.Equal((53, Transport.Udp), (dns.Ports[0].Port, dns.Ports[0].Protocol));
    }

    [Theory]
    [InlineData("hello world\n")]
    [InlineData("PK\u0003\u0004")]
    [InlineData("")]
    public void Import_OfSomethingElse_SaysWhatItReads(string content)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        var error = Assert.Throws<FormatException>(() => ScanImporter.Import(stream));
        Assert.Contains("masscan", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_PastALimit_NamesIt()
    {
        var longAttribute = Minimal($"""<port protocol="tcp" portid="1"><state state="open" reason="{new string('x', 2000)}"/></port>""");
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(longAttribute));
        var error = Assert.Throws<FormatException>(() => NmapXmlImporter.Import(stream, new ImportLimits { MaxValueLength = 1000 }));
        Assert.Contains("longer than 1000 characters", error.Message, StringComparison.Ordinal);

        var deep = Minimal($"""<hostscript><script id="x">{string.Concat(Enumerable.Repeat("<table>", 100))}{string.Concat(Enumerable.Repeat("</table>", 100))}</script></hostscript>""");
        using var deepStream = new MemoryStream(Encoding.UTF8.GetBytes(deep));
        var depthError = Assert.Throws<FormatException>(() => NmapXmlImporter.Import(deepStream));
        Assert.Contains("nests deeper than", depthError.Message, StringComparison.Ordinal);

        using var broken = new MemoryStream(Encoding.UTF8.GetBytes("<nmaprun><host>"));
        var xmlError = Assert.Throws<FormatException>(() => NmapXmlImporter.Import(broken));
        Assert.StartsWith("not well-formed XML at line 1", xmlError.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Xml_", xmlError.Message, StringComparison.Ordinal);
    }

    private static string Minimal(string portsOrScripts) =>
        $"""<nmaprun scanner="nmap" args="nmap -p 1-10 198.18.60.2" start="1796155681"><scaninfo type="syn" protocol="tcp" numservices="1" services="1"/><host><status state="up" reason="syn-ack"/><address addr="198.18.60.2" addrtype="ipv4"/>{(portsOrScripts.StartsWith("<hostscript", StringComparison.Ordinal) ? portsOrScripts : $"<ports>{portsOrScripts}</ports>")}</host></nmaprun>""";
}

/// <summary>Counts compared fields and lists mismatches.</summary>
internal sealed class FieldComparison
{
    public int Fields { get; private set; }

    public List<string> Mismatches { get; } = [];

    public void Check<T>(string what, T expected, T actual)
    {
        Fields++;
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            Mismatches.Add($"{what}: file says '{expected}', import says '{actual}'");
        }
    }
}

/// <summary>
/// A second reading of Nmap XML with XDocument, written apart from the importer: what the file says, field by field,
/// compared with the imported report. Hosts named twice are merged the way Nmap users expect (later ports win).
/// </summary>
internal static class IndependentNmapParse
{
    public static void Compare(XDocument document, ScanReport report, FieldComparison c)
    {
        var run = document.Root!;
        c.Check("args", (string?)run.Attribute("args") ?? "", report.Stats.CommandLine);
        c.Check("scanner", (string?)run.Attribute("scanner"), report.Stats.Scanner);
        c.Check("version", (string?)run.Attribute("version"), report.Stats.ScannerVersion);
        c.Check("start", long.Parse((string?)run.Attribute("start") ?? "0", CultureInfo.InvariantCulture), report.Stats.Started.ToUnixTimeSeconds());
        if (run.Element("runstats")?.Element("finished")?.Attribute("elapsed") is { } elapsed)
        {
            c.Check("elapsed", double.Parse(elapsed.Value, CultureInfo.InvariantCulture).ToString("F2", CultureInfo.InvariantCulture), report.Stats.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture));
        }
        var hosts = run.Elements("host").ToList();
        var addresses = hosts.Select(h => h.Elements("address").First(a => (string?)a.Attribute("addrtype") != "mac").Attribute("addr")!.Value).Distinct().ToList();
        c.Check("host count", addresses.Count, report.Hosts.Count);
        foreach (var address in addresses)
        {
            var mentions = hosts.Where(h => h.Elements("address").Any(a => a.Attribute("addr")!.Value == address)).ToList();
            var imported = report.Hosts.FirstOrDefault(h => h.Address.Equals(IPAddress.Parse(address)));
            c.Check($"{address} present", true, imported is not null);
            if (imported is null)
            {
                continue;
            }
            var last = mentions[^1];
            var status = last.Element("status");
            c.Check($"{address} state", (string?)status?.Attribute("state") ?? "up", imported.State);
            c.Check($"{address} reason", (string?)status?.Attribute("reason"), imported.StateReason);
            var mac = mentions.SelectMany(m => m.Elements("address")).FirstOrDefault(a => (string?)a.Attribute("addrtype") == "mac");
            c.Check($"{address} mac", (string?)mac?.Attribute("addr"), imported.MacAddress);
            c.Check($"{address} vendor", (string?)mac?.Attribute("vendor"), imported.MacVendor);
            var names = mentions.SelectMany(m => m.Element("hostnames")?.Elements("hostname") ?? []).Select(n => $"{n.Attribute("name")!.Value}/{(string?)n.Attribute("type")}").Distinct();
            c.Check($"{address} names", string.Join(' ', names), string.Join(' ', imported.Hostnames.Select(n => $"{n.Name}/{n.Type}")));
            c.Check($"{address} starttime", (long?)last.Attribute("starttime") is long st && st > 0 ? st : (long?)null, mentions.Min(m => (long?)m.Attribute("starttime")) is long min && min > 0 ? imported.Started?.ToUnixTimeSeconds() : null);

            var ports = new Dictionary<(string, string), XElement>();
            foreach (var port in mentions.SelectMany(m => m.Element("ports")?.Elements("port") ?? []))
            {
                ports[(port.Attribute("protocol")!.Value, port.Attribute("portid")!.Value)] = port;
            }
            var transportPorts = ports.Where(p => p.Key.Item1 != "ip").ToList();
            c.Check($"{address} port count", transportPorts.Count, imported.Ports.Count);
            foreach (var ((protocol, id), port) in transportPorts)
            {
                var where = $"{address} {id}/{protocol}";
                var ours = imported.Ports.FirstOrDefault(p => p.Port == int.Parse(id, CultureInfo.InvariantCulture) && p.Protocol.ToName() == protocol);
                c.Check($"{where} present", true, ours is not null);
                if (ours is null)
                {
                    continue;
                }
                var state = port.Element("state")!;
                c.Check($"{where} state", state.Attribute("state")!.Value, ours.State.ToName());
                c.Check($"{where} reason", (string?)state.Attribute("reason") ?? "", ours.Reason);
                var service = port.Element("service");
                c.Check($"{where} service", (string?)service?.Attribute("name"), NullIfEmpty(ours.Service?.Name));
                c.Check($"{where} product", (string?)service?.Attribute("product"), ours.Service?.Product);
                c.Check($"{where} version", (string?)service?.Attribute("version"), ours.Service?.Version);
                c.Check($"{where} extrainfo", (string?)service?.Attribute("extrainfo"), ours.Service?.ExtraInfo);
                c.Check($"{where} ostype", (string?)service?.Attribute("ostype"), ours.Service?.OperatingSystem);
                c.Check($"{where} devicetype", (string?)service?.Attribute("devicetype"), ours.Service?.DeviceType);
                c.Check($"{where} method", service is null ? null : (string?)service.Attribute("method") == "table" ? "registry" : "probe", service is null ? null : ours.Service?.Method);
                // TLS is known from the tunnel -sV found or from a certificate a script read.
                c.Check($"{where} tls", (string?)service?.Attribute("tunnel") == "ssl" || port.Elements("script").Any(e => (string?)e.Attribute("id") == "ssl-cert"), ours.Service?.Tls is not null);
                c.Check($"{where} cpe", string.Join(' ', service?.Elements("cpe").Select(e => e.Value) ?? []), string.Join(' ', ours.Service?.Cpe ?? []));
                var scripts = port.Elements("script").ToList();
                c.Check($"{where} script ids", string.Join(',', scripts.Select(s => s.Attribute("id")!.Value)), string.Join(',', ours.Scripts.Select(s => s.Id)));
                foreach (var script in scripts)
                {
                    var mine = ours.Scripts.FirstOrDefault(s => s.Id == script.Attribute("id")!.Value);
                    c.Check($"{where} script {script.Attribute("id")!.Value} output", (string?)script.Attribute("output"), mine?.Output);
                    c.Check($"{where} script {script.Attribute("id")!.Value} elems", script.Descendants("elem").Count(), mine?.Elements.Count ?? -1);
                    c.Check($"{where} script {script.Attribute("id")!.Value} values", string.Join('\u0001', script.Descendants("elem").Select(e => e.Value)), string.Join('\u0001', mine?.Elements.Select(e => e.Value) ?? []));
                }
            }
            var protocols = ports.Where(p => p.Key.Item1 == "ip").ToList();
            c.Check($"{address} protocols", string.Join(',', protocols.Select(p => $"{p.Key.Item2}:{p.Value.Element("state")!.Attribute("state")!.Value}:{(string?)p.Value.Element("service")?.Attribute("name")}")),
                string.Join(',', imported.Protocols.Select(p => $"{p.Number}:{p.State.ToName()}:{p.Name}")));

            var extras = last.Element("ports")?.Elements("extraports").ToList() ?? [];
            foreach (var extra in extras)
            {
                var state = extra.Attribute("state")!.Value;
                var listed = transportPorts.Count(p => p.Value.Element("state")!.Attribute("state")!.Value == state);
                c.Check($"{address} {state} count", long.Parse(extra.Attribute("count")!.Value, CultureInfo.InvariantCulture) + listed, imported.StateCounts.GetValueOrDefault(state));
            }

            var os = last.Element("os")?.Elements("osmatch").ToList() ?? [];
            if (os.Count == 0 && last.Element("os")?.Elements("osclass").Any() == true)
            {
                // Nmap before 4.5: classes beside no match; the import gathers them into one match.
                c.Check($"{address} os classes", string.Join('|', last.Element("os")!.Elements("osclass").Select(k => $"{(string?)k.Attribute("vendor")}/{(string?)k.Attribute("osfamily")}/{(string?)k.Attribute("accuracy")}")),
                    string.Join('|', imported.OsMatches.SelectMany(m => m.Classes).Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Vendor}/{k.Family}/{k.Accuracy}"))));
                os = [];
                c.Check($"{address} host scripts", string.Join(',', last.Element("hostscript")?.Elements("script").Select(s => s.Attribute("id")!.Value) ?? []), string.Join(',', imported.Scripts.Select(s => s.Id)));
                continue;
            }
            c.Check($"{address} os matches", string.Join('|', os.Select(m => $"{m.Attribute("name")!.Value}:{m.Attribute("accuracy")!.Value}")),
                string.Join('|', imported.OsMatches.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Name}:{m.Accuracy}"))));
            c.Check($"{address} os classes", string.Join('|', os.SelectMany(m => m.Elements("osclass")).Select(k => $"{(string?)k.Attribute("type")}/{(string?)k.Attribute("vendor")}/{(string?)k.Attribute("osfamily")}/{(string?)k.Attribute("osgen")}/{(string?)k.Attribute("accuracy")}/{string.Join(' ', k.Elements("cpe").Select(e => e.Value))}")),
                string.Join('|', imported.OsMatches.SelectMany(m => m.Classes).Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Type}/{k.Vendor}/{k.Family}/{k.Generation}/{k.Accuracy}/{string.Join(' ', k.Cpe)}"))));
            c.Check($"{address} host scripts", string.Join(',', last.Element("hostscript")?.Elements("script").Select(s => s.Attribute("id")!.Value) ?? []), string.Join(',', imported.Scripts.Select(s => s.Id)));
        }
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
