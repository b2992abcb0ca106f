namespace PortAtlas.Registry;

/// <summary>
/// One row of the registry: an IANA assignment, or PortAtlas's curated knowledge of a port.
/// IANA rows without a port (named services only) have <see cref="Port"/> and <see cref="Protocol"/> null.
/// </summary>
public sealed record PortEntry
{
    /// <summary>First port of the row, or null for a service name without a port.</summary>
    public int? Port { get; init; }
    /// <summary>Last port of the row (equal to <see cref="Port"/> unless the row is a range).</summary>
    public int? EndPort { get; init; }
    /// <summary>The transport, or null when the row names none.</summary>
    public Transport? Protocol { get; init; }
    /// <summary>Service name, lowercase as IANA writes it; may be empty for reserved or unassigned numbers.</summary>
    public string Name { get; init; } = "";
    /// <summary>What the port is, in a line.</summary>
    public string Description { get; init; } = "";
    /// <summary>Where the row comes from.</summary>
    public EntrySource Source { get; init; }
    /// <summary>The number space of <see cref="Port"/>, or null without a port.</summary>
    public PortCategory? Category => Port is int p ? PortCategories.Of(p) : null;

    /// <summary>IANA assignee.</summary>
    public string? Assignee { get; init; }
    /// <summary>IANA contact.</summary>
    public string? Contact { get; init; }
    /// <summary>IANA registration date (yyyy-mm-dd).</summary>
    public string? RegistrationDate { get; init; }
    /// <summary>IANA modification date (yyyy-mm-dd).</summary>
    public string? ModificationDate { get; init; }
    /// <summary>IANA reference (RFCs, documents).</summary>
    public string? Reference { get; init; }
    /// <summary>IANA service code.</summary>
    public string? ServiceCode { get; init; }
    /// <summary>IANA "unauthorized use reported".</summary>
    public string? UnauthorizedUseReported { get; init; }
    /// <summary>IANA assignment notes.</summary>
    public string? AssignmentNotes { get; init; }

    /// <summary>Curated: a short human title, such as "Microsoft Remote Desktop (RDP)".</summary>
    public string? Title { get; init; }
    /// <summary>Curated: why the port matters to someone securing or attacking a network.</summary>
    public string? Notes { get; init; }
    /// <summary>Curated: typical products.</summary>
    public string? Products { get; init; }
    /// <summary>Curated: one actionable hardening tip.</summary>
    public string? Hardening { get; init; }
    /// <summary>Curated: risk of exposure to an untrusted network.</summary>
    public RiskLevel? Risk { get; init; }
    /// <summary>Curated: how often the port is found open, 0-100; ranks <c>--top-ports</c>.</summary>
    public int? Exposure { get; init; }

    /// <summary>True when <paramref name="port"/> falls inside this row.</summary>
    public bool Covers(int port) => Port is int first && port >= first && port <= (EndPort ?? first);

    /// <summary>"443", or "6665-6669" for a range, or "" without a port.</summary>
    public string PortText => Port is not int first ? "" : EndPort is int last && last != first ? $"{first}-{last}" : first.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
