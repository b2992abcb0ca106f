using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PortAtlas.Scanning.Packets;
using PortAtlas.Scanning.Raw;

/// <summary>
/// Measures the send path's own limit: SYN packets built and handed to the kernel through <see cref="RawSender"/>
/// (sendmmsg on a raw socket) as fast as one thread can, with no pacing and no receive thread. The ports walk 1-65535 so
/// a loopback target answers each with an RST (part of the loopback cost, as in a real scan).
/// </summary>
internal static class SendPathBenchmark
{
    public static int Run(string target, long count, int batchSize)
    {
        var destination = IPAddress.Parse(target);
        var source = SourceFor(destination);
        var pair = new IpPair(false, IpPair.ToValue(source), IpPair.ToValue(destination));
        using var sender = new RawSender(batchSize);
        ReadOnlySpan<byte> options = [2, 4, 0x05, 0xB4];
        var stopwatch = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (long i = 0; i < count; i++)
        {
            var port = (ushort)(1 + (i % 65535));
            var buffer = sender.Rent(false, pair.Destination);
            var length = PacketBuilder.WriteTcp(buffer, pair, 47999, port, (uint)i * 2654435761u, 0, TcpFlags.Syn, 1024, options, (ushort)i);
            sender.Commit(false, length);
        }
        sender.Flush();
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"send-only {target}: {sender.Sent} packets in {elapsed:0.000} s = {sender.Sent / elapsed:0} pps (batch {batchSize}, cpu {cpuSeconds:0.000} s, buffer-full {sender.BufferFullEvents}, failed {sender.Failed})"));
        return 0;
    }

    private static IPAddress SourceFor(IPAddress destination)
    {
        // The kernel's choice of source for this destination (a connected UDP socket sends nothing).
        using var probe = new Socket(destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(new IPEndPoint(destination, 9));
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }
}
