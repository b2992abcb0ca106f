using PortAtlas.Detection;

namespace PortAtlas.Tests.Detection;

/// <summary>Detection settings for tests against fake loopback servers.</summary>
internal static class FakeServerOptions
{
    /// <summary>Short waits, but with room for a loaded 2-core machine (load averages above 10 were seen).</summary>
    public static DetectionOptions Fast { get; } = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(3),
        BannerWait = TimeSpan.FromSeconds(1),
        ShortBannerWait = TimeSpan.FromMilliseconds(300),
        ProbeTimeout = TimeSpan.FromSeconds(2),
        IdleGap = TimeSpan.FromMilliseconds(150),
        TlsHandshakeTimeout = TimeSpan.FromSeconds(5),
        PortTimeout = TimeSpan.FromSeconds(8),
        MaxProbes = 3,
    };
}
