using System.Globalization;
using System.Text.RegularExpressions;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Assessment;

/// <summary>
/// Turns scan results into findings: the rules (<see cref="AssessmentRules"/>), CISA's known-exploited catalog,
/// NVD version ranges when a <see cref="VulnDb"/> is given, and vendor end-of-life dates. Stateless between calls
/// and safe to share between threads.
/// </summary>
public sealed partial class Assessor
{
    private readonly AssessmentRules _rules;
    private readonly PortRegistry _registry;
    private readonly AssessorOptions _options;
    private readonly TimeProvider _time;

    /// <summary>An assessor with the given settings, or <see cref="AssessorOptions.Default"/>.</summary>
    public Assessor(AssessorOptions? options = null)
    {
        _options = options ?? AssessorOptions.Default;
        _rules = _options.Rules ?? AssessmentRules.BuiltIn;
        _registry = _options.Registry ?? PortRegistry.Default;
        _time = _options.TimeProvider ?? TimeProvider.System;
    }

    /// <summary>The settings this assessor was made with.</summary>
    public AssessorOptions Options => _options;

    /// <summary>Every finding of every listed port of every host, in host and port order, most severe first within a port.</summary>
    public IReadOnlyList<Finding> Assess(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var findings = new List<Finding>();
        foreach (var host in report.Hosts)
        {
            foreach (var port in host.Ports)
            {
                findings.AddRange(Assess(port, host));
            }
        }
        return findings;
    }

    /// <summary>The findings of one port, most severe first; empty when nothing is wrong or the port is not open.</summary>
    /// <param name="port">The port.</param>
    /// <param name="host">Its host, for host-level fields (hostname); may be null.</param>
    public IReadOnlyList<Finding> Assess(PortResult port, HostResult? host = null)
    {
        ArgumentNullException.ThrowIfNull(port);
        var now = _time.GetUtcNow();
        var context = new PortContext(port, host, _registry.Explain(port.Port, port.Protocol), now);
        var findings = new List<Finding>();
        RuleEngine.Evaluate(_rules, context, findings);
        if (port.State == PortState.Open && port.Service is { } service)
        {
            foreach (var product in ProductNames.Identify(service))
            {
                AddVulnerabilities(context, product, findings);
                if (_options.CheckEndOfLife)
                {
                    AddEndOfLife(context, product, DateOnly.FromDateTime(now.UtcDateTime), findings);
                }
            }
        }
        findings.RemoveAll(f => _rules.DisabledIds.Contains(f.Id));
        // Most open ports of a large scan have nothing to say: the shared empty list, not 56 bytes of list each.
        return findings.Count == 0 ? []
            : findings.DistinctBy(f => f.Id).OrderByDescending(f => f.Severity).ThenBy(f => f.Id, StringComparer.Ordinal).ToArray();
    }

    /// <summary>A copy of <paramref name="report"/> with <see cref="PortResult.Findings"/> filled on every listed port.</summary>
    public ScanReport Annotate(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        // A host without listed ports has nothing to assess: passing it as it is keeps a streamed report streamed.
        return report with { Hosts = HostLists.Select(report.Hosts, host => host.Ports.Count == 0 ? host : AnnotateHost(host)) };
    }

    /// <summary>
    /// As <see cref="Annotate"/>, for a report whose open ports were assessed one by one as they came, without their
    /// host: only a host with a name (the one host field rules read) or a listed port of another state is assessed
    /// again. A streamed report's hosts are made at each read; assessing them all at each read cost a scan of 61,440
    /// hosts with open ports 2.5 s more to save.
    /// </summary>
    internal ScanReport AnnotateWhereHostMatters(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report with
        {
            Hosts = HostLists.Select(report.Hosts, host => host.Hostname is null && host.Ports.All(p => p.State == PortState.Open) ? host : AnnotateHost(host)),
        };
    }

