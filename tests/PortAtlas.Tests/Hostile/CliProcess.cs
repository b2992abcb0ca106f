using System.Diagnostics;
using System.Globalization;
using PortAtlas.Cli;

namespace PortAtlas.Tests.Hostile;

/// <summary>Runs the real `ports` CLI as a child process (dotnet ports.dll), with its exit code, output bytes and peak RSS.</summary>
public static class CliProcess
{
    public sealed record Result(int ExitCode, byte[] Out, byte[] Error, long PeakRssKiB, TimeSpan Elapsed)
    {
        public string OutText => System.Text.Encoding.UTF8.GetString(Out);

        public string ErrorText => System.Text.Encoding.UTF8.GetString(Error);
    }

    private static readonly Lazy<string> s_dll = new(FindDll);

    /// <summary>The CLI's ports.dll, for tests that run it by hand (to signal it).</summary>
    public static string Dll => s_dll.Value;

    /// <summary>/usr/bin/time measures the child's peak RSS when present.</summary>
    private static readonly bool s_hasTime = File.Exists("/usr/bin/time");

    public static async Task<Result> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var rssFile = Path.GetTempFileName();
        var start = new ProcessStartInfo
        {
            FileName = s_hasTime ? "/usr/bin/time" : "dotnet",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (s_hasTime)
        {
            foreach (var a in (string[])["-f", "%M", "-o", rssFile, "dotnet"])
            {
                start.ArgumentList.Add(a);
            }
        }
        start.ArgumentList.Add(s_dll.Value);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_TieredPGO"] = "0";
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        using var output = new MemoryStream();
        using var error = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
        var copyError = process.StandardError.BaseStream.CopyToAsync(error, cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"ports {string.Join(' ', args)} ran longer than {timeout.TotalSeconds} s");
        }
        await Task.WhenAll(copyOut, copyError);
        stopwatch.Stop();
        long rss = 0;
        if (s_hasTime)
        {
            var lines = File.ReadAllLines(rssFile);
            rss = lines.Length > 0 && long.TryParse(lines[^1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var kib) ? kib : 0;
        }
        File.Delete(rssFile);
        var errorBytes = error.ToArray();
        // /usr/bin/time adds "Command exited with non-zero status N" to stderr only without -o; with -o it writes the file only.
        return new Result(process.ExitCode, output.ToArray(), errorBytes, rss, stopwatch.Elapsed);
    }

    private static string FindDll()
    {
        // The CLI's own build output (it has ports.runtimeconfig.json), beside the test's configuration.
        var here = Path.GetDirectoryName(typeof(CliApp).Assembly.Location)!;
        if (File.Exists(Path.Combine(here, "ports.runtimeconfig.json")))
        {
            return Path.Combine(here, "ports.dll");
        }
        var configuration = new DirectoryInfo(here).Parent!.Name;
        for (var dir = new DirectoryInfo(here); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "PortAtlas.Cli", "bin", configuration, "net10.0", "ports.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("ports.dll with its runtimeconfig: build src/PortAtlas.Cli first");
    }
}
