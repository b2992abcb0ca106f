using System.Text.RegularExpressions;
using System.Xml.Linq;
using PortAtlas.Cli;
using PortAtlas.IntegrationTests.Lab;
using PortAtlas.IntegrationTests.Scanning;
using PortAtlas.IntegrationTests.Scanning.Raw;

namespace PortAtlas.IntegrationTests.Cli;

/// <summary>
/// Reverse DNS and nmap's normal output against the lab: names come from the lab's own DNS server (tests/lab/dns.sh,
/// 198.18.6.2), never from the machine's resolver; our XML and nmap's (run WITHOUT -n, with --dns-servers to the lab)
/// match host for host in every ndiff mode; our -oN has nmap's lines for the same ports.
/// </summary>
public sealed class ReverseDnsLabTests : IDisposable
{
    private const string LabDns = "198.18.6.2";
    private const string Ports = "21,22,80,443";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("pa-rdns-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static void RequireLabDns()
    {
        LabManifest.Require();
        RawLab.Require(File.Exists("/run/netns/pa-dns"), "the lab's DNS server is not up (tests/lab/dns.sh up)");
    }

    private static async Task<(int ExitCode, string Out, string Error)> PortsAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, CliContext.ForWriters(output, error), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task<(int ExitCode, string Output, string Error)> ToolAsync(string tool, params string[] args)
    {
        RawLab.Require(File.Exists(tool), $"{tool} is not installed");
        return await NetworkNamespace.RunAsync(tool, args, TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task Scan_LabHost_IsNamedByTheLabDns_InEveryReport()
    {
        RequireLabDns();
        var normal = Path.Combine(_dir.FullName, "ours.nmap");
        var (code, xml, error) = await PortsAsync("scan", "198.18.0.2", "-p", Ports, "--connect", "--no-save", "--no-progress", "--dns-servers", LabDns, "-oX", "-", "-oN", normal);

        Assert.True(code == 0, error);
        Assert.Contains("<hostname name=\"lab.portatlas.test\" type=\"PTR\"/>", xml, StringComparison.Ordinal);
        Assert.Contains("Nmap scan report for lab.portatlas.test (198.18.0.2)", File.ReadAllText(normal), StringComparison.Ordinal);
        var grep = await PortsAsync("scan", "198.18.0.2", "-p", "22", "--connect", "--no-save", "--dns-servers", LabDns, "-f", "grep");
        Assert.Contains("Host: 198.18.0.2 (lab.portatlas.test)\tPorts: 22/open/tcp", grep.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DashN_AsksTheServerNothing_AndTheDefaultAsksIt()
    {
        RequireLabDns();
        var log = Path.Combine(LabManifest.RepositoryRoot, "tests", "lab", "run", "dns", "dnsmasq.log");
        RawLab.Require(File.Exists(log), $"the lab DNS query log {log} is missing (the lab was brought up from another checkout)");
        // A sweep host no other test names: its PTR queries in the server's log are this test's alone.
        const string host = "198.18.1.77";
        const string query = "query[PTR] 77.1.18.198.in-addr.arpa";
        int Count() => File.ReadLines(log).Count(l => l.Contains(query, StringComparison.Ordinal));

        var before = Count();
        var (code, json, error) = await PortsAsync("scan", host, "-p", "22", "--connect", "--no-save", "--dns-servers", LabDns, "-n", "-f", "json");
        Assert.True(code == 0, error);
        Assert.DoesNotContain("sweep.portatlas.test", json, StringComparison.Ordinal);
        Assert.Equal(before, Count());

        (code, json, error) = await PortsAsync("scan", host, "-p", "22", "--connect", "--no-save", "--dns-servers", LabDns, "-f", "json");
        Assert.True(code == 0, error);
        Assert.Contains("\"hostname\": \"h77.sweep.portatlas.test\"", json, StringComparison.Ordinal);
        Assert.True(Count() > before, "the default scan sent no PTR query to the lab server");
    }

    [Fact]
    public async Task DashR_NamesAHostThatIsNotUp_TheDefaultDoesNot()
    {
        RequireLabDns();
        // Nobody answers at 198.18.6.9 (on the DNS server's link), which the lab's DNS names down.portatlas.test.
        string[] scan = ["scan", "198.18.6.9", "-p", "22", "--connect", "--no-save", "--max-retries", "0", "--host-timeout", "5s", "--dns-servers", LabDns, "-f", "json"];
        var plain = await PortsAsync(scan);
        var all = await PortsAsync([.. scan, "-R"]);

        Assert.True(plain.ExitCode == 0, plain.Error);
        Assert.True(all.ExitCode == 0, all.Error);
        Assert.DoesNotContain("\"state\": \"up\"", all.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("down.portatlas.test", plain.Out, StringComparison.Ordinal);
        Assert.Contains("\"hostname\": \"down.portatlas.test\"", all.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-v")]
    [InlineData("--xml")]
    public async Task Ndiff_OursAgainstNmapWithoutDashN_MatchesTheHost_InBothDirections(string mode)
    {
        RequireLabDns();
        var ours = Path.Combine(_dir.FullName, "ours.xml");
        var theirs = Path.Combine(_dir.FullName, "nmap.xml");
        var (code, _, error) = await PortsAsync("scan", "198.18.0.2", "-p", Ports, "--connect", "--no-save", "--no-progress", "--dns-servers", LabDns, "-oX", ours);
        Assert.True(code == 0, error);
        var nmap = await ToolAsync("/usr/bin/nmap", "-sT", "-Pn", "-p", Ports, "--dns-servers", LabDns, "-oX", theirs, "198.18.0.2");
        Assert.True(nmap.ExitCode == 0, nmap.Error);
        Assert.Contains("type=\"PTR\"", File.ReadAllText(theirs), StringComparison.Ordinal);

        foreach (var (a, b) in new[] { (ours, theirs), (theirs, ours) })
        {
            var args = mode.Length == 0 ? new[] { a, b } : [mode, a, b];
            var diff = await ToolAsync("/usr/bin/ndiff", args);
            Assert.True(diff.ExitCode is 0 or 1 && !diff.Error.Contains("Traceback", StringComparison.Ordinal), $"ndiff {mode} exited {diff.ExitCode}: {diff.Error}");
            if (mode == "--xml")
            {
                // A host removed and re-added is a hostdiff whose host sits inside <a> or <b>; a matched host is not.
                var hostdiffs = XDocument.Parse(diff.Output).Descendants("hostdiff").ToList();
                Assert.NotEmpty(hostdiffs);
                Assert.All(hostdiffs, h => Assert.NotNull(h.Element("host")));
            }
            else
            {
                // Removed and re-added hosts are lines "-NAME (ADDR):" and "+NAME (ADDR):"; port lines then all change.
                Assert.DoesNotMatch(@"(?m)^[-+]\d+/tcp ", diff.Output);
            }
        }
    }

    [Fact]
    public async Task NormalOutput_HasNmapsLinesForTheSamePorts()
    {
        RequireLabDns();
        var ours = Path.Combine(_dir.FullName, "ours.nmap");
        var theirs = Path.Combine(_dir.FullName, "nmap.nmap");
        var (code, _, error) = await PortsAsync("scan", "198.18.0.2", "-p", "1-1024", "--connect", "--no-save", "--no-progress", "--no-assess", "--dns-servers", LabDns, "-oN", ours);
        Assert.True(code == 0, error);
        var nmap = await ToolAsync("/usr/bin/nmap", "-sT", "-Pn", "-p", "1-1024", "--dns-servers", LabDns, "-oN", theirs, "198.18.0.2");
        Assert.True(nmap.ExitCode == 0, nmap.Error);

        var a = File.ReadAllLines(ours);
        var b = File.ReadAllLines(theirs);
        // In-process, the command line is the test host's, not "ports scan ...".
        Assert.Matches(@"^# PortAtlas \S+ scan initiated \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} as: \S.*$", a[0]);
        Assert.Equal(b[1], a[1]);
        Assert.Matches(@"^Host is up \(\d+\.\d+s latency\)\.$", a[2]);
        Assert.Equal(Regex.Replace(b[3], @"\d+ closed", "N closed"), Regex.Replace(a[3], @"\d+ closed", "N closed"));
        Assert.Equal(Table(b), Table(a));
        Assert.Matches(@"^# PortAtlas done at .* -- 1 IP address \(1 host up\) scanned in \d+\.\d\d seconds$", a[^1]);
        Assert.Matches(@"^# Nmap done at .* -- 1 IP address \(1 host up\) scanned in \d+\.\d\d seconds$", b[^1]);

        // The PORT header and one line per port, up to the line after the table (nmap's MAC line, or a blank one).
        static List<string> Table(string[] lines) =>
            [.. lines.SkipWhile(l => !l.StartsWith("PORT ", StringComparison.Ordinal)).TakeWhile(l => l.Length > 0 && !l.StartsWith("MAC Address", StringComparison.Ordinal))];
    }
}
