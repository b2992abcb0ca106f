namespace PortAtlas.Reports;

/// <summary>A machine-readable report format. The terminal table is rendered by the CLI, not here.</summary>
public enum ReportFormat : byte
{
    /// <summary>One JSON document: hosts with their ports, and statistics (the scan JSON of the machine contract).</summary>
    Json,
    /// <summary>JSON Lines: one object per port, then one <c>{"stats":{...}}</c> line; can be written as a scan runs.</summary>
    Jsonl,
    /// <summary>Comma-separated values, one row per port, RFC 4180 quoting.</summary>
    Csv,
    /// <summary>Nmap's XML output (<c>nmap -oX</c>), valid against Nmap's DTD.</summary>
    Xml,
    /// <summary>Nmap's grepable output (<c>nmap -oG</c>).</summary>
    Grep,
    /// <summary>SARIF 2.1.0: the assessment findings as static-analysis results, for code-scanning dashboards.</summary>
    Sarif,
    /// <summary>A self-contained HTML page: summary, findings by severity with evidence and fixes, hosts and ports.</summary>
    Html,
}

/// <summary>Names, file extensions and writers of the <see cref="ReportFormat"/> values.</summary>
public static class ReportFormats
{
    /// <summary>Every format, in declaration order.</summary>
    public static IReadOnlyList<ReportFormat> All { get; } =
        [ReportFormat.Json, ReportFormat.Jsonl, ReportFormat.Csv, ReportFormat.Xml, ReportFormat.Grep, ReportFormat.Sarif, ReportFormat.Html];

    /// <summary>
    /// Parses a format name, in any case: <c>json</c>; <c>jsonl</c> or <c>ndjson</c>; <c>csv</c>; <c>xml</c> or
    /// <c>nmap-xml</c>; <c>grep</c>, <c>gnmap</c> or <c>grepable</c>; <c>sarif</c>; <c>html</c>. <c>table</c> is not a report format.
    /// </summary>
    /// <returns>False, with <paramref name="format"/> left at its default, when the name is unknown or null.</returns>
    public static bool TryParse(string? name, out ReportFormat format)
    {
        switch (name?.ToLowerInvariant())
        {
            case "json": format = ReportFormat.Json; return true;
            case "jsonl": case "ndjson": format = ReportFormat.Jsonl; return true;
            case "csv": format = ReportFormat.Csv; return true;
            case "xml": case "nmap-xml": format = ReportFormat.Xml; return true;
            case "grep": case "gnmap": case "grepable": format = ReportFormat.Grep; return true;
            case "sarif": format = ReportFormat.Sarif; return true;
            case "html": format = ReportFormat.Html; return true;
            default: format = default; return false;
        }
    }

    /// <summary>
    /// The format a file name implies by its extension, in any case: .json, .jsonl or .ndjson, .csv, .xml,
    /// .gnmap or .grep, .sarif, .html or .htm; null for any other extension or none.
    /// </summary>
    public static ReportFormat? FromExtension(string? path)
    {
        var extension = Path.GetExtension(path.AsSpan());
        if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase)) { return ReportFormat.Json; }
        if (extension.Equals(".jsonl", StringComparison.OrdinalIgnoreCase) || extension.Equals(".ndjson", StringComparison.OrdinalIgnoreCase)) { return ReportFormat.Jsonl; }
        if (extension.Equals(".csv", StringComparison.OrdinalIgnoreCase)) { return ReportFormat.Csv; }
        if (extension.Equals(".xml", StringComparison.OrdinalIgnoreCase)) { return ReportFormat.Xml; }
        if (extension.Equals(".gnmap", StringComparison.OrdinalIgnoreCase) || extension.Equals(".grep", StringComparison.OrdinalIgnoreCase)) { return ReportFormat.Grep; }
        if (extension.Equals(".sarif", StringComparison.OrdinalIgnoreCase)) { return ReportFormat.Sarif; }
        if (extension.Equals(".html", StringComparison.OrdinalIgnoreCase) || extension.Equals(".htm", StringComparison.OrdinalIgnoreCase)) { return ReportFormat.Html; }
        return null;
    }

    /// <summary>The canonical name, as <see cref="TryParse"/> reads it and <c>--format</c> takes it: json, jsonl, csv, xml, grep, sarif, html.</summary>
    public static string ToName(this ReportFormat format) => format switch
    {
        ReportFormat.Json => "json",
        ReportFormat.Sarif => "sarif",
        ReportFormat.Html => "html",
        ReportFormat.Jsonl => "jsonl",
        ReportFormat.Csv => "csv",
        ReportFormat.Xml => "xml",
        _ => "grep",
    };

    /// <summary>The usual file extension, with its dot: .json, .jsonl, .csv, .xml, .gnmap, .sarif, .html.</summary>
    public static string FileExtension(this ReportFormat format) => format switch
    {
        ReportFormat.Json => ".json",
        ReportFormat.Sarif => ".sarif",
        ReportFormat.Html => ".html",
        ReportFormat.Jsonl => ".jsonl",
        ReportFormat.Csv => ".csv",
        ReportFormat.Xml => ".xml",
        _ => ".gnmap",
    };

    /// <summary>The media type: application/json, application/x-ndjson, text/csv, application/xml, text/plain, application/sarif+json, text/html.</summary>
    public static string MediaType(this ReportFormat format) => format switch
    {
        ReportFormat.Json => "application/json",
        ReportFormat.Sarif => "application/sarif+json",
        ReportFormat.Html => "text/html",
        ReportFormat.Jsonl => "application/x-ndjson",
        ReportFormat.Csv => "text/csv",
        ReportFormat.Xml => "application/xml",
        _ => "text/plain",
    };

    /// <summary>A writer for <paramref name="format"/>.</summary>
    /// <param name="format">The format.</param>
    /// <param name="options">Registry, version and layout settings; null for <see cref="ReportOptions.Default"/>.</param>
    public static IReportWriter CreateWriter(this ReportFormat format, ReportOptions? options = null) => format switch
    {
        ReportFormat.Json => new JsonReportWriter(options),
        ReportFormat.Jsonl => new JsonlReportWriter(options),
        ReportFormat.Csv => new CsvReportWriter(options),
        ReportFormat.Xml => new NmapXmlReportWriter(options),
        ReportFormat.Grep => new GrepableReportWriter(options),
        ReportFormat.Sarif => new SarifReportWriter(options),
        ReportFormat.Html => new HtmlReportWriter(options),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown report format"),
    };
}
