using System.Buffers;
using System.Globalization;
using PortAtlas.Assessment;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Reports;

/// <summary>
/// Writes Nmap's XML output (<c>nmap -oX</c>, xmloutputversion 1.05), valid against Nmap's DTD
/// (<c>nmap.dtd</c>), so that ndiff and the tools that import Nmap XML read PortAtlas scans.
/// </summary>
/// <remarks>
/// <para>
/// The DTD allows only <c>scanner="nmap"</c>, so that is what the root element says; PortAtlas names itself in
/// the comment before it, and <c>version</c> is the PortAtlas version (<see cref="ReportOptions.ScannerVersion"/>).
/// </para>
/// <para>
/// Each listed port becomes a <c>port</c> element in the order given. Counted but unlisted ports
/// (<see cref="HostResult.StateCounts"/> minus the listed ones) become <c>extraports</c>, without
/// <c>extrareasons</c> since reasons of unlisted ports are not kept. A port without detection gets the
/// registry's service name with <c>method="table" conf="3"</c>, as Nmap does from nmap-services; detected
/// services get <c>method="probed"</c> with detection's confidence as <c>conf</c> (10 when unstated) and <c>tunnel="ssl"</c> over TLS, and a certificate is
/// summarised in an <c>ssl-cert</c> script element; assessment findings go in a <c>portatlas-findings</c> script element. Host start and end times are the scan's. DCCP ports are
/// left out: the DTD cannot name the protocol.
/// </para>
/// </remarks>
public sealed class NmapXmlReportWriter : ReportWriter
{
    /// <summary>A writer with the given settings, or <see cref="ReportOptions.Default"/>.</summary>
    public NmapXmlReportWriter(ReportOptions? options = null)
        : base(options)
    {
    }

    /// <inheritdoc />
    public override ReportFormat Format => ReportFormat.Xml;

    private protected override IEnumerable<int> WriteParts(ScanReport report, IBufferWriter<byte> output)
    {
        var stats = report.Stats;
        var registry = Options.EffectiveRegistry;
        var version = Options.ScannerVersion;
        var startText = NmapFacts.CTime(stats.Started);

        Utf8Text.Write(output, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE nmaprun>\n<!-- "u8);
        Utf8Text.Write(output, XmlText.ForComment($"PortAtlas {version} scan initiated {startText} as: {Sanitizing.Secrets.MaskCredentials(stats.CommandLine)}").AsSpan());
        Utf8Text.Write(output, " -->\n<nmaprun scanner=\"nmap\""u8);
        XmlText.WriteAttribute(output, "args"u8, Sanitizing.Secrets.MaskCredentials(stats.CommandLine));
        XmlText.WriteAttribute(output, "start"u8, stats.Started.ToUnixTimeSeconds());
        XmlText.WriteAttribute(output, "startstr"u8, startText);
        XmlText.WriteAttribute(output, "version"u8, version);
        Utf8Text.Write(output, " xmloutputversion=\"1.05\">\n"u8);
        WriteScanInfo(output, report);
        Utf8Text.Write(output, "<verbose level=\"0\"/>\n<debugging level=\"0\"/>\n"u8);
        yield return 0;

        foreach (var host in report.Hosts)
        {
            WriteHost(output, host, report, registry);
            yield return 0;
        }

        var (up, down, total) = NmapFacts.HostTotals(report);
        var endText = NmapFacts.CTime(stats.Finished);
        var elapsed = stats.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture);
        Utf8Text.Write(output, "<runstats><finished"u8);
        XmlText.WriteAttribute(output, "time"u8, stats.Finished.ToUnixTimeSeconds());
        XmlText.WriteAttribute(output, "timestr"u8, endText);
        XmlText.WriteAttribute(output, "summary"u8,
            $"PortAtlas done at {endText}; {NmapFacts.HostSummary(report)} scanned in {elapsed} seconds");
        XmlText.WriteAttribute(output, "elapsed"u8, elapsed);
        if (stats.Interrupted)
        {
            Utf8Text.Write(output, " exit=\"error\" errormsg=\"interrupted: results are partial\""u8);
        }
        else
        {
            Utf8Text.Write(output, " exit=\"success\""u8);
        }
        Utf8Text.Write(output, "/><hosts"u8);
        XmlText.WriteAttribute(output, "up"u8, up);
        XmlText.WriteAttribute(output, "down"u8, down);
        XmlText.WriteAttribute(output, "total"u8, total);
        Utf8Text.Write(output, "/>\n</runstats>\n</nmaprun>\n"u8);
        yield return 0;
    }

