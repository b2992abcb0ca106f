using PortAtlas.Scanning.Packets;
using PortAtlas.Scanning.Raw;
using PortAtlas.Targets;

namespace PortAtlas.Tests.Scanning.Raw;

/// <summary>
/// The source-address cache the two send lanes share. Learning a source connects a UDP socket, which sends nothing;
/// every destination here is in 127.0.0.0/8.
/// </summary>
public sealed class SourceAddressesTests
{
    [Fact]
    public void PastAMillionHosts_TwoLanesFillingThePrefixCacheAtOnce_AgreeAndNeverThrow()
    {
        // A /11 is past the per-host array: sources are kept per /24, which both lanes add to. A plain dictionary there
        // failed a SYN scan of a /8 within a second ("concurrent update ... corrupted its state").
        var hosts = TargetSpecParser.Parse(["127.0.0.0/11"]).Value!;
        var sources = new SourceAddresses(hosts);
        var loopback = IpPair.ToValue(System.Net.IPAddress.Loopback);
        var failures = 0;

        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, lane =>
        {
            var random = new Random(lane);
            for (var i = 0; i < 20_000; i++)
            {
                var index = (ulong)random.NextInt64((long)hosts.Count);
                var destination = IpPair.ToValue(hosts.GetAddress(index));
                if (!sources.TryGet(index, destination, isIPv6: false, out var source) || source != loopback)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        Assert.Equal(0, failures);
    }

    [Fact]
    public void WithinTheArray_ASourceIsLearntOnceAndKept()
    {
        var hosts = TargetSpecParser.Parse(["127.0.0.0/24"]).Value!;
        var sources = new SourceAddresses(hosts);
        var destination = IpPair.ToValue(hosts.GetAddress(7));

        Assert.True(sources.TryGet(7, destination, isIPv6: false, out var first));
        Assert.True(sources.TryGet(7, destination, isIPv6: false, out var second));
        Assert.Equal(IpPair.ToValue(System.Net.IPAddress.Loopback), first);
        Assert.Equal(first, second);
    }
}
