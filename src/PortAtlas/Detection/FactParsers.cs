using System.Buffers.Binary;
using System.Text;

namespace PortAtlas.Detection;

/// <summary>
/// Reads facts for assessment (<see cref="ServiceFacts"/>) out of protocol answers. Every method checks
/// lengths before reading and reports "cannot tell" (null or false) instead of throwing.
/// </summary>
internal static class FactParsers
{
    private const int MaxRealm = 200;

    /// <summary>
    /// Redis's answer to "PING" + "INFO server": "none" when INFO returned its bulk string, "required" when the
    /// server refused for lack of authentication (-NOAUTH, or an -ERR naming auth as older servers send), else null.
    /// </summary>
    public static string? RedisAuth(ReadOnlySpan<byte> answer)
    {
        if (answer.StartsWith("-NOAUTH"u8) || (answer.StartsWith("-ERR"u8) && ContainsIgnoreCase(FirstLine(answer), "auth"u8)))
        {
            return "required";
        }
        // +PONG then $<length> and the INFO text (RESP2 bulk string), or INFO alone.
        var bulk = answer.StartsWith("$"u8) ? 0 : answer.IndexOf("\r\n$"u8) is var i and >= 0 ? i + 2 : -1;
        return bulk >= 0 && answer[bulk..].IndexOf("redis_version:"u8) > 0 ? "none" : null;
    }

    /// <summary>memcached's answer to "stats": "none" for STAT lines, "required" for an error about authentication, else null.</summary>
    public static string? MemcachedStatsAuth(ReadOnlySpan<byte> answer)
    {
        if (answer.StartsWith("STAT "u8))
        {
            return "none";
        }
        var line = FirstLine(answer);
        return (line.StartsWith("CLIENT_ERROR"u8) || line.StartsWith("SERVER_ERROR"u8) || line.StartsWith("ERROR"u8)) && ContainsIgnoreCase(line, "auth"u8)
            ? "required"
            : null;
    }

    /// <summary>The reply code (RFC 959 section 4.2) of the last line of an FTP reply, or -1.</summary>
    public static int FtpReplyCode(ReadOnlySpan<byte> reply)
    {
        var text = reply.TrimEnd("\r\n"u8);
        var start = text.LastIndexOf((byte)'\n') + 1;
        var last = text[start..];
        if (last.Length < 3 || !IsDigit(last[0]) || !IsDigit(last[1]) || !IsDigit(last[2]) || (last.Length > 3 && last[3] != (byte)' '))
        {
            return -1;
        }
        return ((last[0] - '0') * 100) + ((last[1] - '0') * 10) + (last[2] - '0');
    }

    /// <summary>
    /// The scheme (lowercase) and realm of the first WWW-Authenticate challenge of an HTTP 401 response
    /// (RFC 9110 section 11.6.1); false when the response is not a 401 with a challenge.
    /// </summary>
    public static bool TryParseHttpChallenge(ReadOnlySpan<byte> response, out string scheme, out string? realm)
    {
        scheme = "";
        realm = null;
        if (HttpStatus(response) != 401)
        {
            return false;
        }
        var end = response.IndexOf("\r\n\r\n"u8);
        var headers = end < 0 ? response : response[..end];
        if (!Framings.TryHeaderValue(headers, "www-authenticate:"u8, out var value) || value.IsEmpty)
        {
            return false;
        }
        var space = value.IndexOfAny((byte)' ', (byte)'\t');
        var token = space < 0 ? value : value[..space];
        if (token.IsEmpty || token.Length > 32 || token.ContainsAnyExceptInRange((byte)'!', (byte)'~') || token.Contains((byte)','))
        {
            return false;
        }
        scheme = Encoding.ASCII.GetString(token).ToLowerInvariant();
        var parameters = space < 0 ? default : value[(space + 1)..];
        var at = IndexOfIgnoreCase(parameters, "realm="u8);
        if (at >= 0)
        {
            var rest = parameters[(at + 6)..];
            ReadOnlySpan<byte> raw;
            if (rest.StartsWith("\""u8))
            {
                rest = rest[1..];
                var close = rest.IndexOf((byte)'"');
                raw = close < 0 ? rest : rest[..close];
            }
            else
            {
                var stop = rest.IndexOfAny((byte)',', (byte)' ');
                raw = stop < 0 ? rest : rest[..stop];
            }
            realm = Clean(raw[..Math.Min(raw.Length, MaxRealm)]);
        }
        return true;
    }

