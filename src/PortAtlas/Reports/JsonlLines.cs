using System.Buffers;
using System.Text.Json;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Reports;

/// <summary>The lines of JSON Lines output, shared by the report writer and the streaming writer.</summary>
internal static class JsonlLines
{
    public static void WritePort(Utf8JsonWriter json, IBufferWriter<byte> output, PortResult port, string? hostname, PortRegistry registry)
    {
        // One writer serves every line: Reset lets it start a new top-level value.
        json.Reset(output);
        json.WriteStartObject();
        json.WriteString("address"u8, port.Address.ToString());
        if (string.IsNullOrEmpty(hostname))
        {
            json.WriteNull("hostname"u8);
        }
        else
        {
            json.WriteString("hostname"u8, hostname);
        }
        JsonFields.WritePortFields(json, port, registry);
        json.WriteEndObject();
        json.Flush();
        Utf8Text.Write(output, "\n"u8);
    }

    public static void WriteStats(Utf8JsonWriter json, IBufferWriter<byte> output, ScanStats stats)
    {
        json.Reset(output);
        json.WriteStartObject();
        json.WritePropertyName("stats"u8);
        JsonFields.WriteStats(json, stats);
        json.WriteEndObject();
        json.Flush();
        Utf8Text.Write(output, "\n"u8);
    }
}
