using System.Runtime.CompilerServices;
using PortAtlas.Scanning;
using PortAtlas.Scanning.Raw;

namespace PortAtlas.Tests;

/// <summary>
/// Every packet of these tests goes to loopback or the lab, DNS included: the raw sender and the reverse-DNS client
/// refuse other destinations, and reverse lookups ask only the lab's server (tests/lab/dns.sh), which a machine without
/// the lab cannot reach (the lab range is blackholed or unrouted). Child processes inherit both.
/// </summary>
internal static class SafeEnvironment
{
    /// <summary>The lab's DNS server (namespace pa-dns).</summary>
    public const string LabDnsServer = "198.18.6.2";

    [ModuleInitializer]
    internal static void Enforce()
    {
        Environment.SetEnvironmentVariable(SafeTargets.EnvironmentVariable, "1");
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(DnsServers.EnvironmentVariable)))
        {
            Environment.SetEnvironmentVariable(DnsServers.EnvironmentVariable, LabDnsServer);
        }
    }
}
