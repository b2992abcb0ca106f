using System.Buffers.Binary;
using System.Text;

namespace PortAtlas.Detection.Udp;

/// <summary>An NTP server's answer to a client request (RFC 5905, 7.3): mode 4, with its version, stratum and reference ID.</summary>
/// <param name="Version">NTP version number (1 to 4).</param>
/// <param name="Stratum">0 unspecified or kiss-o'-death, 1 primary, 2 to 15 secondary, 16 unsynchronised.</param>
/// <param name="LeapIndicator">3 when the clock is unsynchronised.</param>
/// <param name="ReferenceId">The reference ID: four ASCII letters at stratum 0 and 1, an IPv4 address above.</param>
internal readonly record struct NtpReply(int Version, int Stratum, int LeapIndicator, string ReferenceId)
{
    /// <summary>Reads a mode 4 (server) or 5 (broadcast) packet of at least 48 bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out NtpReply reply)
    {
        reply = default;
        if (packet.Length < 48)
        {
            return false;
        }
        var mode = packet[0] & 0x7;
        var version = (packet[0] >> 3) & 0x7;
        if (mode is not (4 or 5) || version is < 1 or > 4)
        {
            return false;
        }
        var stratum = packet[1];
        var refId = packet.Slice(12, 4);
        var reference = stratum <= 1
            ? ProductText.Ascii(refId.TrimEnd((byte)0))
            : $"{refId[0]}.{refId[1]}.{refId[2]}.{refId[3]}";
        reply = new NtpReply(version, stratum, packet[0] >> 6, reference);
        return true;
    }

    /// <summary>A mode 6 READVAR request for the system variables (RFC 9327, 2): association 0, sequence 1.</summary>
    public static byte[] ReadVariablesRequest() => [0x16, 0x02, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0];
}

/// <summary>
/// A mode 6 control response (RFC 9327): ntpd and NTPsec answer READVAR with "name=value" pairs such as
/// <c>version="ntpd 4.2.8p15@1.3728-o ..."</c> and <c>system="Linux/6.1.0"</c>; chrony does not implement mode 6.
/// </summary>
/// <param name="Text">The data section as ASCII text.</param>
internal readonly record struct NtpControlReply(string Text)
{
    /// <summary>Reads a response to a mode 6 request; its data is cut to the count the header declares.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out NtpControlReply reply)
    {
        reply = default;
        if (packet.Length < 12 || (packet[0] & 0x7) != 6 || (packet[1] & 0x80) == 0)
        {
            return false;
        }
        var count = BinaryPrimitives.ReadUInt16BigEndian(packet[10..]);
        var data = packet[12..];
        if (count < data.Length)
        {
            data = data[..count];
        }
        reply = new NtpControlReply(ProductText.Ascii(data, 1024));
        return true;
    }

    /// <summary>The value of <paramref name="name"/>, quotes removed; null when absent.</summary>
    public string? Variable(string name)
    {
        var at = 0;
        while ((at = Text.IndexOf(name + "=", at, StringComparison.Ordinal)) >= 0)
        {
            if (at == 0 || Text[at - 1] is ',' or ' ' or '?')
            {
                var start = at + name.Length + 1;
                if (start < Text.Length && Text[start] == '"')
                {
                    var end = Text.IndexOf('"', start + 1);
                    return end < 0 ? Text[(start + 1)..] : Text[(start + 1)..end];
                }
                var comma = Text.IndexOf(',', start);
                return (comma < 0 ? Text[start..] : Text[start..comma]).Trim();
            }
            at += name.Length;
        }
        return null;
    }
}
