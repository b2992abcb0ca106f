namespace PortAtlas.Model;

/// <summary>What a probe learned about a port, in nmap's vocabulary.</summary>
public enum PortState : byte
{
    /// <summary>A service accepted the probe (SYN-ACK, a completed connect, a UDP reply).</summary>
    Open,
    /// <summary>The host answered that nothing listens (TCP RST, ICMP port unreachable for UDP).</summary>
    Closed,
    /// <summary>No answer after retries, or an ICMP unreachable from a filter.</summary>
    Filtered,
    /// <summary>Silence where silence is also what an open port gives (UDP).</summary>
    OpenFiltered,
    /// <summary>Reachable, but open or closed cannot be told (ACK scan).</summary>
    Unfiltered,
}

/// <summary>Text forms of <see cref="PortState"/>.</summary>
public static class PortStateNames
{
    /// <summary>open, closed, filtered, open|filtered or unfiltered.</summary>
    public static string ToName(this PortState state) => state switch
    {
        PortState.Open => "open",
        PortState.Closed => "closed",
        PortState.Filtered => "filtered",
        PortState.OpenFiltered => "open|filtered",
        _ => "unfiltered",
    };

    /// <summary>Parses the names of <see cref="ToName"/>.</summary>
    public static bool TryParse(string text, out PortState state)
    {
        for (var s = PortState.Open; s <= PortState.Unfiltered; s++)
        {
            if (string.Equals(text, s.ToName(), StringComparison.OrdinalIgnoreCase))
            {
                state = s;
                return true;
            }
        }
        state = default;
        return false;
    }
}
