using PortAtlas.Scanning.Raw;

namespace PortAtlas.Tests.Scanning.Raw;

public sealed class RawCapabilityTests
{
    [Fact]
    public void IsAvailable_AgreesWithTheReason()
    {
        Assert.Equal(RawCapability.IsAvailable, RawCapability.UnavailableReason is null);
    }

    [Fact]
    public void EnsureAvailable_WhenUnavailable_ThrowsOneLine()
    {
        if (RawCapability.IsAvailable)
        {
            RawCapability.EnsureAvailable("SYN");
            return;
        }
        var error = Assert.Throws<RawScanUnavailableException>(() => RawCapability.EnsureAvailable("SYN"));
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith("SYN scan needs raw sockets", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RejectsOutOfRangeOptions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RawScanOptions { Rate = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new RawScanOptions { MaxRetries = 0, MinRetries = 1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new RawScanOptions { CanaryPorts = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new RawScanOptions { SourcePort = 65535 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PortAtlas.Scanning.ScanOptions { SourcePort = 65535 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PortAtlas.Scanning.ScanOptions { MaxRetries = 51 }.Validate());
    }
}