    private HostResult AnnotateHost(HostResult host) =>
        host with { Ports = [.. host.Ports.Select(port => port with { Findings = Assess(port, host) })] };

    private void AddVulnerabilities(PortContext context, ProductId product, List<Finding> findings)
    {
        var db = _options.VulnDb;
        var version = ProductVersion.Upstream(product.Version);
        var comparable = ProductVersion.IsComparable(version);
        IReadOnlyList<VulnMatch> matches = [];
        if (db is not null && comparable)
        {
            matches = [.. ProductNames.Equivalents(product.Key).SelectMany(key =>
            {
                var colon = key.IndexOf(':', StringComparison.Ordinal);
                return db.Match(key[..colon], key[(colon + 1)..], version);
            }).DistinctBy(m => m.CveId)];
        }
        var seen = Describe(context, product);
        var backport = DistributionBuild(context) ? " A distribution build may carry the fix without changing the version: check the package's changelog." : "";
        var kevIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (_options.UseKnownExploited)
        {
            var catalog = _options.KnownExploited ?? KevCatalog.Default;
            var colon = product.Key.IndexOf(':', StringComparison.Ordinal);
            foreach (var entry in catalog.Find(product.Key[..colon], product.Key[(colon + 1)..]))
            {
                if (entry.DebianOnly && !DebianBuild(context))
                {
                    continue;
                }
                kevIds.Add(entry.CveId);
                var match = matches.FirstOrDefault(m => string.Equals(m.CveId, entry.CveId, StringComparison.OrdinalIgnoreCase));
                if (match is null && db is not null && comparable && db.Contains(entry.CveId))
                {
                    // NVD's ranges for this CVE leave the detected version out.
                    continue;
                }
                // Issue 14 item 5: an entry whose affected versions are known (NVD ranges in the VulnDb) is matched only
                // on those versions; without them the product is listed but the version is not checked, at a lower severity.
                var confirmed = match is not null;
                var shown = string.IsNullOrWhiteSpace(context.Service?.Product) ? entry.Product : context.Service!.Product!;
                findings.Add(new Finding
                {
                    Id = "PA-KEV-" + entry.CveId.ToUpperInvariant(),
                    Title = confirmed
                        ? $"Known exploited {entry.CveId} affects {entry.Product} {version}"
                        : $"{shown} is listed in CISA KEV for {entry.CveId}: product listed, version not checked",
                    Severity = confirmed ? RiskLevel.Critical : RiskLevel.Medium,
                    Address = context.Port.Address,
                    Port = context.Port.Port,
                    Protocol = context.Port.Protocol,
                    Evidence = confirmed
                        ? $"{seen}; matched by CISA KEV ({entry.VendorProject} {entry.Product}, added {entry.DateAdded:yyyy-MM-dd}) and the NVD range {match!.Range}.{backport}"
                        : $"{seen}; matched by CISA KEV only ({entry.VendorProject} {entry.Product}, added {entry.DateAdded:yyyy-MM-dd}, which names {product.Key}); KEV gives no versions and no NVD range was available{(comparable ? "" : " or the version is unknown")}, so this version may or may not be affected.",
                    WhyItMatters = $"{entry.VulnerabilityName}: {entry.ShortDescription} Known ransomware campaign use: {entry.KnownRansomwareCampaignUse}.",
                    Remediation = entry.RequiredAction,
                    References = References(entry.CveId, entry.Notes),
                });
            }
        }
        foreach (var match in matches)
        {
            if (kevIds.Contains(match.CveId))
            {
                continue;
            }
            var severity = match.BaseSeverity switch
            {
                "CRITICAL" => RiskLevel.Critical,
                "HIGH" => RiskLevel.High,
                "LOW" => RiskLevel.Low,
                "NONE" => RiskLevel.Info,
                _ => RiskLevel.Medium,
            };
            if (severity < _options.MinimumCveSeverity)
            {
                continue;
            }
            var score = match.BaseScore is double s ? string.Create(CultureInfo.InvariantCulture, $", CVSS {s:0.0}") : "";
            findings.Add(new Finding
            {
                Id = "PA-CVE-" + match.CveId.ToUpperInvariant(),
                Title = $"{match.CveId} affects {product.Product.Replace('_', ' ')} {version}{score}",
                Severity = severity,
                Address = context.Port.Address,
                Port = context.Port.Port,
                Protocol = context.Port.Protocol,
                Evidence = $"{seen}; NVD range {match.Range} ({match.Criteria}).{backport}",
                WhyItMatters = match.Description.Length == 0 ? null : match.Description,
                Remediation = $"Upgrade {product.Product.Replace('_', ' ')} past the affected range, or apply the vendor's fix.",
                References = References(match.CveId, ""),
            });
        }
    }

