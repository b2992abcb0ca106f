namespace PortAtlas.IntegrationTests.Scanning.Raw;

internal static class RawCapabilityProbe
{
    public static bool Available => PortAtlas.Scanning.Raw.RawCapability.IsAvailable;
}
