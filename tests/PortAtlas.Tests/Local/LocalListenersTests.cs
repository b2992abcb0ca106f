using System.Net;
using PortAtlas.Local;
using PortAtlas.Registry;

namespace PortAtlas.Tests.Local;

/// <summary>LocalListeners over a procfs of the test's own making: parsing, process matching, users and warnings.</summary>
public sealed class LocalListenersTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pa-proc-" + Guid.NewGuid().ToString("N")[..8]);

    public LocalListenersTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "net"));
        const string header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
        File.WriteAllText(Path.Combine(_root, "net", "tcp"), header +
            // 0.0.0.0:6379 LISTEN (Redis), 127.0.0.1:8080 LISTEN, 127.0.0.1:5000 -> 127.0.0.1:40000 ESTABLISHED (not a listener)
            "   0: 00000000:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 1001 1 0000000000000000 100 0 0 10 0\n" +
            "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0000000000000000 100 0 0 10 0\n" +
            "   2: 0100007F:1388 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 100 0 0 10 0\n");
        File.WriteAllText(Path.Combine(_root, "net", "tcp6"), header +
            // [::]:22 LISTEN, [::1]:5432 LISTEN
            "   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0000000000000000 100 0 0 10 0\n" +
            "   1: 00000000000000000000000001000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   998        0 2002 1 0000000000000000 100 0 0 10 0\n");
        File.WriteAllText(Path.Combine(_root, "net", "udp"), header +
            // 0.0.0.0:11211 unconnected (memcached), 127.0.0.53:53 unconnected, a connected UDP socket (not listening)
            "   0: 00000000:2BCB 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3001 2 0000000000000000 0\n" +
            "   1: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 3002 2 0000000000000000 0\n" +
            "   2: 0100007F:D431 0100007F:0035 01 00000000:00000000 00:00000000 00000000     0        0 3003 2 0000000000000000 0\n");
        File.WriteAllText(Path.Combine(_root, "net", "udp6"), header);
        Process(100, "redis-server", 1001);
        Process(200, "sshd", 2001);
        Process(201, "sshd", 2001, 9999);
        Process(300, "postgres", 2002);
        File.WriteAllText(Path.Combine(_root, "passwd"), "root:x:0:0:root:/root:/bin/bash\nredis:x:999:999::/var/lib/redis:/usr/sbin/nologin\nsystemd-resolve:x:101:101::/:/usr/sbin/nologin\n");
    }

    private void Process(int pid, string comm, params ulong[] inodes)
    {
        var fd = Path.Combine(_root, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "fd");
        Directory.CreateDirectory(fd);
        File.WriteAllText(Path.Combine(_root, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "comm"), comm + "\n");
        var n = 3;
        foreach (var inode in inodes)
        {
            File.CreateSymbolicLink(Path.Combine(fd, (n++).ToString(System.Globalization.CultureInfo.InvariantCulture)), $"socket:[{inode}]");
        }
        File.CreateSymbolicLink(Path.Combine(fd, "0"), "/dev/null");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<IReadOnlyList<LocalListener>> GetAsync() =>
        LocalListeners.GetAsync(new LocalListenerOptions { ProcRoot = _root, PasswdPath = Path.Combine(_root, "passwd") }, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Get_ListsListeningSocketsOnly_WithAddressesDecoded()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("procfs parsing runs on Linux.");
        }
        var listeners = await GetAsync();

        Assert.Equal(
            [
                (Transport.Tcp, "::", 22), (Transport.Tcp, "::1", 5432), (Transport.Tcp, "0.0.0.0", 6379), (Transport.Tcp, "127.0.0.1", 8080),
                (Transport.Udp, "127.0.0.53", 53), (Transport.Udp, "0.0.0.0", 11211),
            ],
            listeners.Select(l => (l.Protocol, l.Address.ToString(), l.Port)));
    }

    [Fact]
    public async Task Get_FindsEveryProcessOfASocket_AndNamesUsers()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("procfs parsing runs on Linux.");
        }
        var listeners = (await GetAsync()).ToDictionary(l => (l.Protocol, l.Port));

        Assert.Equal([new LocalProcess(200, "sshd"), new LocalProcess(201, "sshd")], listeners[(Transport.Tcp, 22)].Processes);
        Assert.Equal((100, "redis-server", "redis", 999), (listeners[(Transport.Tcp, 6379)].ProcessId, listeners[(Transport.Tcp, 6379)].ProcessName, listeners[(Transport.Tcp, 6379)].User, listeners[(Transport.Tcp, 6379)].Uid));
        Assert.Equal("998", listeners[(Transport.Tcp, 5432)].User);
        Assert.Equal("systemd-resolve", listeners[(Transport.Udp, 53)].User);
        Assert.Empty(listeners[(Transport.Tcp, 8080)].Processes);
        Assert.Null(listeners[(Transport.Tcp, 8080)].ProcessId);
    }

    [Fact]
    public async Task Get_WarnsAboutRiskyServicesOnAllInterfacesOnly()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("procfs parsing runs on Linux.");
        }
        var listeners = (await GetAsync()).ToDictionary(l => (l.Protocol, l.Port));

        Assert.Contains("Redis", listeners[(Transport.Tcp, 6379)].Warning, StringComparison.Ordinal);
        Assert.Contains("memcached", listeners[(Transport.Udp, 11211)].Warning, StringComparison.Ordinal);
        Assert.True(listeners[(Transport.Tcp, 6379)].AllInterfaces);
        // PostgreSQL on loopback only, and ssh (low risk) on all interfaces: nothing to warn about.
        Assert.Null(listeners[(Transport.Tcp, 5432)].Warning);
        Assert.True(listeners[(Transport.Tcp, 5432)].LoopbackOnly);
        Assert.Null(listeners[(Transport.Tcp, 22)].Warning);
        Assert.Equal("ssh", listeners[(Transport.Tcp, 22)].ServiceName);
    }

    [Fact]
    public void WarningFor_UsesTheRegistryRisk()
    {
        var telnet = new LocalListener { Protocol = Transport.Tcp, Address = IPAddress.IPv6Any, Port = 23, ServiceName = "telnet", Risk = RiskLevel.High };
        Assert.Contains("risk high", LocalListeners.WarningFor(telnet), StringComparison.Ordinal);
        Assert.Null(LocalListeners.WarningFor(telnet with { Address = IPAddress.Parse("198.18.0.1") }));
    }
}
