using System.Reflection;
using PortAtlas.Registry;

namespace PortAtlas.Reports;

/// <summary>Settings shared by the report writers. Immutable; <see cref="Default"/> suits most callers.</summary>
public sealed record ReportOptions
{
    // Declared before Default: static initialisers run in text order and Default reads it.
    private static readonly string s_libraryVersion = ReadLibraryVersion();

    /// <summary>The registry's explanations, the PortAtlas version, indented JSON and guarded CSV.</summary>
    public static ReportOptions Default { get; } = new();

    /// <summary>
    /// The registry that explains every port (JSON's <c>registry</c>, CSV's <c>risk</c>) and names the service of a
    /// port that detection did not identify; null (the default) means <see cref="PortRegistry.Default"/>.
    /// </summary>
    public PortRegistry? Registry { get; init; }

    /// <summary>
    /// The version recorded in Nmap XML's <c>version</c> attribute and in the comment lines of XML and grepable output.
    /// Defaults to the PortAtlas library's informational version without its source revision.
    /// </summary>
    public string ScannerVersion { get; init; } = s_libraryVersion;

    /// <summary>Indent the JSON document with two spaces (default true). JSON Lines are never indented.</summary>
    public bool IndentJson { get; init; } = true;

    /// <summary>
    /// Prefix CSV cells that come from the scanned host (hostname, product, version, extra information) with a
    /// single quote when they start with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or carriage return, so that a
    /// spreadsheet does not run a banner as a formula (OWASP "CSV injection"). Default true.
    /// </summary>
    public bool GuardCsvFormulas { get; init; } = true;

    internal PortRegistry EffectiveRegistry => Registry ?? PortRegistry.Default;

    private static string ReadLibraryVersion()
    {
        var version = typeof(ReportOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(ReportOptions).Assembly.GetName().Version?.ToString(3)
            ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
