using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PortAtlas.Model;

/// <summary>
/// One thing assessment concluded about a port, with what was seen to conclude it. A finding always carries
/// <see cref="Evidence"/>: a rule that cannot point at an observation does not produce one.
/// </summary>
public sealed record Finding
{
    /// <summary>
    /// Stable identifier, upper case: <c>PA-</c> and the rule's name for rule findings (<c>PA-CLEARTEXT-TELNET</c>),
    /// <c>PA-KEV-</c> and a CVE id for known-exploited vulnerabilities, <c>PA-CVE-</c> and a CVE id for version
    /// matches from NVD data, <c>PA-EOL-</c> and a product for versions past vendor support.
    /// </summary>
    public required string Id { get; init; }

    /// <summary>What is wrong, in a line.</summary>
    public required string Title { get; init; }

    /// <summary>How bad it is, on the registry's scale.</summary>
    public required RiskLevel Severity { get; init; }

    /// <summary>The host's address.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>The port number.</summary>
    public required int Port { get; init; }

    /// <summary>The transport of the port.</summary>
    public Transport Protocol { get; init; } = Transport.Tcp;

    /// <summary>What was seen: the fact, banner, version or certificate field the conclusion rests on. Never empty.</summary>
    public required string Evidence { get; init; }

    /// <summary>Why it matters: the registry's curated notes where they apply, else the rule's own text.</summary>
    public string? WhyItMatters { get; init; }

    /// <summary>What to do about it: the rule's remediation, else the registry's hardening tip.</summary>
    public string? Remediation { get; init; }

    /// <summary>
    /// Where the facts behind the finding came from when it was not a PortAtlas scan: <c>import:nmap</c>,
    /// <c>import:masscan</c> ... (assessment ran on another scanner's output); null for PortAtlas's own scans.
    /// </summary>
    public string? Origin { get; init; }

    /// <summary>Further reading: URLs and CVE ids.</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>"198.18.0.2:23/tcp", with brackets around an IPv6 address.</summary>
    public string Location => Address.AddressFamily == AddressFamily.InterNetworkV6
        ? string.Create(CultureInfo.InvariantCulture, $"[{Address}]:{Port}/{Protocol.ToName()}")
        : string.Create(CultureInfo.InvariantCulture, $"{Address}:{Port}/{Protocol.ToName()}");
}
