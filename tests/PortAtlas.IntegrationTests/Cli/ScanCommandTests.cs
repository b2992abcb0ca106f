using System.Diagnostics;
using System.Net;
using System.Text.Json;
using PortAtlas.Cli;
using PortAtlas.IntegrationTests.Scanning;

namespace PortAtlas.IntegrationTests.Cli;

/// <summary>`ports scan` end to end, in the root namespace: only ports the test itself opened are scanned.</summary>
public sealed class ScanCommandTests
{
    // Scans are saved by default: keep the tests' history out of the user's.
    static ScanCommandTests() => Environment.SetEnvironmentVariable("XDG_DATA_HOME", Directory.CreateTempSubdirectory("pa-history-").FullName);

    private static async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, CliContext.ForWriters(output, error), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Scan_OwnListeners_JsonReportsThemOpenWithRegistryNames()
    {
        using var listeners = new LoopbackListeners(IPAddress.Loopback, 2);
        var ports = string.Join(',', listeners.Ports);
        var (code, output, error) = await RunAsync("scan", "127.0.0.1", "-p", ports, "--format", "json", "--connect");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var host = Assert.Single(json.RootElement.GetProperty("hosts").EnumerateArray());
        Assert.Equal("127.0.0.1", host.GetProperty("address").GetString());
        var open = host.GetProperty("ports").EnumerateArray()
            .Where(p => p.GetProperty("state").GetString() == "open")
            .Select(p => p.GetProperty("port").GetInt32())
            .Order();
        Assert.Equal(listeners.Ports.Order(), open);
        Assert.Equal("connect", json.RootElement.GetProperty("stats").GetProperty("scanType").GetString());
    }

    [Fact]
    public async Task Scan_ExcludedTarget_IsNeverConnectedTo()
    {
        // The same port on two loopback addresses, both the test's own; the second address is excluded.
        using var first = new LoopbackListeners(IPAddress.Loopback, 1);
        var port = first.Ports[0];
        using var excluded = new LoopbackListeners(IPAddress.Parse("127.0.0.2"), [port]);
        var (code, output, error) = await RunAsync("scan", "127.0.0.1-2", "--exclude", "127.0.0.2", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "csv", "--connect");
        Assert.True(code == 0, error);
        AssertOpenRow(output, "127.0.0.1", port, "tcp");
        Assert.DoesNotContain("127.0.0.2", output, StringComparison.Ordinal);
        Assert.Equal(0, excluded.AcceptsOn(port));
        Assert.Equal(1, first.AcceptsOn(port));
    }

