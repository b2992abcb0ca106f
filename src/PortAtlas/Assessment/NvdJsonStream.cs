using System.Buffers;
using System.Text.Json;

namespace PortAtlas.Assessment;

/// <summary>
/// Reads the items of the top-level <c>"vulnerabilities"</c> array of an NVD CVE JSON 2.0 file one at a time, with a
/// bounded buffer: a 3 GB feed is read in constant memory. Everything else in the root object is skipped token by token.
/// The shape is checked: a root that is not an object, a missing or non-array <c>vulnerabilities</c>, or one item larger
/// than <see cref="MaxItemBytes"/> is an <see cref="InvalidDataException"/> saying what was expected.
/// </summary>
internal static class NvdJsonStream
{
    /// <summary>The largest single CVE record read (16 MiB; NVD's largest are well under 1 MiB).</summary>
    public const int MaxItemBytes = 16 << 20;

    private const int ChunkBytes = 64 << 10;

    /// <summary>Calls <paramref name="onItem"/> for each item of <c>vulnerabilities</c>.</summary>
    public static void ForEachItem(Stream stream, Action<JsonElement> onItem, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = 256 });
            int length = 0, start = 0;
            var final = false;
            var phase = Phase.Root;
            var sawVulnerabilities = false;
            var nextIsVulnerabilities = false;
            long itemStart = -1;
            var itemDepth = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var reader = new Utf8JsonReader(buffer.AsSpan(start, length - start), final, state);
                while (reader.Read())
                {
                    var token = reader.TokenType;
                    switch (phase)
                    {
                        case Phase.Root:
                            if (token != JsonTokenType.StartObject)
                            {
                                throw new InvalidDataException($"expected a JSON object with a \"vulnerabilities\" array (NVD CVE JSON 2.0), found {Describe(token)}");
                            }
                            phase = Phase.RootMembers;
                            break;
                        case Phase.RootMembers:
                            if (reader.CurrentDepth == 1 && token == JsonTokenType.PropertyName)
                            {
                                nextIsVulnerabilities = reader.ValueTextEquals("vulnerabilities"u8);
                            }
                            else if (reader.CurrentDepth == 1 && nextIsVulnerabilities)
                            {
                                nextIsVulnerabilities = false;
                                if (token != JsonTokenType.StartArray)
                                {
                                    throw new InvalidDataException($"\"vulnerabilities\" must be an array of CVE records, found {Describe(token)}");
                                }
                                sawVulnerabilities = true;
                                phase = Phase.Items;
                            }
                            else if (reader.CurrentDepth == 0 && token == JsonTokenType.EndObject)
                            {
                                phase = Phase.Done;
                            }
                            break;
                        case Phase.Items:
                            if (itemStart < 0)
                            {
                                if (token == JsonTokenType.EndArray && reader.CurrentDepth == 1)
                                {
                                    phase = Phase.RootMembers;
                                    break;
                                }
                                itemStart = start + reader.TokenStartIndex;
                                itemDepth = reader.CurrentDepth;
                                if (token is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                                {
                                    Emit(buffer, itemStart, start + reader.BytesConsumed, onItem);
                                    itemStart = -1;
                                }
                            }
                            else if (reader.CurrentDepth == itemDepth && token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                            {
                                Emit(buffer, itemStart, start + reader.BytesConsumed, onItem);
                                itemStart = -1;
                            }
                            break;
                        case Phase.Done:
                            break;
                    }
                }
                state = reader.CurrentState;
                start += (int)reader.BytesConsumed;
                if (final)
                {
                    if (phase != Phase.Done)
                    {
                        throw new InvalidDataException(sawVulnerabilities || phase != Phase.RootMembers
                            ? "the JSON ends early: the file is cut short"
                            : "no \"vulnerabilities\" array: expected an NVD CVE JSON 2.0 file ({\"vulnerabilities\": [{\"cve\": {...}}]})");
                    }
                    if (!sawVulnerabilities)
                    {
                        throw new InvalidDataException("no \"vulnerabilities\" array: expected an NVD CVE JSON 2.0 file ({\"vulnerabilities\": [{\"cve\": {...}}]})");
                    }
                    return;
                }
                // Keep the unread bytes, and the current item from its start, at the front of the buffer.
                var keepFrom = itemStart >= 0 ? (int)itemStart : start;
                var kept = length - keepFrom;
                if (keepFrom > 0)
                {
                    Buffer.BlockCopy(buffer, keepFrom, buffer, 0, kept);
                    if (itemStart >= 0)
                    {
                        itemStart = 0;
                    }
                    start -= keepFrom;
                    length = kept;
                }
                if (length == buffer.Length)
                {
                    if (buffer.Length >= MaxItemBytes)
                    {
                        throw new InvalidDataException($"one JSON value (a CVE record or a string) is larger than {MaxItemBytes >> 20} MiB");
                    }
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    Buffer.BlockCopy(buffer, 0, larger, 0, length);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = stream.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    final = true;
                }
                length += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Emit(byte[] buffer, long from, long to, Action<JsonElement> onItem)
    {
        // The JSON reader checks structure but leaves string contents to be decoded later: check them here (found by fuzzing).
        if (!System.Text.Unicode.Utf8.IsValid(buffer.AsSpan((int)from, (int)(to - from))))
        {
            throw new InvalidDataException("a CVE record holds text that is not UTF-8");
        }
        using var item = JsonDocument.Parse(buffer.AsMemory((int)from, (int)(to - from)));
        onItem(item.RootElement);
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private enum Phase
    {
        Root,
        RootMembers,
        Items,
        Done,
    }
}
