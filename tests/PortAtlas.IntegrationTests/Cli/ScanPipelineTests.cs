using System.Globalization;
using System.Text.Json;
using PortAtlas.IntegrationTests.Scanning.Raw;

namespace PortAtlas.IntegrationTests.Cli;

/// <summary>
/// The scan pipeline seen from outside: the real <c>ports</c> process run in a namespace of the test's own, stopped by
/// signals, starved of disk, given bad paths, rate-capped and read line by line. Every packet goes to 127.0.0.1 inside
/// that namespace, where only the test's own responders listen.
/// </summary>
public sealed class ScanPipelineTests
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    // The raw engine's sendmmsg batch (RawSender.DefaultBatchSize): the allowance the rate bound adds.
    private const int SendBatch = 64;

    private static void Log(string message) => TestContext.Current.TestOutputHelper?.WriteLine(message);

    private static void RequireRaw(string technique)
    {
        if (technique != "--connect" && !RawCapabilityProbe.Available)
        {
            Assert.Skip("raw sockets are not permitted here");
        }
    }

    /// <summary>Distinct random ports (seeded) in 1-65535.</summary>
    private static int[] RandomPorts(Random random, int count)
    {
        var ports = new HashSet<int>();
        while (ports.Count < count)
        {
            ports.Add(random.Next(1, 65536));
        }
        return [.. ports.Order()];
    }

    private static void AssertNoStackTrace(PortsRun run) =>
        Assert.DoesNotContain(run.ErrorLines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal));

    private static async Task WaitForPacketsAsync(PipelineLab lab, PortsRun run, long packets, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await lab.PacketsSentAsync() < packets)
        {
            Assert.True(clock.Elapsed < timeout, $"the scan sent fewer than {packets} packets in {timeout}: {run.Error}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    [Theory(Timeout = 400_000)]
    [InlineData("--syn", "INT", 130, 1)]
    [InlineData("--syn", "TERM", 143, 2)]
    [InlineData("--udp", "INT", 130, 3)]
    [InlineData("--udp", "TERM", 143, 4)]
    [InlineData("--connect", "INT", 130, 5)]
    [InlineData("--connect", "TERM", 143, 6)]
    [InlineData("--syn", "HUP", 143, 7)]
    public async Task Signal_AtARandomPoint_KeepsEveryOpenPortTheEnginesDecided_AndResumeFindsTheRest(string technique, string signal, int exitCode, int seed)
    {
        RequireRaw(technique);
        var random = new Random(seed);
        using var lab = await PipelineLab.CreateAsync();
        // 150 of 20,000 ports answer; 2000 probes a second make a scan of 10 s.
        var open = RandomPorts(random, 150).Select(p => (p % 20000) + 1).Distinct().Order().ToArray();
        await lab.StartRespondersAsync(technique == "--udp" ? "udp" : "tcp", open);
        var db = lab.PathOf("history.db");
        var file = lab.PathOf("out.json");
        using var run = lab.StartPorts("scan", "127.0.0.1", "-p", "1-20000", technique, "--rate", "2000", "--seed", seed.ToString(s_inv),
            "--format", "json", "-o", file, "--db", db, "-v", "--no-progress");
        // A random point of the scan: past its first 1000 packets (so it is surely running), then a seeded pause.
        await WaitForPacketsAsync(lab, run, 1000, TimeSpan.FromSeconds(90));
        var delay = TimeSpan.FromMilliseconds(random.Next(0, 4000));
        Log($"seed {seed}: SIG{signal} {delay.TotalMilliseconds} ms after the 1000th packet");
        await Task.Delay(delay, TestContext.Current.CancellationToken);
        await run.SignalAsync(signal);
        await run.WaitAsync(TimeSpan.FromSeconds(60));
        Log(run.Error);

        Assert.True(run.ExitCode == exitCode, $"exit {run.ExitCode}: {run.Error}");
        AssertNoStackTrace(run);
        var printed = PortsRun.OpenPorts(run.Out, out var stats);
        var written = PortsRun.OpenPorts(await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken), out _);
        Assert.True(stats.GetProperty("interrupted").GetBoolean());
        Assert.Equal(printed, written);
        Assert.Equal(run.EngineOpenCount(), printed.Length);
        Assert.Equal(run.Announced(), printed);
        Assert.Subset(open.ToHashSet(), printed.ToHashSet());
        Assert.NotEmpty(printed);
        Log($"{printed.Length} open ports decided before the signal");

        // Saved: the checkpoint in --db resumes, and the finished scan finds exactly the ports that answer.
        var hint = run.ErrorLines.Single(l => l.Contains("--resume ", StringComparison.Ordinal));
        var id = hint[(hint.LastIndexOf("--resume ", StringComparison.Ordinal) + 9)..].TrimEnd('\'');
        using var resumed = await lab.RunPortsAsync(TimeSpan.FromSeconds(180), "scan", "--resume", id, "--db", db, "--format", "json", "--no-progress");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Equal(open, PortsRun.OpenPorts(resumed.Out, out var final));
        Assert.False(final.GetProperty("interrupted").GetBoolean());
    }

    // Bounded by the run's own timeout (RunPortsAsync).
    [Theory]
    [InlineData("missing-directory", "--connect", "json")]
    [InlineData("directory", "--connect", "json")]
    [InlineData("read-only", "--connect", "json")]
    [InlineData("missing-directory", "--syn", "jsonl")]
    [InlineData("directory", "--syn", "xml")]
    [InlineData("read-only", "--udp", "csv")]
    public async Task OutputToABadPath_ExitsTwo_BeforeAnyPacket(string place, string technique, string extension)
    {
        RequireRaw(technique);
        using var lab = await PipelineLab.CreateAsync();
        var readOnly = lab.PathOf("ro");
        string path;
        switch (place)
        {
            case "missing-directory":
                path = Path.Combine(lab.PathOf("missing"), "out." + extension);
                break;
            case "directory":
                path = lab.PathOf("out." + extension);
                Directory.CreateDirectory(path);
                break;
            default:
                Directory.CreateDirectory(readOnly);
                var (mounted, _, mountError) = await Scanning.NetworkNamespace.RunAsync("mount", ["-t", "tmpfs", "-o", "ro,size=16k", "tmpfs", readOnly], TimeSpan.FromSeconds(10));
                Assert.True(mounted == 0, mountError);
                path = Path.Combine(readOnly, "out." + extension);
                break;
        }
        try
        {
            using var run = await lab.RunPortsAsync(TimeSpan.FromSeconds(120), "scan", "127.0.0.1", "-p", "1-2000", technique, "-o", path, "--format", "json", "--no-progress");
            Assert.Equal(2, run.ExitCode);
            Assert.Equal("", run.Out);
            var line = Assert.Single(run.ErrorLines);
            Assert.Contains(path, line, StringComparison.Ordinal);
            Assert.Equal(0, await lab.PacketsSentAsync());
        }
        finally
        {
            if (place == "read-only")
            {
                await Scanning.NetworkNamespace.RunAsync("umount", [readOnly], TimeSpan.FromSeconds(10));
            }
        }
    }

    [Theory(Timeout = 300_000)]
    [InlineData("--connect", 11)]
    [InlineData("--syn", 12)]
    [InlineData("--udp", 13)]
    public async Task SlowScan_FirstJsonlLine_ArrivesLongBeforeTheEnd_OnStdoutAndInTheFile(string technique, int seed)
    {
        RequireRaw(technique);
        var random = new Random(seed);
        using var lab = await PipelineLab.CreateAsync();
        // 400 ports at 40 a second: 10 s of scanning; one in ten answers.
        var open = Enumerable.Range(1, 400).Where(_ => random.Next(10) == 0).ToArray();
        await lab.StartRespondersAsync(technique == "--udp" ? "udp" : "tcp", open);
        var file = lab.PathOf("out.jsonl");
        using var run = lab.StartPorts("scan", "127.0.0.1", "-p", "1-400", technique, "--rate", "40", "--seed", seed.ToString(s_inv),
            "--format", "jsonl", "-o", file, "--no-save");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan? inFile = null;
        while (!run.HasExited)
        {
            if (inFile is null && File.Exists(file) && (await ReadSharedAsync(file)).Contains('\n', StringComparison.Ordinal))
            {
                inFile = clock.Elapsed;
            }
            await Task.Delay(20, TestContext.Current.CancellationToken);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "the scan did not end");
        }
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(run.ExitCode == 0, run.Error);
        var first = run.OutLines[0];
        Log($"{technique}: first line on stdout at {first.At.TotalSeconds:0.00} s, in the file at {inFile?.TotalSeconds:0.00} s, exit at {run.ExitedAt.TotalSeconds:0.00} s");
        using (var line = JsonDocument.Parse(first.Line))
        {
            Assert.Equal("open", line.RootElement.GetProperty("state").GetString());
        }
        Assert.True(first.At + TimeSpan.FromSeconds(5) < run.ExitedAt, $"first line at {first.At}, exit at {run.ExitedAt}");
        Assert.NotNull(inFile);
        Assert.True(inFile + TimeSpan.FromSeconds(5) < clock.Elapsed, $"first line in the file at {inFile}, exit at about {clock.Elapsed}");
        var ports = (await File.ReadAllLinesAsync(file, TestContext.Current.CancellationToken)).SkipLast(1)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("port").GetInt32()).Order();
        Assert.Equal(open, ports);
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    // Bounded by the run's own timeout (RunPortsAsync) and the capture's lifetime.
    [Theory]
    [InlineData("--syn", 50)]
    [InlineData("--syn", 500)]
    [InlineData("--syn", 5000)]
    [InlineData("--connect", 50)]
    [InlineData("--connect", 500)]
    [InlineData("--udp", 50)]
    [InlineData("--udp", 500)]
    public async Task RateCap_HoldsOverEveryHundredMilliseconds(string technique, int rate)
    {
        RequireRaw(technique);
        using var lab = await PipelineLab.CreateAsync();
        var stop = await lab.StartCaptureAsync(technique == "--udp" ? "udp" : "tcp-syn");
        // About two seconds of probes at the cap; every port is closed, so each is answered at once.
        var count = Math.Max(100, rate * 2);
        using var run = await lab.RunPortsAsync(TimeSpan.FromSeconds(120), "scan", "127.0.0.1", "-p", $"1-{count}", technique, "--rate", rate.ToString(s_inv),
            "--seed", "5", "--format", "json", "--no-save", "--no-progress");
        var sends = await stop();
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.True(sends.Length >= count, $"captured {sends.Length} probes of {count}");
        Array.Sort(sends);
        // At most 10% above the cap over any 100 ms window, plus one send batch of the raw engine.
        var window = 100_000_000L;
        var most = 0;
        var mostStart = 0;
        var start = 0;
        for (var end = 0; end < sends.Length; end++)
        {
            while (sends[end] - sends[start] >= window)
            {
                start++;
            }
            if (end - start + 1 > most)
            {
                most = end - start + 1;
                mostStart = start;
            }
        }
        // Where the busiest window lies and how its sends spread over 10 ms steps, to tell a rush from a drift.
        var bins = new int[10];
        for (var i = mostStart; i < mostStart + most; i++)
        {
            bins[Math.Min(9, (int)((sends[i] - sends[mostStart]) / 10_000_000))]++;
        }
        Log($"busiest window starts {(sends[mostStart] - sends[0]) / 1e9:0.000} s in; by 10 ms: {string.Join(' ', bins)}");
        var bound = (int)Math.Floor(rate * 0.1 * 1.1) + SendBatch;
        var seconds = (sends[^1] - sends[0]) / 1e9;
        Log($"{technique} --rate {rate}: {sends.Length} probes over {seconds:0.000} s ({sends.Length / seconds:0} a second); most in 100 ms: {most} (bound {bound})");
        Assert.True(most <= bound, $"{most} probes in one 100 ms window; the cap allows {bound}; by 10 ms: {string.Join(' ', bins)}, {(sends[mostStart] - sends[0]) / 1e9:0.000} s in");
        Assert.True(sends.Length / seconds <= rate * 1.1, $"{sends.Length / seconds:0} probes a second on average");
    }

    [Fact(Timeout = 300_000)]
    public async Task DiskFullDuringACheckpoint_TheScanFinishesPrintsAndWritesElsewhere_AndWarnsOnce()
    {
        using var lab = await PipelineLab.CreateAsync();
        var open = RandomPorts(new Random(21), 400).Where(p => p <= 8000).Select(p => p % 600 + 1).Distinct().Order().ToArray();
        await lab.StartRespondersAsync("tcp", open);
        var full = lab.PathOf("full");
        Directory.CreateDirectory(full);
        var (mounted, _, mountError) = await Scanning.NetworkNamespace.RunAsync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", full], TimeSpan.FromSeconds(10));
        Assert.True(mounted == 0, mountError);
        try
        {
            var db = Path.Combine(full, "history.db");
            var file = lab.PathOf("out.json");
            // 600 ports at 100 a second: 6 s, with a checkpoint every second.
            using var run = lab.StartPorts("scan", "127.0.0.1", "-p", "1-600", "--connect", "--rate", "100", "--seed", "21",
                "--format", "json", "-o", file, "--db", db, "--no-progress");
            await WaitForPacketsAsync(lab, run, 100, TimeSpan.FromSeconds(60));
            Assert.True(File.Exists(db), "the store was not created");
            // Fill the disk that holds the store and its checkpoints.
            var filled = 0L;
            try
            {
                await using var filler = new FileStream(Path.Combine(full, "filler"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
                var block = new byte[4096];
                while (true)
                {
                    await filler.WriteAsync(block, TestContext.Current.CancellationToken);
                    filled += block.Length;
                }
            }
            catch (IOException)
            {
                // Full.
            }
            Log($"filled the store's disk with {filled} bytes");
            await run.WaitAsync(TimeSpan.FromSeconds(60));
            Log(run.Error);

            AssertNoStackTrace(run);
            Assert.All(run.ErrorLines, l => Assert.StartsWith("ports: ", l, StringComparison.Ordinal));
            Assert.Single(run.ErrorLines, l => l.Contains("cannot save a checkpoint", StringComparison.Ordinal));
            Assert.Equal(open, PortsRun.OpenPorts(run.Out, out var stats));
            Assert.False(stats.GetProperty("interrupted").GetBoolean());
            Assert.Equal(open, PortsRun.OpenPorts(await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken), out _));
            // The history could not take the scan: a runtime failure, said in one line.
            Assert.Equal(1, run.ExitCode);
        }
        finally
        {
            await Scanning.NetworkNamespace.RunAsync("umount", [full], TimeSpan.FromSeconds(10));
        }
    }

    [Theory(Timeout = 300_000)]
    [InlineData("json")]
    [InlineData("jsonl")]
    [InlineData("xml")]
    public async Task OutputToDevFull_PrintsAndSaves_ThenExitsOneInOneLine(string format)
    {
        using var lab = await PipelineLab.CreateAsync();
        var open = new[] { 7, 80, 150, 299 };
        await lab.StartRespondersAsync("tcp", open);
        var db = lab.PathOf("history.db");
        using var run = await lab.RunPortsAsync(TimeSpan.FromSeconds(120), "scan", "127.0.0.1", "-p", "1-300", "--connect",
            "-o", "/dev/full", "--output-format", format, "--format", "json", "--db", db, "--no-progress");
        Log(run.Error);
        Assert.Equal(1, run.ExitCode);
        AssertNoStackTrace(run);
        Assert.Equal(open, PortsRun.OpenPorts(run.Out, out _));
        Assert.Single(run.ErrorLines, l => l.Contains("/dev/full", StringComparison.Ordinal));
        await using var store = PortAtlas.Storage.ScanStore.OpenReadOnly(db);
        var saved = Assert.Single(await store.ListAsync(cancellationToken: TestContext.Current.CancellationToken));
        var stored = await store.GetAsync(saved.Id, TestContext.Current.CancellationToken);
        Assert.Equal(open, stored!.Report.Hosts.SelectMany(h => h.Ports).Where(p => p.State == PortState.Open).Select(p => p.Port).Order());
    }

    [Fact(Timeout = 400_000)]
    public async Task ResumeOfAnInterruptedDetectScan_KeepsWhatWasDetected_AndDetectsTheRest()
    {
        var random = new Random(31);
        using var lab = await PipelineLab.CreateAsync();
        var open = Enumerable.Range(1, 1200).Where(_ => random.Next(50) == 0).ToArray();
        var before = await lab.StartBannerAsync("SSH-2.0-OpenSSH_9.6p1 Debian-4", open);
        var db = lab.PathOf("history.db");
        // 1200 ports at 150 a second: 8 s; stopped once a third of the open ports were announced (detected).
        using var run = lab.StartPorts("scan", "127.0.0.1", "-p", "1-1200", "--connect", "--rate", "150", "--seed", "31", "--detect",
            "--format", "json", "--db", db, "-v", "--no-progress");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (run.Announced().Length < open.Length / 3)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60) && !run.HasExited, $"too few ports announced: {run.Error}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        await run.SignalAsync("INT");
        await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 130, run.Error);
        var hint = run.ErrorLines.Single(l => l.Contains("--resume ", StringComparison.Ordinal));
        var id = hint[(hint.LastIndexOf("--resume ", StringComparison.Ordinal) + 9)..].TrimEnd('\'');

        // What the checkpoint holds as identified is what a resume must keep; the servers now say another version.
        HashSet<int> kept;
        await using (var store = PortAtlas.Storage.ScanStore.OpenReadOnly(db))
        {
            var checkpoint = await store.GetCheckpointAsync(long.Parse(id, s_inv), TestContext.Current.CancellationToken);
            Assert.NotNull(checkpoint);
            kept = [.. checkpoint.Partial.Hosts.Concat(checkpoint.Identified?.Hosts ?? []).SelectMany(h => h.Ports)
                .Where(p => p.State == PortState.Open && p.Service?.Version is not null).Select(p => p.Port)];
        }
        Log($"{run.Announced().Length} ports announced before SIGINT; the checkpoint keeps {kept.Count} identified");
        Assert.NotEmpty(kept);
        before.StandardInput.Close();
        await before.WaitForExitAsync(TestContext.Current.CancellationToken);
        await lab.StartBannerAsync("SSH-2.0-OpenSSH_9.7p1 Debian-1", open);

        using var resumed = await lab.RunPortsAsync(TimeSpan.FromSeconds(120), "scan", "--resume", id, "--db", db, "--format", "json", "--no-progress");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        using var json = JsonDocument.Parse(resumed.Out);
        var ports = json.RootElement.GetProperty("hosts").EnumerateArray().SelectMany(h => h.GetProperty("ports").EnumerateArray())
            .Where(p => p.GetProperty("state").GetString() == "open")
            .ToDictionary(p => p.GetProperty("port").GetInt32(), p => (p.GetProperty("product").GetString(), p.GetProperty("version").GetString()));
        Assert.Equal(open, ports.Keys.Order());
        Assert.All(open, port => Assert.Equal(("OpenSSH", kept.Contains(port) ? "9.6p1" : "9.7p1"), ports[port]));
    }
}
