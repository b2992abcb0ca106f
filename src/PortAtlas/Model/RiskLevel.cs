namespace PortAtlas.Model;

/// <summary>How dangerous it is for a service to be reachable from an untrusted network.</summary>
public enum RiskLevel : byte
{
    /// <summary>Nothing to act on.</summary>
    Info,
    /// <summary>Expected on servers; keep it patched.</summary>
    Low,
    /// <summary>Worth a look: often misconfigured or leaks information.</summary>
    Medium,
    /// <summary>Should rarely face an untrusted network.</summary>
    High,
    /// <summary>Exposure is itself an incident: unauthenticated access or a backdoor.</summary>
    Critical,
}

/// <summary>Where a registry entry comes from.</summary>
public enum EntrySource : byte
{
    /// <summary>The IANA Service Name and Transport Protocol Port Number Registry.</summary>
    Iana,
    /// <summary>PortAtlas's own knowledge about an IANA-assigned service.</summary>
    Curated,
    /// <summary>PortAtlas's own knowledge about a use IANA does not assign (vendor defaults, trojans).</summary>
    Unofficial,
}

/// <summary>Text forms of <see cref="RiskLevel"/> and <see cref="EntrySource"/>.</summary>
public static class RegistryNames
{
    /// <summary>info, low, medium, high or critical.</summary>
    public static string ToName(this RiskLevel risk) => risk switch
    {
        RiskLevel.Info => "info",
        RiskLevel.Low => "low",
        RiskLevel.Medium => "medium",
        RiskLevel.High => "high",
        _ => "critical",
    };

    /// <summary>Parses info, low, medium, high or critical.</summary>
    public static bool TryParseRisk(ReadOnlySpan<char> text, out RiskLevel risk)
    {
        for (var r = RiskLevel.Info; r <= RiskLevel.Critical; r++)
        {
            if (text.Equals(r.ToName(), StringComparison.OrdinalIgnoreCase))
            {
                risk = r;
                return true;
            }
        }
        risk = default;
        return false;
    }

    /// <summary>iana, curated or unofficial.</summary>
    public static string ToName(this EntrySource source) => source switch
    {
        EntrySource.Iana => "iana",
        EntrySource.Curated => "curated",
        _ => "unofficial",
    };
}
