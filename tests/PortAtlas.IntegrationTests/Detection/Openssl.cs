using System.Diagnostics;

namespace PortAtlas.IntegrationTests.Detection;

/// <summary>Runs the openssl command line, the independent reference the TLS tests compare against.</summary>
internal static class Openssl
{
    /// <summary>
    /// Runs <c>openssl ARGUMENTS</c> with stdin closed and returns its exit code and output (stdout, then stderr). A run
    /// longer than <paramref name="timeout"/> is killed, and what it printed so far is returned.
    /// </summary>
    public static async Task<(int Exit, string Output)> RunAsync(IEnumerable<string> arguments, TimeSpan timeout, CancellationToken ct)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill();
            await process.WaitForExitAsync(ct);
        }
        return (process.ExitCode, await output + await error);
    }
}
