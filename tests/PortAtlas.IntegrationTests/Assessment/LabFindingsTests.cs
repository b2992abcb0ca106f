using System.Diagnostics;
using System.Net;
using PortAtlas.Assessment;
using PortAtlas.Detection;
using PortAtlas.IntegrationTests.Lab;
using PortAtlas.Registry;
using PortAtlas.Scanning;
using PortAtlas.Targets;

namespace PortAtlas.IntegrationTests.Assessment;

/// <summary>
/// The library's scan pipeline (scan, detection, assessment, as <c>ports scan HOST --detect</c> runs it) against the
/// lab host: the findings its daemons deserve are there, and the ones they do not deserve are not.
/// </summary>
public class LabFindingsTests
{
    // The weak names of assessment-rules.tsv's PA-SSH-WEAK-* rules, to decide from the parsed KEXINIT whether the
    // lab's OpenSSH deserves a finding at all.
    private static readonly string[] s_weakKex = ["diffie-hellman-group1-sha1", "diffie-hellman-group-exchange-sha1", "rsa1024-sha1", "ecdh-sha2-nistp192"];
    private static readonly string[] s_weakHostKey = ["ssh-dss", "x509v3-sign-dss"];
    private static readonly string[] s_weakCipher = ["3des-cbc", "arcfour", "arcfour128", "arcfour256", "blowfish-cbc", "cast128-cbc", "des-cbc", "des-cbc@ssh.com", "rijndael-cbc@lysator.liu.se", "none"];
    private static readonly string[] s_weakMac = ["hmac-md5", "hmac-md5-96", "hmac-md5-etm@openssh.com", "hmac-md5-96-etm@openssh.com", "hmac-sha1-96", "hmac-sha1-96-etm@openssh.com", "hmac-ripemd160", "umac-32@openssh.com", "none"];

    private static readonly Lazy<Task<ScanReport>> s_report = new(ScanLabAsync);

    private static Task<ScanReport> Report => s_report.Value;

    /// <summary>Scan every TCP port the manifest lists for the lab host (open, closed and filtered), detect, assess.</summary>
    private static async Task<ScanReport> ScanLabAsync()
    {
        var manifest = LabManifest.Require();
        var ports = manifest.Where(s => s.Address.Equals(LabManifest.Host) && s.Protocol == "tcp").Select(s => s.Port).Order().ToList();
        var targets = await TargetSpecParser.ParseAsync([LabManifest.Host.ToString()], cancellationToken: CancellationToken.None);
        var portList = PortSpecParser.Parse(string.Join(',', ports));
        Assert.True(targets.Success, targets.Error);
        Assert.True(portList.Success, portList.Error);
        var options = ScanOptions.Default with { MaxRetries = 1, ReportClosed = true, ReportFiltered = true };
        var scanner = new PortScanner();
        var collector = new ScanCollector(listEveryState: true);
        var started = DateTimeOffset.UtcNow;
        var results = new ServiceDetector().DetectAsync(scanner.ScanAsync(targets.Value!, portList.Value!, options, CancellationToken.None), DetectionOptions.Default, CancellationToken.None);
        await foreach (var result in results)
        {
            collector.Add(result);
        }
        var stats = new ScanStats
        {
            Started = started,
            Finished = DateTimeOffset.UtcNow,
            ScanType = "connect",
            CommandLine = "LabFindingsTests",
            Ports = portList.Value!,
            HostsScanned = 1,
        };
        return new Assessor().Annotate(collector.Build(stats, targets.Value!));
    }

    private static async Task<(IReadOnlyList<LabService> Manifest, Dictionary<int, PortResult> Ports)> LabAsync()
    {
        var manifest = LabManifest.Require();
        var report = await Report;
        var ports = report.Hosts.Single(h => h.Address.Equals(LabManifest.Host)).Ports.Where(p => p.Protocol == Transport.Tcp).ToDictionary(p => p.Port);
        return (manifest, ports);
    }

    private static IEnumerable<string> Ids(PortResult port) => port.Findings.Select(f => f.Id);

    private static string Describe(PortResult port) =>
        $"{port.Port} {port.State} {port.Service?.Name}/{port.Service?.Product}: findings [{string.Join(", ", Ids(port))}], facts {{{string.Join(", ", (port.Service?.Facts ?? ServiceFacts.Empty).Select(f => $"{f.Key}={f.Value}"))}}}";

