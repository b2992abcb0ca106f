using System.Buffers.Binary;

namespace PortAtlas.Detection.Udp;

/// <summary>
/// An SNMP response read with a small BER decoder (X.690, 8.1): SNMPv1/v2c GetResponse (RFC 1157, RFC 3416) with
/// its first variable's value, or an SNMPv3 Report (RFC 3412, 6; RFC 3414, 2.4) with the agent's engine ID, boots and time.
/// </summary>
internal sealed record SnmpReply
{
    /// <summary>Message version: 0 SNMPv1, 1 SNMPv2c, 3 SNMPv3.</summary>
    public int Version { get; init; }
    /// <summary>The community (v1, v2c).</summary>
    public string? Community { get; init; }
    /// <summary>The PDU tag: 0xA2 GetResponse, 0xA8 Report.</summary>
    public int PduType { get; init; }
    /// <summary>The PDU's request ID.</summary>
    public long RequestId { get; init; }
    /// <summary>The PDU's error-status (0 noError).</summary>
    public long ErrorStatus { get; init; }
    /// <summary>The first variable's value when it is an OCTET STRING.</summary>
    public string? FirstValue { get; init; }
    /// <summary>The authoritative engine ID (SNMPv3).</summary>
    public byte[] EngineId { get; init; } = [];
    /// <summary>The engine's boot count (SNMPv3).</summary>
    public long EngineBoots { get; init; }
    /// <summary>Seconds since the engine's last boot (SNMPv3).</summary>
    public long EngineTime { get; init; }

    /// <summary>Reads an SNMP message; false when it is not one or is malformed.</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out SnmpReply reply)
    {
        reply = null!;
        var outer = new BerReader(message);
        if (!outer.TryRead(0x30, out var body))
        {
            return false;
        }
        var reader = new BerReader(body);
        if (!reader.TryReadInteger(out var version))
        {
            return false;
        }
        if (version is 0 or 1)
        {
            if (!reader.TryRead(0x04, out var community) || !reader.TryReadAny(out var pduTag, out var pdu)
                || !TryReadPdu(pdu, out var requestId, out var error, out var value))
            {
                return false;
            }
            reply = new SnmpReply { Version = (int)version, Community = ProductText.Ascii(community), PduType = pduTag, RequestId = requestId, ErrorStatus = error, FirstValue = value };
            return true;
        }
        if (version != 3 || !reader.TryRead(0x30, out _) || !reader.TryRead(0x04, out var security))
        {
            return false;
        }
        // msgSecurityParameters holds the USM sequence (RFC 3414, 2.4): engine ID, boots, time, user, auth, privacy.
        var usmOuter = new BerReader(security);
        if (!usmOuter.TryRead(0x30, out var usm))
        {
            return false;
        }
        var usmReader = new BerReader(usm);
        if (!usmReader.TryRead(0x04, out var engineId) || !usmReader.TryReadInteger(out var boots) || !usmReader.TryReadInteger(out var time))
        {
            return false;
        }
        var pduType = 0;
        long v3RequestId = 0;
        // The scoped PDU is plain when the message is not encrypted, as a discovery Report is not.
        if (reader.TryRead(0x30, out var scoped))
        {
            var scopedReader = new BerReader(scoped);
            if (scopedReader.TryRead(0x04, out _) && scopedReader.TryRead(0x04, out _) && scopedReader.TryReadAny(out var tag, out var pdu)
                && TryReadPdu(pdu, out var id, out _, out _))
            {
                pduType = tag;
                v3RequestId = id;
            }
        }
        reply = new SnmpReply { Version = 3, PduType = pduType, RequestId = v3RequestId, EngineId = engineId.ToArray(), EngineBoots = boots, EngineTime = time };
        return true;
    }

