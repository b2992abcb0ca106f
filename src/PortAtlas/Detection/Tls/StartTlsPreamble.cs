using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace PortAtlas.Detection.Tls;

/// <summary>
/// The plaintext exchange that turns a connection into one ready for a ClientHello, per protocol: SMTP (RFC 3207),
/// IMAP (RFC 9051 section 6.2.1), POP3 (RFC 2595 section 4), FTP (RFC 4217 section 4), LDAP (RFC 4511 section 4.14),
/// PostgreSQL (SSLRequest), MySQL (SSLRequest in the client/server protocol) and XMPP (RFC 6120 section 5).
/// </summary>
public static class StartTlsPreamble
{
    /// <summary>The protocols with an upgrade, by the service names detection gives them.</summary>
    public static IReadOnlyList<string> Protocols { get; } = ["smtp", "submission", "imap", "pop3", "ftp", "ldap", "postgresql", "mysql", "xmpp-client", "xmpp-server", "xmpp"];

    /// <summary>True when <paramref name="service"/> has an upgrade this class performs.</summary>
    public static bool Supports(string? service) => service is not null && Protocols.Contains(service);

    /// <summary>
    /// Runs the upgrade on a fresh connection; true when the server agreed and the next bytes it expects are a
    /// ClientHello. <paramref name="serverName"/> names the XMPP domain (the address when null).
    /// </summary>
    public static async Task<bool> RunAsync(string service, NetworkStream stream, string? serverName, string address, CancellationToken ct)
    {
        var reader = new LineReader(stream);
        switch (service)
        {
            case "smtp":
            case "submission":
                return await reader.ReplyAsync("220", ct).ConfigureAwait(false)
                    && await reader.CommandAsync("EHLO portatlas.invalid\r\n", "250", ct).ConfigureAwait(false)
                    && await reader.CommandAsync("STARTTLS\r\n", "220", ct).ConfigureAwait(false);
            case "imap":
                return await reader.LineStartingAsync("* OK", ct).ConfigureAwait(false)
                    && await reader.SendThenLineAsync("pa1 STARTTLS\r\n", "pa1 OK", ct).ConfigureAwait(false);
            case "pop3":
                return await reader.LineStartingAsync("+OK", ct).ConfigureAwait(false)
                    && await reader.SendThenLineAsync("STLS\r\n", "+OK", ct).ConfigureAwait(false);
            case "ftp":
                return await reader.ReplyAsync("220", ct).ConfigureAwait(false)
                    && await reader.CommandAsync("AUTH TLS\r\n", "234", ct).ConfigureAwait(false);
            case "postgresql":
                // SSLRequest: length 8, code 80877103 (the PostgreSQL frontend/backend protocol, section "SSL Session Encryption").
                await stream.WriteAsync(new byte[] { 0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F }, ct).ConfigureAwait(false);
                return await reader.ByteAsync(ct).ConfigureAwait(false) == 'S';
            case "mysql":
                return await MySqlAsync(stream, reader, ct).ConfigureAwait(false);
            case "ldap":
                // ExtendedRequest for StartTLS, messageID 1 (RFC 4511 sections 4.12 and 4.14.1).
                var oid = Encoding.ASCII.GetBytes("1.3.6.1.4.1.1466.20037");
                byte[] request = [0x30, (byte)(oid.Length + 7), 0x02, 0x01, 0x01, 0x77, (byte)(oid.Length + 2), 0x80, (byte)oid.Length, .. oid];
                await stream.WriteAsync(request, ct).ConfigureAwait(false);
                var reply = await reader.BlockAsync(ct).ConfigureAwait(false);
                // ExtendedResponse [APPLICATION 24] whose resultCode ENUMERATED is 0 (success).
                var at = reply.AsSpan().IndexOf((byte)0x78);
                return at >= 0 && reply.AsSpan(at).IndexOf(new byte[] { 0x0A, 0x01, 0x00 }) >= 0;
            case "xmpp":
            case "xmpp-client":
            case "xmpp-server":
                var ns = service == "xmpp-server" ? "jabber:server" : "jabber:client";
                var domain = serverName ?? address;
                await reader.SendAsync($"<?xml version='1.0'?><stream:stream xmlns='{ns}' xmlns:stream='http://etherx.jabber.org/streams' to='{System.Security.SecurityElement.Escape(domain)}' version='1.0'>", ct).ConfigureAwait(false);
                if (!(await reader.TextUntilAsync("</stream:features>", ct).ConfigureAwait(false)).Contains("urn:ietf:params:xml:ns:xmpp-tls", StringComparison.Ordinal))
                {
                    return false;
                }
                await reader.SendAsync("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", ct).ConfigureAwait(false);
                return (await reader.TextUntilAsync(">", ct).ConfigureAwait(false)).Contains("<proceed", StringComparison.Ordinal);
            default:
                return false;
        }
    }

