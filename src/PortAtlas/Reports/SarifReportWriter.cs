using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using PortAtlas.Assessment;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Reports;

/// <summary>
/// Writes the assessment findings of a report (<see cref="PortResult.Findings"/>; run <see cref="Assessor.Annotate"/>
/// first) as SARIF 2.1.0, the OASIS static-analysis results format that code-scanning dashboards import.
/// </summary>
/// <remarks>
/// One run, tool driver <c>PortAtlas</c>, one rule per finding id (its first title as short description, its
/// remediation as help, its severity as default level), and one result per finding: level <c>error</c> for
/// critical and high, <c>warning</c> for medium, <c>note</c> for low and info; the message is the title and
/// evidence; the location is the port as an artifact URI (<c>tcp://198.18.0.2:23</c>, IPv6 in brackets) and as a
/// logical location (<c>198.18.0.2:23/tcp</c>). Rules and results carry <c>security-severity</c> (9.5, 8.0, 5.5,
/// 3.0, 0.0), which GitHub code scanning reads, and results a partial fingerprint over id and location so that
/// dashboards track a finding across scans.
/// </remarks>
public sealed class SarifReportWriter : ReportWriter
{
    /// <summary>The SARIF version written.</summary>
    public const string SarifVersion = "2.1.0";

    /// <summary>The schema the document names.</summary>
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    /// <summary>A writer with the given settings, or <see cref="ReportOptions.Default"/>.</summary>
    public SarifReportWriter(ReportOptions? options = null)
        : base(options)
    {
    }

    /// <inheritdoc />
    public override ReportFormat Format => ReportFormat.Sarif;

    /// <summary>SARIF's level for a severity: error, warning or note.</summary>
    public static string Level(RiskLevel severity) => severity switch
    {
        RiskLevel.Critical or RiskLevel.High => "error",
        RiskLevel.Medium => "warning",
        _ => "note",
    };

    /// <summary>The port as an artifact URI: <c>tcp://198.18.0.2:23</c>, <c>udp://[2001:db8::5]:161</c>.</summary>
    public static string LocationUri(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var host = finding.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{finding.Address}]" : finding.Address.ToString();
        return string.Create(CultureInfo.InvariantCulture, $"{finding.Protocol.ToName()}://{host}:{finding.Port}");
    }

    private protected override IEnumerable<int> WriteParts(ScanReport report, IBufferWriter<byte> output)
    {
        var findings = report.Hosts.SelectMany(h => h.Ports).SelectMany(p => p.Findings).ToList();
        var rules = new List<Finding>();
        var ruleIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var finding in findings)
        {
            if (!ruleIndex.ContainsKey(finding.Id))
            {
                ruleIndex[finding.Id] = rules.Count;
                rules.Add(finding);
            }
        }

        using var json = new Utf8JsonWriter(output, JsonFields.WriterOptions(Options.IndentJson));
        json.WriteStartObject();
        json.WriteString("$schema"u8, SchemaUri);
        json.WriteString("version"u8, SarifVersion);
        json.WriteStartArray("runs"u8);
        json.WriteStartObject();

        json.WriteStartObject("tool"u8);
        json.WriteStartObject("driver"u8);
        json.WriteString("name"u8, "PortAtlas");
        json.WriteString("semanticVersion"u8, Options.ScannerVersion);
        json.WriteStartArray("rules"u8);
        foreach (var rule in rules)
        {
            json.WriteStartObject();
            json.WriteString("id"u8, rule.Id);
            json.WriteStartObject("shortDescription"u8);
            json.WriteString("text"u8, rule.Title);
            json.WriteEndObject();
            if (rule.WhyItMatters is { Length: > 0 } why)
            {
                json.WriteStartObject("fullDescription"u8);
                json.WriteString("text"u8, why);
                json.WriteEndObject();
            }
            if (rule.Remediation is { Length: > 0 } fix)
            {
                json.WriteStartObject("help"u8);
                json.WriteString("text"u8, fix);
                json.WriteEndObject();
            }
            json.WriteStartObject("defaultConfiguration"u8);
            json.WriteString("level"u8, Level(rule.Severity));
            json.WriteEndObject();
            json.WriteStartObject("properties"u8);
            json.WriteString("security-severity"u8, SecuritySeverity(rule.Severity));
            json.WriteStartArray("tags"u8);
            json.WriteStringValue("security");
            json.WriteStringValue("network");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartArray("invocations"u8);
        json.WriteStartObject();
        json.WriteBoolean("executionSuccessful"u8, !report.Stats.Interrupted);
        if (report.Stats.CommandLine.Length > 0)
        {
            json.WriteString("commandLine"u8, Sanitizing.Secrets.MaskCredentials(report.Stats.CommandLine));
        }
        json.WriteString("startTimeUtc"u8, report.Stats.Started.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        json.WriteString("endTimeUtc"u8, report.Stats.Finished.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        json.WriteEndObject();
        json.WriteEndArray();

        json.WriteStartArray("results"u8);
        foreach (var finding in findings)
        {
            json.WriteStartObject();
            json.WriteString("ruleId"u8, finding.Id);
            json.WriteNumber("ruleIndex"u8, ruleIndex[finding.Id]);
            json.WriteString("level"u8, Level(finding.Severity));
            json.WriteStartObject("message"u8);
            json.WriteString("text"u8, $"{finding.Title}. Evidence: {finding.Evidence}");
            json.WriteEndObject();
            json.WriteStartArray("locations"u8);
            json.WriteStartObject();
            json.WriteStartObject("physicalLocation"u8);
            json.WriteStartObject("artifactLocation"u8);
            json.WriteString("uri"u8, LocationUri(finding));
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteStartArray("logicalLocations"u8);
            json.WriteStartObject();
            json.WriteString("name"u8, finding.Location);
            json.WriteString("fullyQualifiedName"u8, finding.Location);
            json.WriteString("kind"u8, "resource");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartObject("partialFingerprints"u8);
            json.WriteString("portatlasFinding/v1"u8, $"{finding.Id}|{finding.Location}");
            json.WriteEndObject();
            json.WriteStartObject("properties"u8);
            json.WriteString("severity"u8, finding.Severity.ToName());
            json.WriteString("security-severity"u8, SecuritySeverity(finding.Severity));
            json.WriteString("evidence"u8, finding.Evidence);
            if (finding.References.Count > 0)
            {
                json.WriteStartArray("references"u8);
                foreach (var reference in finding.References)
                {
                    json.WriteStringValue(reference);
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        Utf8Text.Write(output, "\n"u8);
        yield return 0;
    }

    private static string SecuritySeverity(RiskLevel severity) => severity switch
    {
        RiskLevel.Critical => "9.5",
        RiskLevel.High => "8.0",
        RiskLevel.Medium => "5.5",
        RiskLevel.Low => "3.0",
        _ => "0.0",
    };
}
