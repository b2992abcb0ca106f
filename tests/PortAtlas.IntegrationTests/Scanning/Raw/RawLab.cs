using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using PortAtlas.Scanning.Raw;

namespace PortAtlas.IntegrationTests.Scanning.Raw;

/// <summary>What the raw tests need from the machine: root, the lab, the manifest; and how they skip or fail without it.</summary>
internal static class RawLab
{
    public const string LabHost = "198.18.0.2";

    /// <summary>Every packet of these tests goes to loopback or the lab: the raw sender enforces it (and children inherit it).</summary>
    [ModuleInitializer]
    internal static void EnforceSafeTargets() => Environment.SetEnvironmentVariable(SafeTargets.EnvironmentVariable, "1");

    public static bool Required => Environment.GetEnvironmentVariable("PORTATLAS_LAB_REQUIRED") == "1";

    /// <summary>Skips the test with <paramref name="reason"/> unless PORTATLAS_LAB_REQUIRED=1, which turns it into a failure.</summary>
    public static void Require(bool condition, string reason)
    {
        if (condition)
        {
            return;
        }
        if (Required)
        {
            Assert.Fail($"{reason} (PORTATLAS_LAB_REQUIRED=1)");
        }
        Assert.Skip(reason);
    }

    public static void RequireRoot() =>
        Require(Environment.UserName == "root" && RawCapability.IsAvailable, $"raw sockets unavailable: {RawCapability.UnavailableReason ?? "not root"}");

    public static void RequireLab()
    {
        RequireRoot();
        Require(File.Exists("/run/netns/pa-lab") && ManifestPath() is not null, "the lab is not up (tests/lab/up.sh) or its manifest is missing");
    }

    /// <summary>tests/lab/manifest.tsv of this checkout, or of the lab worktree beside it, or PORTATLAS_LAB_MANIFEST.</summary>
    public static string? ManifestPath()
    {
        if (Environment.GetEnvironmentVariable("PORTATLAS_LAB_MANIFEST") is { Length: > 0 } explicitPath)
        {
            return File.Exists(explicitPath) ? explicitPath : null;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "tests", "lab", "manifest.tsv"), Path.Combine(dir.FullName, "..", "lab", "tests", "lab", "manifest.tsv") })
            {
                if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "PortAtlas.slnx")))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /// <summary>Manifest rows: (address, protocol, port) → state.</summary>
    public static Dictionary<(string Address, string Protocol, int Port), string> Manifest()
    {
        var rows = new Dictionary<(string, string, int), string>();
        foreach (var line in File.ReadLines(ManifestPath()!))
        {
            if (line.StartsWith('#') || line.StartsWith("address", StringComparison.Ordinal) || line.Length == 0)
            {
                continue;
            }
            var cells = line.Split('\t');
            rows[(cells[0], cells[1], int.Parse(cells[2], CultureInfo.InvariantCulture))] = cells[3];
        }
        return rows;
    }

    /// <summary>Impairment recorded in the manifest header ("delay=20ms ... loss=1%"), or null when none.</summary>
    public static string? ManifestImpairment() =>
        File.ReadLines(ManifestPath()!).FirstOrDefault(l => l.StartsWith("# Impairment", StringComparison.Ordinal));

    /// <summary>Runs a command to completion (bounded) and returns its exit code and output.</summary>
    public static (int ExitCode, string Output, string Error) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(4)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in 4 minutes");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    public static IPAddress Ip(string text) => IPAddress.Parse(text);
}

/// <summary>One line of the harness: a port's verdict.</summary>
internal sealed record HarnessResult(string State, string Address, string Protocol, int Port, string Reason);

/// <summary>
/// A network namespace of the test's own, with loopback up: scans of 127.0.0.1 and ::1 beyond the test's own ports go
/// there, never to the root namespace's loopback (which has a foreign listener). Processes started in it are killed by
/// their id, then the namespace is deleted.
/// </summary>
internal sealed class TestNamespace : IDisposable
{
    private readonly List<Process> _processes = [];

    public TestNamespace()
    {
        Name = $"pa-rawt-{Environment.ProcessId % 10000}-{Interlocked.Increment(ref s_counter)}";
        Check(RawLab.Run("ip", "netns", "add", Name));
        Exec("ip", "link", "set", "lo", "up");
    }

    private static int s_counter;

    public string Name { get; }

    public string Exec(params string[] command)
    {
        var result = RawLab.Run("ip", ["netns", "exec", Name, .. command]);
        Check(result);
        return result.Output;
    }

    public void Nft(string ruleset)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Name}-{Guid.NewGuid():N}.nft");
        File.WriteAllText(path, ruleset);
        try
        {
            Exec("nft", "-f", path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Joins this namespace to <paramref name="peer"/> with a veth pair (va here, vb there), addressed 198.18.250.1/30 and
    /// 198.18.250.2/30: a private Ethernet segment in the benchmarking range, inside namespaces of the test's own.
    /// </summary>
    public void LinkTo(TestNamespace peer)
    {
        Check(RawLab.Run("ip", "-n", Name, "link", "add", "va", "address", "02:50:41:fa:00:01", "type", "veth", "peer", "name", "vb", "address", "02:50:41:fa:00:02", "netns", peer.Name));
        Exec("ip", "addr", "add", "198.18.250.1/30", "dev", "va");
        Exec("ip", "link", "set", "va", "up");
        peer.Exec("ip", "addr", "add", "198.18.250.2/30", "dev", "vb");
        peer.Exec("ip", "link", "set", "vb", "up");
    }

    /// <summary>Starts <c>responders.py</c> in the namespace and waits for its "ready" line.</summary>
    public void StartResponder(params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["netns", "exec", Name, "python3", Path.Combine(AppContext.BaseDirectory, "responders.py"), "--lifetime", "240", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        _processes.Add(process);
        var ready = process.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(10)) || ready.Result != "ready")
        {
            throw new InvalidOperationException($"responder {string.Join(' ', arguments)} did not start: {process.StandardError.ReadToEnd()}");
        }
    }

    /// <summary>Starts a long-running program in the namespace (killed with the namespace).</summary>
    public void StartProgram(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["netns", "exec", Name, file, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        _processes.Add(Process.Start(start)!);
    }

    /// <summary>Runs the raw harness in the namespace; every verdict is returned (--all).</summary>
    public (List<HarnessResult> Results, string Stats) Scan(params string[] arguments)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var result = RawLab.Run("ip", ["netns", "exec", Name, "env", $"{SafeTargets.EnvironmentVariable}=1", dotnet, Path.Combine(AppContext.BaseDirectory, "PortAtlas.RawHarness.dll"), "--all", .. arguments]);
        Check(result);
        var results = new List<HarnessResult>();
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var cells = line.Split('\t');
            if (cells.Length == 3)
            {
                // Discovery: "up|down<TAB>address<TAB>reason".
                results.Add(new HarnessResult(cells[0], cells[1], "host", 0, cells[2]));
                continue;
            }
            var protocolPort = cells[2].Split('/');
            results.Add(new HarnessResult(cells[0], cells[1], protocolPort[0], int.Parse(protocolPort[1], CultureInfo.InvariantCulture), cells[3]));
        }
        return (results, result.Error);
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }
            process.Dispose();
        }
        RawLab.Run("ip", "netns", "del", Name);
    }

    private static void Check((int ExitCode, string Output, string Error) result)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"exit {result.ExitCode}: {result.Error}");
        }
    }
}
