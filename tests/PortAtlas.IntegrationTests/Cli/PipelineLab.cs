using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PortAtlas.IntegrationTests.Scanning;

namespace PortAtlas.IntegrationTests.Cli;

/// <summary>
/// A namespace of the test's own (pa-h-pipe-…, loopback only) with an nftables counter of every packet leaving through
/// it, helper processes (responders, banner servers, a packet capture) and the real <c>ports</c> CLI run inside it.
/// </summary>
internal sealed class PipelineLab : IDisposable
{
    private static readonly string s_ports = Path.Combine(AppContext.BaseDirectory, "ports.dll");
    private static readonly string s_tools = Path.Combine(AppContext.BaseDirectory, "pipeline_tools.py");
    private static readonly string s_responders = Path.Combine(AppContext.BaseDirectory, "responders.py");
    private readonly NetworkNamespace _ns;

    private PipelineLab(NetworkNamespace ns, DirectoryInfo directory)
    {
        _ns = ns;
        Directory = directory;
    }

    /// <summary>Scratch directory of the test (history, outputs); deleted on dispose.</summary>
    public DirectoryInfo Directory { get; }

    public string Name => _ns.Name;

    public static async Task<PipelineLab> CreateAsync()
    {
        if (!File.Exists("/usr/sbin/nft") || !File.Exists("/usr/bin/python3"))
        {
            Assert.Skip("needs nftables and python3");
        }
        var ns = await NetworkNamespace.CreateAsync("pa-h-pipe-");
        var lab = new PipelineLab(ns, System.IO.Directory.CreateTempSubdirectory("pa-pipe-"));
        try
        {
            // Counts every packet the namespace sends (loopback traffic passes the output hook once per packet).
            await lab.ExecOkAsync("nft", "add table inet papipe");
            await lab.ExecOkAsync("nft", "add chain inet papipe out { type filter hook output priority 0 ; policy accept ; }");
            await lab.ExecOkAsync("nft", "add rule inet papipe out counter");
        }
        catch
        {
            lab.Dispose();
            throw;
        }
        return lab;
    }

    private async Task ExecOkAsync(string command, string arguments)
    {
        var (code, _, error) = await _ns.ExecAsync(command, arguments.Split(' '), TimeSpan.FromSeconds(10));
        Assert.True(code == 0, $"{command} {arguments}: {error}");
    }

    /// <summary>Packets sent in the namespace so far (every protocol), from the nftables counter.</summary>
    public async Task<long> PacketsSentAsync()
    {
        var (code, output, error) = await _ns.ExecAsync("nft", ["list", "chain", "inet", "papipe", "out"], TimeSpan.FromSeconds(10));
        Assert.True(code == 0, error);
        var at = output.IndexOf("packets ", StringComparison.Ordinal);
        Assert.True(at >= 0, output);
        var end = output.IndexOf(' ', at + 8);
        return long.Parse(output[(at + 8)..end], CultureInfo.InvariantCulture);
    }

    /// <summary>TCP listeners (responders.py tcp) or UDP echo responders (udp) on 127.0.0.1 in the namespace.</summary>
    public Task StartRespondersAsync(string mode, IEnumerable<int> ports) =>
        StartHelperAsync("python3", [s_responders, "--lifetime", "240", mode, .. ports.Select(p => p.ToString(CultureInfo.InvariantCulture))]);

    /// <summary>TCP servers on 127.0.0.1 that greet every connection with <paramref name="banner"/>.</summary>
    public Task<Process> StartBannerAsync(string banner, IEnumerable<int> ports) =>
        StartHelperAsync("python3", [s_tools, "--lifetime", "240", "banner", banner, .. ports.Select(p => p.ToString(CultureInfo.InvariantCulture))]);