    [Fact]
    public async Task Annotate_LabHost_HasTheFindingsItsDaemonsDeserve()
    {
        var (manifest, ports) = await LabAsync();
        var failures = new List<string>();
        void Expect(int port, string id)
        {
            if (!ports.TryGetValue(port, out var result))
            {
                failures.Add($"{port}: not in the report, expected {id}");
            }
            else if (!Ids(result).Contains(id))
            {
                failures.Add($"expected {id}: {Describe(result)}");
            }
        }

        var open = manifest.Where(s => s.Address.Equals(LabManifest.Host) && s.Protocol == "tcp" && s.State == "open").ToList();
        foreach (var service in open)
        {
            switch (service.Service)
            {
                case "telnet":
                    Expect(service.Port, "PA-CLEARTEXT-TELNET");
                    break;
                case "ftp":
                    Expect(service.Port, "PA-CLEARTEXT-FTP");
                    if (service.Notes.Contains("anonymous login allowed", StringComparison.OrdinalIgnoreCase))
                    {
                        Expect(service.Port, "PA-FTP-ANONYMOUS");
                    }
                    break;
                case "redis":
                    Expect(service.Port, "PA-NOAUTH-REDIS");
                    Expect(service.Port, "PA-EXPOSED-DATASTORE");
                    break;
                case "memcache":
                    Expect(service.Port, "PA-NOAUTH-MEMCACHED");
                    Expect(service.Port, "PA-EXPOSED-DATASTORE");
                    break;
                case "mysql" or "postgresql":
                    Expect(service.Port, "PA-EXPOSED-DATASTORE");
                    break;
            }
            if (service.Notes.Contains("self-signed", StringComparison.Ordinal))
            {
                Expect(service.Port, "PA-TLS-SELF-SIGNED");
            }
        }
        Assert.True(open.Count >= 12, $"the manifest lists only {open.Count} open TCP ports");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task Annotate_LabHost_HasNoFindingsItsDaemonsDoNotDeserve()
    {
        var (manifest, ports) = await LabAsync();
        var failures = new List<string>();
        void Forbid(PortResult port, string idPrefix, string why)
        {
            if (Ids(port).Any(id => id.StartsWith(idPrefix, StringComparison.Ordinal)))
            {
                failures.Add($"unexpected {idPrefix} ({why}): {Describe(port)}");
            }
        }

        foreach (var port in ports.Values)
        {
            if (port.State != PortState.Open && port.Findings.Count > 0)
            {
                failures.Add($"findings on a port that is not open: {Describe(port)}");
            }
            Forbid(port, "PA-TLS-EXPIRED", "the lab's certificate is valid");
            Forbid(port, "PA-BACKDOOR-PORT", "the lab runs no trojan");
        }
        foreach (var service in manifest.Where(s => s.Address.Equals(LabManifest.Host) && s.Protocol == "tcp" && s.State == "open"))
        {
            var port = ports[service.Port];
            if (service.Notes is "STLS" or "STARTTLS")
            {
                // Dovecot offers the upgrade: the capability check must have said so, and no cleartext-mail finding.
                if (ServiceFacts.Get(port.Service?.Facts, ServiceFacts.StartTls) != "yes")
                {
                    failures.Add($"{service.Port}: starttls=yes expected ({service.Notes}): {Describe(port)}");
                }
                Forbid(port, "PA-CLEARTEXT-POP3", service.Notes);
                Forbid(port, "PA-CLEARTEXT-IMAP", service.Notes);
            }
            if (service.Service == "ssh")
            {
                var facts = port.Service?.Facts;
                var kex = ServiceFacts.Get(facts, ServiceFacts.SshKex);
                if (string.IsNullOrEmpty(kex))
                {
                    failures.Add($"{service.Port}: KEXINIT not read, so the weak-SSH check proves nothing: {Describe(port)}");
                    continue;
                }
                CheckWeak(port, "PA-SSH-WEAK-KEX", kex, s_weakKex, failures);
                CheckWeak(port, "PA-SSH-WEAK-HOSTKEY", ServiceFacts.Get(facts, ServiceFacts.SshHostKey), s_weakHostKey, failures);
                CheckWeak(port, "PA-SSH-WEAK-CIPHER", ServiceFacts.Get(facts, ServiceFacts.SshCiphers), s_weakCipher, failures);
                CheckWeak(port, "PA-SSH-WEAK-MAC", ServiceFacts.Get(facts, ServiceFacts.SshMacs), s_weakMac, failures);
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task DetectAsync_EveryOpenLabPort_StaysWithinThreeSecondsWithTheFactExchanges()
    {
        var manifest = LabManifest.Require();
        var ct = TestContext.Current.CancellationToken;
        var detector = new ServiceDetector();
        var slow = new List<string>();
        var times = new List<string>();
        foreach (var service in manifest.Where(s => s.Address.Equals(LabManifest.Host) && s.Protocol == "tcp" && s.State == "open"))
        {
            var clock = Stopwatch.StartNew();
            var info = await detector.DetectAsync(new IPEndPoint(LabManifest.Host, service.Port), DetectionOptions.Default, ct);
            clock.Stop();
            times.Add($"{service.Port}={clock.Elapsed.TotalSeconds:0.00}s");
            // 3 s is the budget; 1 s of slack for a loaded 2-core machine.
            if (clock.Elapsed > TimeSpan.FromSeconds(4))
            {
                slow.Add($"{service.Port} ({info?.Name}) took {clock.Elapsed.TotalSeconds:0.00} s");
            }
        }
        TestContext.Current.SendDiagnosticMessage("per-port detection: " + string.Join(' ', times));
        Assert.True(slow.Count == 0, string.Join(Environment.NewLine, slow) + Environment.NewLine + string.Join(' ', times));
    }

    /// <summary>The finding is present exactly when the offered list holds one of the weak names.</summary>
    private static void CheckWeak(PortResult port, string id, string? offered, string[] weak, List<string> failures)
    {
        var names = (offered ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var deserved = names.Intersect(weak, StringComparer.OrdinalIgnoreCase).ToList();
        var present = Ids(port).Contains(id);
        if (present != (deserved.Count > 0))
        {
            failures.Add($"{port.Port}: {id} {(present ? "present" : "absent")} but weak names offered: [{string.Join(", ", deserved)}] in {offered}");
        }
    }
}
