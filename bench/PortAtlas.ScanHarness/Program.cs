using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PortAtlas.Scanning;
using PortAtlas.Targets;

// Usage:
//   scan HOST PORTS [--rate N] [--concurrency N] [--retries N] [--seed N] [--all] [--no-reset] [--mechanism auto|sockets|epoll]
//       PORTS: "-" (1-65535) or a comma list of ports and ranges. Prints "open PORT" per open port (sorted), or with
//       --all "PORT STATE REASON" for every port; statistics on stderr.
//   listen HOST PORT...
//       Listens on each port (0 picks one), prints "ready P1 P2 ...", accepts and counts connections until stdin closes,
//       then prints "accepts PORT COUNT" per port.
//   silent PREFIX [PORTS] [--streamed] [--db SQLITE-FILE|POSTGRES-URL]
//       Peak RSS of a session over silent 127.0.0.0/PREFIX x PORTS (default 100) with an engine that sends nothing
//       (SilentScale.cs): hosts handed over as silent, or with --streamed a filtered result per port.
if (args.Length >= 2 && args[0] == "scan")
{
    return await ScanAsync(args[1..]);
}
if (args.Length >= 2 && args[0] == "listen")
{
    return await ListenAsync(args[1..]);
}
if (args.Length >= 2 && args[0] == "silent")
{
    return await SilentScale.RunAsync(args[1..]);
}
Console.Error.WriteLine("usage: scan HOST PORTS [options] | listen HOST PORT... | silent PREFIX [PORTS] [--streamed] [--db SQLITE-FILE|POSTGRES-URL]");
return 2;

static async Task<int> ScanAsync(string[] args)
{
    var address = IPAddress.Parse(args[0]);
    var ports = ParsePorts(args[1]);
    var options = new ScanOptions();
    var all = false;
    for (var i = 2; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--rate": options = options with { Rate = double.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
            case "--concurrency": options = options with { Concurrency = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
            case "--retries": options = options with { MaxRetries = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
            case "--seed": options = options with { Seed = ulong.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
            case "--no-reset": options = options with { ResetOpenConnections = false }; break;
            case "--all": all = true; break;
            case "--mechanism": options = options with { Mechanism = Enum.Parse<ConnectMechanism>(args[++i], ignoreCase: true) }; break;
            default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
        }
    }
    using var cts = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cts.Cancel();
    };
    var scanner = new PortScanner();
    var results = new List<PortResult>();
    var interrupted = false;
    try
    {
        await foreach (var result in scanner.ScanAsync(TargetSet.FromAddresses([address]), new PortList(tcp: ports), options, cts.Token))
        {
            if (all || result.State == PortState.Open)
            {
                results.Add(result);
            }
        }
    }
    catch (OperationCanceledException)
    {
        interrupted = true;
    }
    results.Sort((a, b) => a.Port.CompareTo(b.Port));
    var output = new System.Text.StringBuilder();
    foreach (var r in results)
    {
        output.Append(all ? $"{r.Port} {r.State.ToName()} {r.Reason}\n" : $"open {r.Port}\n");
    }
    Console.Out.Write(output.ToString());
    var p = scanner.Progress!;
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"elapsed {p.Elapsed.TotalSeconds:F3} s, decided {p.Completed}/{p.Total}, probes {p.ProbesSent}, retransmissions {p.Retransmissions}, " +
        $"open {p.Open}, closed {p.CountOf(PortState.Closed)}, filtered {p.CountOf(PortState.Filtered)}, {p.ProbesPerSecond:F0} probes/s{(interrupted ? ", interrupted" : "")}"));
    return interrupted ? 130 : 0;
}

static async Task<int> ListenAsync(string[] args)
{
    var address = IPAddress.Parse(args[0]);
    var listeners = new List<Socket>();
    foreach (var port in args[1..])
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(address, int.Parse(port, CultureInfo.InvariantCulture)));
        socket.Listen(512);
        listeners.Add(socket);
    }
    var counts = new long[listeners.Count];
    var loops = listeners.Select((listener, i) => Task.Run(async () =>
    {
        try
        {
            while (true)
            {
                using var accepted = await listener.AcceptAsync();
                Interlocked.Increment(ref counts[i]);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Closed at shutdown.
        }
    })).ToArray();
    Console.Out.WriteLine("ready " + string.Join(' ', listeners.Select(l => ((IPEndPoint)l.LocalEndPoint!).Port)));
    Console.Out.Flush();
    await Console.In.ReadToEndAsync();
    foreach (var listener in listeners)
    {
        listener.Dispose();
    }
    await Task.WhenAll(loops);
    for (var i = 0; i < listeners.Count; i++)
    {
        Console.Out.WriteLine($"accepts {((IPEndPoint)listeners[i].LocalEndPoint!).Port} {Interlocked.Read(ref counts[i])}");
    }
    return 0;
}

static List<int> ParsePorts(string spec)
{
    var ports = new List<int>();
    if (spec == "-")
    {
        spec = "1-65535";
    }
    foreach (var part in spec.Split(','))
    {
        var dash = part.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            ports.Add(int.Parse(part, CultureInfo.InvariantCulture));
            continue;
        }
        var first = int.Parse(part[..dash], CultureInfo.InvariantCulture);
        var last = int.Parse(part[(dash + 1)..], CultureInfo.InvariantCulture);
        for (var p = first; p <= last; p++)
        {
            ports.Add(p);
        }
    }
    return ports;
}
