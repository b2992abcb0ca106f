using System.Text.Json;

namespace PortAtlas.IntegrationTests.Scanning.Raw;

/// <summary>
/// A SYN scan of more than 2^20 silent hosts with few ports, through the real engine: 127.0.0.0/11 (2,097,152 addresses)
/// in a namespace of the test's own whose input chain drops every SYN. Past 2^20 hosts the engine caches source addresses
/// per /24, which both send lanes fill (a plain dictionary there failed such a scan within a second), and past 65,536
/// addresses a silent host's ports are counted, not listed, however few they are (issue 17).
/// </summary>
[Collection(RawCollection.Name)]
public sealed class SilentMillionsNamespaceTests
{
    [Fact]
    public void Syn_SilentRangePastAMillionHosts_FinishesWithEveryHostCountedNoneListed()
    {
        RawLab.RequireRoot();
        using var ns = new TestNamespace();
        ns.Nft("""
            table inet t {
              chain input {
                type filter hook input priority filter; policy accept;
                tcp flags syn drop
              }
            }
            """);

        var (exitCode, output, error) = RawLab.Run("ip", "netns", "exec", ns.Name, "env", "PORTATLAS_SAFE_TARGETS=1",
            Dotnet(), PortsDll(), "scan", "127.0.0.0/11", "-p", "22", "--syn", "-Pn", "-n", "--rate", "400000", "--no-save",
            "--format", "json");

        Assert.True(exitCode == 0, $"exit {exitCode}: {error}");
        using var report = JsonDocument.Parse(output);
        var stats = report.RootElement.GetProperty("stats");
        Assert.Equal(2_097_152, stats.GetProperty("hostsScanned").GetInt64());
        Assert.Equal(2_097_152, stats.GetProperty("states").GetProperty("filtered").GetInt64());
        var hosts = report.RootElement.GetProperty("hosts");
        Assert.Equal(2_097_152, hosts.GetArrayLength());
        Assert.All(hosts.EnumerateArray().Take(1000), h => Assert.Equal(0, h.GetProperty("ports").GetArrayLength()));
    }

    private static string Dotnet() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static string PortsDll() => Path.Combine(AppContext.BaseDirectory, "ports.dll");
}
