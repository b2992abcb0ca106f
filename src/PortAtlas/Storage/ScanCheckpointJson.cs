using System.Buffers;
using System.Text.Json;
using PortAtlas.Scanning;

namespace PortAtlas.Storage;

/// <summary>The store's JSON form of a <see cref="ScanCheckpoint"/> (written by hand, as <see cref="ScanReportJson"/>); the plan is kept as <see cref="ScanPlan.ToJson"/> writes it.</summary>
internal static class ScanCheckpointJson
{
    private const int Format = 2;

    public static byte[] ToUtf8Bytes(ScanCheckpoint checkpoint)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, checkpoint);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes <paramref name="checkpoint"/> as one JSON object with <paramref name="writer"/>, and flushes it.</summary>
    public static void Write(Utf8JsonWriter writer, ScanCheckpoint checkpoint)
    {
        {
            writer.WriteStartObject();
            writer.WriteNumber("format"u8, Format);
            writer.WriteString("plan"u8, checkpoint.Plan.ToJson());
            writer.WriteNumber("position"u8, checkpoint.Position);
            writer.WriteStartArray("finished"u8);
            foreach (var engine in checkpoint.FinishedEngines)
            {
                writer.WriteStringValue(engine);
            }
            writer.WriteEndArray();
            writer.WriteString("created"u8, checkpoint.Created);
            writer.WriteString("updated"u8, checkpoint.Updated);
            writer.WritePropertyName("partial"u8);
            ScanReportJson.Write(writer, checkpoint.Partial);
            if (checkpoint.Identified is not null)
            {
                writer.WritePropertyName("identified"u8);
                ScanReportJson.Write(writer, checkpoint.Identified);
            }
            writer.WriteEndObject();
            writer.Flush();
        }
    }

    public static ScanCheckpoint Read(long id, string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            var root = document.RootElement;
            if (!root.TryGetProperty("format"u8, out var format) || format.GetInt32() != Format)
            {
                throw new FormatException("it was written by an older PortAtlas; start the scan again");
            }
            var plan = ScanPlan.FromJson(root.GetProperty("plan"u8).GetString() ?? "");
            if (!plan.Success)
            {
                throw new FormatException(plan.Error);
            }
            return new ScanCheckpoint
            {
                Id = id,
                Plan = plan.Plan,
                Position = root.GetProperty("position"u8).GetUInt64(),
                FinishedEngines = [.. root.GetProperty("finished"u8).EnumerateArray().Select(e => e.GetString() ?? "")],
                Created = root.GetProperty("created"u8).GetDateTimeOffset(),
                Updated = root.GetProperty("updated"u8).GetDateTimeOffset(),
                Partial = ScanReportJson.Read(root.GetProperty("partial"u8)),
                Identified = root.TryGetProperty("identified"u8, out var identified) ? ScanReportJson.Read(identified) : null,
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new FormatException($"Checkpoint {id} is damaged: {ex.Message}", ex);
        }
    }
}
