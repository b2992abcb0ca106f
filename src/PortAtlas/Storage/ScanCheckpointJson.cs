using System.Buffers;
using System.Text.Json;
using PortAtlas.Scanning;

namespace PortAtlas.Storage;

/// <summary>The store's JSON form of a <see cref="ScanCheckpoint"/> (written by hand, as <see cref="ScanReportJson"/>).</summary>
internal static class ScanCheckpointJson
{
    public static byte[] ToUtf8Bytes(ScanCheckpoint checkpoint)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format"u8, 1);
            writer.WriteStartArray("targets"u8);
            foreach (var target in checkpoint.Targets)
            {
                writer.WriteStringValue(target);
            }
            writer.WriteEndArray();
            writer.WriteString("ports"u8, checkpoint.Ports);
            writer.WritePropertyName("options"u8);
            WriteOptions(writer, checkpoint.Options);
            if (checkpoint.ConfigJson is not null)
            {
                writer.WriteString("config"u8, checkpoint.ConfigJson);
            }
            writer.WriteNumber("position"u8, checkpoint.Position);
            writer.WriteString("created"u8, checkpoint.Created);
            writer.WriteString("updated"u8, checkpoint.Updated);
            writer.WritePropertyName("partial"u8);
            ScanReportJson.Write(writer, checkpoint.Partial);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static ScanCheckpoint Read(long id, string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            var root = document.RootElement;
            return new ScanCheckpoint
            {
                Id = id,
                Targets = [.. root.GetProperty("targets"u8).EnumerateArray().Select(e => e.GetString() ?? "")],
                Ports = ScanReportJson.String(root, "ports"u8) ?? "",
                Options = ReadOptions(root.GetProperty("options"u8)),
                ConfigJson = ScanReportJson.String(root, "config"u8),
                Position = root.GetProperty("position"u8).GetUInt64(),
                Created = root.GetProperty("created"u8).GetDateTimeOffset(),
                Updated = root.GetProperty("updated"u8).GetDateTimeOffset(),
                Partial = ScanReportJson.Read(root.GetProperty("partial"u8)),
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new FormatException($"Checkpoint {id} is damaged: {ex.Message}", ex);
        }
    }

    /// <summary>The public, serialisable settings of <paramref name="options"/> (not its clock, start index or mechanism).</summary>
    public static void WriteOptions(Utf8JsonWriter writer, ScanOptions options)
    {
        writer.WriteStartObject();
        if (options.Rate is { } rate)
        {
            writer.WriteNumber("rate"u8, rate);
        }
        writer.WriteNumber("maxRetries"u8, options.MaxRetries);
        if (options.HostTimeout is { } hostTimeout)
        {
            writer.WriteNumber("hostTimeoutTicks"u8, hostTimeout.Ticks);
        }
        writer.WriteNumber("initialTimeoutTicks"u8, options.InitialTimeout.Ticks);
        writer.WriteNumber("minTimeoutTicks"u8, options.MinTimeout.Ticks);
        writer.WriteNumber("maxTimeoutTicks"u8, options.MaxTimeout.Ticks);
        if (options.Concurrency is { } concurrency)
        {
            writer.WriteNumber("concurrency"u8, concurrency);
        }
        if (options.Seed is { } seed)
        {
            writer.WriteNumber("seed"u8, seed);
        }
        writer.WriteBoolean("reportClosed"u8, options.ReportClosed);
        writer.WriteBoolean("reportFiltered"u8, options.ReportFiltered);
        writer.WriteBoolean("resetOpenConnections"u8, options.ResetOpenConnections);
        writer.WriteEndObject();
    }

    public static ScanOptions ReadOptions(JsonElement o)
    {
        var defaults = ScanOptions.Default;
        return new ScanOptions
        {
            Rate = o.TryGetProperty("rate"u8, out var rate) ? rate.GetDouble() : null,
            MaxRetries = o.TryGetProperty("maxRetries"u8, out var retries) ? retries.GetInt32() : defaults.MaxRetries,
            HostTimeout = o.TryGetProperty("hostTimeoutTicks"u8, out var hostTimeout) ? TimeSpan.FromTicks(hostTimeout.GetInt64()) : null,
            InitialTimeout = o.TryGetProperty("initialTimeoutTicks"u8, out var initial) ? TimeSpan.FromTicks(initial.GetInt64()) : defaults.InitialTimeout,
            MinTimeout = o.TryGetProperty("minTimeoutTicks"u8, out var min) ? TimeSpan.FromTicks(min.GetInt64()) : defaults.MinTimeout,
            MaxTimeout = o.TryGetProperty("maxTimeoutTicks"u8, out var max) ? TimeSpan.FromTicks(max.GetInt64()) : defaults.MaxTimeout,
            Concurrency = o.TryGetProperty("concurrency"u8, out var concurrency) ? concurrency.GetInt32() : null,
            Seed = o.TryGetProperty("seed"u8, out var seed) ? seed.GetUInt64() : null,
            ReportClosed = o.TryGetProperty("reportClosed"u8, out var closed) && closed.GetBoolean(),
            ReportFiltered = o.TryGetProperty("reportFiltered"u8, out var filtered) && filtered.GetBoolean(),
            ResetOpenConnections = !o.TryGetProperty("resetOpenConnections"u8, out var reset) || reset.GetBoolean(),
        };
    }
}
