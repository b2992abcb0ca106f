using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace PortAtlas.Scanning;

/// <summary>
/// Which TCP technique an automatic choice takes. Raw SYN wins over a network. To this machine itself (loopback, or an
/// address of its own interfaces) a small scan is faster by connect, which needs no packet socket, ring or canaries
/// (top-1000 of 127.0.0.1: 0.07 s against 0.14 s), and a large one by SYN, sent from one thread per core (all ports:
/// 0.34 s against 0.37 s); since connect to loopback takes one system call a port they cross near 49,152 probes
/// (1-32,768: 0.22 s against 0.26 s; 1-49,152: 0.31 s both; bench/RESULTS.md, issue 16).
/// </summary>
internal static class TechniqueChoice
{
    /// <summary>Most targets checked one by one; a larger set is never all local.</summary>
    private const ulong MaxChecked = 4096;

    /// <summary>From this many TCP probes on, SYN is faster than connect to this machine too.</summary>
    public const ulong LocalSynFromProbes = 50_000;

    /// <summary>Whether connect beats SYN for <paramref name="tcpPorts"/> ports of every target: all of them this machine and the scan small.</summary>
    public static bool PrefersConnect(Targets.TargetSet targets, int tcpPorts, Func<IReadOnlySet<IPAddress>>? ownAddresses = null) =>
        targets.Count * (ulong)tcpPorts < LocalSynFromProbes && IsThisMachine(targets, ownAddresses);

    /// <summary>Whether every target is this machine: loopback, or an address of one of its interfaces.</summary>
    public static bool IsThisMachine(Targets.TargetSet targets, Func<IReadOnlySet<IPAddress>>? ownAddresses = null)
    {
        if (targets.Count == 0 || targets.Count > MaxChecked)
        {
            return false;
        }
        IReadOnlySet<IPAddress>? own = null;
        foreach (var address in targets.Enumerate())
        {
            if (IPAddress.IsLoopback(address))
            {
                continue;
            }
            own ??= (ownAddresses ?? InterfaceAddresses)();
            if (!own.Contains(address))
            {
                return false;
            }
        }
        return true;
    }

    private static HashSet<IPAddress> InterfaceAddresses()
    {
        try
        {
            return [.. NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address)
                .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)];
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
