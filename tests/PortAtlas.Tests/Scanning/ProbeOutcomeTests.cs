using System.Net.Sockets;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Scanning;

public sealed class ProbeOutcomeTests
{
    [Theory]
    [InlineData(SocketError.Success, nameof(ProbeAction.Decide), PortState.Open, "syn-ack")]
    [InlineData(SocketError.ConnectionRefused, nameof(ProbeAction.Decide), PortState.Closed, "conn-refused")]
    [InlineData(SocketError.ConnectionReset, nameof(ProbeAction.Decide), PortState.Closed, "reset")]
    [InlineData(SocketError.HostUnreachable, nameof(ProbeAction.Decide), PortState.Filtered, "host-unreach")]
    [InlineData(SocketError.NetworkUnreachable, nameof(ProbeAction.Decide), PortState.Filtered, "net-unreach")]
    [InlineData(SocketError.AccessDenied, nameof(ProbeAction.Decide), PortState.Filtered, "admin-prohibited")]
    [InlineData(SocketError.TimedOut, nameof(ProbeAction.Retry), PortState.Filtered, "no-response")]
    [InlineData(SocketError.OperationAborted, nameof(ProbeAction.Retry), PortState.Filtered, "no-response")]
    [InlineData(SocketError.AddressNotAvailable, nameof(ProbeAction.BackOff), PortState.Filtered, "local-error")]
    [InlineData(SocketError.TooManyOpenSockets, nameof(ProbeAction.BackOff), PortState.Filtered, "local-error")]
    [InlineData(SocketError.NoBufferSpaceAvailable, nameof(ProbeAction.BackOff), PortState.Filtered, "local-error")]
    public void Classify_SocketError_GivesNmapsStateAndReason(SocketError error, string action, PortState state, string reason)
    {
        var outcome = ProbeOutcome.Classify(error);
        Assert.Equal(action, outcome.Action.ToString());
        Assert.Equal(reason, outcome.Reason);
        if (action != nameof(ProbeAction.BackOff))
        {
            Assert.Equal(state, outcome.State);
        }
    }

    [Theory]
    [InlineData(111, SocketError.ConnectionRefused)]
    [InlineData(113, SocketError.HostUnreachable)]
    [InlineData(101, SocketError.NetworkUnreachable)]
    [InlineData(13, SocketError.AccessDenied)]
    [InlineData(1, SocketError.AccessDenied)]
    [InlineData(110, SocketError.TimedOut)]
    [InlineData(99, SocketError.AddressNotAvailable)]
    [InlineData(24, SocketError.TooManyOpenSockets)]
    [InlineData(0, SocketError.Success)]
    public void ToSocketError_LinuxErrno_MatchesWhatDotnetReports(int errno, SocketError expected) =>
        Assert.Equal(expected, LinuxSockets.ToSocketError(errno));

    [Fact]
    public void SelfConnect_IsClosedNotOpen()
    {
        Assert.Equal(PortState.Closed, ProbeOutcome.SelfConnect.State);
        Assert.Equal(ProbeAction.Decide, ProbeOutcome.SelfConnect.Action);
    }
}
