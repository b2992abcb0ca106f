using System.Buffers.Binary;
using System.Text;

namespace PortAtlas.Tests.Detection.Udp;

/// <summary>Answers in each protocol's wire format, built in the tests from the specifications.</summary>
internal static class UdpReplies
{
    /// <summary>A DNS response (RFC 1035, 4.1) echoing <paramref name="query"/>'s ID and question, with one TXT answer in class CHAOS.</summary>
    public static byte[] DnsTxt(ReadOnlySpan<byte> query, string text, int rcode = 0)
    {
        var bytes = new List<byte>(query.ToArray());
        bytes[2] = 0x85; // QR, AA, RD
        bytes[3] = (byte)(0x80 | rcode);
        if (rcode != 0)
        {
            return [.. bytes];
        }
        bytes[7] = 1; // ANCOUNT
        var txt = Encoding.ASCII.GetBytes(text);
        // Name: a pointer to the question's name at offset 12; TYPE TXT, CLASS CH, TTL 0.
        bytes.AddRange([0xC0, 0x0C, 0x00, 0x10, 0x00, 0x03, 0, 0, 0, 0, 0, (byte)(txt.Length + 1), (byte)txt.Length, .. txt]);
        return [.. bytes];
    }

    /// <summary>A mode 4 NTP packet (RFC 5905, 7.3).</summary>
    public static byte[] NtpServer(int version = 4, int stratum = 2)
    {
        var packet = new byte[48];
        packet[0] = (byte)((version << 3) | 4);
        packet[1] = (byte)stratum;
        packet[12] = 198;
        packet[13] = 18;
        packet[14] = 0;
        packet[15] = 1;
        return packet;
    }