    /// <summary>The status code of an HTTP/1.x response, or -1.</summary>
    public static int HttpStatus(ReadOnlySpan<byte> response)
    {
        // "HTTP/1.1 200 ..." (RFC 9112 section 4).
        if (response.Length < 12 || !response.StartsWith("HTTP/"u8) || response[8] != (byte)' ' || !IsDigit(response[9]) || !IsDigit(response[10]) || !IsDigit(response[11]))
        {
            return -1;
        }
        return ((response[9] - '0') * 100) + ((response[10] - '0') * 10) + (response[11] - '0');
    }

    /// <summary>
    /// The RFB version we answer a server's ProtocolVersion with (RFC 6143 section 7.1.1): 3.8 for 3.8 and later
    /// (Apple's 3.889 included), 3.7 for 3.7, else 3.3. Null when <paramref name="banner"/> is not one.
    /// </summary>
    public static byte[]? RfbClientVersion(ReadOnlySpan<byte> banner, out bool listOfTypes)
    {
        listOfTypes = false;
        // "RFB xxx.yyy\n": twelve bytes.
        if (banner.Length < 12 || !banner.StartsWith("RFB "u8) || banner[7] != (byte)'.' || banner[11] != (byte)'\n'
            || !TryDigits(banner.Slice(4, 3), out var major) || !TryDigits(banner.Slice(8, 3), out var minor) || major < 3)
        {
            return null;
        }
        if (major > 3 || minor >= 8)
        {
            listOfTypes = true;
            return "RFB 003.008\n"u8.ToArray();
        }
        if (minor == 7)
        {
            listOfTypes = true;
            return "RFB 003.007\n"u8.ToArray();
        }
        return "RFB 003.003\n"u8.ToArray();
    }

    /// <summary>Framing of the server's security message: a count and that many types (3.7+), or a uint32 type (3.3), or a failure reason.</summary>
    public static bool IsWholeRfbSecurity(ReadOnlySpan<byte> answer, bool listOfTypes)
    {
        if (!listOfTypes)
        {
            return answer.Length >= 4;
        }
        if (answer.IsEmpty)
        {
            return false;
        }
        // A zero count is followed by a reason string (uint32 length, text); we do not need the text.
        return answer[0] == 0 || answer.Length >= 1 + answer[0];
    }

    /// <summary>
    /// The security types the server offers (RFC 6143 section 7.1.2), as names: a list after a count (3.7+) or
    /// the one type the server decided (3.3). False when the server refused the connection or the answer is short.
    /// </summary>
    public static bool TryParseRfbSecurity(ReadOnlySpan<byte> answer, bool listOfTypes, out string[] types)
    {
        types = [];
        if (!listOfTypes)
        {
            if (answer.Length < 4)
            {
                return false;
            }
            var type = BinaryPrimitives.ReadUInt32BigEndian(answer);
            if (type is 0 or > 255)
            {
                return false;
            }
            types = [RfbSecurityName((byte)type)];
            return true;
        }
        if (answer.IsEmpty || answer[0] == 0 || answer.Length < 1 + answer[0])
        {
            return false;
        }
        var list = answer.Slice(1, answer[0]);
        var names = new List<string>(list.Length);
        foreach (var b in list)
        {
            var name = RfbSecurityName(b);
            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }
        types = [.. names];
        return true;
    }

