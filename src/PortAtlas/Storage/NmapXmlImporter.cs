using System.Globalization;
using System.Net;
using System.Xml;
using System.Xml.Linq;
using PortAtlas.Registry;
using PortAtlas.Targets;

namespace PortAtlas.Storage;

/// <summary>
/// Reads Nmap's XML output (<c>nmap -oX</c>, and PortAtlas's own <c>NmapXmlReportWriter</c>) into a <see cref="ScanReport"/>
/// without dropping what a user would look at: scan info, hosts (down ones too) with every address, host name (with its
/// type), MAC address and vendor, status and reason, start and end times, OS matches with their classes, host and port
/// scripts (ids, text and structured output), ports with state, reason and service (name, product, version, extra
/// information, OS and device type, CPEs), IP protocols of a protocol scan (<c>-sO</c>), extra ports as per-host counts,
/// and run statistics.
/// </summary>
/// <remarks>
/// <para>
/// Hostile input is expected. The DOCTYPE Nmap writes is skipped without being processed (no entity is ever expanded,
/// nothing is fetched: no resolver), and the document is read as a stream, one host at a time, within
/// <see cref="ImportLimits"/>: the document's size, the length of any one attribute or text, the nesting depth and the
/// number of XML nodes in one host. Past a limit the import stops with a <see cref="FormatException"/> naming it.
/// </para>
/// <para>
/// A service name Nmap took from its port table (<c>method="table"</c>) is kept as Nmap wrote it (<c>rpcbind</c>,
/// <c>unknown</c>) with <see cref="ServiceInfo.Method"/> <c>registry</c>: a name derived from the port number, not a
/// detection. The <c>ssl-cert</c> script fills <see cref="ServiceInfo.Tls"/>; a <c>tunnel="ssl"</c> port without it
/// gets a <see cref="TlsInfo"/> whose certificate facts are unknown (null), never "not self-signed". Scripts whose
/// structured output states a fact assessment reads (ftp-anon, ssh2-enum-algos, ssl-enum-ciphers) add it to
/// <see cref="ServiceInfo.Facts"/>.
/// </para>
/// <para>
/// A host named twice (<c>nmap 127.0.0.1 127.0.0.1</c>) is merged into one: later ports replace earlier ones with the
/// same number, names and scripts are joined. A count of extra ports beyond what a host can have is clamped, with a
/// warning; a finish time before the start is replaced by the start plus Nmap's <c>elapsed</c>.
/// </para>
/// </remarks>
public static class NmapXmlImporter
{
    /// <summary>The default cap on the document's size in characters: 1 GiB.</summary>
    public const long DefaultMaxCharacters = ImportLimits.DefaultMaxCharacters;

    /// <summary>Reads a document from <paramref name="stream"/>.</summary>
    /// <param name="stream">The XML.</param>
    /// <param name="maxCharacters">The most characters read before the document is refused; default <see cref="DefaultMaxCharacters"/>.</param>
    /// <exception cref="FormatException">The document is not well-formed, past a limit, or not an Nmap run.</exception>
    public static ScanReport Parse(Stream stream, long maxCharacters = DefaultMaxCharacters) =>
        Import(stream, new ImportLimits { MaxCharacters = maxCharacters }).Report;