    /// <summary>A mode 6 READVAR response (RFC 9327) carrying <paramref name="variables"/>.</summary>
    public static byte[] NtpControl(string variables)
    {
        var data = Encoding.ASCII.GetBytes(variables);
        var packet = new byte[12 + data.Length];
        packet[0] = 0x16;
        packet[1] = 0x82; // response, READVAR
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), (ushort)data.Length);
        data.CopyTo(packet, 12);
        return packet;
    }

    private static byte[] Tlv(byte tag, params byte[] content)
    {
        if (content.Length < 128)
        {
            return [tag, (byte)content.Length, .. content];
        }
        return [tag, 0x82, (byte)(content.Length >> 8), (byte)content.Length, .. content];
    }

    private static byte[] Integer(int value) => Tlv(0x02, (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value);

    /// <summary>An SNMP GetResponse (RFC 3416, 3) for sysDescr.0.</summary>
    public static byte[] SnmpSysDescr(int requestId, string sysDescr, int version = 1, string community = "public")
    {
        var oid = Tlv(0x06, 0x2B, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00);
        var binding = Tlv(0x30, [.. oid, .. Tlv(0x04, Encoding.ASCII.GetBytes(sysDescr))]);
        var pdu = Tlv(0xA2, [.. Integer(requestId), .. Tlv(0x02, 0), .. Tlv(0x02, 0), .. Tlv(0x30, binding)]);
        return Tlv(0x30, [.. Tlv(0x02, (byte)version), .. Tlv(0x04, Encoding.ASCII.GetBytes(community)), .. pdu]);
    }

    /// <summary>An SNMPv3 Report (RFC 3414, 4) with the engine ID of enterprise <paramref name="enterprise"/>.</summary>
    public static byte[] SnmpV3Report(int messageId, int enterprise, int boots = 3, int time = 90000)
    {
        byte[] engineId = [(byte)(0x80 | (enterprise >> 24)), (byte)(enterprise >> 16), (byte)(enterprise >> 8), (byte)enterprise, 0x80, 1, 2, 3, 4, 5, 6, 7, 8];
        var usm = Tlv(0x30, [.. Tlv(0x04, engineId), .. Integer(boots), .. Integer(time), .. Tlv(0x04), .. Tlv(0x04), .. Tlv(0x04)]);
        var global = Tlv(0x30, [.. Integer(messageId), .. Integer(65507), .. Tlv(0x04, 0x00), .. Tlv(0x02, 3)]);
        var report = Tlv(0xA8, [.. Integer(messageId), .. Tlv(0x02, 0), .. Tlv(0x02, 0), .. Tlv(0x30)]);
        var scoped = Tlv(0x30, [.. Tlv(0x04, engineId), .. Tlv(0x04), .. report]);
        return Tlv(0x30, [.. Tlv(0x02, 3), .. global, .. Tlv(0x04, usm), .. scoped]);
    }

    /// <summary>A SIP 200 response (RFC 3261, 7.2) with a Server header.</summary>
    public static byte[] Sip(string server, string header = "Server") => Encoding.ASCII.GetBytes(
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP portatlas.invalid;branch=z9hG4bK-portatlas-1;rport=5060\r\n"
        + "Call-ID: portatlas-options-probe\r\nCSeq: 1 OPTIONS\r\n"
        + $"{header}: {server}\r\nAllow: INVITE, ACK, OPTIONS, BYE\r\nContent-Length: 0\r\n\r\n");

    /// <summary>A STUN Binding success response (RFC 8489, 5, 14.7, 14.14) with XOR-MAPPED-ADDRESS and SOFTWARE.</summary>
    public static byte[] StunSuccess(ReadOnlySpan<byte> request, string software)
    {
        var soft = Encoding.UTF8.GetBytes(software);
        var padded = (soft.Length + 3) & ~3;
        var attributes = new List<byte> { 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xA1, 0x47, 0x5E, 0x12, 0xA4, 0x43 };
        attributes.AddRange([0x80, 0x22, (byte)(soft.Length >> 8), (byte)soft.Length, .. soft, .. new byte[padded - soft.Length]]);
        var message = new byte[20 + attributes.Count];
        BinaryPrimitives.WriteUInt16BigEndian(message, 0x0101);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)attributes.Count);
        request.Slice(4, 16).CopyTo(message.AsSpan(4));
        attributes.CopyTo(message, 20);
        return message;
    }

    /// <summary>A NetBIOS node status response (RFC 1002, 4.2.18) with a workstation name, a workgroup and a unit ID.</summary>
    public static byte[] NetbiosStatus(ushort id, string computer, string workgroup, byte[] mac)
    {
        var bytes = new List<byte> { (byte)(id >> 8), (byte)id, 0x84, 0x00, 0, 0, 0, 1, 0, 0, 0, 0, 0x20 };
        for (var i = 0; i < 32; i++)
        {
            bytes.Add((byte)(i % 2 == 0 ? 'C' : 'K'));
        }
        bytes.Add(0);
        var names = new List<byte> { 3 };
        names.AddRange(Name(computer, 0x00, 0x04));
        names.AddRange(Name(computer, 0x20, 0x04));
        names.AddRange(Name(workgroup, 0x00, 0x84));
        names.AddRange(mac);
        names.AddRange(new byte[40]);
        bytes.AddRange([0x00, 0x21, 0x00, 0x01, 0, 0, 0, 0, (byte)(names.Count >> 8), (byte)names.Count, .. names]);
        return [.. bytes];

        static byte[] Name(string name, byte suffix, byte flags) => [.. Encoding.ASCII.GetBytes(name.PadRight(15)), suffix, flags, 0x00];
    }

    /// <summary>An ISAKMP Main Mode response (RFC 2408, 3.1) with an SA payload and the given vendor IDs.</summary>
    public static byte[] IkeResponse(ReadOnlySpan<byte> initiatorSpi, params byte[][] vendorIds)
    {
        var payloads = new List<byte>();
        var sa = new byte[] { 0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 1 };
        sa[0] = (byte)(vendorIds.Length > 0 ? 13 : 0);
        payloads.AddRange(sa);
        for (var i = 0; i < vendorIds.Length; i++)
        {
            var next = (byte)(i + 1 < vendorIds.Length ? 13 : 0);
            payloads.AddRange([next, 0, 0, (byte)(4 + vendorIds[i].Length), .. vendorIds[i]]);
        }
        var header = new byte[28];
        initiatorSpi.CopyTo(header);
        "RESPONDR"u8.CopyTo(header.AsSpan(8));
        header[16] = 1; // SA
        header[17] = 0x10;
        header[18] = 2;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(24), (uint)(28 + payloads.Count));
        return [.. header, .. payloads];
    }

    /// <summary>A QUIC Version Negotiation packet (RFC 9000, 17.2.1).</summary>
    public static byte[] QuicVersionNegotiation(ReadOnlySpan<byte> ourDestination, ReadOnlySpan<byte> ourSource, params uint[] versions)
    {
        var bytes = new List<byte> { 0x80, 0, 0, 0, 0, (byte)ourSource.Length };
        bytes.AddRange(ourSource.ToArray());
        bytes.Add((byte)ourDestination.Length);
        bytes.AddRange(ourDestination.ToArray());
        foreach (var v in versions)
        {
            bytes.AddRange([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
        }
        return [.. bytes];
    }
}
