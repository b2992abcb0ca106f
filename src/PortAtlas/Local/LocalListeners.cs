using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using PortAtlas.Registry;

namespace PortAtlas.Local;

/// <summary>Settings of <see cref="LocalListeners.GetAsync"/>.</summary>
public sealed record LocalListenerOptions
{
    /// <summary>Include TCP listeners; default true.</summary>
    public bool Tcp { get; init; } = true;
    /// <summary>Include UDP sockets bound and unconnected; default true.</summary>
    public bool Udp { get; init; } = true;
    /// <summary>Find the processes holding each socket (reads every /proc/PID/fd: all of them only as root); default true.</summary>
    public bool Processes { get; init; } = true;
    /// <summary>The registry that names and rates ports; <see cref="PortRegistry.Default"/> when null.</summary>
    public PortRegistry? Registry { get; init; }
    /// <summary>The root of procfs; default /proc (tests point it at a copy).</summary>
    public string ProcRoot { get; init; } = "/proc";
    /// <summary>The passwd file for user names; default /etc/passwd.</summary>
    public string PasswdPath { get; init; } = "/etc/passwd";
}

/// <summary>
/// What listens on this machine, like <c>ss -ltnup</c>: TCP sockets in LISTEN and UDP sockets bound and unconnected,
/// IPv4 and IPv6, each with its process, user and the registry's view, and a warning when a risky service listens on
/// every interface. Only reads socket tables: it never connects anywhere.
/// </summary>
/// <remarks>
/// On Linux from <c>/proc/net/{tcp,tcp6,udp,udp6}</c> (this process's network namespace), with socket inodes matched to
/// processes through the <c>socket:[inode]</c> links of <c>/proc/PID/fd</c>. Elsewhere from
/// <see cref="IPGlobalProperties"/>, without processes or users.
/// </remarks>
public static class LocalListeners
{
    /// <summary>
    /// Ports of databases, caches, message brokers and management APIs that should never face every interface,
    /// whatever the registry's rating: unauthenticated by default, or a data breach when they are.
    /// </summary>
    public static IReadOnlyDictionary<int, string> SensitivePorts { get; } = new Dictionary<int, string>
    {
        [2375] = "Docker API (unencrypted)",
        [2376] = "Docker API",
        [2379] = "etcd",
        [3306] = "MySQL",
        [5432] = "PostgreSQL",
        [5984] = "CouchDB",
        [6379] = "Redis",
        [8086] = "InfluxDB",
        [9042] = "Cassandra",
        [9200] = "Elasticsearch",
        [9300] = "Elasticsearch transport",
        [10250] = "Kubernetes kubelet",
        [11211] = "memcached",
        [27017] = "MongoDB",
        [1433] = "Microsoft SQL Server",
        [1521] = "Oracle database",
        [5672] = "AMQP broker",
        [15672] = "RabbitMQ management",
    };

    // Linux's TCP states (include/net/tcp_states.h): 0x0A is LISTEN; 0x07 (CLOSE) is how an unconnected UDP socket shows.
    private const int TcpListen = 0x0A;
    private const int UdpUnconnected = 0x07;

    /// <summary>The listening sockets, sorted by protocol, port and address.</summary>
    /// <param name="options">What to include; defaults when null.</param>
    /// <param name="cancellationToken">Stops the scan of /proc.</param>
    public static Task<IReadOnlyList<LocalListener>> GetAsync(LocalListenerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalListenerOptions();
        // Reading procfs is synchronous file I/O on a few hundred small files: run it off the caller's thread.
        return Task.Run(() => Get(options, cancellationToken), cancellationToken);
    }

    private static IReadOnlyList<LocalListener> Get(LocalListenerOptions options, CancellationToken cancellationToken)
    {
        var sockets = OperatingSystem.IsLinux() && Directory.Exists(Path.Combine(options.ProcRoot, "net"))
            ? ReadProc(options)
            : ReadPortable(options);
        var owners = options.Processes && OperatingSystem.IsLinux() ? SocketOwners(options.ProcRoot, sockets.Select(s => s.Inode).ToHashSet(), cancellationToken) : [];
        var users = ReadPasswd(options.PasswdPath);
        var registry = options.Registry ?? PortRegistry.Default;
        var listeners = new List<LocalListener>(sockets.Count);
        foreach (var socket in sockets)
        {
            var entry = registry.Explain(socket.Port, socket.Protocol);
            var listener = new LocalListener
            {
                Protocol = socket.Protocol,
                Address = socket.Address,
                Port = socket.Port,
                Inode = socket.Inode,
                Uid = socket.Uid,
                User = socket.Uid is int uid ? users.GetValueOrDefault(uid) ?? uid.ToString(CultureInfo.InvariantCulture) : null,
                Processes = owners.TryGetValue(socket.Inode, out var processes) ? processes : [],
                ServiceName = entry?.Name is { Length: > 0 } name ? name : null,
                ServiceTitle = entry?.Title,
                Risk = entry?.Risk,
            };
            listeners.Add(listener with { Warning = WarningFor(listener) });
        }
        listeners.Sort(static (a, b) => a.Protocol != b.Protocol ? a.Protocol.CompareTo(b.Protocol)
            : a.Port != b.Port ? a.Port.CompareTo(b.Port)
            : string.CompareOrdinal(a.Address.ToString(), b.Address.ToString()));
        return listeners;
    }