    private static async Task<bool> MySqlAsync(NetworkStream stream, LineReader reader, CancellationToken ct)
    {
        // Initial Handshake packet: 3-byte length, sequence id, protocol 10, server version NUL-terminated, thread id(4),
        // auth data part 1 (8), filler, capability flags (lower 2 bytes). CLIENT_SSL is 0x0800.
        var packet = await reader.BlockAsync(ct).ConfigureAwait(false);
        if (packet.Length < 5 || packet[4] != 10)
        {
            return false;
        }
        var end = Array.IndexOf(packet, (byte)0, 5);
        if (end < 0 || packet.Length < end + 1 + 4 + 8 + 1 + 2)
        {
            return false;
        }
        var capabilities = BinaryPrimitives.ReadUInt16LittleEndian(packet.AsSpan(end + 14));
        if ((capabilities & 0x0800) == 0)
        {
            return false;
        }
        // SSLRequest: capabilities LONG_PASSWORD | PROTOCOL_41 | SSL | SECURE_CONNECTION, max packet 16 MiB, utf8mb4, 23 zero bytes.
        var ssl = new byte[4 + 32];
        ssl[0] = 32;
        ssl[3] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(ssl.AsSpan(4), 0x00008A01);
        BinaryPrimitives.WriteUInt32LittleEndian(ssl.AsSpan(8), 16 * 1024 * 1024);
        ssl[12] = 45;
        await stream.WriteAsync(ssl, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Reads replies line by line, bounded: a hostile server cannot make it buffer without end.</summary>
    private sealed class LineReader(NetworkStream stream)
    {
        private const int MaxBytes = 64 * 1024;
        private readonly byte[] _buffer = new byte[4096];
        private readonly StringBuilder _text = new();
        private int _consumed;

        public async Task SendAsync(string text, CancellationToken ct) =>
            await stream.WriteAsync(Encoding.ASCII.GetBytes(text), ct).ConfigureAwait(false);

        public async Task<bool> CommandAsync(string command, string code, CancellationToken ct)
        {
            await SendAsync(command, ct).ConfigureAwait(false);
            return await ReplyAsync(code, ct).ConfigureAwait(false);
        }

        public async Task<bool> SendThenLineAsync(string command, string prefix, CancellationToken ct)
        {
            await SendAsync(command, ct).ConfigureAwait(false);
            return await LineStartingAsync(prefix, ct).ConfigureAwait(false);
        }

        /// <summary>Reads a (multi-line) reply in the SMTP/FTP style and checks its code: "250-..." lines go on, "250 " ends.</summary>
        public async Task<bool> ReplyAsync(string code, CancellationToken ct)
        {
            while (await LineAsync(ct).ConfigureAwait(false) is string line)
            {
                if (line.Length >= 4 && line[3] == '-')
                {
                    continue;
                }
                return line.StartsWith(code, StringComparison.Ordinal);
            }
            return false;
        }

        public async Task<bool> LineStartingAsync(string prefix, CancellationToken ct)
        {
            while (await LineAsync(ct).ConfigureAwait(false) is string line)
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return true;
                }
                if (!line.StartsWith('*'))
                {
                    return false; // a tagged or final line that is not the one wanted
                }
            }
            return false;
        }

        public async Task<string?> LineAsync(CancellationToken ct)
        {
            while (true)
            {
                var newline = _text.ToString(_consumed, _text.Length - _consumed).IndexOf('\n', StringComparison.Ordinal);
                if (newline >= 0)
                {
                    var line = _text.ToString(_consumed, newline).TrimEnd('\r');
                    _consumed += newline + 1;
                    return line;
                }
                if (!await FillAsync(ct).ConfigureAwait(false))
                {
                    return null;
                }
            }
        }

        public async Task<string> TextUntilAsync(string marker, CancellationToken ct)
        {
            while (true)
            {
                var text = _text.ToString(_consumed, _text.Length - _consumed);
                var at = text.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0)
                {
                    _consumed += at + marker.Length;
                    return text[..(at + marker.Length)];
                }
                if (!await FillAsync(ct).ConfigureAwait(false))
                {
                    return text;
                }
            }
        }

        public async Task<int> ByteAsync(CancellationToken ct)
        {
            var one = new byte[1];
            return await stream.ReadAsync(one, ct).ConfigureAwait(false) == 1 ? one[0] : -1;
        }

        /// <summary>One read's worth of bytes (a binary protocol's first packet).</summary>
        public async Task<byte[]> BlockAsync(CancellationToken ct)
        {
            var n = await stream.ReadAsync(_buffer, ct).ConfigureAwait(false);
            return _buffer.AsSpan(0, n).ToArray();
        }

        private async Task<bool> FillAsync(CancellationToken ct)
        {
            if (_text.Length >= MaxBytes)
            {
                return false;
            }
            var n = await stream.ReadAsync(_buffer, ct).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }
            _text.Append(Encoding.Latin1.GetString(_buffer, 0, n));
            return true;
        }
    }
}
