namespace PortAtlas.Scanning.Raw;

/// <summary>The kinds of host discovery probe.</summary>
public enum DiscoveryProbeKind
{
    /// <summary>ICMP echo request (nmap's -PE).</summary>
    IcmpEcho,
    /// <summary>ICMP timestamp request (nmap's -PP).</summary>
    IcmpTimestamp,
    /// <summary>TCP SYN to a port: SYN-ACK or RST means up (nmap's -PS).</summary>
    TcpSyn,
    /// <summary>TCP ACK to a port: RST means up (nmap's -PA).</summary>
    TcpAck,
    /// <summary>UDP datagram to a port: any reply or ICMP port unreachable means up (nmap's -PU).</summary>
    Udp,
}

/// <summary>One host discovery probe: its kind and, for TCP and UDP, the destination port (ignored for ICMP).</summary>
/// <param name="Kind">What is sent.</param>
/// <param name="Port">Destination port, 1-65535, for TCP and UDP probes.</param>
public readonly record struct DiscoveryProbe(DiscoveryProbeKind Kind, int Port = 0);