    /// <summary>One scaninfo per transport scanned: the scan type and the ports probed.</summary>
    private static void WriteScanInfo(IBufferWriter<byte> output, ScanReport report)
    {
        var stats = report.Stats;
        Transport[] transports = [Transport.Tcp, Transport.Udp, Transport.Sctp];
        var written = false;
        foreach (var transport in transports)
        {
            IReadOnlyList<int> ports;
            if (stats.Ports is { } list)
            {
                ports = list.For(transport);
            }
            else
            {
                // Without the probed list, the listed ports are the best record of what was scanned.
                ports = [.. report.Hosts.SelectMany(h => h.Ports).Where(p => p.Protocol == transport).Select(p => p.Port).Distinct().Order()];
            }
            if (ports.Count == 0)
            {
                continue;
            }
            WriteScanInfo(output, ScanType(stats.ScanType, transport), transport, ports);
            written = true;
        }
        if (!written)
        {
            var transport = stats.ScanType.ToLowerInvariant() switch
            {
                "udp" => Transport.Udp,
                "sctp" or "sctpinit" or "sctpcookieecho" => Transport.Sctp,
                _ => Transport.Tcp,
            };
            WriteScanInfo(output, ScanType(stats.ScanType, transport), transport, []);
        }
    }

    private static void WriteScanInfo(IBufferWriter<byte> output, string type, Transport transport, IReadOnlyList<int> ports)
    {
        Utf8Text.Write(output, "<scaninfo"u8);
        XmlText.WriteAttribute(output, "type"u8, type);
        XmlText.WriteAttribute(output, "protocol"u8, transport.ToName());
        XmlText.WriteAttribute(output, "numservices"u8, ports.Count);
        XmlText.WriteAttribute(output, "services"u8, NmapFacts.PortRanges(ports));
        Utf8Text.Write(output, "/>\n"u8);
    }

    /// <summary>The DTD's scan type for a transport: the TCP techniques pass through, UDP is udp, SCTP sctpinit.</summary>
    private static string ScanType(string scanType, Transport transport)
    {
        var type = scanType.ToLowerInvariant();
        return transport switch
        {
            Transport.Udp => "udp",
            Transport.Sctp => type == "sctpcookieecho" ? type : "sctpinit",
            _ => type is "syn" or "ack" or "bounce" or "connect" or "null" or "xmas" or "window" or "maimon" or "fin" ? type : "connect",
        };
    }