    /// <summary>Reads a document from a string.</summary>
    /// <exception cref="FormatException">The document is not well-formed, past a limit, or not an Nmap run.</exception>
    public static ScanReport Parse(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(xml));
        return Parse(stream);
    }

    /// <summary>Reads a document from <paramref name="stream"/>, with the warnings about what was clamped or left out.</summary>
    /// <param name="stream">The XML.</param>
    /// <param name="limits">The bounds on the input; <see cref="ImportLimits.Default"/> when null.</param>
    /// <exception cref="FormatException">The document is not well-formed, past a limit, or not an Nmap run.</exception>
    public static ImportResult Import(Stream stream, ImportLimits? limits = null) => Import(stream, limits, null);

    /// <summary>
    /// Reads a document, handing each host to <paramref name="sink"/> as it is read (the report then has no hosts; the
    /// sink holds them), or collecting them in the report when <paramref name="sink"/> is null.
    /// </summary>
    internal static ImportResult Import(Stream stream, ImportLimits? limits, HostSink? sink)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= ImportLimits.Default;
        sink ??= new ListHostSink(limits.MaxHosts);
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Ignore,
            XmlResolver = null,
            MaxCharactersFromEntities = 1024,
            MaxCharactersInDocument = limits.MaxCharacters,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
            CloseInput = false,
        };
        try
        {
            // XmlReader holds a whole attribute in memory before the length check: a run of bytes without '<' or '>' past
            // four times the longest value is refused as it streams, so a 200 MB attribute is never held.
            using var bounded = new MarkupRunLimitStream(stream, (int)Math.Clamp(4L * limits.MaxValueLength, 1 << 20, 1 << 30));
            using var reader = XmlReader.Create(bounded, settings);
            return new Reader(reader, limits, sink).Read();
        }
        catch (InvalidDataException ex)
        {
            throw new FormatException(ex.Message, ex);
        }
        catch (XmlException ex)
        {
            throw new FormatException($"not well-formed XML at line {ex.LineNumber}, column {ex.LinePosition}: {Describe(ex)}", ex);
        }
    }

    /// <summary>
    /// The targets of an Nmap command line (the arguments that are not options or their values): for
    /// <c>nmap -sS -p 1-100 198.18.0.0/22 lab.test</c>, "198.18.0.0/22" and "lab.test". Empty when none can be told.
    /// </summary>
    public static IReadOnlyList<string> TargetsOf(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var tokens = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var targets = new List<string>();
        // The first token is the program's name.
        for (var i = 1; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (token.StartsWith('-'))
            {
                if (TakesValue(token))
                {
                    i++;
                }
                continue;
            }
            targets.Add(token);
        }
        return targets;
    }

    // Nmap's options that take their value as the next argument (a value attached with '=' or, for one-letter options, directly, needs no skip).
    private static bool TakesValue(string option) => option switch
    {
        "-p" or "-e" or "-S" or "-D" or "-g" or "-b" or "-iL" or "-iR" or "-oN" or "-oX" or "-oG" or "-oA" or "-oS" or "-oM" or "-sI" or "-M" => true,
        _ when option.StartsWith("--", StringComparison.Ordinal) && !option.Contains('=', StringComparison.Ordinal) => option[2..] switch
        {
            "source-port" or "exclude" or "excludefile" or "script" or "script-args" or "script-args-file" or "top-ports" or "port-ratio"
                or "max-retries" or "host-timeout" or "scan-delay" or "max-scan-delay" or "min-rate" or "max-rate" or "data-length"
                or "ttl" or "version-intensity" or "dns-servers" or "min-hostgroup" or "max-hostgroup" or "min-parallelism"
                or "max-parallelism" or "min-rtt-timeout" or "max-rtt-timeout" or "initial-rtt-timeout" or "mtu" or "proxies"
                or "datadir" or "stylesheet" or "resume" or "spoof-mac" or "exclude-ports" or "servicedb" or "versiondb"
                or "script-timeout" or "data" or "data-string" or "ip-options" or "scanflags" or "stats-every" or "max-os-tries"
                or "script-trace-file" or "log-errors-file" or "max-parallel" or "defeat-rst-ratelimit-file" => true,
            _ => false,
        },
        _ => false,
    };

    private static string Describe(XmlException ex)
    {
        // XmlException's message embeds the position again; keep only the first sentence, without resource keys.
        var message = ex.Message;
        var cut = message.IndexOf(" Line ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut].TrimEnd('.', ' ') : message;
    }

    private sealed class Reader(XmlReader reader, ImportLimits limits, HostSink sink)
    {
        private readonly List<string> _warnings = [];
        private int _scanProtocols;

        public ImportResult Read()
        {
            if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "nmaprun")
            {
                throw new FormatException("not an Nmap XML document: the root element is not nmaprun");
            }
            var started = UnixTime(Attribute("start"));
            var stats = new ScanStats
            {
                CommandLine = Attribute("args") ?? "",
                Started = started ?? default,
                Scanner = Attribute("scanner") ?? "nmap",
                ScannerVersion = Attribute("version"),
            };
            var scanTypes = new List<string>();
            var ports = new Dictionary<Transport, List<int>>();
            sink.Scanner = stats.Scanner;
            long? hostsTotal = null;
            double? elapsed = null;
            DateTimeOffset? finishedAt = null;
            if (reader.IsEmptyElement)
            {
                return new ImportResult { Report = new ScanReport { Stats = stats }, Format = ImportFormat.NmapXml, Warnings = _warnings };
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
                        if (Attribute("type") is { } type)
                        {
                            scanTypes.Add(type);
                        }
                        _scanProtocols++;
                        if (TransportNames.TryParse(Attribute("protocol") ?? "", out var transport))
                        {
                            ports[transport] = ParseServices(Attribute("services"));
                        }
                        SkipBounded();
                        break;
                    case "host":
                        var host = ReadHost(ReadTree());
                        if (host is not null)
                        {
                            sink.Add(host);
                        }
                        break;
                    case "runstats":
                        var runstats = ReadTree();
                        if (runstats.Element("finished") is { } finished)
                        {
                            finishedAt = UnixTime((string?)finished.Attribute("time"));
                            stats = stats with { Interrupted = (string?)finished.Attribute("exit") == "error" };
                            if (double.TryParse((string?)finished.Attribute("elapsed"), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
                                && seconds is >= 0 and < 10 * 365 * 86400.0)
                            {
                                elapsed = seconds;
                            }
                        }
                        if (runstats.Element("hosts") is { } totals && long.TryParse((string?)totals.Attribute("total"), NumberStyles.None, CultureInfo.InvariantCulture, out var total))
                        {
                            hostsTotal = total;
                        }
                        break;
                    default:
                        SkipBounded();
                        break;
                }
            }
            var counts = sink.StateCounts;
            // Nmap's start and finish times are whole seconds and its elapsed is to the hundredth: the start plus elapsed is
            // the truest end, and never before the start (a file whose finish time precedes its start must not print a negative duration).
            var finishedTime = elapsed is { } e ? stats.Started + TimeSpan.FromSeconds(e) : finishedAt ?? stats.Started;
            if (finishedTime < stats.Started)
            {
                _warnings.Add("the run's finish time is before its start: the start is used");
                finishedTime = stats.Started;
            }
            var report = new ScanReport
            {
                Hosts = sink.Hosts,
                Stats = stats with
                {
                    ScanType = scanTypes.Count > 0 ? FromNmapType(scanTypes[0]) : stats.ScanType,
                    Ports = ports.Count > 0 ? new PortList(ports.GetValueOrDefault(Transport.Tcp), ports.GetValueOrDefault(Transport.Udp), ports.GetValueOrDefault(Transport.Sctp)) : null,
                    HostsScanned = Math.Max(hostsTotal ?? 0, sink.Count),
                    PortsScanned = counts.Values.Sum(),
                    StateCounts = counts,
                    Finished = finishedTime,
                },
            };
            return new ImportResult { Report = report, Format = ImportFormat.NmapXml, Warnings = _warnings };
        }

        private string? Attribute(string name)
        {
            var value = reader.GetAttribute(name);
            if (value is not null && value.Length > limits.MaxValueLength)
            {
                throw new FormatException($"attribute '{name}' of <{reader.LocalName}> is longer than {limits.MaxValueLength} characters (line {LineOf()})");
            }
            return value;
        }

        /// <summary>
        /// Passes over an element this importer does not read, holding its texts, attributes and nesting to the same
        /// limits as the elements it reads (XmlReader.Skip would take a text of any length).
        /// </summary>
        private void SkipBounded()
        {
            var depth = reader.Depth;
            var name = reader.LocalName;
            do
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        if (reader.Depth - depth > limits.MaxDepth)
                        {
                            throw new FormatException($"<{name}> at line {LineOf()} nests deeper than {limits.MaxDepth} elements");
                        }
                        while (reader.MoveToNextAttribute())
                        {
                            if (reader.Value.Length > limits.MaxValueLength)
                            {
                                throw new FormatException($"attribute '{reader.LocalName}' in <{name}> (line {LineOf()}) is longer than {limits.MaxValueLength} characters");
                            }
                        }
                        reader.MoveToElement();
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                        if (reader.Value.Length > limits.MaxValueLength)
                        {
                            throw new FormatException($"a text in <{name}> (line {LineOf()}) is longer than {limits.MaxValueLength} characters");
                        }
                        break;
                }
                reader.Read();
            }
            while (!reader.EOF && reader.Depth > depth);
            if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth)
            {
                reader.Read();
            }
        }

        private string LineOf() => reader is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber.ToString(CultureInfo.InvariantCulture) : "?";

        /// <summary>
        /// Reads the element under the reader into a tree, within the limits: depth, nodes, and the length of each
        /// attribute and text. The reader ends after the element.
        /// </summary>
        private XElement ReadTree()
        {
            var nodes = 0;
            var line = LineOf();
            var root = new XElement(reader.LocalName);
            ReadAttributes(root, ref nodes, line);
            if (reader.IsEmptyElement)
            {
                reader.Read();
                return root;
            }
            var stack = new Stack<XElement>();
            stack.Push(root);
            reader.Read();
            while (stack.Count > 0)
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        if (stack.Count >= limits.MaxDepth)
                        {
                            throw new FormatException($"<{root.Name}> at line {line} nests deeper than {limits.MaxDepth} elements");
                        }
                        var element = new XElement(reader.LocalName);
                        stack.Peek().Add(element);
                        ReadAttributes(element, ref nodes, line);
                        if (!reader.IsEmptyElement)
                        {
                            stack.Push(element);
                        }
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace:
                        var text = reader.Value;
                        if (text.Length > limits.MaxValueLength)
                        {
                            throw new FormatException($"a text in <{stack.Peek().Name}> (line {LineOf()}) is longer than {limits.MaxValueLength} characters");
                        }
                        stack.Peek().Add(new XText(text));
                        Count(ref nodes, root, line);
                        break;
                    case XmlNodeType.EndElement:
                        stack.Pop();
                        break;
                    case XmlNodeType.None:
                        throw new FormatException($"the document ends inside <{root.Name}> (line {line})");
                }
                reader.Read();
            }
            return root;
        }

        private void ReadAttributes(XElement element, ref int nodes, string line)
        {
            Count(ref nodes, element, line);
            if (reader.MoveToFirstAttribute())
            {
                do
                {
                    if (reader.Value.Length > limits.MaxValueLength)
                    {
                        throw new FormatException($"attribute '{reader.LocalName}' of <{element.Name}> (line {LineOf()}) is longer than {limits.MaxValueLength} characters");
                    }
                    element.SetAttributeValue(reader.LocalName, reader.Value);
                    Count(ref nodes, element, line);
                }
                while (reader.MoveToNextAttribute());
                reader.MoveToElement();
            }
        }

        private void Count(ref int nodes, XElement element, string line)
        {
            if (++nodes > limits.MaxNodesPerElement)
            {
                throw new FormatException($"<{element.Name}> at line {line} holds more than {limits.MaxNodesPerElement} XML nodes");
            }
        }

        private HostResult? ReadHost(XElement host)
        {
            IPAddress? address = null;
            string? mac = null, vendor = null;
            foreach (var a in host.Elements("address"))
            {
                var type = (string?)a.Attribute("addrtype");
                var text = (string?)a.Attribute("addr");
                if (type is "ipv4" or "ipv6" && address is null)
                {
                    // A malformed address is a broken file, not a host to leave out quietly: name it (escaped by the caller).
                    address = IPAddress.TryParse(text, out var parsed)
                        ? parsed
                        : throw new FormatException($"a host has a bad {type} address '{Truncate(text ?? "")}'");
                }
                else if (type == "mac" && mac is null)
                {
                    mac = text?.ToUpperInvariant();
                    vendor = (string?)a.Attribute("vendor");
                }
            }
            if (address is null)
            {
                _warnings.Add($"a host without an IPv4 or IPv6 address{(mac is null ? "" : $" (MAC {mac})")} is left out");
                return null;
            }
            var names = host.Element("hostnames")?.Elements("hostname")
                .Where(n => !string.IsNullOrEmpty((string?)n.Attribute("name")))
                .Select(n => new HostName((string)n.Attribute("name")!, (string?)n.Attribute("type") ?? ""))
                .ToArray() ?? [];
            var status = host.Element("status");
            var ports = new List<PortResult>();
            var protocols = new List<ProtocolResult>();
            var counts = new Dictionary<string, long>();
            if (host.Element("ports") is { } portsElement)
            {
                // A host has at most 65,536 ports per transport and 256 IP protocols.
                var most = 65536L * Math.Max(1, _scanProtocols);
                foreach (var extra in portsElement.Elements("extraports"))
                {
                    if ((string?)extra.Attribute("state") is { } extraState
                        && long.TryParse((string?)extra.Attribute("count"), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                    {
                        if (count > most)
                        {
                            _warnings.Add(string.Create(CultureInfo.InvariantCulture, $"host {address}: {count} {extraState} ports is more than a host has; counted as {most}"));
                            count = most;
                        }
                        counts[extraState] = counts.GetValueOrDefault(extraState) + count;
                    }
                }
                // Nmap lists a port once; a file listing one twice ("443" and "0443") keeps the later, as a second
                // mention of the host would.
                var portAt = new Dictionary<(Transport, int), int>();
                var protocolAt = new Dictionary<int, int>();
                foreach (var port in portsElement.Elements("port"))
                {
                    if ((string?)port.Attribute("protocol") == "ip")
                    {
                        var protocol = ReadProtocol(address, port);
                        Place(protocols, protocolAt, protocol.Number, protocol, $"host {address}: IP protocol {protocol.Number}");
                        continue;
                    }
                    if (ReadPort(address, port) is { } result)
                    {
                        if (Place(ports, portAt, (result.Protocol, result.Port), result, $"host {address}: port {result.Port}/{result.Protocol.ToName()}") is { } replaced)
                        {
                            var was = replaced.State.ToName();
                            if (--counts[was] == 0)
                            {
                                counts.Remove(was);
                            }
                        }
                        var name = result.State.ToName();
                        counts[name] = counts.GetValueOrDefault(name) + 1;
                    }
                }
            }
            var hostScript = host.Element("hostscript");
            if (hostScript?.Elements("script").FirstOrDefault(e => (string?)e.Attribute("id") == FindingsScriptId) is { } carried)
            {
                AttachHostFindings(address, carried, ports);
            }
            return new HostResult
            {
                Address = address,
                Hostname = (names.FirstOrDefault(n => n.Type == "user") ?? names.FirstOrDefault())?.Name,
                Hostnames = names,
                // masscan's XML has no status: a host that answered on a port is up.
                State = (string?)status?.Attribute("state") ?? (ports.Any(p => p.State == PortState.Open) ? "up" : "unknown"),
                StateReason = (string?)status?.Attribute("reason"),
                MacAddress = mac,
                MacVendor = vendor,
                Ports = ports,
                Protocols = protocols,
                StateCounts = counts,
                OsMatches = ReadOs(host.Element("os")),
                Scripts = ReadScripts(hostScript),
                Started = UnixTime((string?)host.Attribute("starttime")),
                Finished = UnixTime((string?)host.Attribute("endtime")),
            };
        }

        private static OsMatch[] ReadOs(XElement? os)
        {
            if (os is null)
            {
                return [];
            }
            var matches = os.Elements("osmatch").Select(m => new OsMatch
            {
                Name = (string?)m.Attribute("name") ?? "",
                Accuracy = Percent((string?)m.Attribute("accuracy")),
                Classes = [.. m.Elements("osclass").Select(ReadOsClass)],
            }).ToList();
            // Nmap before 4.5 wrote the classes beside the matches, not inside them.
            var loose = os.Elements("osclass").Select(ReadOsClass).ToArray();
            if (loose.Length > 0)
            {
                if (matches.Count == 0)
                {
                    matches.Add(new OsMatch { Name = string.Join(" or ", loose.Select(c => $"{c.Vendor} {c.Family} {c.Generation}".Trim()).Distinct()), Accuracy = loose.Max(c => c.Accuracy), Classes = loose });
                }
                else if (matches[0].Classes.Count == 0)
                {
                    matches[0] = matches[0] with { Classes = loose };
                }
            }
            return [.. matches];
        }

        private static OsClass ReadOsClass(XElement c) => new()
        {
            Type = (string?)c.Attribute("type"),
            Vendor = (string?)c.Attribute("vendor"),
            Family = (string?)c.Attribute("osfamily"),
            Generation = (string?)c.Attribute("osgen"),
            Accuracy = Percent((string?)c.Attribute("accuracy")),
            Cpe = [.. c.Elements("cpe").Select(e => e.Value)],
        };

        private static int Percent(string? text) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? Math.Clamp(value, 0, 100) : 0;

        private static ScriptResult[] ReadScripts(XElement? parent)
        {
            if (parent is null)
            {
                return [];
            }
            var scripts = new List<ScriptResult>();
            foreach (var script in parent.Elements("script"))
            {
                var id = (string?)script.Attribute("id");
                if (id is FindingsScriptId or ScriptsScriptId)
                {
                    // PortAtlas's XML keeps one script per port for ndiff's sake: the scripts it carried are tables in it.
                    foreach (var table in script.Elements("table").Where(t => ((string?)t.Attribute("key"))?.StartsWith("script:", StringComparison.Ordinal) == true))
                    {
                        var elements = new List<KeyValuePair<string, string>>();
                        if (table.Elements("table").FirstOrDefault(t => (string?)t.Attribute("key") == "elements") is { } inner)
                        {
                            Flatten(inner, "", elements);
                        }
                        scripts.Add(new ScriptResult
                        {
                            Id = ((string)table.Attribute("key")!)["script:".Length..],
                            Output = table.Elements("elem").FirstOrDefault(e => (string?)e.Attribute("key") == "output")?.Value ?? "",
                            Elements = elements,
                        });
                    }
                    continue;
                }
                scripts.Add(ReadScript(script));
            }
            return [.. scripts];
        }

        private static ScriptResult ReadScript(XElement script)
        {
            var elements = new List<KeyValuePair<string, string>>();
            Flatten(script, "", elements);
            return new ScriptResult { Id = (string?)script.Attribute("id") ?? "", Output = (string?)script.Attribute("output") ?? "", Elements = elements };
        }

        private static void Flatten(XElement table, string prefix, List<KeyValuePair<string, string>> into)
        {
            var position = 0;
            foreach (var child in table.Elements())
            {
                if (child.Name != "elem" && child.Name != "table")
                {
                    continue;
                }
                position++;
                var key = (string?)child.Attribute("key") ?? position.ToString(CultureInfo.InvariantCulture);
                var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
                if (child.Name == "elem")
                {
                    into.Add(new(path, child.Value));
                }
                else
                {
                    Flatten(child, path, into);
                }
            }
        }

        private ProtocolResult ReadProtocol(IPAddress address, XElement port)
        {
            if (!int.TryParse((string?)port.Attribute("portid"), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 0 or > 255)
            {
                throw new FormatException($"host {address}: an IP protocol number that is not 0 to 255: '{Truncate((string?)port.Attribute("portid") ?? "")}'");
            }
            var stateElement = port.Element("state");
            return new ProtocolResult
            {
                Address = address,
                Number = number,
                State = ParseState((string?)stateElement?.Attribute("state") ?? "", $"protocol {number}"),
                Reason = (string?)stateElement?.Attribute("reason") ?? "",
                Name = (string?)port.Element("service")?.Attribute("name"),
            };
        }

        private PortResult? ReadPort(IPAddress address, XElement port)
        {
            var protocolText = (string?)port.Attribute("protocol") ?? "";
            if (!int.TryParse((string?)port.Attribute("portid"), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                || number is < 0 or > PortRange.MaxPort)
            {
                throw new FormatException($"host {address}: a port number that is not 0 to 65535: '{Truncate((string?)port.Attribute("portid") ?? "")}'");
            }
            if (!TransportNames.TryParse(protocolText, out var protocol))
            {
                _warnings.Add($"host {address}: port {number} of protocol '{Truncate(protocolText)}' is left out: PortAtlas knows tcp, udp, sctp and ip");
                return null;
            }
            var stateElement = port.Element("state");
            var scripts = ReadScripts(port);
            return new PortResult
            {
                Address = address,
                Port = number,
                Protocol = protocol,
                State = ParseState((string?)stateElement?.Attribute("state") ?? "", $"port {number}/{protocol.ToName()}"),
                Reason = (string?)stateElement?.Attribute("reason") ?? "",
                Service = ReadService(port.Element("service"), scripts),
                Findings = ReadFindings(address, number, protocol, port),
                Scripts = scripts,
            };
        }

        private static PortState ParseState(string text, string what)
        {
            if (PortStateNames.TryParse(text, out var state))
            {
                return state;
            }
            // Nmap's closed|filtered (idle scan) has no PortAtlas equivalent: the nearest is filtered.
            return text == "closed|filtered" ? PortState.Filtered : throw new FormatException($"{what} has an unknown state '{Truncate(text)}'");
        }

        private static ServiceInfo? ReadService(XElement? service, ScriptResult[] scripts)
        {
            var certificate = scripts.FirstOrDefault(s => s.Id == "ssl-cert");
            if (service is null || (string?)service.Attribute("name") is not { } name)
            {
                return certificate is null ? null : new ServiceInfo { Name = "", Method = "registry", Tls = ReadCertificate(certificate) };
            }
            var method = (string?)service.Attribute("method");
            var tunnel = (string?)service.Attribute("tunnel") == "ssl";
            return new ServiceInfo
            {
                Name = name,
                Product = (string?)service.Attribute("product"),
                Version = (string?)service.Attribute("version"),
                ExtraInfo = (string?)service.Attribute("extrainfo"),
                OperatingSystem = (string?)service.Attribute("ostype"),
                DeviceType = (string?)service.Attribute("devicetype"),
                Cpe = [.. service.Elements("cpe").Select(c => c.Value)],
                // Nmap's port table is the counterpart of PortAtlas's registry: a name from the port number alone.
                Method = method == "table" ? "registry" : "probe",
                Tls = certificate is not null ? ReadCertificate(certificate) : tunnel ? new TlsInfo() : null,
                Facts = FactsOf(scripts),
            };
        }

        /// <summary>The certificate from Nmap's ssl-cert script: its structured output where there is one, else its text.</summary>
        internal static TlsInfo ReadCertificate(ScriptResult script)
        {
            string? Get(string key) => script.Elements.FirstOrDefault(e => e.Key == key).Value;
            string? Line(string label)
            {
                foreach (var line in script.Output.Split('\n'))
                {
                    var trimmed = line.Trim();
                    if (trimmed.StartsWith(label, StringComparison.Ordinal))
                    {
                        return trimmed[label.Length..].Trim();
                    }
                }
                return null;
            }
            string? Name(string table)
            {
                var parts = script.Elements.Where(e => e.Key.StartsWith(table + ".", StringComparison.Ordinal))
                    .Select(e => $"{e.Key[(table.Length + 1)..]}={e.Value}").ToArray();
                return parts.Length > 0 ? string.Join('/', parts) : null;
            }
            var bits = Get("pubkey.bits") ?? Line("Public Key bits:");
            var (sha256, selfSigned) = FromPem(Get("pem"));
            var keyType = Get("pubkey.type") ?? Line("Public Key type:");
            var sans = script.Elements.Where(e => e.Key.StartsWith("extensions.", StringComparison.Ordinal) && e.Key.EndsWith(".name", StringComparison.Ordinal) && e.Value == "X509v3 Subject Alternative Name")
                .Select(e => Get(e.Key[..^".name".Length] + ".value")).OfType<string>().FirstOrDefault()
                ?? Line("Subject Alternative Name:");
            return new TlsInfo
            {
                Subject = Name("subject") ?? Line("Subject:"),
                Issuer = Name("issuer") ?? Line("Issuer:"),
                SubjectAlternativeNames = sans is null ? [] : [.. sans.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                NotBefore = Time(Get("validity.notBefore") ?? Line("Not valid before:")),
                NotAfter = Time(Get("validity.notAfter") ?? Line("Not valid after:")),
                KeyType = keyType?.ToLowerInvariant() switch { "rsa" => "RSA", "dsa" => "DSA", "ec" => "ECDSA", _ => keyType },
                KeyBits = int.TryParse(bits, NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : null,
                SignatureAlgorithm = Get("sig_algo") ?? Line("Signature Algorithm:"),
                CertificateMd5 = Hex(Get("md5") ?? Line("MD5:")),
                CertificateSha256 = sha256 ?? Hex(Get("sha256") ?? Line("SHA-256:")),
                // Only the certificate itself (the PEM Nmap 7.x adds) tells whether its own key signed it; without it, unknown.
                SelfSigned = selfSigned,
                Expired = null,
            };
        }

        private static (string? Sha256, bool? SelfSigned) FromPem(string? pem)
        {
            if (pem is null || !pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                return (null, null);
            }
            try
            {
                using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
                return (Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(certificate.RawData)), Detection.TlsInspector.IsSelfSigned(certificate));
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                return (null, null);
            }
        }

        private static string? Hex(string? text) => text?.Replace(" ", "", StringComparison.Ordinal).Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();

        private static DateTimeOffset? Time(string? text) =>
            text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null;

        /// <summary>Facts assessment reads, from scripts that state them.</summary>
        private static IReadOnlyDictionary<string, string> FactsOf(ScriptResult[] scripts)
        {
            var facts = new List<KeyValuePair<string, string>>();
            foreach (var script in scripts)
            {
                switch (script.Id)
                {
                    case "ftp-anon" when script.Output.Contains("Anonymous FTP login allowed", StringComparison.OrdinalIgnoreCase):
                        facts.Add(new(ServiceFacts.Anonymous, "yes"));
                        break;
                    case "ssh2-enum-algos":
                        foreach (var (fact, table) in new[] { (ServiceFacts.SshKex, "kex_algorithms"), (ServiceFacts.SshHostKey, "server_host_key_algorithms"), (ServiceFacts.SshCiphers, "encryption_algorithms"), (ServiceFacts.SshMacs, "mac_algorithms") })
                        {
                            var values = script.Elements.Where(e => e.Key.StartsWith(table + ".", StringComparison.Ordinal)).Select(e => e.Value).ToArray();
                            if (values.Length > 0)
                            {
                                facts.Add(new(fact, string.Join(',', values)));
                            }
                        }
                        break;
                    case "ssl-enum-ciphers":
                        var versions = script.Elements.Select(e => e.Key.Split('.')[0]).Where(k => k.StartsWith("TLSv", StringComparison.Ordinal) || k.StartsWith("SSLv", StringComparison.Ordinal)).Distinct().ToArray();
                        if (versions.Length > 0)
                        {
                            facts.Add(new(ServiceFacts.TlsVersions, string.Join(',', versions)));
                        }
                        break;
                }
            }
            return ServiceFacts.Create([.. facts]);
        }

        /// <summary>
        /// PortAtlas's XML keeps findings and its certificate summaries in one host script (ndiff fails on them in ports):
        /// each goes back to the port its <c>port</c> elem or <c>tls:</c> key names.
        /// </summary>
        private static void AttachHostFindings(IPAddress address, XElement script, List<PortResult> ports)
        {
            for (var i = 0; i < ports.Count; i++)
            {
                var port = ports[i];
                var where = string.Create(CultureInfo.InvariantCulture, $"{port.Port}/{port.Protocol.ToName()}");
                var findings = ReadFindingTables(address, port.Port, port.Protocol, script.Elements("table")
                    .Where(t => t.Elements("elem").Any(e => (string?)e.Attribute("key") == "port" && e.Value == where)));
                var certificate = script.Elements("table").FirstOrDefault(t => (string?)t.Attribute("key") == "tls:" + where);
                if (findings.Length == 0 && certificate is null)
                {
                    continue;
                }
                var service = port.Service;
                if (certificate is not null)
                {
                    var tls = ReadCertificate(new ScriptResult { Id = "ssl-cert", Output = certificate.Elements("elem").FirstOrDefault(e => (string?)e.Attribute("key") == "output")?.Value ?? "" });
                    service = (service ?? new ServiceInfo { Name = "", Method = "registry" }) with { Tls = tls };
                }
                ports[i] = port with { Findings = [.. port.Findings, .. findings], Service = service };
            }
        }

        /// <summary>PortAtlas's findings, written by its XML writer as a <c>portatlas-findings</c> script: a table per finding id.</summary>
        private static Finding[] ReadFindings(IPAddress address, int number, Transport protocol, XElement port)
        {
            var script = port.Elements("script").FirstOrDefault(e => (string?)e.Attribute("id") == FindingsScriptId);
            if (script is null)
            {
                return [];
            }
            return ReadFindingTables(address, number, protocol, script.Elements("table"));
        }

        private static Finding[] ReadFindingTables(IPAddress address, int number, Transport protocol, IEnumerable<XElement> tables)
        {
            var findings = new List<Finding>();
            foreach (var table in tables.Where(t => ((string?)t.Attribute("key"))?.Contains(':', StringComparison.Ordinal) != true || t.Elements("elem").Any(e => (string?)e.Attribute("key") == "severity")))
            {
                string? Elem(string key) => table.Elements("elem").FirstOrDefault(e => (string?)e.Attribute("key") == key)?.Value;
                var severity = Elem("severity") ?? "";
                if (!RegistryNames.TryParseRisk(severity, out var risk))
                {
                    throw new FormatException($"finding on port {number}/{protocol.ToName()} has an unknown severity '{Truncate(severity)}'");
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
                    Origin = Elem("origin"),
                    References = [.. table.Elements("table").Where(t => (string?)t.Attribute("key") == "references").Elements("elem").Select(e => e.Value)],
                });
            }
            return [.. findings];
        }

        private static List<int> ParseServices(string? services)
        {
            var list = new List<int>();
            foreach (var part in (services ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                // Nmap writes "T:80,U:53" in a scaninfo of several protocols only in its grepable form; tolerate the prefix.
                var range = part.Length > 2 && part[1] == ':' ? part[2..] : part;
                var dash = range.IndexOf('-', StringComparison.Ordinal);
                if (!int.TryParse(dash < 0 ? range : range[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                    || !int.TryParse(dash < 0 ? range : range[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
                    || first > last || last > PortRange.MaxPort)
                {
                    throw new FormatException($"bad port range '{Truncate(part)}' in scaninfo");
                }
                for (var p = first; p <= last; p++)
                {
                    list.Add(p);
                }
            }
            return list;
        }

        // Adds item to list, or replaces the item of the same key (with a warning); returns what it replaced.
        private T? Place<TKey, T>(List<T> list, Dictionary<TKey, int> at, TKey key, T item, string what)
            where TKey : notnull
            where T : class
        {
            if (at.TryGetValue(key, out var index))
            {
                var replaced = list[index];
                list[index] = item;
                _warnings.Add($"{what} is listed twice in one host; the later entry is kept");
                return replaced;
            }
            at[key] = list.Count;
            list.Add(item);
            return null;
        }
    }

    private const string FindingsScriptId = "portatlas-findings";
    private const string ScriptsScriptId = "portatlas-scripts";

    /// <summary>One host from two mentions of it: later ports replace earlier ones with the same number and protocol.</summary>
    internal static HostResult Merge(HostResult first, HostResult second)
    {
        var ports = new Dictionary<(Transport, int), PortResult>();
        foreach (var port in first.Ports.Concat(second.Ports))
        {
            ports[(port.Protocol, port.Port)] = port;
        }
        var protocols = new Dictionary<int, ProtocolResult>();
        foreach (var protocol in first.Protocols.Concat(second.Protocols))
        {
            protocols[protocol.Number] = protocol;
        }
        // Unlisted ports scanned twice are counted once (the larger count of each state); listed ports are counted from the merged list.
        var counts = new Dictionary<string, long>();
        foreach (var (state, count) in Unlisted(first))
        {
            counts[state] = count;
        }
        foreach (var (state, count) in Unlisted(second))
        {
            counts[state] = Math.Max(count, counts.GetValueOrDefault(state));
        }
        foreach (var port in ports.Values)
        {
            var name = port.State.ToName();
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }
        var up = first.State == "up" || second.State == "up";
        return second with
        {
            Hostname = second.Hostname ?? first.Hostname,
            Hostnames = [.. first.Hostnames.Concat(second.Hostnames).Distinct()],
            State = up ? "up" : second.State,
            StateReason = second.State == "up" || !up ? second.StateReason : first.StateReason,
            MacAddress = second.MacAddress ?? first.MacAddress,
            MacVendor = second.MacVendor ?? first.MacVendor,
            Ports = [.. ports.Values.OrderBy(p => p.Protocol).ThenBy(p => p.Port)],
            Protocols = [.. protocols.Values.OrderBy(p => p.Number)],
            StateCounts = counts,
            OsMatches = second.OsMatches.Count > 0 ? second.OsMatches : first.OsMatches,
            Scripts = [.. first.Scripts.Where(s => second.Scripts.All(t => t.Id != s.Id)).Concat(second.Scripts)],
            Started = first.Started is { } a && second.Started is { } b ? (a < b ? a : b) : first.Started ?? second.Started,
            Finished = first.Finished is { } c && second.Finished is { } d ? (c > d ? c : d) : first.Finished ?? second.Finished,
        };
    }

    private static IEnumerable<KeyValuePair<string, long>> Unlisted(HostResult host) =>
        host.StateCounts.Select(c => new KeyValuePair<string, long>(c.Key, Math.Max(0, c.Value - host.Ports.Count(p => p.State.ToName() == c.Key))));

    private static string FromNmapType(string type) => type switch
    {
        "sctpinit" or "sctpcookieecho" => "sctp",
        "ipproto" => "ip",
        _ => type,
    };

    private static DateTimeOffset? UnixTime(string? seconds) =>
        long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is > 0 and < 253402300800
            ? DateTimeOffset.FromUnixTimeSeconds(value)
            : null;

    internal static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
