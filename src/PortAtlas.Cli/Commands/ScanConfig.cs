using System.Text;
using System.Text.Json;
using PortAtlas.Targets;

namespace PortAtlas.Cli.Commands;

/// <summary>The parts of a scan's command line a checkpoint must keep beyond targets, ports and engine options.</summary>
internal static class ScanConfig
{
    public static string Save(ScanCommand.ScanRequest request, IEnumerable<TargetSpec> excludes)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("exclude");
            foreach (var e in excludes)
            {
                json.WriteStringValue(e.Text);
            }
            json.WriteEndArray();
            json.WriteBoolean("resolveAll", request.ResolveAll);
            json.WriteBoolean("allowHuge", request.AllowHuge);
            json.WriteBoolean("detect", request.Detect);
            json.WriteBoolean("allStates", request.AllStates);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The request as the interrupted scan ran it; output choices stay those of the resuming command line.</summary>
    public static ScanCommand.ScanRequest Restore(ScanCommand.ScanRequest request, Storage.ScanCheckpoint checkpoint)
    {
        using var config = JsonDocument.Parse(checkpoint.ConfigJson ?? "{}");
        var root = config.RootElement;
        bool Flag(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
        return request with
        {
            Targets = checkpoint.Targets,
            Exclude = root.TryGetProperty("exclude", out var ex) ? [.. ex.EnumerateArray().Select(e => e.GetString() ?? "")] : [],
            ExcludeFile = null,
            Ports = checkpoint.Ports,
            TopPorts = null,
            ResolveAll = Flag("resolveAll"),
            AllowHuge = Flag("allowHuge"),
            Detect = Flag("detect"),
            AllStates = Flag("allStates"),
            // Checkpoints are kept by connect scans only.
            Connect = true,
            Syn = false,
            Udp = false,
            Sctp = false,
        };
    }
}