    private static void WriteHost(IBufferWriter<byte> output, HostResult host, ScanReport report, PortRegistry registry)
    {
        Utf8Text.Write(output, "<host"u8);
        XmlText.WriteAttribute(output, "starttime"u8, (host.Started ?? report.Stats.Started).ToUnixTimeSeconds());
        XmlText.WriteAttribute(output, "endtime"u8, (host.Finished ?? report.Stats.Finished).ToUnixTimeSeconds());
        Utf8Text.Write(output, "><status"u8);
        XmlText.WriteAttribute(output, "state"u8, NmapFacts.HostState(host));
        XmlText.WriteAttribute(output, "reason"u8, host.StateReason is { Length: > 0 } reason ? reason : NmapFacts.HostReason(host));
        Utf8Text.Write(output, " reason_ttl=\"0\"/>\n<address"u8);
        XmlText.WriteAttribute(output, "addr"u8, host.Address.ToString());
        XmlText.WriteAttribute(output, "addrtype"u8, NmapFacts.AddressType(host));
        Utf8Text.Write(output, "/>\n"u8);
        if (host.MacAddress is { Length: > 0 } mac)
        {
            Utf8Text.Write(output, "<address"u8);
            XmlText.WriteAttribute(output, "addr"u8, mac);
            Utf8Text.Write(output, " addrtype=\"mac\""u8);
            XmlText.WriteOptionalAttribute(output, "vendor"u8, host.MacVendor);
            Utf8Text.Write(output, "/>\n"u8);
        }
        Utf8Text.Write(output, "<hostnames>\n"u8);
        // Every known name with its type, so that ndiff matches the host against Nmap's record of it (user name and PTR).
        IReadOnlyList<HostName> names = host.Hostnames.Count > 0 ? host.Hostnames
            : string.IsNullOrEmpty(host.Hostname) ? [] : [new HostName(host.Hostname, "")];
        foreach (var hostName in names)
        {
            Utf8Text.Write(output, "<hostname"u8);
            XmlText.WriteAttribute(output, "name"u8, hostName.Name);
            if (hostName.Type is "user" or "PTR")
            {
                XmlText.WriteAttribute(output, "type"u8, hostName.Type);
            }
            Utf8Text.Write(output, "/>\n"u8);
        }
        Utf8Text.Write(output, "</hostnames>\n"u8);

        var extra = NmapFacts.ExtraPorts(host, report);
        var ports = host.Ports.Where(p => NmapFacts.IsNmapProtocol(p.Protocol)).ToList();
        if (extra.Count > 0 || ports.Count > 0 || host.Protocols.Count > 0)
        {
            Utf8Text.Write(output, "<ports>"u8);
            foreach (var (state, count) in extra)
            {
                Utf8Text.Write(output, "<extraports"u8);
                XmlText.WriteAttribute(output, "state"u8, state);
                XmlText.WriteAttribute(output, "count"u8, count);
                Utf8Text.Write(output, "/>\n"u8);
            }
            foreach (var port in ports)
            {
                WritePort(output, new PortFacts(port, registry));
            }
            foreach (var protocol in host.Protocols)
            {
                // Nmap's protocol scan (-sO) records IP protocols as ports of protocol "ip".
                Utf8Text.Write(output, "<port protocol=\"ip\""u8);
                XmlText.WriteAttribute(output, "portid"u8, protocol.Number);
                Utf8Text.Write(output, "><state"u8);
                XmlText.WriteAttribute(output, "state"u8, protocol.State.ToName());
                XmlText.WriteAttribute(output, "reason"u8, string.IsNullOrEmpty(protocol.Reason) ? "unknown" : protocol.Reason);
                Utf8Text.Write(output, " reason_ttl=\"0\"/>"u8);
                if (protocol.Name is { Length: > 0 } protocolName)
                {
                    Utf8Text.Write(output, "<service"u8);
                    XmlText.WriteAttribute(output, "name"u8, protocolName);
                    Utf8Text.Write(output, " method=\"table\" conf=\"3\"/>"u8);
                }
                Utf8Text.Write(output, "</port>\n"u8);
            }
            Utf8Text.Write(output, "</ports>\n"u8);
        }
        WriteOs(output, host.OsMatches);
        var findings = ports.SelectMany(p => p.Findings).ToList();
        var certificates = ports.Where(p => p.Service?.Tls is not null && !p.Scripts.Any(s => s.Id == "ssl-cert"))
            .Select(p => (Port: p, Summary: CertificateSummary(p.Service!.Tls!))).Where(c => c.Summary.Length > 0).ToList();
        if (host.Scripts.Count > 0 || findings.Count > 0 || certificates.Count > 0)
        {
            Utf8Text.Write(output, "<hostscript>"u8);
            if (findings.Count == 0 && certificates.Count == 0)
            {
                WriteScripts(output, host.Scripts, []);
            }
            else
            {
                WriteHostFindings(output, host.Scripts, findings, certificates);
            }
            Utf8Text.Write(output, "</hostscript>\n"u8);
        }
        WriteTimes(output, host);
        Utf8Text.Write(output, "</host>\n"u8);
    }