    private void AddEndOfLife(PortContext context, ProductId product, DateOnly today, List<Finding> findings)
    {
        if (EndOfLife.Find(product, today) is not { } branch)
        {
            return;
        }
        var distribution = DistributionBuild(context);
        findings.Add(new Finding
        {
            Id = "PA-EOL-" + product.Product.ToUpperInvariant().Replace('_', '-'),
            Title = $"{branch.Label} is past vendor support",
            Severity = distribution ? RiskLevel.Medium : RiskLevel.High,
            Address = context.Port.Address,
            Port = context.Port.Port,
            Protocol = context.Port.Protocol,
            Evidence = $"{Describe(context, product)}; {branch.Label} support ended {branch.Ended:yyyy-MM-dd}."
                + (distribution ? " The version names a distribution build, which may still receive backported fixes." : ""),
            WhyItMatters = "Vulnerabilities found after the end of support are not fixed upstream, and exploits for them accumulate.",
            Remediation = $"Upgrade to a supported branch of {product.Product.Replace('_', ' ')}, or confirm that your distribution still ships security fixes for it.",
            References = [branch.Source],
        });
    }

    /// <summary>"OpenSSH 9.2p1 Debian 2+deb12u3 (cpe:/a:openbsd:openssh:9.2p1)": what detection said.</summary>
    private static string Describe(PortContext context, ProductId product)
    {
        var service = context.Service!;
        var name = string.IsNullOrWhiteSpace(service.Product) ? product.Product.Replace('_', ' ') : service.Product;
        var version = string.IsNullOrWhiteSpace(service.Version) ? product.Version ?? "version unknown" : service.Version;
        var cpe = service.Cpe.FirstOrDefault(c => c.Contains(product.Product, StringComparison.OrdinalIgnoreCase));
        return $"{context.Port.Port}/{context.Port.Protocol.ToName()} runs {name} {version}" + (cpe is null ? "" : $" ({cpe})");
    }

    private static bool DebianBuild(PortContext context)
    {
        var text = string.Join(' ', context.Service?.Version, context.Service?.ExtraInfo, context.Service?.OperatingSystem);
        return text.Contains("debian", StringComparison.OrdinalIgnoreCase) || text.Contains("ubuntu", StringComparison.OrdinalIgnoreCase);
    }

    private static bool DistributionBuild(PortContext context)
    {
        var text = string.Join(' ', context.Service?.Version, context.Service?.ExtraInfo);
        return DistributionPattern().IsMatch(text);
    }

    private static IReadOnlyList<string> References(string cveId, string notes)
    {
        var references = new List<string> { cveId.ToUpperInvariant(), "https://nvd.nist.gov/vuln/detail/" + cveId.ToUpperInvariant() };
        foreach (var note in notes.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (note.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && !references.Contains(note))
            {
                references.Add(note);
            }
        }
        return references;
    }

    [GeneratedRegex(@"\b(debian|ubuntu|deb\d+u\d+|red ?hat|rhel|el[6-9]|centos|rocky|alma|suse|sles|alpine|amzn|fedora|fc\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DistributionPattern();
}
