using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PortAtlas.Detection.Udp;

namespace PortAtlas.Tests.Scanning;

/// <summary>
/// A DNS server of the test's own on 127.0.0.1 (a random port): answers PTR queries from a table, counts every query,
/// and can misbehave (stay silent, answer with a wrong ID first) to test the client's checks.
/// </summary>
internal sealed class FakeDnsServer : IDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly Dictionary<string, string> _names;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _queries;

    public FakeDnsServer(Dictionary<string, string> names)
    {
        _names = names;
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>Where the server listens.</summary>
    public IPEndPoint Endpoint => (IPEndPoint)_udp.Client.LocalEndPoint!;

    /// <summary>Queries received.</summary>
    public int Queries => Volatile.Read(ref _queries);

    /// <summary>Answer nothing.</summary>
    public bool Silent { get; init; }

    /// <summary>Before each real answer, send one with a different message ID (which the client must ignore).</summary>
    public bool WrongIdFirst { get; init; }

    /// <summary>Answer SERVFAIL.</summary>
    public bool Fail { get; init; }

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult received;
            try
            {
                received = await _udp.ReceiveAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _queries);
            var query = received.Buffer;
            if (Silent || query.Length < 17 || !DnsReply.TryReadName(query, 12, out var question))
            {
                continue;
            }
            var id = BinaryPrimitives.ReadUInt16BigEndian(query);
            if (WrongIdFirst)
            {
                await _udp.SendAsync(Answer(query, (ushort)(id ^ 0x5A5A), question, "forged.portatlas.test"), received.RemoteEndPoint);
            }
            _names.TryGetValue(question, out var name);
            await _udp.SendAsync(Answer(query, id, question, name), received.RemoteEndPoint);
        }
    }

    /// <summary>A response to <paramref name="query"/>: its question echoed, one PTR answer or NXDOMAIN (or SERVFAIL).</summary>
    private byte[] Answer(byte[] query, ushort id, string question, string? name)
    {
        var questionEnd = 12 + Encoding.ASCII.GetByteCount(question) + 2 + 4;
        using var message = new MemoryStream();
        var header = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        var rcode = Fail ? 2 : name is null ? 3 : 0;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(0x8180 | rcode));
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), (ushort)(name is null || Fail ? 0 : 1));
        message.Write(header);
        message.Write(query, 12, questionEnd - 12);
        if (name is not null && !Fail)
        {
            // The owner is a pointer to the question (offset 12); TYPE PTR, CLASS IN, TTL 60, RDATA the name.
            var rdata = EncodeName(name);
            var rr = new byte[12];
            rr[0] = 0xC0;
            rr[1] = 12;
            BinaryPrimitives.WriteUInt16BigEndian(rr.AsSpan(2), 12);
            BinaryPrimitives.WriteUInt16BigEndian(rr.AsSpan(4), 1);
            BinaryPrimitives.WriteUInt32BigEndian(rr.AsSpan(6), 60);
            BinaryPrimitives.WriteUInt16BigEndian(rr.AsSpan(10), (ushort)rdata.Length);
            message.Write(rr);
            message.Write(rdata);
        }
        return message.ToArray();
    }

    /// <summary>A name in wire form; a label may hold any byte (the hostile-name test).</summary>
    internal static byte[] EncodeName(string name)
    {
        using var bytes = new MemoryStream();
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            var data = Encoding.Latin1.GetBytes(label);
            bytes.WriteByte((byte)data.Length);
            bytes.Write(data);
        }
        bytes.WriteByte(0);
        return bytes.ToArray();
    }
}
