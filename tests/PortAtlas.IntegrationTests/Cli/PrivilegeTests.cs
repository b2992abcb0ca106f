using System.Diagnostics;

namespace PortAtlas.IntegrationTests.Cli;

/// <summary>Without root or CAP_NET_RAW: a raw scan type asked for exits 2 in one line; the default falls back to connect.</summary>
public sealed class PrivilegeTests
{
    private static async Task<(int ExitCode, string Out, string Error)> RunAsNobodyAsync(params string[] args)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/setpriv"))
        {
            Assert.Skip("needs root (to drop to nobody with setpriv)");
        }
        // A copy of the CLI where the unprivileged user can read it.
        var dir = Directory.CreateTempSubdirectory("pa-nobody-");
        try
        {
            foreach (var file in Directory.GetFiles(AppContext.BaseDirectory, "*.dll").Concat(Directory.GetFiles(AppContext.BaseDirectory, "ports.*.json")))
            {
                File.Copy(file, Path.Combine(dir.FullName, Path.GetFileName(file)));
            }
            if (OperatingSystem.IsLinux())
            {
                File.SetUnixFileMode(dir.FullName, (UnixFileMode)Convert.ToInt32("755", 8));
            }
            var start = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "env", $"HOME={dir.FullName}", "DOTNET_CLI_HOME=" + dir.FullName, "dotnet", Path.Combine(dir.FullName, "ports.dll") }.Concat(args))
            {
                start.ArgumentList.Add(arg);
            }
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("--syn", "-p", "80")]
    [InlineData("--udp", "-p", "53")]
    [InlineData("-p", "U:53")]
    [InlineData("--sctp", "-p", "2905")]
    public async Task RawScanAskedFor_WithoutPrivilege_ExitsTwoInOneLine(params string[] options)
    {
        var (code, output, error) = await RunAsNobodyAsync(["scan", "198.18.0.2", "--no-save", .. options]);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("raw sockets", Assert.Single(error.TrimEnd('\n').Split('\n')), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultScanType_WithoutPrivilege_IsConnectAndSaysSo()
    {
        Lab.LabManifest.Require();
        var (code, output, error) = await RunAsNobodyAsync("scan", "198.18.0.2", "-p", "22", "--no-save", "--format", "csv");
        Assert.True(code == 0, error);
        Assert.Contains("connect scan", error, StringComparison.Ordinal);
        // Whatever name reverse DNS gives the host (issue 14).
        Assert.Matches(@"(?m)^198\.18\.0\.2,[^,\n]*,22,tcp,open", output);
    }
}
