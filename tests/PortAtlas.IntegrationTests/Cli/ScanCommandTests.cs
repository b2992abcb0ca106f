using System.Diagnostics;
using System.Net;
using System.Text.Json;
using PortAtlas.Cli;
using PortAtlas.IntegrationTests.Scanning;

namespace PortAtlas.IntegrationTests.Cli;

/// <summary>`ports scan` end to end, in the root namespace: only ports the test itself opened are scanned.</summary>
public sealed class ScanCommandTests
{
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
        var (code, output, error) = await RunAsync("scan", "127.0.0.1", "-p", ports, "--format", "json");
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
        var (code, output, error) = await RunAsync("scan", "127.0.0.1-2", "--exclude", "127.0.0.2", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "csv");
        Assert.True(code == 0, error);
        Assert.Contains($"127.0.0.1,,{port},tcp,open", output, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.2", output, StringComparison.Ordinal);
        Assert.Equal(0, excluded.AcceptsOn(port));
        Assert.Equal(1, first.AcceptsOn(port));
    }

    [Fact]
    public async Task Scan_Ipv6Loopback_ReportsOwnListener()
    {
        using var listeners = new LoopbackListeners(IPAddress.IPv6Loopback, 1);
        var (code, output, error) = await RunAsync("scan", "::1", "-p", listeners.Ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "csv");
        Assert.True(code == 0, error);
        Assert.Contains($"::1,,{listeners.Ports[0]},tcp,open", output, StringComparison.Ordinal);
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
        var code = await CliApp.RunAsync(["scan", "198.18.0.2", "-p", "1-40", "--rate", "4", "--format", "json"],
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
}
