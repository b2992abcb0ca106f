using System.Net;
using System.Runtime.CompilerServices;
using PortAtlas.Scanning;
using PortAtlas.Scanning.Raw;
using PortAtlas.Targets;

namespace PortAtlas.TestSupport;

// Engines that send nothing, for measuring the session, collector and writers at sizes the lab cannot hold (issue 17):
// shared by the memory tests and the scale harness.

/// <summary>An engine that sends nothing and yields the results its subclass makes up, for a plan's targets and ports.</summary>
internal abstract class MadeUpEngine(TargetSet targets, PortList ports) : IScanEngine
{
    // The name the plans here (connect) finish their TCP engine under, so that a resumed session does not run it again.
    public string Name => "connect";

    public ulong Pairs => targets.Count * (ulong)ports.Tcp.Count;

    public long ProbesSent => 0;

    public long OpenDecided => 0;

    public bool Indexed => false;

    public ulong SettledPrefix => 0;

    public IReadOnlyList<string> Notes => [];

    public IEnumerable<IPAddress> TimedOutHosts => [];

    public PortAtlas.Scanning.Raw.RawScanStats? RawStats => null;

    public UniformHosts? Uniform { get; protected set; }

    protected TargetSet Targets => targets;

    protected PortList Ports => ports;

    public async IAsyncEnumerable<EngineResult> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        ulong index = 0;
        foreach (var result in Results())
        {
            yield return new EngineResult(index++, result);
        }
    }

    protected abstract IEnumerable<PortResult> Results();
}

/// <summary>
/// Every port of every host filtered, host after host, as the raw engine's silent remainder; or, <paramref name="asBits"/>,
/// every host handed over as silent at the end, as the raw engine does when the session asks.
/// </summary>
internal sealed class SilentEngine(TargetSet targets, PortList ports, bool asBits) : MadeUpEngine(targets, ports)
{
    protected override IEnumerable<PortResult> Results()
    {
        if (asBits)
        {
            // As the raw engine: its record of answers over hosts × (ports + 3 canaries), empty in silent space, tells
            // which hosts answered nothing.
            var stride = (ulong)Ports.Tcp.Count + 3;
            var answered = new ProbeBits(Targets.Count * stride);
            var silent = new UniformHosts(Targets, Ports.Tcp.Count, PortState.Filtered);
            for (ulong host = 0; host < Targets.Count; host++)
            {
                if (!answered.AnyIn(host * stride, Ports.Tcp.Count))
                {
                    silent.Add(host);
                }
            }
            Uniform = silent;
            yield break;
        }
        foreach (var address in Targets.Enumerate())
        {
            foreach (var port in Ports.Tcp)
            {
                yield return new PortResult { Address = address, Port = port, State = PortState.Filtered, Reason = "no-response" };
            }
        }
    }
}
