using BenchmarkDotNet.Attributes;
using PortAtlas.Registry;

namespace PortAtlas.Benchmarks;

/// <summary>Registry look-ups (aims: by number under 200 ns without allocation, by name under 2 µs) and load time (aim: under 20 ms).</summary>
[MemoryDiagnoser]
public class RegistryBenchmarks
{
    private readonly PortRegistry _registry = PortRegistry.Default;

    [Benchmark]
    public int LookupByNumber()
    {
        // Explain is what every printed scan row calls.
        var entry = _registry.Explain(443, Transport.Tcp);
        return _registry.AtPort(3389).Length + (entry is null ? 0 : 1);
    }

    [Benchmark]
    public int LookupByName() => _registry.ByName("ldaps").Length + _registry.ByName("ms-wbt-server").Length;

    [Benchmark]
    public int LookupQueryByName()
    {
        PortQuery.TryParse("ldaps", out var query, out _);
        return _registry.Lookup(query).Count;
    }

    [Benchmark]
    public int Load() => PortRegistry.LoadEmbedded().Entries.Count;
}
