using System.Globalization;
using PortAtlas.IntegrationTests.Scanning;
using PortAtlas.Scanning;
using PortAtlas.Storage;

namespace PortAtlas.IntegrationTests.Storage;

/// <summary>A real nmap's XML, of one port the test listens on, inside a namespace of its own, imported.</summary>
public sealed class NmapImportTests
{
    private static readonly string s_scanHarness = Path.Combine(AppContext.BaseDirectory, "PortAtlas.ScanHarness.dll");

    [Fact(Timeout = 120_000)]
    public async Task Import_OfRealNmapOutput_ReadsTheOpenPortAndTheRun()
    {
        if (!File.Exists("/usr/bin/nmap"))
        {
            Assert.Skip("Needs nmap.");
        }
        using var ns = await NetworkNamespace.CreateAsync();
        var listener = ns.Start("dotnet", [s_scanHarness, "listen", "127.0.0.1", "7443"]);
        Assert.StartsWith("ready", await listener.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken));
        try
        {
            // -Pn: no host discovery probes to other ports; -n: no DNS; one port, the test's own.
            var (code, xml, error) = await ns.ExecAsync("nmap", ["-Pn", "-n", "-sT", "-p", "7443", "127.0.0.1", "-oX", "-"], TimeSpan.FromSeconds(60));
            Assert.True(code == 0, error);

            var report = NmapXmlImporter.Parse(xml);

            var host = Assert.Single(report.Hosts);
            Assert.Equal(("127.0.0.1", "up"), (host.Address.ToString(), host.State));
            var port = Assert.Single(host.Ports);
            Assert.Equal((7443, PortState.Open, "syn-ack"), (port.Port, port.State, port.Reason));
            Assert.Equal("connect", report.Stats.ScanType);
            Assert.Equal([7443], report.Stats.Ports!.Tcp);
            Assert.Contains("-p 7443", report.Stats.CommandLine, StringComparison.Ordinal);
            Assert.True(report.Stats.Finished >= report.Stats.Started);
            Assert.Equal(1, report.Stats.HostsScanned);
            Assert.True(ScanDiff.Compare(report, report).IsEmpty);
        }
        finally
        {
            listener.StandardInput.Close();
            await listener.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }
}