    private static void WritePort(IBufferWriter<byte> output, PortFacts facts)
    {
        var port = facts.Result;
        Utf8Text.Write(output, "<port"u8);
        XmlText.WriteAttribute(output, "protocol"u8, port.Protocol.ToName());
        XmlText.WriteAttribute(output, "portid"u8, port.Port);
        Utf8Text.Write(output, "><state"u8);
        XmlText.WriteAttribute(output, "state"u8, port.State.ToName());
        XmlText.WriteAttribute(output, "reason"u8, string.IsNullOrEmpty(port.Reason) ? "unknown" : port.Reason);
        Utf8Text.Write(output, " reason_ttl=\"0\"/>"u8);
        if (facts.ServiceName is { } name)
        {
            var service = port.Service;
            Utf8Text.Write(output, "<service"u8);
            XmlText.WriteAttribute(output, "name"u8, name);
            XmlText.WriteOptionalAttribute(output, "product"u8, service?.Product);
            XmlText.WriteOptionalAttribute(output, "version"u8, service?.Version);
            XmlText.WriteOptionalAttribute(output, "extrainfo"u8, service?.ExtraInfo);
            if (service?.Tls is not null)
            {
                Utf8Text.Write(output, " tunnel=\"ssl\""u8);
            }
            // nmap.dtd: what the service revealed about its host, as Nmap's version detection reports it.
            XmlText.WriteOptionalAttribute(output, "ostype"u8, service?.OperatingSystem);
            XmlText.WriteOptionalAttribute(output, "devicetype"u8, service?.DeviceType);
            Utf8Text.Write(output, facts.Probed ? " method=\"probed\""u8 : " method=\"table\""u8);
            XmlText.WriteAttribute(output, "conf"u8, facts.Confidence.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var cpes = service?.Cpe ?? [];
            if (cpes.Count == 0)
            {
                Utf8Text.Write(output, "/>"u8);
            }
            else
            {
                Utf8Text.Write(output, ">"u8);
                foreach (var cpe in cpes)
                {
                    Utf8Text.Write(output, "<cpe>"u8);
                    XmlText.WriteEscaped(output, cpe);
                    Utf8Text.Write(output, "</cpe>"u8);
                }
                Utf8Text.Write(output, "</service>"u8);
            }
        }
        // Only the scripts another scanner ran stay on the port; findings and PortAtlas's certificate summary go to the host (see WriteHostFindings).
        WriteScripts(output, port.Scripts, []);
        Utf8Text.Write(output, "</port>\n"u8);
    }

    /// <summary>
    /// The host's findings, PortAtlas's certificate summaries and the host's scripts as one host script,
    /// <c>portatlas-findings</c>. Not on the ports: ndiff (7.93 to 7.95) fails in its default mode on a port whose
    /// state, service and version equal the other scan's while its scripts differ (it compares a list with 0), which is
    /// what a port with findings beside Nmap's own record of it is; host scripts it diffs without fault. The output has a
    /// line per finding ("443/tcp high PA-TLS-EXPIRED: title; evidence") and per certificate; a table per finding (its id,
    /// with an elem <c>port</c>), a table <c>tls:PORT/PROTOCOL</c> per certificate summary and <c>script:ID</c> per host script.
    /// </summary>
    private static void WriteHostFindings(IBufferWriter<byte> output, IReadOnlyList<ScriptResult> scripts, IReadOnlyList<Finding> findings, IReadOnlyList<(PortResult Port, string Summary)> certificates)
    {
        static string Where(int port, Transport protocol) => string.Create(CultureInfo.InvariantCulture, $"{port}/{protocol.ToName()}");
        var lines = findings.Select(f => $"{Where(f.Port, f.Protocol)} {f.Severity.ToName()} {f.Id}: {f.Title}; {f.Evidence}")
            .Concat(certificates.Select(c => $"{Where(c.Port.Port, c.Port.Protocol)} certificate: {c.Summary.Replace('\n', ';')}"))
            .Concat(scripts.Select(s => $"{s.Id}: {s.Output}"));
        Utf8Text.Write(output, "<script id=\"portatlas-findings\""u8);
        XmlText.WriteAttribute(output, "output"u8, string.Join('\n', lines));
        Utf8Text.Write(output, ">"u8);
        WriteFindingTables(output, findings);
        foreach (var (port, summary) in certificates)
        {
            Utf8Text.Write(output, "<table"u8);
            XmlText.WriteAttribute(output, "key"u8, "tls:" + Where(port.Port, port.Protocol));
            Utf8Text.Write(output, ">"u8);
            WriteElem(output, "output", summary);
            Utf8Text.Write(output, "</table>"u8);
        }
        WriteScriptTables(output, scripts);
        Utf8Text.Write(output, "</script>"u8);
    }

    /// <summary>
    /// A port's or host's scripts and findings as at most one script element. The DTD allows any number, but ndiff
    /// (7.93 to 7.95, every mode) fails on two or more in one port or host: it sorts them and cannot compare them
    /// (nmap/nmap#2930), as it does on Nmap's own <c>-sC</c> output. One script passes through as it is; findings, or
    /// several scripts, go in one <c>portatlas-findings</c> (with findings) or <c>portatlas-scripts</c> element whose
    /// output joins every line, with a table per finding and a table <c>script:ID</c> per script (its output and
    /// elements), which PortAtlas's import reads back.
    /// </summary>
    private static void WriteScripts(IBufferWriter<byte> output, IReadOnlyList<ScriptResult> scripts, IReadOnlyList<Finding> findings)
    {
        if (findings.Count == 0 && scripts.Count == 1)
        {
            WriteScript(output, scripts[0]);
            return;
        }
        if (findings.Count == 0 && scripts.Count == 0)
        {
            return;
        }
        var lines = findings.Select(f => $"{f.Severity.ToName()} {f.Id}: {f.Title}; {f.Evidence}")
            .Concat(scripts.Select(s => $"{s.Id}: {s.Output}"));
        Utf8Text.Write(output, findings.Count > 0 ? "<script id=\"portatlas-findings\""u8 : "<script id=\"portatlas-scripts\""u8);
        XmlText.WriteAttribute(output, "output"u8, string.Join('\n', lines));
        Utf8Text.Write(output, ">"u8);
        WriteFindingTables(output, findings);
        WriteScriptTables(output, scripts);
        Utf8Text.Write(output, "</script>"u8);
    }

    private static void WriteScriptTables(IBufferWriter<byte> output, IReadOnlyList<ScriptResult> scripts)
    {
        foreach (var script in scripts)
        {
            Utf8Text.Write(output, "<table"u8);
            XmlText.WriteAttribute(output, "key"u8, "script:" + script.Id);
            Utf8Text.Write(output, ">"u8);
            WriteElem(output, "output", script.Output);
            if (script.Elements.Count > 0)
            {
                Utf8Text.Write(output, "<table key=\"elements\">"u8);
                foreach (var (key, value) in script.Elements)
                {
                    WriteElem(output, key, value);
                }
                Utf8Text.Write(output, "</table>"u8);
            }
            Utf8Text.Write(output, "</table>"u8);
        }
    }

    /// <summary>One script as Nmap writes it: its flattened elements become elem elements keyed by their dotted path.</summary>
    private static void WriteScript(IBufferWriter<byte> output, ScriptResult script)
    {
        Utf8Text.Write(output, "<script"u8);
        XmlText.WriteAttribute(output, "id"u8, script.Id);
        XmlText.WriteAttribute(output, "output"u8, script.Output);
        if (script.Elements.Count == 0)
        {
            Utf8Text.Write(output, "/>"u8);
            return;
        }
        Utf8Text.Write(output, ">"u8);
        WriteNested(output, script.Elements, 0, script.Elements.Count, "");
        Utf8Text.Write(output, "</script>"u8);
    }

    /// <summary>Rebuilds the tables of flattened elements [start, end) under <paramref name="prefix"/>: keys "a.b" become elem b in table a.</summary>
    private static void WriteNested(IBufferWriter<byte> output, IReadOnlyList<KeyValuePair<string, string>> elements, int start, int end, string prefix)
    {
        var i = start;
        while (i < end)
        {
            var rest = elements[i].Key[prefix.Length..];
            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                WriteElem(output, IsPosition(rest) ? null : rest, elements[i].Value);
                i++;
                continue;
            }
            var table = rest[..dot];
            var inner = prefix + table + ".";
            var j = i;
            while (j < end && elements[j].Key.StartsWith(inner, StringComparison.Ordinal))
            {
                j++;
            }
            Utf8Text.Write(output, "<table"u8);
            if (!IsPosition(table))
            {
                XmlText.WriteAttribute(output, "key"u8, table);
            }
            Utf8Text.Write(output, ">"u8);
            WriteNested(output, elements, i, j, inner);
            Utf8Text.Write(output, "</table>"u8);
            i = j;
        }
    }

