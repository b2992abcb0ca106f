using System.Net.Sockets;

namespace PortAtlas.Scanning;

/// <summary>What the engine does with the result of one connection attempt.</summary>
internal enum ProbeAction : byte
{
    /// <summary>The port's state is decided.</summary>
    Decide,
    /// <summary>No answer: retransmit while retries remain, then filtered.</summary>
    Retry,
    /// <summary>A local shortage (ports, descriptors, buffers): wait and try again; it says nothing about the target.</summary>
    BackOff,
}

/// <summary>The verdict on one connection attempt.</summary>
/// <param name="Action">What to do next.</param>
/// <param name="State">The port state when <paramref name="Action"/> is <see cref="ProbeAction.Decide"/>.</param>
/// <param name="Reason">nmap's reason vocabulary: syn-ack, conn-refused, no-response, host-unreach, ...</param>
/// <param name="Answered">True when the target answered (its round trip is a valid RTT sample).</param>
internal readonly record struct ProbeOutcome(ProbeAction Action, PortState State, string Reason, bool Answered)
{
    /// <summary>The outcome of a connection attempt that timed out (our timer, or the kernel's ETIMEDOUT).</summary>
    public static ProbeOutcome NoResponse { get; } = new(ProbeAction.Retry, PortState.Filtered, "no-response", false);

    /// <summary>A connection to ourselves (TCP simultaneous open on loopback): nothing listens there.</summary>
    public static ProbeOutcome SelfConnect { get; } = new(ProbeAction.Decide, PortState.Closed, "self-connect", true);

    /// <summary>Maps the socket error of a finished connect() to an outcome.</summary>
    public static ProbeOutcome Classify(SocketError error) => error switch
    {
        SocketError.Success => new(ProbeAction.Decide, PortState.Open, "syn-ack", true),
        // A RST answered the SYN.
        SocketError.ConnectionRefused => new(ProbeAction.Decide, PortState.Closed, "conn-refused", true),
        SocketError.ConnectionReset => new(ProbeAction.Decide, PortState.Closed, "reset", true),
        // ICMP destination unreachable (RFC 1122 3.2.2.1); Linux also reports code 13, communication administratively prohibited, as EHOSTUNREACH.
        SocketError.HostUnreachable => new(ProbeAction.Decide, PortState.Filtered, "host-unreach", true),
        SocketError.HostDown => new(ProbeAction.Decide, PortState.Filtered, "host-unreach", true),
        SocketError.NetworkUnreachable => new(ProbeAction.Decide, PortState.Filtered, "net-unreach", true),
        SocketError.NetworkDown => new(ProbeAction.Decide, PortState.Filtered, "net-unreach", false),
        // EACCES/EPERM: a local firewall rule or a route of type prohibit refused the SYN.
        SocketError.AccessDenied => new(ProbeAction.Decide, PortState.Filtered, "admin-prohibited", false),
        SocketError.ProtocolNotSupported or SocketError.ProtocolOption => new(ProbeAction.Decide, PortState.Filtered, "proto-unreach", true),
        SocketError.TimedOut or SocketError.OperationAborted => NoResponse,
        // Ephemeral ports, descriptors or kernel buffers ran out here: back off rather than misreport the target.
        SocketError.AddressNotAvailable or SocketError.NoBufferSpaceAvailable or SocketError.TooManyOpenSockets
            or SocketError.AddressAlreadyInUse or SocketError.TryAgain => new(ProbeAction.BackOff, PortState.Filtered, "local-error", false),
        _ => new(ProbeAction.Decide, PortState.Filtered, "error", false),
    };
}
