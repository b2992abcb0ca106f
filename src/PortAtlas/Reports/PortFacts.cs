using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Reports;

/// <summary>What every format derives from one port: the registry's explanation and the service to print.</summary>
internal readonly struct PortFacts
{
    public PortFacts(PortResult result, PortRegistry registry)
    {
        Result = result;
        Entry = registry.Explain(result.Port, result.Protocol);
        ServiceName = NullIfEmpty(result.Service?.Name) ?? NullIfEmpty(Entry?.Name);
    }

    public PortResult Result { get; }

    /// <summary>The registry row that explains the port, or null.</summary>
    public PortEntry? Entry { get; }

    /// <summary>Detection's service name, else the registry's name for the port, else null.</summary>
    public string? ServiceName { get; }

    /// <summary>True when detection identified the service by what it sent, not by its port number.</summary>
    public bool Probed => Result.Service is { } service && !string.Equals(service.Method, "registry", StringComparison.Ordinal);

    /// <summary>How <see cref="ServiceName"/> was found: detection's method, "registry" for a port-number guess, or null.</summary>
    public string? ServiceMethod => Result.Service is { } service ? service.Method : ServiceName is null ? null : "registry";

    /// <summary>Detection's confidence (0-10), or 3 for a name taken from the port number (Nmap's table confidence).</summary>
    public int Confidence => Math.Clamp(Result.Service?.Confidence ?? (Probed ? 10 : 3), 0, 10);

    public ServiceInfo? Service => Result.Service;

    /// <summary>Nmap's "fullversion": product, version and (extra info), separated by spaces; empty when none.</summary>
    public string FullVersion
    {
        get
        {
            if (Result.Service is not { } service)
            {
                return "";
            }
            var parts = new List<string>(3);
            if (!string.IsNullOrEmpty(service.Product)) { parts.Add(service.Product); }
            if (!string.IsNullOrEmpty(service.Version)) { parts.Add(service.Version); }
            if (!string.IsNullOrEmpty(service.ExtraInfo)) { parts.Add($"({service.ExtraInfo})"); }
            return string.Join(' ', parts);
        }
    }

    public static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
