namespace PortAtlas.Registry;

/// <summary>The three number spaces of RFC 6335, section 6.</summary>
public enum PortCategory : byte
{
    /// <summary>System ports, 0-1023.</summary>
    WellKnown,
    /// <summary>User ports, 1024-49151.</summary>
    Registered,
    /// <summary>Dynamic and private ports, 49152-65535.</summary>
    Dynamic,
}

/// <summary>Which number space a port falls in.</summary>
public static class PortCategories
{
    /// <summary>The highest well-known port.</summary>
    public const int LastWellKnown = 1023;
    /// <summary>The highest registered port.</summary>
    public const int LastRegistered = 49151;

    /// <summary>The category of <paramref name="port"/> (0-65535).</summary>
    public static PortCategory Of(int port) => port switch
    {
        <= LastWellKnown => PortCategory.WellKnown,
        <= LastRegistered => PortCategory.Registered,
        _ => PortCategory.Dynamic,
    };

    /// <summary>well-known, registered or dynamic, as in the JSON contract.</summary>
    public static string ToName(this PortCategory category) => category switch
    {
        PortCategory.WellKnown => "well-known",
        PortCategory.Registered => "registered",
        _ => "dynamic",
    };

    /// <summary>Parses well-known, registered or dynamic (also system, user, private, ephemeral).</summary>
    public static bool TryParse(string text, out PortCategory category)
    {
        switch (text.ToLowerInvariant())
        {
            case "well-known": case "wellknown": case "system": category = PortCategory.WellKnown; return true;
            case "registered": case "user": category = PortCategory.Registered; return true;
            case "dynamic": case "private": case "ephemeral": category = PortCategory.Dynamic; return true;
            default: category = default; return false;
        }
    }
}