    [Fact]
    public async Task Scan_AsRootOnThisMachine_PicksConnectAndSaysWhy()
    {
        // Issue 16: to this machine a small connect scan is faster than SYN (bench/RESULTS.md), so auto picks it even as root.
        if (!Scanning.Raw.RawCapabilityProbe.Available)
        {
            Assert.Skip("raw sockets are not permitted here");
        }
        using var listeners = new LoopbackListeners(IPAddress.Loopback, 1);
        var (code, output, error) = await RunAsync("scan", "127.0.0.1", "-p", listeners.Ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "json", "--no-save");
        Assert.True(code == 0, error);
        Assert.Contains("ports: connect scan (the target is this machine, where connect is faster than SYN for a scan this small; --syn for a SYN scan)", error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("connect", json.RootElement.GetProperty("stats").GetProperty("scanType").GetString());
        var port = json.RootElement.GetProperty("hosts")[0].GetProperty("ports")[0];
        Assert.Equal("open", port.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Scan_AsRootOnThisMachineWithSyn_UsesSyn()
    {
        if (!Scanning.Raw.RawCapabilityProbe.Available)
        {
            Assert.Skip("raw sockets are not permitted here");
        }
        using var listeners = new LoopbackListeners(IPAddress.Loopback, 1);
        var (code, output, error) = await RunAsync("scan", "127.0.0.1", "--syn", "-p", listeners.Ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "json", "--no-save");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("syn", json.RootElement.GetProperty("stats").GetProperty("scanType").GetString());
        Assert.Equal("open", json.RootElement.GetProperty("hosts")[0].GetProperty("ports")[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task Scan_AsRootOnALabHost_DefaultsToSynAndSaysSo()
    {
        Lab.LabManifest.Require();
        if (!Scanning.Raw.RawCapabilityProbe.Available)
        {
            Assert.Skip("raw sockets are not permitted here");
        }
        var (code, output, error) = await RunAsync("scan", "198.18.0.2", "-p", "8080", "--format", "json", "--no-save");
        Assert.True(code == 0, error);
        Assert.Contains("ports: SYN scan (raw sockets are permitted", error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("syn", json.RootElement.GetProperty("stats").GetProperty("scanType").GetString());
    }

    [Fact]
    public async Task Scan_UdpServicesOfTheLab_AreOpen()
    {
        Lab.LabManifest.Require();
        var (code, output, error) = await RunAsync("scan", "198.18.0.2", "--udp", "-p", "53,123,161", "--format", "csv", "--no-save");
        Assert.True(code == 0, error);
        foreach (var port in new[] { 53, 123, 161 })
        {
            AssertOpenRow(output, "198.18.0.2", port, "udp");
        }
    }

    [Fact]
    public async Task Scan_Ipv6Loopback_ReportsOwnListener()
    {
        using var listeners = new LoopbackListeners(IPAddress.IPv6Loopback, 1);
        var (code, output, error) = await RunAsync("scan", "::1", "-p", listeners.Ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "csv");
        Assert.True(code == 0, error);
        AssertOpenRow(output, "::1", listeners.Ports[0], "tcp");
    }

    [Fact]
    public async Task Scan_XmlOutput_IsValidAgainstNmapsDtd_AndNdiffSeesAPortOpen()
    {
        const string dtd = "/usr/share/nmap/nmap.dtd";
        if (!File.Exists(dtd) || !File.Exists("/usr/bin/xmllint") || !File.Exists("/usr/bin/ndiff"))
        {
            Assert.Skip("needs xmllint (libxml2-utils), nmap.dtd (nmap-common) and ndiff");
        }
        var dir = Directory.CreateTempSubdirectory("pa-xml-");
        try
        {
            using var first = new LoopbackListeners(IPAddress.Loopback, 1);
            // The second port is one the test holds open only for the second scan; it is ours to probe.
            using var second = new LoopbackListeners(IPAddress.Loopback, 1);
            var a = Path.Combine(dir.FullName, "a.xml");
            var b = Path.Combine(dir.FullName, "b.xml");
            var ports = $"{first.Ports[0]},{second.Ports[0]}";
            Assert.Equal(0, (await RunAsync("scan", "127.0.0.1", "-p", first.Ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", a, "--format", "json")).ExitCode);
            Assert.Equal(0, (await RunAsync("scan", "127.0.0.1", "-p", ports, "-o", b, "--format", "json")).ExitCode);

            var lint = await RunProcessAsync("/usr/bin/xmllint", "--noout", "--dtdvalid", dtd, a, b);
            Assert.True(lint.ExitCode == 0, lint.Output);
            var diff = await RunProcessAsync("/usr/bin/ndiff", a, b);
            Assert.Contains($"+{second.Ports[0]}/tcp", diff.Output, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Scan_Interrupted_ExitsOneThirtyWithWhatItFound()
    {
        // A rate of 4 probes a second over 40 lab ports takes 10 s; the interruption comes after about 1.5 s.
        Lab.LabManifest.Require();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(TimeSpan.FromSeconds(1.5));
        using var output = new StringWriter();
        using var error = new StringWriter();
        var clock = Stopwatch.StartNew();
        var code = await CliApp.RunAsync(["scan", "198.18.0.2", "-p", "1-40", "--rate", "4", "--format", "json", "--connect"],
            CliContext.ForWriters(output, error), cancel.Token);
        Assert.Equal(130, code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {clock.Elapsed}");
        using var json = JsonDocument.Parse(output.ToString());
        Assert.True(json.RootElement.GetProperty("stats").GetProperty("interrupted").GetBoolean());
        var decided = json.RootElement.GetProperty("stats").GetProperty("portsScanned").GetInt64();
        Assert.InRange(decided, 1, 20);
        var open = json.RootElement.GetProperty("hosts")[0].GetProperty("ports").EnumerateArray()
            .Where(p => p.GetProperty("state").GetString() == "open").Select(p => p.GetProperty("port").GetInt32());
        Assert.All(open, p => Assert.Contains(p, new[] { 21, 22, 23, 25 }));
    }

    [Fact]
    public async Task History_ScanTwice_DiffShowsThePortOpened_AndImportedXmlDiffsClean()
    {
        var dir = Directory.CreateTempSubdirectory("pa-db-");
        try
        {
            var db = Path.Combine(dir.FullName, "history.db");
            using var first = new LoopbackListeners(IPAddress.Loopback, 1);
            using var second = new LoopbackListeners(IPAddress.Loopback, 1);
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            var xml = Path.Combine(dir.FullName, "b.xml");
            Assert.Equal(0, (await RunAsync("scan", "127.0.0.1", "-p", first.Ports[0].ToString(inv), "--db", db, "--format", "json")).ExitCode);
            Assert.Equal(0, (await RunAsync("scan", "127.0.0.1", "-p", $"{first.Ports[0]},{second.Ports[0]}", "--db", db, "--format", "json", "-o", xml)).ExitCode);

            var (code, history, error) = await RunAsync("history", "--db", db, "--format", "json");
            Assert.True(code == 0, error);
            using (var json = JsonDocument.Parse(history))
            {
                Assert.Equal([2L, 1L], json.RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetInt64()));
            }

            var (diffCode, diff, _) = await RunAsync("diff", "1", "2", "--db", db, "--format", "json");
            Assert.Equal(0, diffCode);
            Assert.Contains($"\"port\": {second.Ports[0]}", diff, StringComparison.Ordinal);
            var (_, lastDiff, _) = await RunAsync("diff", "--last", "127.0.0.1", "--db", db, "--format", "text");
            Assert.Contains($"+{second.Ports[0]}/tcp open", lastDiff, StringComparison.Ordinal);

            var (importCode, imported, importError) = await RunAsync("import", xml, "--db", db);
            Assert.True(importCode == 0, importError);
            Assert.Contains("saved as scan 3", imported, StringComparison.Ordinal);
            var (_, noChange, _) = await RunAsync("diff", "2", "3", "--db", db, "--format", "json");
            using (var json = JsonDocument.Parse(noChange))
            {
                Assert.All(json.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array), p => Assert.Equal(0, p.Value.GetArrayLength()));
            }

            var (showCode, shown, _) = await RunAsync("show", "2", "--db", db, "--format", "csv");
            Assert.Equal(0, showCode);
            AssertOpenRow(shown, "127.0.0.1", second.Ports[0], "tcp");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Local_ListsTheTestsOwnListenerWithThisProcess()
    {
        using var listener = new LoopbackListeners(IPAddress.Loopback, 1);
        var (code, output, error) = await RunAsync("local", "--tcp", "--format", "json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var mine = json.RootElement.EnumerateArray().Single(l => l.GetProperty("port").GetInt32() == listener.Ports[0] && l.GetProperty("address").GetString() == "127.0.0.1");
        Assert.Equal(Environment.ProcessId, mine.GetProperty("pid").GetInt32());
    }

    private static async Task<(int ExitCode, string Output)> RunProcessAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>A CSV row for an open port of <paramref name="address"/>, whatever host name reverse DNS gave it (issue 14).</summary>
    private static void AssertOpenRow(string output, string address, int port, string protocol) =>
        Assert.Matches($@"(?m)^{System.Text.RegularExpressions.Regex.Escape(address)},[^,\n]*,{port},{protocol},open", output);
}
