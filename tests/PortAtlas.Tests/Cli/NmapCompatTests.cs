using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using PortAtlas.Cli;
using PortAtlas.Cli.Commands;
using PortAtlas.Scanning;
using PortAtlas.Scanning.Raw;

namespace PortAtlas.Tests.Cli;

/// <summary>
/// nmap's flags on `ports scan`: each is rewritten into the long option the README's table names and gives the same
/// result as that long form, or is refused with one line. Scans go only to ports these tests opened on loopback.
/// </summary>
public sealed partial class NmapCompatTests : IDisposable
{
    private readonly TcpListener _open = new(IPAddress.Loopback, 0);
    private readonly TcpListener _open6 = new(IPAddress.IPv6Loopback, 0);
    private readonly string _dir = Directory.CreateTempSubdirectory("pa-nmap-").FullName;

    public NmapCompatTests()
    {
        _open.Start();
        _open6.Start();
    }

    private int Port => ((IPEndPoint)_open.LocalEndpoint).Port;
    private int Port6 => ((IPEndPoint)_open6.LocalEndpoint).Port;

    public void Dispose()
    {
        _open.Stop();
        _open.Dispose();
        _open6.Stop();
        _open6.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("-oN a.txt", "--save normal=a.txt")]
    [InlineData("-oX a.xml", "--save xml=a.xml")]
    [InlineData("-oXa.xml", "--save xml=a.xml")]
    [InlineData("-oG a.gnmap", "--save grep=a.gnmap")]
    [InlineData("-oJ a.json", "--save json=a.json")]
    [InlineData("-oA base", "--save normal=base.nmap --save xml=base.xml --save grep=base.gnmap")]
    [InlineData("-oX -", "--format xml")]
    [InlineData("-oG -", "--format grep")]
    [InlineData("-oN -", "--format table")]
    [InlineData("-T4", "--timing 4")]
    [InlineData("-T 0", "--timing 0")]
    [InlineData("-Tinsane", "--timing 5")]
    [InlineData("-T polite", "--timing 2")]
    [InlineData("--open", "--open")]
    [InlineData("-v", "--verbose 1")]
    [InlineData("-vv", "--verbose 2")]
    [InlineData("-v3", "--verbose 3")]
    [InlineData("-d", "--debug 1")]
    [InlineData("-dd", "--debug 2")]
    [InlineData("-n", "--no-reverse-dns")]
    [InlineData("--dns-servers 198.18.6.2,127.0.0.1:5353", "--dns-servers 198.18.6.2,127.0.0.1:5353")]
    [InlineData("-R", "--reverse-dns")]
    [InlineData("--reason", "--reason")]
    [InlineData("-6", "--ipv6")]
    [InlineData("-F", "--top-ports 100")]
    [InlineData("-r", "--sequential")]
    [InlineData("--min-rate 500", "--min-rate 500")]
    [InlineData("--max-rate 500", "--rate 500")]
    [InlineData("-sn", "--ping-only")]
    [InlineData("-sP", "--ping-only")]
    [InlineData("-PE", "--discovery icmp-echo")]
    [InlineData("-PP", "--discovery icmp-timestamp")]
    [InlineData("-PS", "--discovery tcp-syn:80")]
    [InlineData("-PS22,443", "--discovery tcp-syn:22,443")]
    [InlineData("-PA", "--discovery tcp-ack:80")]
    [InlineData("-PA80-82", "--discovery tcp-ack:80-82")]
    [InlineData("-PU", "--discovery udp:40125")]
    [InlineData("-PU53", "--discovery udp:53")]
    [InlineData("-PR", "")]
    [InlineData("-Pn", "--skip-discovery")]
    [InlineData("--version-intensity 3", "--version-intensity 3")]
    [InlineData("--version-light", "--version-intensity 2")]
    [InlineData("--version-all", "--version-intensity 9")]
    [InlineData("-A", "--detect")]
    [InlineData("-sV", "--detect")]
    [InlineData("-sT", "--connect")]
    [InlineData("-sS", "--syn")]
    [InlineData("-sU", "--udp")]
    [InlineData("-sY", "--sctp")]
    [InlineData("-sSV", "--syn --detect")]
    [InlineData("-p22,80", "--ports 22,80")]
    [InlineData("-p-", "--ports -")]
    [InlineData("--excludefile x.txt", "--exclude-file x.txt")]
    [InlineData("--max-parallelism 10", "--concurrency 10")]
    [InlineData("-f json", "-f json")]
    [InlineData("--unprivileged", "--connect")]
    [InlineData("--randomize-hosts", "")]
    [InlineData("--defeat-rst-ratelimit", "")]
    [InlineData("--webxml", "")]
    [InlineData("--min-hostgroup 64", "")]
    [InlineData("--max-hostgroup=256", "")]
    [InlineData("--min-parallelism 10", "")]
    [InlineData("--stats-every 5s", "")]
    [InlineData("--stylesheet x.xsl", "")]
    public void Translate_NmapFlag_BecomesTheLongForm(string nmap, string longForm)
    {
        var translated = NmapCompat.Translate(["scan", "127.0.0.1", .. Split(nmap)]);
        Assert.True(translated.Success, translated.Error);
        Assert.Equal(["scan", "127.0.0.1", .. Split(longForm)], translated.Args);
    }

