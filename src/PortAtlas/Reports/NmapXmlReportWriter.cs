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
        XmlText.WriteAttribute(output, "starttime"u8, report.Stats.Started.ToUnixTimeSeconds());
        XmlText.WriteAttribute(output, "endtime"u8, report.Stats.Finished.ToUnixTimeSeconds());
        Utf8Text.Write(output, "><status"u8);
        XmlText.WriteAttribute(output, "state"u8, NmapFacts.HostState(host));
        XmlText.WriteAttribute(output, "reason"u8, NmapFacts.HostReason(host));
        Utf8Text.Write(output, " reason_ttl=\"0\"/>\n<address"u8);
        XmlText.WriteAttribute(output, "addr"u8, host.Address.ToString());
        XmlText.WriteAttribute(output, "addrtype"u8, NmapFacts.AddressType(host));
        Utf8Text.Write(output, "/>\n<hostnames>\n"u8);
        if (!string.IsNullOrEmpty(host.Hostname))
        {
            Utf8Text.Write(output, "<hostname"u8);
            XmlText.WriteAttribute(output, "name"u8, host.Hostname);
            Utf8Text.Write(output, "/>\n"u8);
        }
        Utf8Text.Write(output, "</hostnames>\n"u8);

        var extra = NmapFacts.ExtraPorts(host, report);
        var ports = host.Ports.Where(p => NmapFacts.IsNmapProtocol(p.Protocol)).ToList();
        if (extra.Count > 0 || ports.Count > 0)
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
            Utf8Text.Write(output, "</ports>\n"u8);
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
            if (service?.Tls is { } tls)
            {
                Utf8Text.Write(output, "<script id=\"ssl-cert\""u8);
                XmlText.WriteAttribute(output, "output"u8, CertificateSummary(tls));
                Utf8Text.Write(output, "/>"u8);
            }
        }
        if (port.Findings.Count > 0)
        {
            WriteFindings(output, port.Findings);
        }
        Utf8Text.Write(output, "</port>\n"u8);
    }

    /// <summary>
    /// The port's findings as a script element, as an NSE script would report them: <c>output</c> holds one line per
    /// finding ("high PA-CLEARTEXT-TELNET: title; evidence"), and a table per finding, keyed by its id, holds
    /// severity, title, evidence, why, remediation and references for tools that read script tables.
    /// The DTD allows any number of scripts per port, but ndiff 7.93 to 7.95 fails on a port with two or more
    /// (it cannot sort them, nmap/nmap#2930), as it does on Nmap's own <c>-sC</c> output.
    /// </summary>
    private static void WriteFindings(IBufferWriter<byte> output, IReadOnlyList<Finding> findings)
    {
        Utf8Text.Write(output, "<script id=\"portatlas-findings\""u8);
        XmlText.WriteAttribute(output, "output"u8, string.Join('\n', findings.Select(f => $"{f.Severity.ToName()} {f.Id}: {f.Title}; {f.Evidence}")));
        Utf8Text.Write(output, ">"u8);
        foreach (var finding in findings)
        {
            Utf8Text.Write(output, "<table"u8);
            XmlText.WriteAttribute(output, "key"u8, finding.Id);
            Utf8Text.Write(output, ">"u8);
            WriteElem(output, "severity", finding.Severity.ToName());
            WriteElem(output, "title", finding.Title);
            WriteElem(output, "evidence", finding.Evidence);
            WriteElem(output, "why", finding.WhyItMatters);
            WriteElem(output, "remediation", finding.Remediation);
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
        Utf8Text.Write(output, "</script>"u8);
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
