using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace PortAtlas.Tests.Library;

/// <summary>
/// The package README's scan example (src/PortAtlas/README.md) is examples/LibraryScan/Program.cs, word for word, and
/// that program scans: run as a user would run it, against a loopback listener of the test's own.
/// </summary>
public partial class LibraryExampleTests
{
    private static readonly string s_root = FindRepository();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void PackageReadme_ScanExample_IsTheExampleProgramVerbatim()
    {
        var readme = File.ReadAllText(Path.Combine(s_root, "src", "PortAtlas", "README.md"));
        var program = File.ReadAllText(Path.Combine(s_root, "examples", "LibraryScan", "Program.cs"));

        var block = CSharpBlock().Match(readme);

        Assert.True(block.Success, "the package README has no ```csharp block");
        Assert.Equal(Normalise(program), Normalise(block.Groups["code"].Value));
        Assert.Contains("new ScanSession(plan)", block.Groups["code"].Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Example_ScansALoopbackListener_PrintsItsPortOpen()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var (exit, output, error) = await RunExampleAsync("127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(exit == 0, $"exit {exit}: {error}");
        Assert.Contains($"127.0.0.1 {port}/tcp open", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Example_BadPortSpec_Exits2NamingTheToken()
    {
        // Checked before any packet: nothing is sent for a plan that does not parse.
        var (exit, _, error) = await RunExampleAsync("127.0.0.1", "70000");

        Assert.Equal(2, exit);
        Assert.Contains("70000", error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> RunExampleAsync(params string[] args)
    {
        // Built beside the tests (a project reference that is not referenced), in the same configuration.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var dll = Path.Combine(s_root, "examples", "LibraryScan", "bin", configuration, "net10.0", "LibraryScan.dll");
        Assert.True(File.Exists(dll), $"{dll} was not built");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await error);
    }

    private static string Normalise(string code) => code.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PortAtlas.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("the repository root (PortAtlas.slnx) is not above the test binaries");
    }
}
