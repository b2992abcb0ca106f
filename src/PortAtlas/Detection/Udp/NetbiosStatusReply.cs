using System.Buffers.Binary;

namespace PortAtlas.Detection.Udp;

/// <summary>
/// A NetBIOS node status response (RFC 1002, 4.2.18): the node's name table and the unit ID (MAC address) that
/// starts its statistics. Samba's nmbd answers with an all-zero unit ID; Windows gives its adapter's MAC.
/// </summary>
/// <param name="ComputerName">The first unique name with suffix 0x00 (the workstation service).</param>
/// <param name="Workgroup">The first group name with suffix 0x00 (the domain or workgroup).</param>
/// <param name="Mac">The unit ID as aa:bb:cc:dd:ee:ff, when present.</param>
/// <param name="NameCount">Names in the table.</param>
internal readonly record struct NetbiosStatusReply(string? ComputerName, string? Workgroup, string? Mac, int NameCount)
{
    /// <summary>Reads a node status response to a query with ID <paramref name="id"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, ushort id, out NetbiosStatusReply reply)
    {
        reply = default;
        if (message.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(message) != id || (message[2] & 0x80) == 0
            || BinaryPrimitives.ReadUInt16BigEndian(message[6..]) == 0)
        {
            return false;
        }
        // The answer's name: a 32-byte encoded name with its length byte and terminator, or a pointer.
        var offset = 12;
        if (offset < message.Length && (message[offset] & 0xC0) == 0xC0)
        {
            offset += 2;
        }
        else
        {
            while (offset < message.Length && message[offset] != 0)
            {
                offset += 1 + message[offset];
            }
            offset++;
        }
        // TYPE NBSTAT (0x21), CLASS, TTL, RDLENGTH, then NUM_NAMES.
        if (offset + 11 > message.Length || BinaryPrimitives.ReadUInt16BigEndian(message[offset..]) != 0x21)
        {
            return false;
        }
        var rdLength = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
        var data = message[(offset + 10)..];
        if (rdLength < data.Length)
        {
            data = data[..rdLength];
        }
        // An RDLENGTH of 0 leaves not even NUM_NAMES.
        if (data.IsEmpty)
        {
            return false;
        }
        var count = data[0];
        if (1 + (count * 18) > data.Length)
        {
            return false;
        }
        string? computer = null, workgroup = null, mac = null;
        for (var i = 0; i < count; i++)
        {
            var entry = data.Slice(1 + (i * 18), 18);
            var suffix = entry[15];
            var group = (entry[16] & 0x80) != 0;
            if (suffix != 0)
            {
                continue;
            }
            var name = ProductText.Ascii(entry[..15]).TrimEnd(' ', '?');
            if (group)
            {
                workgroup ??= name;
            }
            else
            {
                computer ??= name;
            }
        }
        var statistics = data[(1 + (count * 18))..];
        if (statistics.Length >= 6)
        {
            mac = Convert.ToHexString(statistics[..6]).ToLowerInvariant();
            mac = string.Join(':', Enumerable.Range(0, 6).Select(i => mac.Substring(i * 2, 2)));
        }
        reply = new NetbiosStatusReply(computer, workgroup, mac, count);
        return true;
    }
}
