using System.Net;
using PortAtlas.Scanning.Packets;
using PortAtlas.Scanning.Raw;

namespace PortAtlas.Tests.Scanning.Raw;

public sealed class SafeTargetsTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.255.255.254", true)]
    [InlineData("198.18.0.2", true)]
    [InlineData("198.19.255.255", true)]
    [InlineData("198.17.255.255", false)]
    [InlineData("198.20.0.0", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("192.0.2.2", false)]
    [InlineData("::1", true)]
    [InlineData("::2", false)]
    [InlineData("fd00::2", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    public void IsSafe_AllowsLoopbackAndTheBenchmarkingRangeOnly(string address, bool safe)
    {
        var ip = IPAddress.Parse(address);

        Assert.Equal(safe, SafeTargets.IsSafe(IpPair.ToValue(ip), ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6));
    }
}
