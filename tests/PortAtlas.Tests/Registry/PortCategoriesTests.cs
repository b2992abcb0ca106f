using PortAtlas.Registry;

namespace PortAtlas.Tests.Registry;

public sealed class PortCategoriesTests
{
    [Theory]
    [InlineData(0, PortCategory.WellKnown)]
    [InlineData(1023, PortCategory.WellKnown)]
    [InlineData(1024, PortCategory.Registered)]
    [InlineData(49151, PortCategory.Registered)]
    [InlineData(49152, PortCategory.Dynamic)]
    [InlineData(65535, PortCategory.Dynamic)]
    public void Of_Boundaries_FallInTheRightSpace(int port, PortCategory expected) =>
        Assert.Equal(expected, PortCategories.Of(port));
}