    // The importer keys an element without a key by its position from 1: such keys are written back without one.
    private static bool IsPosition(string key) => key.Length > 0 && key.All(char.IsAsciiDigit);

    private static void WriteOs(IBufferWriter<byte> output, IReadOnlyList<OsMatch> matches)
    {
        if (matches.Count == 0)
        {
            return;
        }
        Utf8Text.Write(output, "<os>"u8);
        foreach (var match in matches)
        {
            Utf8Text.Write(output, "<osmatch"u8);
            XmlText.WriteAttribute(output, "name"u8, match.Name);
            XmlText.WriteAttribute(output, "accuracy"u8, match.Accuracy);
            Utf8Text.Write(output, " line=\"0\">"u8);
            foreach (var c in match.Classes)
            {
                Utf8Text.Write(output, "<osclass"u8);
                XmlText.WriteOptionalAttribute(output, "type"u8, c.Type);
                XmlText.WriteOptionalAttribute(output, "vendor"u8, c.Vendor);
                XmlText.WriteAttribute(output, "osfamily"u8, c.Family ?? "");
                XmlText.WriteOptionalAttribute(output, "osgen"u8, c.Generation);
                XmlText.WriteAttribute(output, "accuracy"u8, c.Accuracy);
                Utf8Text.Write(output, ">"u8);
                foreach (var cpe in c.Cpe)
                {
                    Utf8Text.Write(output, "<cpe>"u8);
                    XmlText.WriteEscaped(output, cpe);
                    Utf8Text.Write(output, "</cpe>"u8);
                }
                Utf8Text.Write(output, "</osclass>"u8);
            }
            Utf8Text.Write(output, "</osmatch>"u8);
        }
        Utf8Text.Write(output, "</os>\n"u8);
    }

