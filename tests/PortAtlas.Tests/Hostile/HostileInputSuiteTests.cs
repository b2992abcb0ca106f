using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using PortAtlas.Storage;

namespace PortAtlas.Tests.Hostile;

/// <summary>
/// The hostile-input suite of issue 13: the real CLI, as a process, over a table of cases per defect class. Each case
/// asserts its exit code, at most one line on stderr when it fails and never a stack trace, no control bytes on
/// stdout or stderr, peak RSS under 300 MB, and the earlier scan in the history intact.
/// </summary>
[Trait("Category", "Hostile")]
public sealed class HostileInputSuiteTests(HostileFixture fixture) : IClassFixture<HostileFixture>
{
    private const long MaxRssKiB = 300 * 1024;

    public static TheoryData<string> Classes() => [.. HostileCases.All().Select(c => c.Class).Distinct()];

    [Fact]
    public void Suite_HasAtLeast150Cases() => Assert.True(HostileCases.All().Count() >= 150, $"{HostileCases.All().Count()} cases");

    [Theory]
    [MemberData(nameof(Classes))]
    public async Task Class_EveryCaseHolds(string defectClass)
    {
        var ct = TestContext.Current.CancellationToken;
        var cases = HostileCases.All().Where(c => c.Class == defectClass).ToList();
        var failures = new ConcurrentBag<string>();
        long peak = 0;
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, System.Environment.ProcessorCount), CancellationToken = ct }, async (c, token) =>
        {
            var result = await RunAsync(c, token);
            InterlockedMax(ref peak, result.PeakRssKiB);
            if (Judge(c, result) is { } failure)
            {
                failures.Add($"{c.Name}: {failure}");
            }
        });
        await AssertEarlierScanIntactAsync();
        Report(defectClass, cases.Count, cases.Count - failures.Count, peak);
        Assert.True(failures.IsEmpty, $"{failures.Count} of {cases.Count} failed:\n" + string.Join('\n', failures.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task History_ReadsPastAWriterHoldingTheLock()
    {
        var ct = TestContext.Current.CancellationToken;
        var db = fixture.P("locked.db");
        File.Copy(fixture.Db, db, overwrite: true);
        await using var writer = new SqliteConnection($"Data Source={db};Pooling=False");
        await writer.OpenAsync(ct);
        await using var begin = writer.CreateCommand();
        begin.CommandText = "PRAGMA journal_mode = WAL; BEGIN IMMEDIATE; INSERT INTO schema_version (version, applied_at) VALUES (50, 0);";
        await begin.ExecuteNonQueryAsync(ct);
        var result = await CliProcess.RunAsync(["history", "--db", db], Environment(), TimeSpan.FromSeconds(60), ct);
        Assert.Equal(0, result.ExitCode);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(10), $"history waited {result.Elapsed.TotalSeconds:0.0} s behind the writer");
        await using var rollback = writer.CreateCommand();
        rollback.CommandText = "ROLLBACK";
        await rollback.ExecuteNonQueryAsync(ct);
    }

    [Fact]
    public async Task ScanAndImport_WhileAnotherProcessHoldsTheWriteLock_GiveUpAfterTheStatedWait()
    {
        var ct = TestContext.Current.CancellationToken;
        var db = fixture.P("locked-writer.db");
        File.Copy(fixture.Db, db, overwrite: true);
        var output = fixture.P("locked-scan.json");
        var port = fixture.ListenPort.ToString(CultureInfo.InvariantCulture);
        CliProcess.Result scan, import;
        await using (var writer = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            await writer.OpenAsync(ct);
            await using var begin = writer.CreateCommand();
            begin.CommandText = "PRAGMA journal_mode = WAL; BEGIN IMMEDIATE; INSERT INTO schema_version (version, applied_at) VALUES (51, 0);";
            await begin.ExecuteNonQueryAsync(ct);
            scan = await CliProcess.RunAsync(["scan", "127.0.0.1", "-p", port, "-sT", "--db", db, "-o", output], Environment(), TimeSpan.FromSeconds(120), ct);
            import = await CliProcess.RunAsync(["import", fixture.P("hostile.xml"), "--db", db], Environment(), TimeSpan.FromSeconds(120), ct);
            await using var rollback = writer.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync(ct);
        }

        // The scan ran, printed and wrote its results, then said in one line that they were not saved, and exits 1.
        Assert.True(scan.ExitCode == 1, $"exit {scan.ExitCode}: {scan.ErrorText}");
        Assert.True(scan.ErrorText.Split('\n').Any(l => l.Contains("not saved", StringComparison.Ordinal) && l.Contains("gave up after 5 s", StringComparison.Ordinal)), scan.ErrorText);
        Assert.Contains($"{port}/tcp", scan.OutText, StringComparison.Ordinal);
        Assert.Matches($"\"port\":\\s*{port}\\b", await File.ReadAllTextAsync(output, ct));
        Assert.True(scan.Elapsed < TimeSpan.FromSeconds(40), $"the scan waited {scan.Elapsed.TotalSeconds:0.0} s");
        // An import says so in one line and exits 1.
        Assert.True(import.ExitCode == 1, $"exit {import.ExitCode}: {import.ErrorText}");
        Assert.Single(import.ErrorText.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("locked by another process (gave up after 5 s)", import.ErrorText, StringComparison.Ordinal);
        Assert.True(import.Elapsed < TimeSpan.FromSeconds(30), $"the import waited {import.Elapsed.TotalSeconds:0.0} s");
        await using var store = ScanStore.OpenReadOnly(db);
        Assert.Single(await store.ListAsync(cancellationToken: ct));
    }

    private Dictionary<string, string> Environment() => new() { ["XDG_DATA_HOME"] = fixture.DataHome, ["HOME"] = fixture.Dir, ["COLUMNS"] = "200" };

    private Task<CliProcess.Result> RunAsync(HostileCase c, CancellationToken ct)
    {
        var args = c.Args.Select(a => a.Replace("{dir}", fixture.Dir, StringComparison.Ordinal)
            .Replace("{db}", fixture.Db, StringComparison.Ordinal)
            .Replace("{port}", fixture.ListenPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)).ToArray();
        // Generous: the /16 imports take 20-30 s on an idle machine and several times that on a loaded one; a case judges exit, output and memory, not speed.
        return CliProcess.RunAsync(args, Environment(), TimeSpan.FromSeconds(400), ct);
    }

    private string? Judge(HostileCase c, CliProcess.Result r)
    {
        var error = r.ErrorText;
        if (r.ExitCode != c.Exit)
        {
            return $"exit {r.ExitCode}, expected {c.Exit}; stderr: {Excerpt(error)}";
        }
        if (error.Contains("   at ", StringComparison.Ordinal) || error.Contains("Exception:", StringComparison.Ordinal) || error.Contains("Unhandled", StringComparison.Ordinal))
        {
            return $"a stack trace or raw exception on stderr: {Excerpt(error)}";
        }
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (c.Exit != 0 && lines.Count(l => !l.StartsWith("ports: connect scan", StringComparison.Ordinal) && !l.StartsWith("ports: SYN scan", StringComparison.Ordinal)) > 1
            && !lines.Any(l => l.Contains("will not be saved", StringComparison.Ordinal)))
        {
            return $"{lines.Length} lines on stderr: {Excerpt(error)}";
        }
        if (ControlByte(r.Out) is { } o)
        {
            return $"control character {o} on stdout";
        }
        if (ControlByte(r.Error) is { } e)
        {
            return $"control character {e} on stderr";
        }
        if (r.PeakRssKiB > MaxRssKiB)
        {
            return $"peak RSS {r.PeakRssKiB / 1024} MB";
        }
        return c.Check?.Invoke(r, fixture);
    }

    /// <summary>The first byte or character that could drive a terminal: C0 other than tab, CR and LF; DEL; C1; bidi overrides.</summary>
    internal static string? ControlByte(byte[] bytes)
    {
        foreach (var b in bytes)
        {
            if ((b < 0x20 && b is not (0x09 or 0x0a or 0x0d)) || b == 0x7f)
            {
                return $"0x{b:x2}";
            }
        }
        foreach (var c in Encoding.UTF8.GetString(bytes))
        {
            if (c is (>= '\u0080' and <= '\u009f') or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069'))
            {
                return $"U+{(int)c:X4}";
            }
        }
        return null;
    }

    private async Task AssertEarlierScanIntactAsync()
    {
        await using var store = ScanStore.OpenReadOnly(fixture.Db);
        var first = (await store.ListAsync(new ScanFilter { Limit = 1_000_000 })).SingleOrDefault(s => s.Id == 1);
        Assert.NotNull(first);
        Assert.Equal(fixture.EarlierOpenPorts, first.OpenPorts);
        Assert.NotNull(await store.GetAsync(1));
    }

    private static string Excerpt(string text) => text.Length > 300 ? text[..300] + "…" : text;

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    // PORTATLAS_HOSTILE_REPORT=FILE collects "class<TAB>tried<TAB>held<TAB>peak MB" lines for bench/RESULTS.md.
    private static void Report(string defectClass, int tried, int held, long peakKiB)
    {
        if (System.Environment.GetEnvironmentVariable("PORTATLAS_HOSTILE_REPORT") is { Length: > 0 } path)
        {
            lock (typeof(HostileInputSuiteTests))
            {
                File.AppendAllText(path, $"{defectClass}\t{tried}\t{held}\t{peakKiB / 1024}\n");
            }
        }
    }
}
