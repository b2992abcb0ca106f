using System.Buffers.Binary;
using System.Text;

namespace PortAtlas.Tests.Detection;

/// <summary>Builds protocol answers byte by byte from the protocols' documents, for products the lab does not run.</summary>
internal static class Wire
{
    public static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    public static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Detection", "Fixtures", name));

    /// <summary>MySQL Protocol::HandshakeV10 with the given server version.</summary>
    public static byte[] MySqlHandshake(string version)
    {
        var payload = new List<byte> { 0x0a };
        payload.AddRange(Encoding.ASCII.GetBytes(version));
        payload.Add(0);
        payload.AddRange([0x2a, 0, 0, 0]); // connection id
        payload.AddRange("abcdefgh"u8.ToArray());
        payload.Add(0);
        payload.AddRange([0xff, 0xf7, 0x21, 0x02, 0x00, 0xff, 0x81, 0x15]);
        payload.AddRange(new byte[10]);
        payload.AddRange("ijklmnopqrst"u8.ToArray());
        payload.Add(0);
        payload.AddRange("caching_sha2_password\0"u8.ToArray());
        return [(byte)payload.Count, (byte)(payload.Count >> 8), (byte)(payload.Count >> 16), 0, .. payload];
    }

    /// <summary>A BSON document of string and double elements.</summary>
    public static byte[] Bson(params (string Name, object Value)[] elements)
    {
        var body = new List<byte>();
        foreach (var (name, value) in elements)
        {
            switch (value)
            {
                case string s:
                    body.Add(0x02);
                    body.AddRange(Encoding.UTF8.GetBytes(name));
                    body.Add(0);
                    var bytes = Encoding.UTF8.GetBytes(s);
                    body.AddRange(BitConverter.GetBytes(bytes.Length + 1));
                    body.AddRange(bytes);
                    body.Add(0);
                    break;
                case double d:
                    body.Add(0x01);
                    body.AddRange(Encoding.UTF8.GetBytes(name));
                    body.Add(0);
                    body.AddRange(BitConverter.GetBytes(d));
                    break;
            }
        }
        body.Add(0);
        return [.. BitConverter.GetBytes(body.Count + 4), .. body];
    }

    /// <summary>A MongoDB OP_MSG reply carrying one body document.</summary>
    public static byte[] MongoReply(byte[] bson)
    {
        var message = new byte[16 + 4 + 1 + bson.Length];
        BinaryPrimitives.WriteInt32LittleEndian(message, message.Length);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(4), 77);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(8), 0x5041);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(12), 2013);
        bson.CopyTo(message, 21);
        return message;
    }

    /// <summary>A BER TLV with a definite length (short or long form).</summary>
    public static byte[] Ber(byte tag, params byte[][] contents)
    {
        var body = contents.SelectMany(c => c).ToArray();
        byte[] length = body.Length < 0x80 ? [(byte)body.Length] : body.Length < 0x100 ? [0x81, (byte)body.Length] : [0x82, (byte)(body.Length >> 8), (byte)body.Length];
        return [tag, .. length, .. body];
    }

    public static byte[] OctetString(string text) => Ber(0x04, Encoding.ASCII.GetBytes(text));

    /// <summary>An LDAP searchResEntry for the root DSE with one attribute and its values (RFC 4511 section 4.5.2).</summary>
    public static byte[] LdapRootDseEntry(string attribute, params string[] values) =>
        Ber(0x30,
            [0x02, 0x01, 0x01],
            Ber(0x64, OctetString(""), Ber(0x30, Ber(0x30, OctetString(attribute), Ber(0x31, [.. values.Select(OctetString)])))));

    /// <summary>An AMQP 0-9-1 Connection.Start frame with string server properties.</summary>
    public static byte[] AmqpConnectionStart(params (string Name, string Value)[] properties)
    {
        var table = new List<byte>();
        foreach (var (name, value) in properties)
        {
            table.Add((byte)name.Length);
            table.AddRange(Encoding.ASCII.GetBytes(name));
            table.Add((byte)'S');
            var bytes = Encoding.UTF8.GetBytes(value);
            var len = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(len, bytes.Length);
            table.AddRange(len);
            table.AddRange(bytes);
        }
        var payload = new List<byte> { 0x00, 0x0a, 0x00, 0x0a, 0x00, 0x09 };
        var tableLength = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(tableLength, table.Count);
        payload.AddRange(tableLength);
        payload.AddRange(table);
        payload.AddRange([0, 0, 0, 5, .. "PLAIN"u8]);
        payload.AddRange([0, 0, 0, 5, .. "en_US"u8]);
        var size = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(size, payload.Count);
        return [0x01, 0x00, 0x00, .. size, .. payload, 0xCE];
    }

    /// <summary>An SMB2 NEGOTIATE response over direct TCP whose security blob carries <paramref name="blobText"/>.</summary>
    public static byte[] Smb2NegotiateResponse(string blobText)
    {
        var smb = new List<byte>();
        smb.AddRange([0xFE, (byte)'S', (byte)'M', (byte)'B', 64, 0]);
        smb.AddRange(new byte[58]);
        smb.AddRange([65, 0, 1, 0, 0xFF, 0x02, 0, 0]); // structure size 65, security mode, dialect 0x02FF
        smb.AddRange(new byte[56]);
        smb.AddRange(Encoding.ASCII.GetBytes(blobText));
        return [0x00, 0x00, (byte)(smb.Count >> 8), (byte)smb.Count, .. smb];
    }

    /// <summary>A DNS TCP answer to our version.bind query with one TXT string.</summary>
    public static byte[] VersionBindAnswer(string text)
    {
        byte[] header = [0x50, 0x41, 0x85, 0x80, 0, 1, 0, 1, 0, 0, 0, 0];
        byte[] question = [7, .. "version"u8, 4, .. "bind"u8, 0, 0, 0x10, 0, 3];
        var txt = Encoding.ASCII.GetBytes(text);
        byte[] answer = [0xC0, 0x0C, 0, 0x10, 0, 3, 0, 0, 0, 0, 0, (byte)(txt.Length + 1), (byte)txt.Length, .. txt];
        byte[] message = [.. header, .. question, .. answer];
        return [(byte)(message.Length >> 8), (byte)message.Length, .. message];
    }
}
