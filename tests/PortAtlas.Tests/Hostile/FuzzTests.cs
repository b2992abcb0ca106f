using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PortAtlas.Assessment;
using PortAtlas.Detection;
using PortAtlas.Detection.Tls;
using PortAtlas.Detection.Udp;
using PortAtlas.Registry;
using PortAtlas.Scanning;
using PortAtlas.Scanning.Packets;
using PortAtlas.Storage;
using PortAtlas.Targets;

namespace PortAtlas.Tests.Hostile;

/// <summary>
/// In-process fuzzing of every parser of outside input (SharpFuzz/libFuzzer is not used: it needs an instrumented
/// build). Each target runs mutated real samples (bit flips, interesting bytes, inserted tokens, splices, truncation)
/// for a time budget: PORTATLAS_FUZZ_SECONDS per target (default 2; CI may give up to 60). A crash (an exception the
/// parser does not document) or an input taking over 3 s fails the test with the input in base64; every crasher
/// found becomes a case in <see cref="Regressions"/>. PORTATLAS_FUZZ_REPORT=FILE collects executions per target;
/// PORTATLAS_FUZZ_ONLY=a,b runs only those targets (a long campaign on one parser).
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class FuzzTests
{
    private static readonly TimeSpan s_slow = TimeSpan.FromSeconds(3);

    private static TimeSpan Budget =>
        double.TryParse(Environment.GetEnvironmentVariable("PORTATLAS_FUZZ_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s is > 0 and <= 600
            ? TimeSpan.FromSeconds(s)
            : TimeSpan.FromSeconds(2);

    private static readonly string[] s_tokens =
    [
        "-", ",", "/", ":", "::", ".", "*", "[", "]", "{", "}", "\"", "<", ">", "&", ";", "=", "\n", "\r\n", "\0", "\u001b[", "\u009b",
        "0", "65535", "65536", "-1", "4294967296", "255", "256", "0x", "1e400", "NaN", "tcp", "udp", "T:", "U:", "S:", "/24", "/0", "/128",
        "198.18.0.1", "::1", "fe80::1%eth0", "127.0.0.1-5", "localhost", "#", "\t", "<host>", "</host>", "<port ", "portid=\"", "&#x9b;",
        "\"vulnerabilities\"", "\"cve\"", "[{", "}]", "SSH-2.0-", "HTTP/1.1 200 OK\r\n", "WWW-Authenticate: Basic realm=\"", "\u00ff\u00fb",
    ];

    public static TheoryData<string> Targets() => [.. s_targets.Keys.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Target_SurvivesMutatedSamples(string name)
    {
        if (Environment.GetEnvironmentVariable("PORTATLAS_FUZZ_ONLY") is { Length: > 0 } only && !only.Split(',').Contains(name))
        {
            Assert.Skip($"PORTATLAS_FUZZ_ONLY={only}");
        }
        var target = s_targets[name];
        var seeds = target.Seeds().Where(s => s.Length > 0).ToList();
        Assert.NotEmpty(seeds);
        var seed = Environment.GetEnvironmentVariable("PORTATLAS_FUZZ_SEED") is { } fixedSeed ? int.Parse(fixedSeed, CultureInfo.InvariantCulture) : Random.Shared.Next();
        var random = new Random(seed);
        var budget = Stopwatch.StartNew();
        long executions = 0;
        foreach (var s in seeds)
        {
            Run(target, s, seed);
            executions++;
        }
        while (budget.Elapsed < Budget)
        {
            var input = Mutate(random, seeds[random.Next(seeds.Count)], seeds);
            Run(target, input, seed);
            executions++;
        }
        if (Environment.GetEnvironmentVariable("PORTATLAS_FUZZ_REPORT") is { Length: > 0 } report)
        {
            lock (typeof(FuzzTests))
            {
                File.AppendAllText(report, string.Create(CultureInfo.InvariantCulture, $"{name}\t{executions}\t{budget.Elapsed.TotalSeconds:0.0}\n"));
            }
        }
        Assert.True(executions > seeds.Count, $"{name}: only {executions} executions");
    }

    /// <summary>Inputs that once crashed a parser (found by this fuzzer or by hand): they must stay handled.</summary>
    [Theory]
    [InlineData("nvd", "W10=")] // [] : not an object
    [InlineData("nvd", "eyJmb28iOjF9")] // {"foo":1}
    [InlineData("nvd", "eyJ2dWxuZXJhYmlsaXRpZXMiOlt7")] // truncated
    [InlineData("nmap-xml", "PG5tYXBydW4gYXJncz0iQUFBQQ==")] // an attribute cut short
    [InlineData("nmap-xml", "PD94bWwgdmVyc2lvbj0iMS4wkSI/Pg==")] // a byte past ASCII in the XML declaration (System.Xml: ArgumentOutOfRangeException)
    [InlineData("nmap-xml", "77u/PD94bWwgdmVyc2lvbj0iMS4wkSI/Pg==")] // the same after a UTF-8 byte order mark
    [InlineData("targets-file", "G10wOwcbWzJK")] // escape sequences as a target
    [InlineData("udp-replies", "UEGzQQAAAAEAAAAAAAAhQUFBAAAAAAAAIUFBQUFBQbNBQUFBs0E=")] // a NetBIOS status reply whose name count runs past its end
    public void Regressions(string name, string base64) => Run(s_targets[name], Convert.FromBase64String(base64), 0);

    private static void Run(FuzzTarget target, byte[] input, int seed)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            target.Run(input);
        }
        catch (Exception ex) when (target.Expected(ex))
        {
            // A documented refusal.
        }
        catch (Exception ex)
        {
            Assert.Fail($"{target.Name} crashed ({ex.GetType().Name}: {ex.Message}); seed {seed}; input (base64) {Convert.ToBase64String(input)}\n{ex}");
        }
        if (watch.Elapsed > s_slow && !Debugger.IsAttached)
        {
            Assert.Fail($"{target.Name} took {watch.Elapsed.TotalMilliseconds:0} ms on input (base64) {Convert.ToBase64String(input)}");
        }
    }

    private static byte[] Mutate(Random random, byte[] seed, List<byte[]> seeds)
    {
        var data = new List<byte>(seed);
        var rounds = 1 + random.Next(6);
        for (var i = 0; i < rounds; i++)
        {
            var at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(9))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = (byte)(random.Next(5) switch { 0 => 0, 1 => 0xff, 2 => 0x7f, 3 => 0x80, _ => random.Next(256) });
                    break;
                case 2:
                    data.InsertRange(at, Encoding.UTF8.GetBytes(s_tokens[random.Next(s_tokens.Length)]));
                    break;
                case 3 when data.Count > 0:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(16)));
                    break;
                case 4 when data.Count > 0:
                    var length = Math.Min(data.Count - at, 1 + random.Next(64));
                    data.InsertRange(random.Next(data.Count), data.GetRange(at, length));
                    break;
                case 5:
                    var other = seeds[random.Next(seeds.Count)];
                    var from = random.Next(other.Length);
                    data.InsertRange(at, other.Skip(from).Take(1 + random.Next(64)));
                    break;
                case 6 when data.Count > 0:
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 7 when data.Count >= 2:
                    // Length fields: set a 16- or 32-bit big-endian value to an edge.
                    var value = random.Next(4) switch { 0 => 0, 1 => 0xffff, 2 => data.Count, _ => random.Next(70000) };
                    data[at] = (byte)(value >> 8);
                    if (at + 1 < data.Count)
                    {
                        data[at + 1] = (byte)value;
                    }
                    break;
                default:
                    data.Insert(at, (byte)random.Next(256));
                    break;
            }
        }
        return [.. data];
    }

    private sealed record FuzzTarget(string Name, Func<IEnumerable<byte[]>> Seeds, Action<byte[]> Run, Func<Exception, bool> Expected);

    private static string Text(byte[] input) => Encoding.UTF8.GetString(input);

    private static IEnumerable<byte[]> Utf8(params string[] texts) => texts.Select(Encoding.UTF8.GetBytes);

    private static IEnumerable<byte[]> Fixtures(string pattern) => Fixtures(Path.Combine("Detection", "Fixtures"), pattern);

    private static IEnumerable<byte[]> Fixtures(string folder, string pattern)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, folder);
        return Directory.Exists(dir) ? Directory.GetFiles(dir, pattern).Order(StringComparer.Ordinal).Select(File.ReadAllBytes) : [];
    }

    private static readonly string s_interop = Path.Combine("Storage", "Fixtures", "Interop");

    private static bool None(Exception _) => false;

    // Never resolves: a fuzzed host name must not reach DNS.
    private static readonly TargetParseOptions s_noDns = new()
    {
        Resolver = static (_, _) => Task.FromException<System.Net.IPAddress[]>(new System.Net.Sockets.SocketException(11001)),
    };

    private static readonly Dictionary<string, FuzzTarget> s_targets = new FuzzTarget[]
    {
        new("target-spec", () => Utf8("198.18.0.1", "198.18.0.0/24", "198.18.0-1.1-254", "198.18.0.1-198.18.1.5", "::1", "fe80::/64", "localhost", "198.18.0,2.1", "[::1]"),
            input => TargetSpecParser.Parse(Text(input).Split(' ', ','), s_noDns), None),
        new("port-spec", () => Utf8("22,80,443", "1-1024", "-", "T:80,U:53,S:2905", "http,ssh", "1-", "-100", "[1-1024]"),
            input => PortSpecParser.Parse(Text(input)), None),
        new("registry-query", () => Utf8("443", "22/udp", "6665-6669", "ldaps", "http/tcp", "1-65535/sctp"),
            input => PortQuery.TryParse(Text(input), out _, out _), None),
        new("targets-file", () => Utf8("198.18.0.1\n198.18.0.0/30 # lab\n\n198.18.0,2.1, ::1\n", "# only comments\n"),
            input => TargetSpecFile.Read(new StringReader(Text(input)), "fuzz"), None),
        new("rules-file", () => [File.ReadAllBytes(Path.Combine(RepoData(), "assessment-rules.tsv"))],
            input => AssessmentRules.Parse(new StringReader(Text(input)), "fuzz"), None),
        new("nmap-xml", () => [.. Utf8(HostileFixture.NmapXml("h.example", "http", "nginx", "1.2", "x"), "<nmaprun><host><status state=\"up\"/><address addr=\"::1\" addrtype=\"ipv6\"/></host><runstats><finished time=\"1\"/></runstats></nmaprun>"), .. Fixtures(s_interop, "nmap-*.xml")],
            input =>
            {
                using var stream = new MemoryStream(input);
                NmapXmlImporter.Parse(stream);
            },
            ex => ex is FormatException),
        // Every format `ports import` sniffs: Nmap and masscan XML, masscan JSON and list, naabu JSON, RustScan's lines.
        new("scan-import", () => [.. Fixtures(s_interop, "*.xml"), .. Fixtures(s_interop, "*.json"), .. Fixtures(s_interop, "*.txt")],
            input =>
            {
                using var stream = new MemoryStream(input);
                ScanImporter.Import(stream);
            },
            ex => ex is FormatException),
        new("nvd", () => Utf8("{\"resultsPerPage\":1,\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2024-1\",\"published\":\"2024-01-01\",\"descriptions\":[{\"lang\":\"en\",\"value\":\"x\"}],\"metrics\":{\"cvssMetricV31\":[{\"cvssData\":{\"baseScore\":9.8,\"baseSeverity\":\"CRITICAL\"}}]},\"configurations\":[{\"nodes\":[{\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*\",\"versionEndExcluding\":\"9.8\"}]}]}]}}]}"),
            input =>
            {
                using var db = VulnDb.Open(":memory:");
                using var stream = new MemoryStream(input);
                db.ImportNvdJsonAsync(stream).GetAwaiter().GetResult();
            },
            ex => ex is InvalidDataException or System.Text.Json.JsonException),
        new("ssh-kexinit", () => Fixtures("*kexinit*.bin"), input => SshKexInit.TryParse(input, out _), None),
        new("packets", () => Seeds.Packets(), input =>
        {
            ProbeReply.TryParse(input, out _);
            IpPacket.TryParse(input, out _);
        }, None),
        new("banners-and-signatures", () => Fixtures("*.bin"), input =>
        {
            foreach (var probe in (string[])["NULL", "GetRequest", "TLSSessionReq", "GenericLines"])
            {
                SignatureDatabase.Default.Match(probe, input);
            }
            Evidence.Escape(input);
        }, None),
        new("http-head", () => [.. Utf8("HTTP/1.1 401 Unauthorized\r\nServer: nginx/1.2\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n"), .. Fixtures("*http*.bin"), .. Fixtures("80-*.bin")],
            input =>
            {
                FactParsers.TryParseHttpChallenge(input, out _, out _);
                FactParsers.HttpStatus(input);
                HttpFacts.Describe(input).ToList();
                Framings.Http(input);
                Framings.TryHeaderValue(input, "server"u8, out _);
            }, None),
        new("service-facts", () => Fixtures("*.bin"), input =>
        {
            FactParsers.RedisAuth(input);
            FactParsers.MemcachedStatsAuth(input);
            FactParsers.FtpReplyCode(input);
            FactParsers.RfbClientVersion(input, out var list);
            FactParsers.TryParseRfbSecurity(input, list, out _);
            FactParsers.MongoListDatabasesAuth(input);
            TelnetNegotiation.EndsWithPrompt(input);
            TelnetNegotiation.WriteRefusals(input, new byte[input.Length * 3 + 16]);
            foreach (var framing in (Framing[])[Framings.Banner, Framings.Redis, Framings.DnsTcp, Framings.MySql, Framings.Postgres, Framings.MongoDb, Framings.Ber, Framings.NetBios, Framings.Tpkt, Framings.Mqtt, Framings.Amqp])
            {
                framing(input);
            }
        }, None),
        // Replies to the UDP probes: every recogniser sees every input (a reply may come back on any port).
        new("udp-replies", () => [.. UdpProbes.All.Select(p => p.Payload), .. Fixtures("*dns-version-bind.bin"), .. Fixtures("53-*.bin"), .. Fixtures("11211-*.bin")], input =>
        {
            foreach (var probe in UdpProbes.All)
            {
                probe.Recognise(input);
            }
        }, None),
        // A server's TLS flight, whole and in two pieces (records split across reads).
        new("tls-flight", () => Fixtures("*tls*.bin"), input =>
        {
            new TlsServerFlight().Feed(input);
            var split = new TlsServerFlight();
            var used = split.Feed(input.AsSpan(0, input.Length / 2));
            split.Feed(input.AsSpan(used));
        }, None),
        new("dns-ptr", () => [Seeds.PtrAnswer()], input =>
        {
            DnsPtrClient.Check(input, input.Length >= 2 ? (ushort)(input[0] << 8 | input[1]) : (ushort)0, Seeds.PtrQuestion);
        }, None),
        new("tls-certificate", () => [Seeds.Certificate()], input =>
        {
            using var certificate = X509CertificateLoader.LoadCertificate(input);
            TlsInspector.Describe(certificate, DateTimeOffset.UnixEpoch);
        }, ex => ex is CryptographicException),
    }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    private static string RepoData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "PortAtlas", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("src/PortAtlas/data");
    }

    private static class Seeds
    {
        public const string PtrQuestion = "2.0.18.198.in-addr.arpa";

        // An answer to our PTR query: the query, flags set to an answer, one PTR record with a compressed owner name.
        public static byte[] PtrAnswer()
        {
            var buffer = new byte[128];
            var length = DnsPtrClient.WriteQuery(buffer, 0x1234, PtrQuestion);
            byte[] name = [3, .. "lab"u8, 9, .. "portatlas"u8, 4, .. "test"u8, 0];
            byte[] answer = [.. buffer.AsSpan(0, length), 0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 60, 0, (byte)name.Length, .. name];
            answer[2] = 0x81;
            answer[3] = 0x80;
            answer[7] = 1;
            return answer;
        }

        public static IEnumerable<byte[]> Packets()
        {
            // IPv4 + TCP SYN-ACK, IPv4 + ICMP port unreachable quoting UDP, IPv6 + TCP RST.
            yield return Convert.FromHexString("4500002c000040004006000a7f0000017f00000101bbc35000000001000000026012ffff00000000020405b4");
            yield return Convert.FromHexString("45000038000000004001000a7f0000017f0000010303000000000000450000210000000040110000" + "7f0000017f000001c35000350008000000");
            yield return Convert.FromHexString("6000000000143a40" + "00000000000000000000000000000001" + "00000000000000000000000000000001" + "01bbc35000000001000000025014000000000000");
        }

        public static byte[] Certificate()
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var subject = new X500DistinguishedNameBuilder();
            subject.AddCommonName("\u001b]0;evil\u0007 host");
            subject.AddOrganizationName("\u202eTest");
            var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("a.example");
            request.CertificateExtensions.Add(names.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(1));
            return certificate.Export(X509ContentType.Cert);
        }
    }
}
