namespace PortAtlas.Scanning.Raw;

/// <summary>
/// Where a raw scan's time went (issue 16): each phase of the engine's own thread (discovery's and the sweep's passes,
/// split into sending and waiting, ICMP pacing, the connect check, the silent remainder) with its duration and packets.
/// Only the engine's thread records, and the list is read once the engine has finished.
/// </summary>
internal sealed partial class RawScanEngine
{
    private readonly List<RawScanPhase> _phases = [];
    private long _phaseStart;
    private long _phaseSent;

    /// <summary>The phases recorded so far, in order.</summary>
    internal IReadOnlyList<RawScanPhase> Phases => _phases;

    /// <summary>Starts timing the next phase from now.</summary>
    private void BeginPhase()
    {
        _phaseStart = _time.GetTimestamp();
        _phaseSent = PacketsSent;
    }

    /// <summary>Ends the current phase as <paramref name="name"/> and starts the next one from now.</summary>
    private void EndPhase(string name)
    {
        var now = _time.GetTimestamp();
        var sent = PacketsSent;
        _phases.Add(new RawScanPhase { Name = name, Elapsed = _time.GetElapsedTime(_phaseStart, now), Packets = sent - _phaseSent });
        _phaseStart = now;
        _phaseSent = sent;
    }
}
