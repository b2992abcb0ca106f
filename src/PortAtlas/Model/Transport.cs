namespace PortAtlas.Model;

/// <summary>A transport protocol that carries port numbers.</summary>
public enum Transport : byte
{
    /// <summary>Transmission Control Protocol.</summary>
    Tcp,
    /// <summary>User Datagram Protocol.</summary>
    Udp,
    /// <summary>Stream Control Transmission Protocol.</summary>
    Sctp,
    /// <summary>Datagram Congestion Control Protocol.</summary>
    Dccp,
}

/// <summary>Text forms of <see cref="Transport"/>.</summary>
public static class TransportNames
{
    /// <summary>The lowercase name used by IANA and in every output format: tcp, udp, sctp, dccp.</summary>
    public static string ToName(this Transport transport) => transport switch
    {
        Transport.Tcp => "tcp",
        Transport.Udp => "udp",
        Transport.Sctp => "sctp",
        _ => "dccp",
    };

    /// <summary>Parses tcp, udp, sctp or dccp, in any case.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Transport transport)
    {
        if (text.Equals("tcp", StringComparison.OrdinalIgnoreCase)) { transport = Transport.Tcp; return true; }
        if (text.Equals("udp", StringComparison.OrdinalIgnoreCase)) { transport = Transport.Udp; return true; }
        if (text.Equals("sctp", StringComparison.OrdinalIgnoreCase)) { transport = Transport.Sctp; return true; }
        if (text.Equals("dccp", StringComparison.OrdinalIgnoreCase)) { transport = Transport.Dccp; return true; }
        transport = default;
        return false;
    }
}
