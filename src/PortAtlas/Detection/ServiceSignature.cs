using System.Text.RegularExpressions;

namespace PortAtlas.Detection;

/// <summary>How much a signature's match says.</summary>
public enum MatchKind : byte
{
    /// <summary>Names the service only; probing goes on to find the product (nmap's softmatch).</summary>
    Soft,
    /// <summary>Names service and product: probing stops.</summary>
    Hard,
}

/// <summary>
/// One line of the signature database: when the answer to <see cref="Probes"/> matches <see cref="Pattern"/>,
/// the service is <see cref="Service"/> and the templates give product, version and the rest.
/// Templates take <c>$1</c>..<c>$9</c> for the pattern's groups.
/// </summary>
public sealed record ServiceSignature
{
    /// <summary>Names of the probes whose answers this line applies to; "*" for every probe.</summary>
    public required IReadOnlyList<string> Probes { get; init; }
    /// <summary>Hard or soft.</summary>
    public required MatchKind Kind { get; init; }
    /// <summary>Service name (ssh, http, ...).</summary>
    public required string Service { get; init; }
    /// <summary>The pattern, applied to the answer decoded as Latin-1 (one char per byte).</summary>
    public required Regex Pattern { get; init; }
    /// <summary>Product template, or null.</summary>
    public string? Product { get; init; }
    /// <summary>Version template, or null.</summary>
    public string? Version { get; init; }
    /// <summary>Extra information template, or null.</summary>
    public string? ExtraInfo { get; init; }
    /// <summary>Operating system template, or null.</summary>
    public string? OperatingSystem { get; init; }
    /// <summary>Device type template, or null.</summary>
    public string? DeviceType { get; init; }
    /// <summary>CPE templates (cpe:/a:openbsd:openssh:$1).</summary>
    public IReadOnlyList<string> Cpe { get; init; } = [];
    /// <summary>Line number in the source file, for messages.</summary>
    public int Line { get; init; }

    /// <summary>True when this line applies to answers of <paramref name="probe"/>.</summary>
    public bool AppliesTo(string probe)
    {
        foreach (var p in Probes)
        {
            if (p == "*" || string.Equals(p, probe, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>A signature that matched an answer, with its templates filled in.</summary>
public sealed record SignatureMatch
{
    /// <summary>The line that matched.</summary>
    public required ServiceSignature Signature { get; init; }
    /// <summary>Service name.</summary>
    public string Service => Signature.Service;
    /// <summary>Hard or soft.</summary>
    public MatchKind Kind => Signature.Kind;
    /// <summary>Product, filled in.</summary>
    public string? Product { get; init; }
    /// <summary>Version, filled in.</summary>
    public string? Version { get; init; }
    /// <summary>Extra information, filled in.</summary>
    public string? ExtraInfo { get; init; }
    /// <summary>Operating system, filled in.</summary>
    public string? OperatingSystem { get; init; }
    /// <summary>Device type, filled in.</summary>
    public string? DeviceType { get; init; }
    /// <summary>CPE names, filled in.</summary>
    public IReadOnlyList<string> Cpe { get; init; } = [];
    /// <summary>Offset and length of the matched text in the answer, for evidence.</summary>
    public Range Span { get; init; }
}
