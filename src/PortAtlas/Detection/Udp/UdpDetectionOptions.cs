namespace PortAtlas.Detection.Udp;

/// <summary>Settings of UDP service identification. Every wait is an upper bound: answers that come sooner end it.</summary>
public sealed record UdpDetectionOptions
{
    /// <summary>The settings used when none are given.</summary>
    public static UdpDetectionOptions Default { get; } = new();

    /// <summary>UDP ports identified at once by the streaming overload. Default 32; 1 to 1024.</summary>
    public int MaxConcurrency { get; init; } = 32;

    /// <summary>Wait for answers after one round of probes is sent. Default 1 s.</summary>
    public TimeSpan RoundWait { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Once a probe's answer is recognised, time left for the answers to its companions (version.bind beside id.server). Default 150 ms.</summary>
    public TimeSpan CompanionWait { get; init; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Times the likely probes of a port are sent again when nothing answered (datagrams get lost). Default 1; 0 to 5.</summary>
    public int Retries { get; init; } = 1;

    /// <summary>Most generic probes sent to a port when its likely probes got no answer, or it has none. Default 10; 0 to 16.</summary>
    public int MaxGenericProbes { get; init; } = 10;

    /// <summary>Total budget for one port; when it runs out, what was recognised so far is the result. Default 5 s.</summary>
    public TimeSpan PortTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most characters of <see cref="ServiceInfo.Evidence"/>. Default 160.</summary>
    public int MaxEvidenceLength { get; init; } = 160;

    /// <summary>Throws when a value is out of range.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrency, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxConcurrency, 1024);
        ArgumentOutOfRangeException.ThrowIfNegative(Retries);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Retries, 5);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxGenericProbes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxGenericProbes, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEvidenceLength, 16);
        foreach (var t in (ReadOnlySpan<TimeSpan>)[RoundWait, CompanionWait, PortTimeout])
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(t, TimeSpan.Zero);
        }
    }
}