    /// <summary>A table per finding, keyed by its id: severity, title, evidence, why, remediation, origin and references.</summary>
    private static void WriteFindingTables(IBufferWriter<byte> output, IReadOnlyList<Finding> findings)
    {
        foreach (var finding in findings)
        {
            Utf8Text.Write(output, "<table"u8);
            XmlText.WriteAttribute(output, "key"u8, finding.Id);
            Utf8Text.Write(output, ">"u8);
            WriteElem(output, "port", string.Create(CultureInfo.InvariantCulture, $"{finding.Port}/{finding.Protocol.ToName()}"));
            WriteElem(output, "severity", finding.Severity.ToName());
            WriteElem(output, "title", finding.Title);
            WriteElem(output, "evidence", finding.Evidence);
            WriteElem(output, "why", finding.WhyItMatters);
            WriteElem(output, "remediation", finding.Remediation);
            WriteElem(output, "origin", finding.Origin);
            if (finding.References.Count > 0)
            {
                Utf8Text.Write(output, "<table key=\"references\">"u8);
                foreach (var reference in finding.References)
                {
                    WriteElem(output, null, reference);
                }
                Utf8Text.Write(output, "</table>"u8);
            }
            Utf8Text.Write(output, "</table>"u8);
        }
    }

    private static void WriteElem(IBufferWriter<byte> output, string? key, string? value)
    {
        if (value is null)
        {
            return;
        }
        Utf8Text.Write(output, "<elem"u8);
        if (key is not null)
        {
            XmlText.WriteAttribute(output, "key"u8, key);
        }
        Utf8Text.Write(output, ">"u8);
        XmlText.WriteEscaped(output, value);
        Utf8Text.Write(output, "</elem>"u8);
    }