    [Fact]
    public void DescribePhases_SaysHowLongTheEngineWaitedForTheConsumer()
    {
        var stats = new RawScanStats
        {
            ScanType = "syn",
            Phases = [new RawScanPhase { Name = "pass 1 send", Elapsed = TimeSpan.FromSeconds(2.5), Packets = 1234 }],
            ConsumerWait = TimeSpan.FromMilliseconds(750),
            ConsumerWaits = 3,
        };
        Assert.Equal("ports: syn phases: pass 1 send 2.500 s (1,234 packets); within them, waiting for the consumer 0.750 s (3 time(s))",
            NmapScan.DescribePhases(stats));
    }

    [Fact]
    public void Translate_OtherCommands_PassUnchanged()
    {
        string[] args = ["lookup", "-T4", "-O"];
        Assert.Same(args, NmapCompat.Translate(args).Args);
    }

    [Fact]
    public void Translate_AfterDoubleDash_NothingIsRewritten()
    {
        var translated = NmapCompat.Translate(["scan", "--", "-O"]);
        Assert.Equal(["scan", "--", "-O"], translated.Args);
    }

    public static TheoryData<string> RefusedFlags() => [.. NmapCompat.Refused.Select(r => r.Flag.TrimEnd('*'))];

    [Theory]
    [MemberData(nameof(RefusedFlags))]
    public async Task RefusedFlag_ExitsTwoWithOneLineNamingIt(string flag)
    {
        var (code, output, error) = await CliRunner.RunAsync("scan", "127.0.0.1", "-p", Port.ToString(), flag);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        var line = Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"ports: {flag}: ", line, StringComparison.Ordinal);
        Assert.Contains("not", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-sCV", "-sC")]
    [InlineData("--script=vuln", "--script=vuln")]
    [InlineData("--data-length", "--data-length")]
    [InlineData("-f", "-f")]
    [InlineData("-T9", "-T9")]
    [InlineData("-sQ", "-sQ")]
    [InlineData("-PZ", "-PZ")]
    [InlineData("--stats-every", "--stats-every")]
    [InlineData("--fast", "unknown option '--fast'")]
    [InlineData("-Z", "unknown option '-Z'")]
    public async Task BadOrRefusedSpelling_ExitsTwoNamingIt(string flag, string token)
    {
        var (code, output, error) = await CliRunner.RunAsync("scan", "127.0.0.1", "-p", Port.ToString(), flag);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(token, Assert.Single(error.TrimEnd('\n').Split('\n')), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-T4 -f json", "--timing 4 -f json")]
    [InlineData("-T5 -f json", "--timing 5 -f json")]
    [InlineData("-T3 -f json", "--timing 3 -f json")]
    [InlineData("-n -f json", "--no-reverse-dns -f json")]
    [InlineData("-R -f json", "--reverse-dns -f json")]
    [InlineData("-r -f json", "--sequential -f json")]
    [InlineData("--max-rate 1000 -f json", "--rate 1000 -f json")]
    [InlineData("-oX -", "--format xml")]
    [InlineData("-oG -", "--format grep")]
    [InlineData("-oJ -", "--format json")]
    [InlineData("-A --no-assess --version-intensity 0 -f json", "--detect --no-assess --version-intensity 0 -f json")]
    public async Task NmapFlag_ScansAsItsLongFormDoes(string nmap, string longForm)
    {
        // Only the port this test holds: a released port could be taken by another process between the two runs.
        string[] common = ["scan", "127.0.0.1", "-p", $"{Port}", "--connect", "--no-save", "--all-states"];
        var a = await CliRunner.RunAsync([.. common, .. Split(nmap)]);
        var b = await CliRunner.RunAsync([.. common, .. Split(longForm)]);
        Assert.True(a.ExitCode == 0, a.Error);
        Assert.True(b.ExitCode == 0, b.Error);
        Assert.Equal(Normalise(b.Out), Normalise(a.Out));
        Assert.Contains($"{Port}", a.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-oN", "normal")]
    [InlineData("-oX", "xml")]
    [InlineData("-oG", "grep")]
    [InlineData("-oJ", "json")]
    public async Task OutputFlag_WritesWhatSaveWrites(string flag, string format)
    {
        var nmapFile = Path.Combine(_dir, $"nmap.{format}");
        var longFile = Path.Combine(_dir, $"long.{format}");
        string[] common = ["scan", "127.0.0.1", "-p", Port.ToString(), "--connect", "--no-save"];
        var a = await CliRunner.RunAsync([.. common, flag, nmapFile]);
        var b = await CliRunner.RunAsync([.. common, "--save", $"{format}={longFile}"]);
        Assert.Equal(0, a.ExitCode);
        Assert.Equal(0, b.ExitCode);
        var text = File.ReadAllText(nmapFile);
        Assert.Equal(Normalise(File.ReadAllText(longFile)), Normalise(text));
        Assert.Contains($"{Port}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutputAll_WritesNormalXmlAndGrepable()
    {
        var b = Path.Combine(_dir, "all");
        var (code, _, _) = await CliRunner.RunAsync("scan", "127.0.0.1", "-p", Port.ToString(), "--connect", "--no-save", "-oA", b);
        Assert.Equal(0, code);
        Assert.Contains("<nmaprun", File.ReadAllText(b + ".xml"), StringComparison.Ordinal);
        Assert.Contains($"Ports: {Port}/open/tcp", File.ReadAllText(b + ".gnmap"), StringComparison.Ordinal);
        var normal = File.ReadAllLines(b + ".nmap");
        Assert.StartsWith("# PortAtlas ", normal[0], StringComparison.Ordinal);
        Assert.Contains(" scan initiated ", normal[0], StringComparison.Ordinal);
        Assert.Equal("Nmap scan report for localhost (127.0.0.1)", normal[1]);
        Assert.StartsWith("Host is up", normal[2], StringComparison.Ordinal);
        Assert.Matches(@"^PORT +STATE SERVICE$", normal[4]);
        Assert.Matches($@"^{Port}/tcp open  \S+$", normal[5]);
        Assert.Matches(@"^# PortAtlas done at .* -- 1 IP address \(1 host up\) scanned in \d+\.\d\d seconds$", normal[^1]);
    }

    [Fact]
    public async Task NoReverseDns_AndReverseDns_Together_ExitTwo()
    {
        var (code, output, error) = await CliRunner.RunAsync("scan", "127.0.0.1", "-p", Port.ToString(), "-n", "-R");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("-n", Assert.Single(error.TrimEnd('\n').Split('\n')), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadDnsServer_ExitsTwoNamingIt()
    {
        var (code, output, error) = await CliRunner.RunAsync("scan", "127.0.0.1", "-p", Port.ToString(), "--dns-servers", "198.18.6.2,resolver.example");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("'resolver.example'", Assert.Single(error.TrimEnd('\n').Split('\n')), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReverseDns_NamesLoopbackFromTheHostsFile_AndDashNSkipsIt()
    {
        var named = await CliRunner.RunAsync("scan", "127.0.0.1", "-p", Port.ToString(), "--connect", "--no-save", "-oX", "-");
        var plain = await CliRunner.RunAsync("scan", "127.0.0.1", "-p", Port.ToString(), "--connect", "--no-save", "-oX", "-", "-n");
        Assert.Equal(0, named.ExitCode);
        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("<hostname name=\"localhost\" type=\"PTR\"/>", named.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("<hostname ", plain.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_PrintsEachOpenPortOnStderr()
    {
        var (code, _, error) = await CliRunner.RunAsync("scan", "127.0.0.1", "-p", $"{Port},{ClosedPort()}", "--connect", "--no-save", "-v");
        Assert.Equal(0, code);
        Assert.Contains($"discovered open port {Port}/tcp on 127.0.0.1", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n'), l => l.Contains("discovered open port", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Debug_PrintsTheTimingTemplate()
    {
        var (code, _, error) = await CliRunner.RunAsync("scan", "127.0.0.1", "-p", Port.ToString(), "--connect", "--no-save", "-d", "-T5");
        Assert.Equal(0, code);
        Assert.Contains("-T5 (insane)", error, StringComparison.Ordinal);
        Assert.Contains("retries 2", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_HidesClosedPortsEvenWithAllStates()
    {
        var closed = ClosedPort();
        var (code, output, _) = await CliRunner.RunAsync("scan", "127.0.0.1", "-p", $"{Port},{closed}", "--connect", "--no-save", "--all-states", "--open", "-f", "json");
        Assert.Equal(0, code);
        Assert.Contains($"\"port\":{Port}", output.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain($"\"port\":{closed}", output.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reason_AddsTheReasonColumn()
    {
        var (code, output, _) = await CliRunner.RunAsync("scan", "127.0.0.1", "-p", Port.ToString(), "--connect", "--no-save", "--reason");
        Assert.Equal(0, code);
        Assert.Contains("Reason", output, StringComparison.Ordinal);
        Assert.Contains("syn-ack", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ipv6_RefusesAnIpv4TargetAndScansAnIpv6One()
    {
        var refused = await CliRunner.RunAsync("scan", "127.0.0.1", "-p", Port.ToString(), "-6");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("127.0.0.1", refused.Error, StringComparison.Ordinal);
        var a = await CliRunner.RunAsync("scan", "::1", "-p", Port6.ToString(), "--connect", "--no-save", "-f", "json", "-6");
        var b = await CliRunner.RunAsync("scan", "::1", "-p", Port6.ToString(), "--connect", "--no-save", "-f", "json", "--ipv6");
        var c = await CliRunner.RunAsync("scan", "::1", "-p", Port6.ToString(), "--connect", "--no-save", "-f", "json");
        Assert.Equal(0, a.ExitCode);
        Assert.Equal(Normalise(b.Out), Normalise(a.Out));
        Assert.Equal(Normalise(c.Out), Normalise(a.Out));
        Assert.Contains("\"open\"", a.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fast_IsTopHundredAndConflictsWithPortsAsTopPortsDoes()
    {
        var a = await CliRunner.RunAsync("scan", "127.0.0.1", "-p", "80", "-F");
        var b = await CliRunner.RunAsync("scan", "127.0.0.1", "-p", "80", "--top-ports", "100");
        Assert.Equal(2, a.ExitCode);
        Assert.Equal(b.Error, a.Error);
    }

    [Fact]
    public async Task PingOnly_WithOurPortAsProbe_FindsLoopbackUp()
    {
        // Discovery sends only to the port this test opened: -PS with our port (raw as root, connect otherwise).
        var a = await CliRunner.RunAsync("scan", "127.0.0.1", "-sn", $"-PS{Port}", "-f", "json");
        var b = await CliRunner.RunAsync("scan", "127.0.0.1", "--ping-only", "--discovery", $"tcp-syn:{Port}", "-f", "json");
        Assert.Equal(0, a.ExitCode);
        Assert.Equal(Normalise(b.Out), Normalise(a.Out));
        Assert.Contains("\"127.0.0.1\"", a.Out, StringComparison.Ordinal);
        Assert.Contains("\"up\"", a.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PingOnly_AckAndEchoProbes_FindLoopbackUp()
    {
        var (code, output, _) = await CliRunner.RunAsync("scan", "127.0.0.1", "-sn", $"-PA{Port}", "-PE");
        Assert.Equal(0, code);
        Assert.Contains("localhost (127.0.0.1) is up", output, StringComparison.Ordinal);
        Assert.Contains("1 of 1 host(s) up", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--discovery", "tcp-syn:0")]
    [InlineData("--discovery", "icmp-echo:80")]
    [InlineData("--discovery", "smoke")]
    [InlineData("--timing", "6")]
    [InlineData("--version-intensity", "10")]
    [InlineData("--min-rate", "0")]
    [InlineData("--save", "yaml=x")]
    [InlineData("--save", "xml")]
    public async Task BadNmapOptionValue_ExitsTwoNamingIt(string option, string value)
    {
        var (code, output, error) = await CliRunner.RunAsync("scan", "127.0.0.1", "-p", Port.ToString(), option, value);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(value, Assert.Single(error.TrimEnd('\n').Split('\n')), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1.0 / 300, 10, 300_000, 1)]
    [InlineData(1, 1.0 / 15, 10, 15_000, 1)]
    [InlineData(2, 2.5, 10, 1000, 1)]
    [InlineData(3, null, 10, 1000, null)]
    [InlineData(4, null, 6, 500, null)]
    [InlineData(5, null, 2, 250, null)]
    public void Timing_SetsTheTableValues(int level, double? rate, int retries, int initialMs, int? concurrency)
    {
        using var error = new StringWriter();
        var cli = CliContext.ForWriters(TextWriter.Null, error);
        var request = Request(new ScanPlanInput(), new NmapSettings { Timing = level });
        var options = NmapScan.Tune(cli, ScanOptions.Default, request);
        Assert.Equal(rate, options.Rate);
        Assert.Equal(retries, options.MaxRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(initialMs), options.InitialTimeout);
        Assert.Equal(concurrency, options.Concurrency);
        var raw = RawScanOptions.From(options, RawScanType.Syn);
        Assert.Equal(retries, raw.MaxRetries);
        Assert.Equal(rate ?? ScanOptions.DefaultRawRate, raw.Rate);
        Assert.True(raw.MinRate <= raw.Rate);
    }

    [Fact]
    public void Timing_ExplicitOptionsWin()
    {
        var cli = CliContext.ForWriters(TextWriter.Null, TextWriter.Null);
        var request = Request(new ScanPlanInput { Rate = 50, MaxRetries = 3, Concurrency = 7 }, new NmapSettings { Timing = 0 });
        var options = NmapScan.Tune(cli, ScanOptions.Default, request);
        Assert.Equal(50, options.Rate);
        Assert.Equal(3, options.MaxRetries);
        Assert.Equal(7, options.Concurrency);
    }

    [Fact]
    public void MinRate_IsTheRawFloorAndRaisesALowerCeiling()
    {
        var cli = CliContext.ForWriters(TextWriter.Null, TextWriter.Null);
        var request = Request(new ScanPlanInput(), new NmapSettings { MinRate = 5000, Timing = 2 });
        var raw = RawScanOptions.From(NmapScan.Tune(cli, ScanOptions.Default, request), RawScanType.Syn);
        Assert.Equal(5000, raw.MinRate);
        Assert.Equal(5000, raw.Rate);
    }

    private static ScanCommand.ScanRequest Request(ScanPlanInput input, NmapSettings nmap) =>
        new(input, "table", null, false, null, false, null) { Nmap = nmap };

    [Fact]
    public void VersionIntensity_BoundsTheProbesPerPort()
    {
        Assert.Equal(1, NmapScan.Detection(new NmapSettings { VersionIntensity = 0 }).MaxProbes);
        Assert.Equal(10, NmapScan.Detection(new NmapSettings { VersionIntensity = 9 }).MaxProbes);
        Assert.Equal(PortAtlas.Detection.DetectionOptions.Default.MaxProbes, NmapScan.Detection(NmapSettings.None).MaxProbes);
    }

    [Fact]
    public void Sequential_PermutationIsTheIdentity()
    {
        var order = new IndexPermutation(1000, 42, identity: true);
        for (ulong i = 0; i < 1000; i++)
        {
            Assert.Equal(i, order.Map(i));
        }
        var random = new IndexPermutation(1000, 42);
        Assert.Contains(Enumerable.Range(0, 1000), i => random.Map((ulong)i) != (ulong)i);
    }

    private static string[] Split(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    // Times, durations and probe counts differ between two runs; everything else must not.
    private static string Normalise(string text) => Digits().Replace(text, "0");

    [GeneratedRegex(@"\d+(?:\.\d+)?")]
    private static partial Regex Digits();

    // A port nothing listens on: bound, then released (the kernel answers it with a reset).
    private static int ClosedPort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        var port = ((IPEndPoint)socket.LocalEndpoint).Port;
        socket.Stop();
        return port;
    }
}