    private static bool TryReadPdu(ReadOnlySpan<byte> pdu, out long requestId, out long error, out string? value)
    {
        value = null;
        error = 0;
        var reader = new BerReader(pdu);
        if (!reader.TryReadInteger(out requestId) || !reader.TryReadInteger(out error) || !reader.TryReadInteger(out _))
        {
            return false;
        }
        if (reader.TryRead(0x30, out var bindings))
        {
            var list = new BerReader(bindings);
            if (list.TryRead(0x30, out var binding))
            {
                var pair = new BerReader(binding);
                if (pair.TryRead(0x06, out _) && pair.TryReadAny(out var tag, out var content) && tag == 0x04)
                {
                    value = ProductText.Ascii(content, 512);
                }
            }
        }
        return true;
    }

    /// <summary>The private enterprise number of an RFC 3411 engine ID (high bit of the first byte set), or -1.</summary>
    public int Enterprise => EngineId.Length >= 5 && (EngineId[0] & 0x80) != 0
        ? (int)(BinaryPrimitives.ReadUInt32BigEndian(EngineId) & 0x7FFFFFFF)
        : -1;

    /// <summary>An SNMPv3 discovery request (RFC 3414, 4): a GetRequest with no user and an empty engine ID, reportable.</summary>
    public static byte[] DiscoveryRequest(int messageId)
    {
        byte[] id = [0x02, 0x04, (byte)(messageId >> 24), (byte)(messageId >> 16), (byte)(messageId >> 8), (byte)messageId];
        byte[] global = Tlv(0x30, [.. id, 0x02, 0x02, 0x05, 0xDC, 0x04, 0x01, 0x04, 0x02, 0x01, 0x03]);
        byte[] usm = Tlv(0x04, Tlv(0x30, [0x04, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00, 0x04, 0x00]));
        byte[] pdu = Tlv(0xA0, [.. id, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00]);
        byte[] scoped = Tlv(0x30, [0x04, 0x00, 0x04, 0x00, .. pdu]);
        return Tlv(0x30, [0x02, 0x01, 0x03, .. global, .. usm, .. scoped]);
    }

    // Short-form lengths suffice: every request we build is under 128 bytes.
    private static byte[] Tlv(byte tag, byte[] content) => [tag, (byte)content.Length, .. content];
}

/// <summary>Reads BER tag-length-value triples (X.690, 8.1) from a span, checking every length against what is left.</summary>
internal ref struct BerReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _data = data;

    /// <summary>Reads the next element whatever its (single-byte) tag.</summary>
    public bool TryReadAny(out int tag, out ReadOnlySpan<byte> content)
    {
        content = default;
        tag = 0;
        if (_data.Length < 2 || (_data[0] & 0x1F) == 0x1F)
        {
            return false;
        }
        tag = _data[0];
        int length = _data[1];
        var header = 2;
        if ((length & 0x80) != 0)
        {
            var octets = length & 0x7F;
            if (octets is 0 or > 3 || _data.Length < 2 + octets)
            {
                return false;
            }
            length = 0;
            for (var i = 0; i < octets; i++)
            {
                length = (length << 8) | _data[2 + i];
            }
            header += octets;
        }
        if (length > _data.Length - header)
        {
            return false;
        }
        content = _data.Slice(header, length);
        _data = _data[(header + length)..];
        return true;
    }

    /// <summary>Reads the next element when its tag is <paramref name="tag"/>.</summary>
    public bool TryRead(int tag, out ReadOnlySpan<byte> content)
    {
        var saved = _data;
        if (TryReadAny(out var actual, out content) && actual == tag)
        {
            return true;
        }
        _data = saved;
        return false;
    }

    /// <summary>Reads an INTEGER of at most 8 bytes, two's complement.</summary>
    public bool TryReadInteger(out long value)
    {
        value = 0;
        if (!TryRead(0x02, out var content) || content.IsEmpty || content.Length > 8)
        {
            return false;
        }
        value = (sbyte)content[0];
        for (var i = 1; i < content.Length; i++)
        {
            value = (value << 8) | content[i];
        }
        return true;
    }
}
