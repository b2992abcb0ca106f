using System.Diagnostics;

namespace PortAtlas.IntegrationTests.Scanning;

/// <summary>
/// A network namespace of the test's own, with only loopback up: scans wider than the test's own ports run here, never in
/// the root namespace. Deleted on dispose, with every process the test started in it.
/// </summary>
internal sealed class NetworkNamespace : IDisposable
{
    private readonly List<Process> _processes = [];

    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    /// <summary>Creates a namespace named <paramref name="prefix"/> and a random tail, or skips the test when that needs privileges or tools this machine lacks.</summary>
    public static async Task<NetworkNamespace> CreateAsync(string prefix = "pa-t-")
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip"))
        {
            Assert.Skip("Needs Linux, root and iproute2 to create a network namespace.");
        }
        var name = prefix + Guid.NewGuid().ToString("N")[..8];
        var (code, _, error) = await RunAsync("ip", ["netns", "add", name], TimeSpan.FromSeconds(10));
        if (code != 0)
        {
            Assert.Skip($"Cannot create a network namespace: {error.Trim()}");
        }
        var ns = new NetworkNamespace(name);
        (code, _, error) = await RunAsync("ip", ["netns", "exec", name, "ip", "link", "set", "lo", "up"], TimeSpan.FromSeconds(10));
        if (code != 0)
        {
            ns.Dispose();
            throw new InvalidOperationException($"ip link set lo up failed: {error}");
        }
        return ns;
    }

    /// <summary>Runs a command inside the namespace to its end, within <paramref name="timeout"/>.</summary>
    public Task<(int ExitCode, string Output, string Error)> ExecAsync(string command, IEnumerable<string> arguments, TimeSpan timeout) =>
        RunAsync("ip", ["netns", "exec", Name, command, .. arguments], timeout);

    /// <summary>Starts a long-running process inside the namespace; it is killed on dispose.</summary>
    public Process Start(string command, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["netns", "exec", Name, command, .. arguments])
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info)!;
        _processes.Add(process);
        return process;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
            process.Dispose();
        }
        RunAsync("ip", ["netns", "del", Name], TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string command, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} {string.Join(' ', arguments)} ran longer than {timeout}.");
        }
        return (process.ExitCode, await output, await error);
    }
}
