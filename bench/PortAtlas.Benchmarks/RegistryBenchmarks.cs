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

    /// <summary>What `ports 443` pays: read the resources, index every row, decode only the rows printed.</summary>
    [Benchmark]
    public int Load() => PortRegistry.LoadEmbedded().AtPort(443).ToArray().Length;

    /// <summary>What search and list pay: every row decoded.</summary>
    [Benchmark]
    public int LoadAndDecodeAll() => PortRegistry.LoadEmbedded().Entries.Count;
}