    /// <summary>Names of RFB security types (RFC 6143 section 8.1.2 and the IANA "RFB Security Types" registry).</summary>
    public static string RfbSecurityName(byte type) => type switch
    {
        1 => "none",
        2 => "vnc",
        5 => "ra2",
        6 => "ra2ne",
        16 => "tight",
        17 => "ultra",
        18 => "tls",
        19 => "vencrypt",
        20 => "sasl",
        21 => "md5",
        22 => "xvp",
        30 => "ard",
        _ => "type-" + type.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>MongoDB OP_MSG (opcode 2013) with one body section: { listDatabases: 1, nameOnly: true, $db: "admin" }.</summary>
    public static byte[] MongoListDatabases()
    {
        byte[] doc =
        [
            0x10, .. "listDatabases\0"u8, 1, 0, 0, 0,  // int32 element
            0x08, .. "nameOnly\0"u8, 1,                // boolean true
            0x02, .. "$db\0"u8, 6, 0, 0, 0, .. "admin\0"u8,
            0x00,
        ];
        var message = new byte[16 + 4 + 1 + 4 + doc.Length];
        BinaryPrimitives.WriteInt32LittleEndian(message, message.Length);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(4), 0x5042);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(12), 2013);
        // flagBits 0, section kind 0 (body), then the document with its int32 length.
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(21), 4 + doc.Length);
        doc.CopyTo(message, 25);
        return message;
    }

    /// <summary>
    /// The verdict of a listDatabases reply (an OP_MSG whose body has "ok"): "none" when ok is 1, "required" when
    /// the server said Unauthorized (code 13) or asked for authentication; null for anything else.
    /// </summary>
    public static string? MongoListDatabasesAuth(ReadOnlySpan<byte> reply)
    {
        // Header: messageLength, requestID, responseTo, opCode; then flagBits and a kind-0 section.
        if (reply.Length < 21 + 5 || BinaryPrimitives.ReadInt32LittleEndian(reply[12..]) != 2013 || reply[20] != 0)
        {
            return null;
        }
        var bson = reply[21..];
        var size = BinaryPrimitives.ReadInt32LittleEndian(bson);
        if (size < 5 || size > bson.Length || bson[size - 1] != 0)
        {
            return null;
        }
        var body = bson[4..(size - 1)];
        double? ok = null;
        int? code = null;
        string? codeName = null;
        while (!body.IsEmpty)
        {
            var type = body[0];
            var nameEnd = body[1..].IndexOf((byte)0);
            if (nameEnd < 0)
            {
                return null;
            }
            var name = body.Slice(1, nameEnd);
            var value = body[(2 + nameEnd)..];
            if (!TryBsonValueLength(type, value, out var length))
            {
                break;
            }
            var v = value[..length];
            if (name.SequenceEqual("ok"u8))
            {
                ok = type switch
                {
                    0x01 => BinaryPrimitives.ReadDoubleLittleEndian(v),
                    0x10 => BinaryPrimitives.ReadInt32LittleEndian(v),
                    0x12 => BinaryPrimitives.ReadInt64LittleEndian(v),
                    0x08 => v[0],
                    _ => null,
                };
            }
            else if (name.SequenceEqual("code"u8) && type == 0x10)
            {
                code = BinaryPrimitives.ReadInt32LittleEndian(v);
            }
            else if (name.SequenceEqual("codeName"u8) && type == 0x02 && v.Length > 5)
            {
                codeName = Encoding.UTF8.GetString(v[4..^1]);
            }
            body = value[length..];
        }
        if (ok == 1)
        {
            return "none";
        }
        // Error codes 13 Unauthorized, 18 AuthenticationFailed (MongoDB error_codes.yml).
        return ok == 0 && (code is 13 or 18 || codeName is "Unauthorized" or "AuthenticationFailed") ? "required" : null;
    }

    /// <summary>Bytes of a BSON value of <paramref name="type"/> (bsonspec.org 1.1), checked against what is left.</summary>
    private static bool TryBsonValueLength(byte type, ReadOnlySpan<byte> value, out int length)
    {
        length = type switch
        {
            0x01 or 0x09 or 0x11 or 0x12 => 8,
            0x07 => 12,
            0x08 => 1,
            0x0A or 0x06 or 0xFF or 0x7F => 0,
            0x10 => 4,
            0x13 => 16,
            0x02 or 0x0D or 0x0E => value.Length >= 4 ? 4 + BinaryPrimitives.ReadInt32LittleEndian(value) : -1,
            0x03 or 0x04 => value.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(value) : -1,
            0x05 => value.Length >= 4 ? 5 + BinaryPrimitives.ReadInt32LittleEndian(value) : -1,
            _ => -1,
        };
        return length >= 0 && length <= value.Length;
    }

    private static ReadOnlySpan<byte> FirstLine(ReadOnlySpan<byte> text)
    {
        var eol = text.IndexOf((byte)'\n');
        return eol < 0 ? text : text[..eol];
    }

    private static bool TryDigits(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var d in digits)
        {
            if (!IsDigit(d))
            {
                return false;
            }
            value = (value * 10) + (d - '0');
        }
        return true;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool ContainsIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lower) => IndexOfIgnoreCase(text, lower) >= 0;

    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lower)
    {
        for (var i = 0; i + lower.Length <= text.Length; i++)
        {
            var j = 0;
            while (j < lower.Length && (text[i + j] | 0x20) == lower[j])
            {
                j++;
            }
            if (j == lower.Length)
            {
                return i;
            }
        }
        return -1;
    }

    private static string Clean(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        return string.Create(text.Length, text, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? ' ' : s[i];
            }
        });
    }
}
