namespace PortAtlas.Detection.Udp;

/// <summary>A SIP response (RFC 3261, 7.2): status code, and the headers that name the software (Server, User-Agent).</summary>
/// <param name="StatusCode">The status code, such as 200 or 404.</param>
/// <param name="Server">The Server header (RFC 3261, 20.35), or the User-Agent header when there is no Server.</param>
/// <param name="Allow">The Allow header.</param>
internal readonly record struct SipReply(int StatusCode, string? Server, string? Allow)
{
    private const int MaxHeaderLines = 64;

    /// <summary>Reads a response starting "SIP/2.0 NNN"; false otherwise.</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out SipReply reply)
    {
        reply = default;
        if (message.Length < 12 || !message.StartsWith("SIP/2.0 "u8)
            || !char.IsAsciiDigit((char)message[8]) || !char.IsAsciiDigit((char)message[9]) || !char.IsAsciiDigit((char)message[10]))
        {
            return false;
        }
        var status = ((message[8] - '0') * 100) + ((message[9] - '0') * 10) + (message[10] - '0');
        string? server = null, agent = null, allow = null;
        var rest = message;
        for (var lines = 0; lines < MaxHeaderLines && !rest.IsEmpty; lines++)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 1)..];
            line = line.TrimEnd((byte)'\r');
            if (line.IsEmpty)
            {
                break;
            }
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }
            var name = ProductText.Ascii(line[..colon]).Trim();
            var value = ProductText.Ascii(line[(colon + 1)..], 200).Trim();
            if (name.Equals("Server", StringComparison.OrdinalIgnoreCase))
            {
                server ??= value;
            }
            else if (name.Equals("User-Agent", StringComparison.OrdinalIgnoreCase))
            {
                agent ??= value;
            }
            else if (name.Equals("Allow", StringComparison.OrdinalIgnoreCase))
            {
                allow ??= value;
            }
        }
        reply = new SipReply(status, server ?? agent, allow);
        return true;
    }
}
