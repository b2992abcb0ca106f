using PortAtlas.Registry;

namespace PortAtlas.Assessment;

/// <summary>Settings of an <see cref="Assessor"/>. Immutable; the defaults suit most callers.</summary>
public sealed record AssessorOptions
{
    /// <summary>The options of <c>new Assessor()</c>.</summary>
    public static AssessorOptions Default { get; } = new();

    /// <summary>
    /// The rules to run; null (the default) means <see cref="AssessmentRules.BuiltIn"/>. To add a user's rules:
    /// <c>AssessmentRules.BuiltIn.Merge(AssessmentRules.Load(reader))</c>.
    /// </summary>
    public AssessmentRules? Rules { get; init; }

    /// <summary>The registry that explains ports (names, notes, hardening, risk); null means <see cref="PortRegistry.Default"/>.</summary>
    public PortRegistry? Registry { get; init; }

    /// <summary>Match detected products against CISA's KEV catalog (default true).</summary>
    public bool UseKnownExploited { get; init; } = true;

    /// <summary>The KEV catalog; null means <see cref="KevCatalog.Default"/>, loaded on the first product match.</summary>
    public KevCatalog? KnownExploited { get; init; }

    /// <summary>
    /// NVD data to match versions against: confirms or rules out KEV matches and adds <c>PA-CVE-</c> findings. Null
    /// (the default) for none. The assessor reads it and never disposes it.
    /// </summary>
    public VulnDb? VulnDb { get; init; }

    /// <summary>
    /// The lowest CVSS severity of NVD matches reported as <c>PA-CVE-</c> findings (default <see cref="RiskLevel.Medium"/>);
    /// KEV matches are always reported.
    /// </summary>
    public RiskLevel MinimumCveSeverity { get; init; } = RiskLevel.Medium;

    /// <summary>Flag versions past vendor support from the end-of-life table (default true).</summary>
    public bool CheckEndOfLife { get; init; } = true;

    /// <summary>The clock for certificate expiry and end-of-life dates; null means <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; init; }
}
