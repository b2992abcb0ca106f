using PortAtlas.Storage;

namespace PortAtlas.Tests.Hostile;

/// <summary>A --db that looks like a PostgreSQL connection string but cannot be one is a bad location (exit 2), not an internal error.</summary>
[Trait("Category", "Hostile")]
public sealed class StoreLocationHostileTests
{
    [Theory]
    [InlineData("Host=;Password=hunter2")]
    [InlineData("Host= ;Database=x;Password=hunter2")]
    [InlineData("Server=;Password=hunter2")]
    public void Open_AConnectionStringWithoutAHost_IsABadLocation_ThatKeepsThePassword(string location)
    {
        var error = Assert.Throws<ScanStoreException>(() => ScanStore.Open(location));
        Assert.True(error.IsBadLocation);
        Assert.Contains("names no Host", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }
}
