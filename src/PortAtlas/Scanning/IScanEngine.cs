using System.Net;
using System.Runtime.CompilerServices;
using PortAtlas.Scanning.Raw;
using PortAtlas.Targets;

namespace PortAtlas.Scanning;

/// <summary>A decided port with its place in the engine's permutation (0 for engines without one).</summary>
internal readonly record struct EngineResult(ulong Index, PortResult Result);

/// <summary>
/// What <see cref="ScanSession"/> needs of an engine: stream every port it decides, as decided; on cancellation, stream
/// what was decided and stop. Engines only send and receive: no collecting, no printing.
/// </summary>
internal interface IScanEngine
{
    /// <summary>connect, syn, udp or sctp: the name checkpoints record it under.</summary>
    string Name { get; }

    /// <summary>Host × port pairs this engine decides in this run.</summary>
    ulong Pairs { get; }

    /// <summary>Probes sent so far.</summary>
    long ProbesSent { get; }

    /// <summary>
    /// Open verdicts the engine has reached so far, counted where it decides them (before it holds any back or streams
    /// them): the engine's own count, against which a session checks that nothing decided is lost.
    /// </summary>
    long OpenDecided { get; }

    /// <summary>Closed ports decided but not streamed yet (held as bits until the engine ends), for progress.</summary>
    long ClosedHeld => 0;

    /// <summary>Whether <see cref="EngineResult.Index"/> places results in a permutation that <see cref="SettledPrefix"/> settles.</summary>
    bool Indexed { get; }

    /// <summary>The settled prefix of the permutation (indexed engines); 0 otherwise.</summary>
    ulong SettledPrefix { get; }

    /// <summary>Notes for the user once the engine has run (hosts that answer everywhere, ICMP rate limits).</summary>
    IReadOnlyList<string> Notes { get; }

    /// <summary>Hosts given up on (host timeout).</summary>
    IEnumerable<IPAddress> TimedOutHosts { get; }

    /// <summary>The raw engine's statistics once it has run; null for the connect engine and before the end.</summary>
    RawScanStats? RawStats { get; }

    /// <summary>
    /// Hosts that answered nothing or a reset on every port, which the engine did not stream (<see cref="ScanOptions.UniformHostsImplicit"/>), once
    /// it has stopped; null when it streamed every port.
    /// </summary>
    UniformHosts? Uniform => null;

    /// <summary>Runs the engine; see the interface's remarks for cancellation.</summary>
    IAsyncEnumerable<EngineResult> RunAsync(CancellationToken cancellationToken);
}

/// <summary>The TCP connect engine behind <see cref="IScanEngine"/>; resumes from a permutation index.</summary>
internal sealed class ConnectEngine(TargetSet targets, PortList ports, ScanOptions options) : IScanEngine
{
    private readonly PortScanner _scanner = new();

    public string Name => "connect";

    public ulong Pairs => End - (options.Shard is { } shard ? shard.Range(AllPairs).Start : 0);

    /// <summary>The end of this engine's range of the permutation: every pair for an unsharded scan, the shard's end otherwise.</summary>
    public ulong End => options.Shard is { } shard ? shard.Range(AllPairs).End : AllPairs;

    private ulong AllPairs => targets.Count * (ulong)ports.Tcp.Count;

    public long ProbesSent => _scanner.Progress?.ProbesSent ?? 0;

    public long OpenDecided => _scanner.Progress?.Open ?? 0;

    public bool Indexed => true;

    public ulong SettledPrefix => _scanner.Progress?.DecidedPrefix ?? options.StartIndex;

    public IReadOnlyList<string> Notes => [];

    public RawScanStats? RawStats => null;

    public IEnumerable<IPAddress> TimedOutHosts => _scanner.TimedOutHosts;

    public async IAsyncEnumerable<EngineResult> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in _scanner.ScanIndexedAsync(targets, ports.TcpOnly(), options, cancellationToken).ConfigureAwait(false))
        {
            yield return new EngineResult(item.Index, item.Result);
        }
    }
}

/// <summary>A raw engine (SYN, UDP or SCTP) behind <see cref="IScanEngine"/>; a resumed raw engine sweeps again (its passes are cheap and stateless).</summary>
internal sealed class RawEngine(TargetSet targets, PortList ports, RawScanOptions options) : IScanEngine
{
    private readonly RawScanner _scanner = new();

    public string Name => options.ScanType.ToString().ToLowerInvariant();

    public ulong Pairs => options.Shard is { } shard ? shard.Range(AllPairs).End - shard.Range(AllPairs).Start : AllPairs;

    private ulong AllPairs => targets.Count * (ulong)(options.ScanType switch
    {
        RawScanType.Udp => ports.Udp.Count,
        RawScanType.Sctp => ports.Sctp.Count,
        _ => ports.Tcp.Count,
    });

    public long ProbesSent => _scanner.PacketsSent;

    public long OpenDecided => _scanner.OpenVerdicts;

    public long ClosedHeld => _scanner.ClosedHeld;

    public bool Indexed => false;

    public ulong SettledPrefix => 0;

    public IReadOnlyList<string> Notes => _scanner.LastStats?.Notes ?? [];

    public RawScanStats? RawStats => _scanner.LastStats;

    public IEnumerable<IPAddress> TimedOutHosts => [];

    public UniformHosts? Uniform => _scanner.LastUniform;

    public async IAsyncEnumerable<EngineResult> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var result in _scanner.ScanAsync(targets, ports, options, cancellationToken).ConfigureAwait(false))
        {
            yield return new EngineResult(0, result);
        }
    }
}