    /// <summary>The certificate in the lines Nmap's ssl-cert script prints.</summary>
    private static string CertificateSummary(TlsInfo tls)
    {
        var lines = new List<string>();
        if (tls.Subject is { Length: > 0 } subject) { lines.Add($"Subject: {subject}"); }
        if (tls.SubjectAlternativeNames.Count > 0) { lines.Add($"Subject Alternative Name: {string.Join(", ", tls.SubjectAlternativeNames)}"); }
        if (tls.Issuer is { Length: > 0 } issuer) { lines.Add($"Issuer: {issuer}"); }
        if (tls.KeyType is { Length: > 0 } keyType) { lines.Add($"Public Key type: {keyType}"); }
        if (tls.KeyBits is int bits) { lines.Add(string.Create(CultureInfo.InvariantCulture, $"Public Key bits: {bits}")); }
        if (tls.SignatureAlgorithm is { Length: > 0 } algorithm) { lines.Add($"Signature Algorithm: {algorithm}"); }
        if (tls.NotBefore is DateTimeOffset notBefore) { lines.Add(string.Create(CultureInfo.InvariantCulture, $"Not valid before: {notBefore.UtcDateTime:yyyy-MM-ddTHH:mm:ss}")); }
        if (tls.NotAfter is DateTimeOffset notAfter) { lines.Add(string.Create(CultureInfo.InvariantCulture, $"Not valid after:  {notAfter.UtcDateTime:yyyy-MM-ddTHH:mm:ss}")); }
        return string.Join('\n', lines);
    }

    /// <summary>
    /// Round-trip statistics in microseconds, as Nmap's times element: smoothed RTT, its variation, and the timeout
    /// they imply (RFC 6298, section 2: SRTT + 4 RTTVAR, here with Nmap's 100 ms floor). Omitted without RTTs.
    /// </summary>
    private static void WriteTimes(IBufferWriter<byte> output, HostResult host)
    {
        var rtts = host.Ports.Where(p => p.RoundTrip is not null).Select(p => p.RoundTrip!.Value.Ticks / TimeSpan.TicksPerMicrosecond).ToList();
        if (rtts.Count == 0)
        {
            return;
        }
        var srtt = (long)rtts.Average();
        var rttvar = (long)rtts.Average(r => Math.Abs(r - srtt));
        Utf8Text.Write(output, "<times"u8);
        XmlText.WriteAttribute(output, "srtt"u8, srtt);
        XmlText.WriteAttribute(output, "rttvar"u8, rttvar);
        XmlText.WriteAttribute(output, "to"u8, Math.Max(srtt + (4 * rttvar), 100_000));
        Utf8Text.Write(output, "/>\n"u8);
    }
}
