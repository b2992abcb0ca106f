using System.Globalization;
using System.Net;
using System.Xml;
using System.Xml.Linq;
using PortAtlas.Assessment;
using PortAtlas.Registry;
using PortAtlas.Scanning;
using PortAtlas.Targets;

namespace PortAtlas.Storage;

/// <summary>
/// Reads Nmap's XML output (<c>nmap -oX</c>, and PortAtlas's own <c>NmapXmlReportWriter</c>) into a <see cref="ScanReport"/>:
/// scan info, hosts (down ones too, in document order) with address, hostname and status, ports with state, reason and service (name,
/// product, version, extra information, CPEs), extra ports as per-host counts, and run statistics.
/// </summary>
/// <remarks>
/// Hostile input is expected: the DOCTYPE Nmap writes is skipped without being processed (no entity is ever expanded,
/// nothing is fetched: no resolver), and the document's size is capped. Hosts are read one at a time from a streaming
/// reader, so a large file costs memory for its report only. A service named from Nmap's port table
/// (<c>method="table"</c>) without product or version is the registry's guess, not a detection: it imports as no service,
/// which is how PortAtlas reports such ports.
/// </remarks>
public static class NmapXmlImporter
{
    /// <summary>The default cap on the document's size in characters: 1 GiB.</summary>
    public const long DefaultMaxCharacters = 1L << 30;

    /// <summary>The most hosts one file may hold (a /16): the report is built in memory, and this keeps peak RSS under 300 MB.</summary>
    public const int MaxHosts = 65_536;

    /// <summary>The longest run of bytes without '&lt;' or '&gt;' (one tag with its attributes, or one text node): 1 MiB.</summary>
    public const int MaxMarkupRun = 1 << 20;