    /// <summary>The warning for a listener: a risky or sensitive service bound to every interface.</summary>
    public static string? WarningFor(LocalListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        if (!listener.AllInterfaces)
        {
            return null;
        }
        var what = SensitivePorts.TryGetValue(listener.Port, out var sensitive) ? sensitive : listener.ServiceTitle ?? listener.ServiceName ?? "this service";
        if (listener.Risk >= RiskLevel.High)
        {
            return $"{what} ({listener.Port}/{listener.Protocol.ToName()}, risk {listener.Risk.Value.ToName()}) listens on all interfaces: bind it to 127.0.0.1 or firewall it.";
        }
        if (sensitive is not null)
        {
            return $"{what} ({listener.Port}/{listener.Protocol.ToName()}) listens on all interfaces: databases, caches and container APIs belong on 127.0.0.1 or a private network.";
        }
        return null;
    }

    private readonly record struct RawSocket(Transport Protocol, IPAddress Address, int Port, ulong Inode, int? Uid);

    private static List<RawSocket> ReadProc(LocalListenerOptions options)
    {
        var sockets = new List<RawSocket>();
        var net = Path.Combine(options.ProcRoot, "net");
        foreach (var (file, protocol, state) in (ReadOnlySpan<(string, Transport, int)>)[
            ("tcp", Transport.Tcp, TcpListen), ("tcp6", Transport.Tcp, TcpListen), ("udp", Transport.Udp, UdpUnconnected), ("udp6", Transport.Udp, UdpUnconnected)])
        {
            if (protocol == Transport.Tcp ? !options.Tcp : !options.Udp)
            {
                continue;
            }
            var path = Path.Combine(net, file);
            if (!File.Exists(path))
            {
                continue;
            }
            foreach (var line in File.ReadLines(path).Skip(1))
            {
                if (TryParseProcNetLine(line, protocol, out var socket, out var socketState) && socketState == state)
                {
                    sockets.Add(socket);
                }
            }
        }
        return sockets;
    }

    /// <summary>
    /// Parses one line of /proc/net/{tcp,udp}[6]: <c>sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...</c>.
    /// Addresses are the kernel's 32-bit words printed in host byte order (net/ipv4/tcp_ipv4.c, get_tcp4_sock); the port is big-endian hex.
    /// </summary>
    private static bool TryParseProcNetLine(string line, Transport protocol, out RawSocket socket, out int state)
    {
        socket = default;
        state = 0;
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 10)
        {
            return false;
        }
        var local = fields[1];
        var colon = local.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0
            || !int.TryParse(local.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port)
            || !int.TryParse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out state)
            || !ulong.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            || !TryParseProcAddress(local.AsSpan(0, colon), out var address))
        {
            return false;
        }
        int? uid = int.TryParse(fields[7], NumberStyles.None, CultureInfo.InvariantCulture, out var u) ? u : null;
        socket = new RawSocket(protocol, address, port, inode, uid);
        return true;
    }

    private static bool TryParseProcAddress(ReadOnlySpan<char> hex, out IPAddress address)
    {
        address = IPAddress.None;
        if (hex.Length is not (8 or 32))
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
        {
            if (!uint.TryParse(hex.Slice(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }
            // The word was printed from memory in host order: its bytes in memory are the address bytes.
            if (BitConverter.IsLittleEndian)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes[(word * 4)..], value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(bytes[(word * 4)..], value);
            }
        }
        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>Socket inode → the processes with a descriptor for it, from the <c>socket:[inode]</c> links in /proc/PID/fd.</summary>
    private static Dictionary<ulong, IReadOnlyList<LocalProcess>> SocketOwners(string procRoot, HashSet<ulong> inodes, CancellationToken cancellationToken)
    {
        var owners = new Dictionary<ulong, List<LocalProcess>>();
        IEnumerable<string> processes;
        try
        {
            processes = Directory.EnumerateDirectories(procRoot);
        }
        catch (IOException)
        {
            return [];
        }
        foreach (var directory in processes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            string? name = null;
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(directory, "fd")))
                {
                    var target = new FileInfo(fd).LinkTarget;
                    if (target is null || !target.StartsWith("socket:[", StringComparison.Ordinal) || !target.EndsWith(']')
                        || !ulong.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
                        || !inodes.Contains(inode))
                    {
                        continue;
                    }
                    name ??= ReadComm(directory);
                    if (!owners.TryGetValue(inode, out var list))
                    {
                        owners[inode] = list = [];
                    }
                    if (!list.Exists(p => p.Id == pid))
                    {
                        list.Add(new LocalProcess(pid, name));
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process exited, or its descriptors are not ours to read.
            }
        }
        foreach (var list in owners.Values)
        {
            list.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        }
        return owners.ToDictionary(o => o.Key, o => (IReadOnlyList<LocalProcess>)o.Value);
    }

    private static string ReadComm(string processDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(processDirectory, "comm")).TrimEnd('\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static Dictionary<int, string> ReadPasswd(string path)
    {
        var users = new Dictionary<int, string>();
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                var fields = line.Split(':');
                if (fields.Length >= 3 && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
                {
                    users.TryAdd(uid, fields[0]);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No passwd file (containers, other systems): users stay numeric.
        }
        return users;
    }

    private static List<RawSocket> ReadPortable(LocalListenerOptions options)
    {
        var properties = IPGlobalProperties.GetIPGlobalProperties();
        var sockets = new List<RawSocket>();
        if (options.Tcp)
        {
            sockets.AddRange(properties.GetActiveTcpListeners().Select(e => new RawSocket(Transport.Tcp, e.Address, e.Port, 0, null)));
        }
        if (options.Udp)
        {
            sockets.AddRange(properties.GetActiveUdpListeners().Select(e => new RawSocket(Transport.Udp, e.Address, e.Port, 0, null)));
        }
        return sockets;
    }
}
