using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace PortAtlas.Scanning;

/// <summary>
/// Which TCP technique an automatic choice takes. Raw SYN wins over a network; to this machine itself (loopback, or an
/// address of its own interfaces) the kernel answers a connect as fast as a SYN, without our packets crossing a packet
/// socket twice, so connect is faster there (measured in bench/RESULTS.md, issue 16) and needs no privilege.
/// </summary>
internal static class TechniqueChoice
{
    /// <summary>Most targets checked one by one; a larger set is never all local.</summary>
    private const ulong MaxChecked = 4096;

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