    /// <summary>Reads a document from <paramref name="stream"/>.</summary>
    /// <param name="stream">The XML.</param>
    /// <param name="maxCharacters">The most characters read before the document is refused; default <see cref="DefaultMaxCharacters"/>.</param>
    /// <exception cref="FormatException">The document is not well-formed, too large, or not an Nmap run.</exception>
    public static ScanReport Parse(Stream stream, long maxCharacters = DefaultMaxCharacters)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Ignore,
            XmlResolver = null,
            MaxCharactersFromEntities = 1024,
            MaxCharactersInDocument = maxCharacters,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
            CloseInput = false,
        };
        try
        {
            // XmlReader holds a whole attribute in memory: a 200 MB attribute is refused before it is read.
            using var bounded = new MarkupRunLimitStream(stream, MaxMarkupRun);
            using var reader = XmlReader.Create(bounded, settings);
            return Read(reader);
        }
        catch (XmlException ex)
        {
            throw new FormatException($"Not a readable Nmap XML document: {ex.Message}", ex);
        }
        catch (InvalidDataException ex)
        {
            throw new FormatException(ex.Message, ex);
        }
    }

    /// <summary>Reads a document from a string.</summary>
    /// <exception cref="FormatException">The document is not well-formed, too large, or not an Nmap run.</exception>
    public static ScanReport Parse(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(xml));
        return Parse(stream);
    }

    private static ScanReport Read(XmlReader reader)
    {
        if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "nmaprun")
        {
            throw new FormatException("Not an Nmap XML document: the root element is not nmaprun.");
        }
        var stats = new ScanStats
        {
            CommandLine = reader.GetAttribute("args") ?? "",
            Started = UnixTime(reader.GetAttribute("start")) ?? default,
        };
        var scanTypes = new List<string>();
        var ports = new Dictionary<Transport, List<int>>();
        var hosts = new List<HostResult>();
        long? hostsTotal = null;
        if (reader.IsEmptyElement)
        {
            return new ScanReport { Stats = stats };
        }
        reader.Read();
        while (!reader.EOF)
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "nmaprun")
                {
                    break;
                }
                reader.Read();
                continue;
            }
            switch (reader.LocalName)
            {
                case "scaninfo":
                    if (reader.GetAttribute("type") is { } type)
                    {
                        scanTypes.Add(type);
                    }
                    if (TransportNames.TryParse(reader.GetAttribute("protocol") ?? "", out var transport))
                    {
                        ports[transport] = ParseServices(reader.GetAttribute("services"));
                    }
                    reader.Skip();
                    break;
                case "host":
                    if (hosts.Count >= MaxHosts)
                    {
                        throw new FormatException($"more than {MaxHosts:N0} hosts: split the scan into several files");
                    }
                    hosts.Add(ReadHost((XElement)XNode.ReadFrom(reader)));
                    break;
                case "runstats":
                    var runstats = (XElement)XNode.ReadFrom(reader);
                    if (runstats.Element("finished") is { } finished)
                    {
                        stats = stats with
                        {
                            Finished = UnixTime((string?)finished.Attribute("time")) ?? stats.Started,
                            Interrupted = (string?)finished.Attribute("exit") == "error",
                        };
                    }
                    if (runstats.Element("hosts") is { } totals && long.TryParse((string?)totals.Attribute("total"), NumberStyles.None, CultureInfo.InvariantCulture, out var total))
                    {
                        hostsTotal = total;
                    }
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        var counts = new Dictionary<string, long>();
        foreach (var host in hosts)
        {
            foreach (var (state, count) in host.StateCounts)
            {
                counts[state] = counts.GetValueOrDefault(state) + count;
            }
        }
        return new ScanReport
        {
            Hosts = hosts,
            Stats = stats with
            {
                ScanType = scanTypes.Count > 0 ? FromNmapType(scanTypes[0]) : stats.ScanType,
                Ports = ports.Count > 0 ? new PortList(ports.GetValueOrDefault(Transport.Tcp), ports.GetValueOrDefault(Transport.Udp), ports.GetValueOrDefault(Transport.Sctp)) : null,
                HostsScanned = hostsTotal ?? hosts.Count,
                PortsScanned = counts.Values.Sum(),
                StateCounts = counts,
                Finished = stats.Finished == default ? stats.Started : stats.Finished,
            },
        };
    }

    private static HostResult ReadHost(XElement host)
    {
        var address = host.Elements("address")
            .Where(a => (string?)a.Attribute("addrtype") is "ipv4" or "ipv6")
            .Select(a => IPAddress.TryParse((string?)a.Attribute("addr"), out var parsed) ? parsed : null)
            .FirstOrDefault(a => a is not null)
            ?? throw new FormatException("A host without an IPv4 or IPv6 address.");
        var names = host.Element("hostnames")?.Elements("hostname").ToList() ?? [];
        var hostname = (string?)(names.FirstOrDefault(n => (string?)n.Attribute("type") == "user") ?? names.FirstOrDefault())?.Attribute("name");
        var state = (string?)host.Element("status")?.Attribute("state") ?? "unknown";
        var ports = new List<PortResult>();
        var counts = new Dictionary<string, long>();
        if (host.Element("ports") is { } portsElement)
        {
            foreach (var extra in portsElement.Elements("extraports"))
            {
                if ((string?)extra.Attribute("state") is { } extraState
                    && long.TryParse((string?)extra.Attribute("count"), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                {
                    counts[extraState] = counts.GetValueOrDefault(extraState) + count;
                }
            }
            foreach (var port in portsElement.Elements("port"))
            {
                if (ReadPort(address, port) is { } result)
                {
                    ports.Add(result);
                    var name = result.State.ToName();
                    counts[name] = counts.GetValueOrDefault(name) + 1;
                }
            }
        }
        return new HostResult { Address = address, Hostname = hostname, State = state, Ports = ports, StateCounts = counts };
    }

    private static PortResult? ReadPort(IPAddress address, XElement port)
    {
        if (!TransportNames.TryParse((string?)port.Attribute("protocol") ?? "", out var protocol)
            || !int.TryParse((string?)port.Attribute("portid"), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number is < 0 or > PortRange.MaxPort)
        {
            throw new FormatException($"A port element with a bad protocol or number: {Truncate(port.ToString(SaveOptions.DisableFormatting))}");
        }
        var stateElement = port.Element("state");
        var stateText = (string?)stateElement?.Attribute("state") ?? "";
        if (!PortStateNames.TryParse(stateText, out var state))
        {
            // Nmap's other states (closed|filtered) have no PortAtlas equivalent: the nearest is filtered.
            state = stateText == "closed|filtered" ? PortState.Filtered : throw new FormatException($"Port {number}/{protocol.ToName()} has an unknown state '{stateText}'.");
        }
        return new PortResult
        {
            Address = address,
            Port = number,
            Protocol = protocol,
            State = state,
            Reason = (string?)stateElement?.Attribute("reason") ?? "",
            Service = ReadService(port.Element("service")),
            Findings = ReadFindings(address, number, protocol, port),
        };
    }

    /// <summary>PortAtlas's findings, written by its XML writer as a <c>portatlas-findings</c> script: a table per finding id.</summary>
    private static Finding[] ReadFindings(IPAddress address, int number, Transport protocol, XElement port)
    {
        var script = port.Elements("script").FirstOrDefault(e => (string?)e.Attribute("id") == "portatlas-findings");
        if (script is null)
        {
            return [];
        }
        var findings = new List<Finding>();
        foreach (var table in script.Elements("table"))
        {
            string? Elem(string key) => table.Elements("elem").FirstOrDefault(e => (string?)e.Attribute("key") == key)?.Value;
            var severity = Elem("severity") ?? "";
            if (!RegistryNames.TryParseRisk(severity, out var risk))
            {
                throw new FormatException($"Finding on port {number}/{protocol.ToName()} has an unknown severity '{Truncate(severity)}'.");
            }
            findings.Add(new Finding
            {
                Id = (string?)table.Attribute("key") ?? "",
                Title = Elem("title") ?? "",
                Severity = risk,
                Address = address,
                Port = number,
                Protocol = protocol,
                Evidence = Elem("evidence") ?? "",
                WhyItMatters = Elem("why"),
                Remediation = Elem("remediation"),
                References = [.. table.Elements("table").Where(t => (string?)t.Attribute("key") == "references").Elements("elem").Select(e => e.Value)],
            });
        }
        return [.. findings];
    }

    private static ServiceInfo? ReadService(XElement? service)
    {
        if (service is null || (string?)service.Attribute("name") is not { } name)
        {
            return null;
        }
        var product = (string?)service.Attribute("product");
        var version = (string?)service.Attribute("version");
        var extra = (string?)service.Attribute("extrainfo");
        var method = (string?)service.Attribute("method");
        var cpe = service.Elements("cpe").Select(c => c.Value).ToArray();
        if (method == "table" && product is null && version is null && extra is null && cpe.Length == 0)
        {
            return null;
        }
        return new ServiceInfo
        {
            Name = name,
            Product = product,
            Version = version,
            ExtraInfo = extra,
            Cpe = cpe,
            Method = method == "table" ? "registry" : "probe",
            Tls = (string?)service.Attribute("tunnel") == "ssl" ? new TlsInfo() : null,
        };
    }

    private static List<int> ParseServices(string? services)
    {
        var list = new List<int>();
        foreach (var part in (services ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            if (!int.TryParse(dash < 0 ? part : part[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                || !int.TryParse(dash < 0 ? part : part[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
                || first > last || last > PortRange.MaxPort)
            {
                throw new FormatException($"Bad port range '{Truncate(part)}' in scaninfo.");
            }
            for (var p = first; p <= last; p++)
            {
                list.Add(p);
            }
        }
        return list;
    }

    private static string FromNmapType(string type) => type switch
    {
        "sctpinit" or "sctpcookieecho" => "sctp",
        _ => type,
    };

    private static DateTimeOffset? UnixTime(string? seconds) =>
        long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 0 and < 253402300800
            ? DateTimeOffset.FromUnixTimeSeconds(value)
            : null;

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
