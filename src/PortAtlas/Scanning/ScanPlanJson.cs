using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using PortAtlas.Targets;

namespace PortAtlas.Scanning;

/// <summary>The JSON form of a <see cref="ScanPlan"/>, written by hand (no reflection): what a checkpoint keeps.</summary>
internal static class ScanPlanJson
{
    private const int Format = 1;

    public static string Write(ScanPlan plan)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format"u8, Format);
            writer.WriteStartArray("targets"u8);
            foreach (var spec in plan.Targets.ToSpecs())
            {
                writer.WriteStringValue(spec);
            }
            writer.WriteEndArray();
            writer.WriteStartObject("hostnames"u8);
            foreach (var (address, name) in plan.Targets.Hostnames.OrderBy(h => h.Key, IPAddressComparer.Instance))
            {
                writer.WriteString(address.ToString(), name);
            }
            writer.WriteEndObject();
            writer.WriteString("ports"u8, PortSpecParser.Format(plan.Ports));
            writer.WriteString("tcp"u8, plan.TcpTechnique.ToString().ToLowerInvariant());
            var o = plan.Options;
            writer.WriteStartObject("options"u8);
            if (o.Rate is { } rate)
            {
                writer.WriteNumber("rate"u8, rate);
            }
            writer.WriteNumber("maxRetries"u8, o.MaxRetries);
            if (o.HostTimeout is { } hostTimeout)
            {
                writer.WriteNumber("hostTimeoutTicks"u8, hostTimeout.Ticks);
            }
            writer.WriteNumber("initialTimeoutTicks"u8, o.InitialTimeout.Ticks);
            writer.WriteNumber("minTimeoutTicks"u8, o.MinTimeout.Ticks);
            if (o.MaxTimeout is { } maxTimeout)
            {
                writer.WriteNumber("maxTimeoutTicks"u8, maxTimeout.Ticks);
            }
            if (o.Concurrency is { } concurrency)
            {
                writer.WriteNumber("concurrency"u8, concurrency);
            }
            if (o.Seed is { } seed)
            {
                writer.WriteNumber("seed"u8, seed);
            }
            if (o.SourcePort is { } sourcePort)
            {
                writer.WriteNumber("sourcePort"u8, sourcePort);
            }
            if (o.Shard is { } shard)
            {
                writer.WriteNumber("shardIndex"u8, shard.Index);
                writer.WriteNumber("shardCount"u8, shard.Count);
            }
            writer.WriteBoolean("skipDiscovery"u8, o.SkipDiscovery);
            writer.WriteBoolean("verifyOpen"u8, o.VerifyOpen);
            writer.WriteBoolean("paceIcmpRateLimit"u8, o.PaceIcmpRateLimit);
            writer.WriteBoolean("resetOpenConnections"u8, o.ResetOpenConnections);
            writer.WriteEndObject();
            writer.WriteBoolean("detect"u8, plan.Detect);
            writer.WriteBoolean("assess"u8, plan.Assess);
            WriteStrings(writer, "rules"u8, plan.RuleFiles);
            if (plan.VulnDb is not null)
            {
                writer.WriteString("vulnDb"u8, plan.VulnDb);
            }
            writer.WriteBoolean("listEveryState"u8, plan.ListEveryState);
            WriteStrings(writer, "outputs"u8, plan.OutputPaths);
            writer.WriteString("commandLine"u8, plan.CommandLine);
            writer.WriteString("reverseDns"u8, plan.ReverseDns switch { ReverseDnsMode.Never => "never", ReverseDnsMode.Always => "always", _ => "up" });
            WriteStrings(writer, "dnsServers"u8, [.. plan.DnsServers.Select(DnsServers.Format)]);
            if (plan.Group is not null)
            {
                writer.WriteString("group"u8, plan.Group);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static ScanPlanResult Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            if (root.GetProperty("format"u8).GetInt32() != Format)
            {
                return ScanPlanResult.Fail("saved scan plan has an unknown format", "format");
            }
            var specs = root.GetProperty("targets"u8).EnumerateArray().Select(e => e.GetString() ?? "").ToList();
            // The saved specs are addresses and ranges only: parsing them resolves nothing.
            var parsed = TargetSpecParser.Parse(specs, new TargetParseOptions { AllowHuge = true, MaxAddresses = ulong.MaxValue });
            if (!parsed.Success)
            {
                return ScanPlanResult.Fail($"saved scan plan: {parsed.Error}", parsed.Token);
            }
            var hostnames = new Dictionary<IPAddress, string>();
            foreach (var property in root.GetProperty("hostnames"u8).EnumerateObject())
            {
                if (!IPAddress.TryParse(property.Name, out var address))
                {
                    return ScanPlanResult.Fail($"saved scan plan: bad address '{property.Name}'", property.Name);
                }
                hostnames[address] = property.Value.GetString() ?? "";
            }
            var portSpec = root.GetProperty("ports"u8).GetString() ?? "";
            var ports = PortSpecParser.Parse(portSpec);
            if (!ports.Success)
            {
                return ScanPlanResult.Fail($"saved scan plan: {ports.Error}", ports.Token);
            }
            if (!Enum.TryParse<ScanTechnique>(root.GetProperty("tcp"u8).GetString(), ignoreCase: true, out var tcp))
            {
                return ScanPlanResult.Fail("saved scan plan: bad TCP technique", "tcp");
            }
            var o = root.GetProperty("options"u8);
            var defaults = ScanOptions.Default;
            var options = new ScanOptions
            {
                Rate = o.TryGetProperty("rate"u8, out var rate) ? rate.GetDouble() : null,
                MaxRetries = o.GetProperty("maxRetries"u8).GetInt32(),
                HostTimeout = o.TryGetProperty("hostTimeoutTicks"u8, out var hostTimeout) ? TimeSpan.FromTicks(hostTimeout.GetInt64()) : null,
                InitialTimeout = o.TryGetProperty("initialTimeoutTicks"u8, out var initial) ? TimeSpan.FromTicks(initial.GetInt64()) : defaults.InitialTimeout,
                MinTimeout = o.TryGetProperty("minTimeoutTicks"u8, out var min) ? TimeSpan.FromTicks(min.GetInt64()) : defaults.MinTimeout,
                MaxTimeout = o.TryGetProperty("maxTimeoutTicks"u8, out var max) ? TimeSpan.FromTicks(max.GetInt64()) : null,
                Concurrency = o.TryGetProperty("concurrency"u8, out var concurrency) ? concurrency.GetInt32() : null,
                Seed = o.TryGetProperty("seed"u8, out var seed) ? seed.GetUInt64() : null,
                SourcePort = o.TryGetProperty("sourcePort"u8, out var sourcePort) ? sourcePort.GetInt32() : null,
                SkipDiscovery = o.GetProperty("skipDiscovery"u8).GetBoolean(),
                VerifyOpen = o.GetProperty("verifyOpen"u8).GetBoolean(),
                PaceIcmpRateLimit = o.GetProperty("paceIcmpRateLimit"u8).GetBoolean(),
                ResetOpenConnections = o.GetProperty("resetOpenConnections"u8).GetBoolean(),
                Shard = o.TryGetProperty("shardIndex"u8, out var shardIndex) ? new ScanShard(shardIndex.GetInt32(), o.GetProperty("shardCount"u8).GetInt32()) : null,
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException ex)
            {
                return ScanPlanResult.Fail($"saved scan plan: {ex.Message}", "options");
            }
            // Plans saved before reverse DNS existed resolve nothing on resume, as they did when started.
            var reverseDns = !root.TryGetProperty("reverseDns"u8, out var mode) ? ReverseDnsMode.Never : mode.GetString() switch
            {
                "up" => ReverseDnsMode.UpHosts,
                "always" => ReverseDnsMode.Always,
                "never" => ReverseDnsMode.Never,
                _ => (ReverseDnsMode?)null,
            };
            if (reverseDns is null)
            {
                return ScanPlanResult.Fail("saved scan plan: bad reverse DNS mode", "reverseDns");
            }
            IReadOnlyList<IPEndPoint> dnsServers = [];
            if (root.TryGetProperty("dnsServers"u8, out _) && ReadStrings(root, "dnsServers"u8) is { Count: > 0 } servers
                && !DnsServers.TryParse(string.Join(',', servers), out dnsServers, out var badServer))
            {
                return ScanPlanResult.Fail($"saved scan plan: bad DNS server '{badServer}'", badServer);
            }
            return ScanPlanResult.Ok(new ScanPlan
            {
                ReverseDns = reverseDns.Value,
                DnsServers = dnsServers,
                Targets = parsed.Value.WithHostnames(hostnames),
                Ports = ports.Value,
                TcpTechnique = tcp,
                Options = options,
                Detect = root.GetProperty("detect"u8).GetBoolean(),
                Assess = root.GetProperty("assess"u8).GetBoolean(),
                RuleFiles = ReadStrings(root, "rules"u8),
                VulnDb = root.TryGetProperty("vulnDb"u8, out var vulnDb) ? vulnDb.GetString() : null,
                ListEveryState = root.GetProperty("listEveryState"u8).GetBoolean(),
                OutputPaths = ReadStrings(root, "outputs"u8),
                CommandLine = root.GetProperty("commandLine"u8).GetString() ?? "",
                Group = root.TryGetProperty("group"u8, out var group) ? group.GetString() : null,
            });
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or OverflowException)
        {
            return ScanPlanResult.Fail($"saved scan plan is damaged: {ex.Message}", null);
        }
    }

    private static void WriteStrings(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }

    private static List<string> ReadStrings(JsonElement root, ReadOnlySpan<byte> name) =>
        [.. root.GetProperty(name).EnumerateArray().Select(e => e.GetString() ?? "")];
}
