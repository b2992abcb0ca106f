using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(PortAtlas.Benchmarks.RegistryBenchmarks).Assembly).Run(args);
