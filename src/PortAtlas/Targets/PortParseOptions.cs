using PortAtlas.Registry;

namespace PortAtlas.Targets;

/// <summary>How <see cref="PortSpecParser"/> reads port specs.</summary>
public sealed record PortParseOptions
{
    /// <summary>
    /// The transports that items without a <c>T:</c>/<c>U:</c>/<c>S:</c> prefix apply to, and that
    /// <see cref="PortSpecParser.Top"/> ranks ports for. Default TCP only (a connect scan). DCCP is not scanned.
    /// </summary>
    public IReadOnlyList<Transport> DefaultTransports { get; init; } = [Transport.Tcp];

    /// <summary>Ports to remove (<c>--exclude-ports</c>), in the same syntax; null (the default) for none.</summary>
    public string? Exclude { get; init; }

    /// <summary>The registry that resolves service names and ranks top ports; null (the default) for <see cref="PortRegistry.Default"/>.</summary>
    public PortRegistry? Registry { get; init; }
}
