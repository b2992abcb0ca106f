using PortAtlas.Registry;

namespace PortAtlas.Assessment;

/// <summary>
/// One line of a rule file (<see cref="AssessmentRules"/>): when every condition of <see cref="When"/> holds for a
/// port, a <see cref="Finding"/> with this rule's id, title and severity is raised, its evidence rendered from
/// <see cref="Evidence"/>. Several lines may share an id: they are alternatives, and the first that matches a port
/// raises the finding.
/// </summary>
public sealed record AssessmentRule
{
    /// <summary>The finding id, upper case, such as <c>PA-CLEARTEXT-TELNET</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Severity of the finding; ignored when <see cref="SeverityFromRegistry"/> is true.</summary>
    public RiskLevel Severity { get; init; }

    /// <summary>
    /// True when the finding takes the registry's risk for the port (severity <c>registry</c> in the file),
    /// <see cref="Severity"/> when the registry rates none.
    /// </summary>
    public bool SeverityFromRegistry { get; init; }

    /// <summary>True for a line with severity <c>off</c>: it disables every rule with its id, built-in ones included.</summary>
    public bool Disabled { get; init; }

    /// <summary>The finding's title; may hold <c>{field}</c> placeholders.</summary>
    public required string Title { get; init; }

    /// <summary>The conditions, separated by <c>;</c> (see <see cref="AssessmentRules"/> for the grammar).</summary>
    public required string When { get; init; }

    /// <summary>The evidence template, with <c>{field}</c> placeholders; a finding whose evidence renders empty is dropped.</summary>
    public required string Evidence { get; init; }

    /// <summary>Why it matters; null to use the registry's curated notes for the port.</summary>
    public string? WhyItMatters { get; init; }

    /// <summary>What to do; null to use the registry's hardening tip for the port.</summary>
    public string? Remediation { get; init; }

    /// <summary>URLs and CVE ids.</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>Where the rule was read: "file:line", for messages.</summary>
    public string Source { get; init; } = "";

    internal IReadOnlyList<RuleCondition> Conditions { get; init; } = [];
}
