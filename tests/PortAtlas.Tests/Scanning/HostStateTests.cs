using System.Net;
using Microsoft.Extensions.Time.Testing;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Scanning;

public sealed class HostStateTests
{
    private static readonly ScanOptions s_options = new()
    {
        InitialTimeout = TimeSpan.FromSeconds(1),
        MinTimeout = TimeSpan.FromMilliseconds(100),
        MaxTimeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public void Timeout_DoublesPerRetransmission_UpToTheMaximum()
    {
        var host = new HostState(IPAddress.Loopback);
        Assert.Equal(TimeSpan.FromSeconds(1), host.Timeout(s_options, 0));
        Assert.Equal(TimeSpan.FromSeconds(2), host.Timeout(s_options, 1));
        Assert.Equal(TimeSpan.FromSeconds(8), host.Timeout(s_options, 3));
        Assert.Equal(TimeSpan.FromSeconds(10), host.Timeout(s_options, 4));
        Assert.Equal(TimeSpan.FromSeconds(10), host.Timeout(s_options, 60));
    }

    [Fact]
    public void Timeout_AfterFastAnswers_FallsToTheMinimum()
    {
        var host = new HostState(IPAddress.Loopback);
        host.OnAnswer(TimeSpan.FromMilliseconds(1), attempt: 0);
        Assert.Equal(TimeSpan.FromMilliseconds(100), host.Timeout(s_options, 0));
    }

    [Fact]
    public void AllowedRetries_GrowsWithTheRetransmissionsAnswersNeeded()
    {
        var host = new HostState(IPAddress.Loopback);
        Assert.Equal(1, host.AllowedRetries(6));
        host.OnAnswer(TimeSpan.FromMilliseconds(1), attempt: 2);
        Assert.Equal(3, host.AllowedRetries(6));
        Assert.Equal(2, host.AllowedRetries(2));
        Assert.Equal(0, host.AllowedRetries(0));
    }

    [Fact]
    public void CheckTimeout_CountsFromTheFirstProbe()
    {
        var time = new FakeTimeProvider();
        var host = new HostState(IPAddress.Loopback);
        var limit = TimeSpan.FromSeconds(5);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(host.CheckTimeout(limit, time));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(host.CheckTimeout(limit, time));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(host.CheckTimeout(limit, time));
        Assert.True(host.TimedOut);
        Assert.False(host.CheckTimeout(null, time));
    }
}
