using BenchmarkDotNet.Attributes;
using PortAtlas.Scanning;

namespace PortAtlas.Benchmarks.Scanning;

/// <summary>The scheduler's per-probe cost of choosing the next (host, port): one permutation lookup, no allocation.</summary>
[MemoryDiagnoser]
public class IndexPermutationBenchmarks
{
    private IndexPermutation _permutation = null!;

    [Params(65_535UL, 16_777_216UL * 1000UL)]
    public ulong Size { get; set; }

    [GlobalSetup]
    public void Setup() => _permutation = new IndexPermutation(Size, seed: 1);

    [Benchmark(OperationsPerInvoke = 1024)]
    public ulong Map()
    {
        ulong sum = 0;
        for (ulong i = 0; i < 1024; i++)
        {
            sum += _permutation.Map(i);
        }
        return sum;
    }
}