    /// <summary>Starts recording the send times of SYNs (<c>tcp-syn</c>) or datagrams (<c>udp</c>) to 127.0.0.1.</summary>
    public async Task<Func<Task<long[]>>> StartCaptureAsync(string kind)
    {
        var capture = await StartHelperAsync("python3", [s_tools, "--lifetime", "120", "capture", kind]);
        return async () =>
        {
            capture.StandardInput.Close();
            var text = await capture.StandardOutput.ReadToEndAsync();
            await capture.WaitForExitAsync();
            return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => long.Parse(l, CultureInfo.InvariantCulture))];
        };
    }

    private async Task<Process> StartHelperAsync(string command, string[] arguments)
    {
        var process = _ns.Start(command, arguments);
        var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(90));
        if (ready != "ready")
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{string.Join(' ', arguments)}: {ready} {await process.StandardError.ReadToEndAsync()}");
        }
        return process;
    }

    /// <summary>Starts <c>ports ARGS</c> in the namespace, its history (XDG_DATA_HOME) in the test's directory.</summary>
    public PortsRun StartPorts(params string[] arguments)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in (string[])["netns", "exec", Name, "dotnet", s_ports, .. arguments])
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["XDG_DATA_HOME"] = Path.Combine(Directory.FullName, "xdg");
        info.Environment["NO_COLOR"] = "1";
        return new PortsRun(Process.Start(info)!);
    }

    /// <summary>Runs <c>ports ARGS</c> in the namespace to its end.</summary>
    public async Task<PortsRun> RunPortsAsync(TimeSpan timeout, params string[] arguments)
    {
        var run = StartPorts(arguments);
        await run.WaitAsync(timeout);
        return run;
    }

    public string PathOf(string name) => Path.Combine(Directory.FullName, name);

    public void Dispose()
    {
        // The namespace kills and disposes the helpers it started.
        _ns.Dispose();
        Directory.Delete(recursive: true);
    }
}

/// <summary>A running <c>ports</c> process: its lines as they arrive, with the time each arrived.</summary>
internal sealed class PortsRun : IDisposable
{
    private readonly Process _process;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(TimeSpan At, string Line)> _out = [];
    private readonly List<(TimeSpan At, string Line)> _error = [];
    private readonly Task _reading;

    public PortsRun(Process process)
    {
        _process = process;
        process.StandardInput.Close();
        _reading = Task.WhenAll(ReadAsync(process.StandardOutput, _out), ReadAsync(process.StandardError, _error));
    }

    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    /// <summary>When the process ended, from its start.</summary>
    public TimeSpan ExitedAt { get; private set; }

    public IReadOnlyList<(TimeSpan At, string Line)> OutLines
    {
        get
        {
            lock (_out)
            {
                return [.. _out];
            }
        }
    }

    public string Out => string.Join('\n', OutLines.Select(l => l.Line));

    public string Error
    {
        get
        {
            lock (_error)
            {
                return string.Join('\n', _error.Select(l => l.Line));
            }
        }
    }

    public IReadOnlyList<string> ErrorLines
    {
        get
        {
            lock (_error)
            {
                return [.. _error.Select(l => l.Line)];
            }
        }
    }

    private async Task ReadAsync(StreamReader reader, List<(TimeSpan, string)> lines)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (lines)
            {
                lines.Add((_clock.Elapsed, line));
            }
        }
    }

    /// <summary>Sends a signal (INT, TERM, HUP) to the process.</summary>
    public async Task SignalAsync(string signal)
    {
        var (code, _, error) = await NetworkNamespace.RunAsync("kill", ["-s", signal, _process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        Assert.True(code == 0, error);
    }

    /// <summary>Waits for the end, killing the process (and failing) after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"ports ran longer than {timeout}; stderr: {Error}");
        }
        ExitedAt = _clock.Elapsed;
        await _reading;
    }

    /// <summary>Open ports of a JSON report (stdout or a file) as port numbers.</summary>
    public static int[] OpenPorts(string json, out JsonElement stats)
    {
        using var document = JsonDocument.Parse(json);
        stats = document.RootElement.GetProperty("stats").Clone();
        return [.. document.RootElement.GetProperty("hosts").EnumerateArray()
            .SelectMany(h => h.GetProperty("ports").EnumerateArray())
            .Where(p => p.GetProperty("state").GetString() == "open")
            .Select(p => p.GetProperty("port").GetInt32())
            .Order()];
    }

    /// <summary>The ports the -v lines announced as open ("discovered open port N/tcp on …").</summary>
    public int[] Announced() =>
        [.. ErrorLines.Where(l => l.StartsWith("ports: discovered open port ", StringComparison.Ordinal))
            .Select(l => int.Parse(l["ports: discovered open port ".Length..].Split('/')[0], CultureInfo.InvariantCulture)).Order()];

    /// <summary>The engines' own count of open ports (the -v line at the end).</summary>
    public long EngineOpenCount()
    {
        const string prefix = "ports: the engines decided ";
        var line = ErrorLines.LastOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(line is not null, $"no engine count on stderr: {Error}");
        return long.Parse(line[prefix.Length..].Split(' ')[0], CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}
