using BenchmarkDotNet.Attributes;
using PortAtlas.Scanning;
using PortAtlas.Storage;
using PortAtlas.StoreHarness;

namespace PortAtlas.Benchmarks.Storage;

/// <summary>
/// Saving and diffing a scan of a /24 × 1000 ports (256 hosts, ~1.5% open): as the scanner reports it (open ports
/// listed, the rest counted per host) and with every port listed (--all). Run with
/// <c>dotnet run -c Release --project bench/PortAtlas.Benchmarks -- --filter '*StorageBenchmarks*'</c>;
/// numbers in bench/storage-results.md.
/// </summary>
[MemoryDiagnoser]
public class StorageBenchmarks
{
    private ScanReport _report = null!;
    private ScanReport _changed = null!;
    private string _directory = null!;
    private IScanStore _store = null!;

    /// <summary>List every port (256 000 rows) or only the open ones (~3 800).</summary>
    [Params(false, true)]
    public bool EveryPort { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _report = SyntheticReports.Create(256, 1000, 0.015, seed: 1, listEveryPort: EveryPort);
        _changed = SyntheticReports.Mutate(_report, seed: 2);
        _directory = Directory.CreateTempSubdirectory("pa-bench-").FullName;
        _store = ScanStore.Open(Path.Combine(_directory, "history.db"));
        _store.GetSchemaVersionAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public Task<long> SaveSqlite() => _store.SaveAsync(_report, new ScanMetadata { Targets = ["198.18.0.0/24"] });

    [Benchmark]
    public ScanDiffResult Diff() => ScanDiff.Compare(_report, _changed);

    [Benchmark]
    public byte[] SerializeJson() => ScanReportJson.ToUtf8Bytes(_report);
}
