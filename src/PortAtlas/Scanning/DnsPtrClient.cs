using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using PortAtlas.Detection.Udp;

namespace PortAtlas.Scanning;

/// <summary>
/// A small reverse-DNS client of our own (RFC 1035): one PTR query over UDP to the given servers, never through the
/// system resolver, so a scan asks only the servers it was told to. Each try uses a fresh socket (a new random source
/// port) and a random message ID; a reply counts only when it comes from the server asked (a connected socket), echoes
/// the ID and the question, and is a response. Bounded: <see cref="Tries"/> rounds over the servers, each try waiting
/// at most <see cref="Timeout"/>.
/// </summary>
internal sealed class DnsPtrClient
{
    private const ushort TypePtr = 12;
    private const ushort ClassIn = 1;
    private const int MaxMessage = 1232;

    private readonly IReadOnlyList<IPEndPoint> _servers;
    private long _queriesSent;

    public DnsPtrClient(IReadOnlyList<IPEndPoint> servers) => _servers = servers;

    /// <summary>How long one try waits for its answer; default 1 second.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Rounds over the servers; default 2.</summary>
    public int Tries { get; init; } = 2;

    /// <summary>Queries sent so far (every try counts).</summary>
    public long QueriesSent => Interlocked.Read(ref _queriesSent);

    /// <summary>
    /// The PTR name of <paramref name="address"/> (without the final dot), or null: no name (NXDOMAIN, no PTR answer), a
    /// name that is not a valid host name, or no server answered in time.
    /// </summary>
    public async Task<string?> LookupAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var question = ReverseName(address);
        var query = new byte[12 + question.Length + 2 + 4];
        var reply = new byte[MaxMessage];
        for (var round = 0; round < Math.Max(1, Tries); round++)
        {
            foreach (var server in _servers)
            {
                var outcome = await TryOneAsync(server, question, query, reply, cancellationToken).ConfigureAwait(false);
                if (outcome.Final)
                {
                    return outcome.Name;
                }
            }
        }
        return null;
    }

    private async Task<(bool Final, string? Name)> TryOneAsync(IPEndPoint server, string question, byte[] query, byte[] reply, CancellationToken cancellationToken)
    {
        var id = (ushort)RandomNumberGenerator.GetInt32(0, 65536);
        var length = WriteQuery(query, id, question);
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            // Connected: the kernel drops datagrams from any other address or port, and reports an ICMP unreachable.
            await socket.ConnectAsync(server, timeout.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _queriesSent);
            await socket.SendAsync(query.AsMemory(0, length), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            while (true)
            {
                var received = await socket.ReceiveAsync(reply, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (Check(reply.AsSpan(0, received), id, question) is { } outcome)
                {
                    return outcome;
                }
                // Not our answer (a late reply to an earlier try, a forgery): keep waiting for ours.
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, null);
        }
        catch (SocketException)
        {
            // Unreachable, refused, no route: ask the next server.
            return (false, null);
        }
    }

    /// <summary>
    /// What a datagram says about the query: null when it is not the answer to it; final with a name or none when the
    /// server answered (NOERROR, NXDOMAIN); not final when this server could not (SERVFAIL, REFUSED, a cut reply).
    /// </summary>
    internal static (bool Final, string? Name)? Check(ReadOnlySpan<byte> message, ushort id, string question)
    {
        if (message.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(message) != id || BinaryPrimitives.ReadUInt16BigEndian(message[4..]) != 1
            || !DnsReply.TryReadName(message, 12, out var echoed) || !string.Equals(echoed, question, StringComparison.OrdinalIgnoreCase)
            || !DnsReply.TryParse(message, out var parsed))
        {
            return null;
        }
        if ((BinaryPrimitives.ReadUInt16BigEndian(message[2..]) & 0x0200) != 0)
        {
            // Truncated: the answer did not fit; a PTR answer almost always does, so treat it as no answer here.
            return (false, null);
        }
        return parsed.ResponseCode switch
        {
            0 => (true, parsed.Pointers.Select(Clean).FirstOrDefault(n => n is not null)),
            3 => (true, null),
            _ => (false, null),
        };
    }

    /// <summary>Writes a standard query with recursion desired for <paramref name="question"/>'s PTR record; returns its length.</summary>
    internal static int WriteQuery(Span<byte> buffer, ushort id, string question)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer, id);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], 0x0100);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[4..], 1);
        buffer[6..12].Clear();
        var offset = 12;
        foreach (var label in question.Split('.'))
        {
            buffer[offset++] = (byte)label.Length;
            offset += Encoding.ASCII.GetBytes(label, buffer[offset..]);
        }
        buffer[offset++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[offset..], TypePtr);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(offset + 2)..], ClassIn);
        return offset + 4;
    }

    /// <summary>The reverse-lookup name: <c>4.3.2.1.in-addr.arpa</c> (RFC 1035, 3.5), or IPv6's nibbles under <c>ip6.arpa</c> (RFC 3596, 2.5).</summary>
    internal static string ReverseName(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        var bytes = address.GetAddressBytes();
        var sb = new StringBuilder(bytes.Length == 4 ? 29 : 73);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes.Length == 4)
            {
                sb.Append(bytes[i]).Append('.');
            }
            else
            {
                sb.Append("0123456789abcdef"[bytes[i] & 0xF]).Append('.').Append("0123456789abcdef"[bytes[i] >> 4]).Append('.');
            }
        }
        return sb.Append(bytes.Length == 4 ? "in-addr.arpa" : "ip6.arpa").ToString();
    }

    /// <summary>
    /// The name when it is a host name (letters, digits, hyphen, underscore; labels of 1-63; at most 253), without a final
    /// dot; null otherwise. A PTR record is the server's text: nothing else reaches a report or a terminal.
    /// </summary>
    internal static string? Clean(string name)
    {
        name = name.TrimEnd('.');
        if (name.Length is 0 or > 253)
        {
            return null;
        }
        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return null;
            }
        }
        return name;
    }
}
