using System.Net;
using System.Net.Sockets;
using PortAtlas.Scanning.Raw;

namespace PortAtlas.Scanning;

/// <summary>
/// Which DNS servers reverse lookups ask: the ones given (nmap's <c>--dns-servers</c>), else those in the environment
/// variable <c>PORTATLAS_DNS_SERVERS</c>, else the <c>nameserver</c> lines of /etc/resolv.conf. With
/// <c>PORTATLAS_SAFE_TARGETS=1</c> (tests and benchmarks) a server outside 127.0.0.0/8, ::1 and 198.18.0.0/15 is refused
/// before any query, as the raw sender refuses such destinations.
/// </summary>
public static class DnsServers
{
    /// <summary>The environment variable naming the servers when none are given: <c>A[,B...]</c>, each <c>ADDR</c>, <c>ADDR:PORT</c> or <c>[V6]:PORT</c>.</summary>
    public const string EnvironmentVariable = "PORTATLAS_DNS_SERVERS";

    /// <summary>The port of a server given without one.</summary>
    public const int DefaultPort = 53;

    private const string ResolvConf = "/etc/resolv.conf";

    /// <summary>
    /// Parses <c>A[,B...]</c>: each an IPv4 or IPv6 address, optionally with a port (<c>127.0.0.1:5353</c>, <c>[::1]:5353</c>).
    /// False with the bad entry in <paramref name="badToken"/>; an empty list is bad.
    /// </summary>
    public static bool TryParse(string? text, out IReadOnlyList<IPEndPoint> servers, out string? badToken)
    {
        var list = new List<IPEndPoint>();
        servers = list;
        badToken = text ?? "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!TryParseOne(part, out var endpoint))
            {
                badToken = part;
                return false;
            }
            if (!list.Contains(endpoint))
            {
                list.Add(endpoint);
            }
        }
        badToken = null;
        return list.Count > 0;
    }

    /// <summary>One server as text: the address alone when the port is 53.</summary>
    public static string Format(IPEndPoint server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return server.Port == DefaultPort ? server.Address.ToString() : server.ToString();
    }

    /// <summary>
    /// The servers to ask: <paramref name="given"/> when it has any, else the environment's, else /etc/resolv.conf's; with
    /// the safe-targets guard on, only the allowed ones (each refused one adds a line to <paramref name="warnings"/>).
    /// </summary>
    public static IReadOnlyList<IPEndPoint> Choose(IReadOnlyList<IPEndPoint>? given, ICollection<string> warnings) =>
        Choose(given, Environment.GetEnvironmentVariable(EnvironmentVariable), ReadResolvConf, SafeTargets.IsEnforced, warnings);

    /// <summary><see cref="Choose(IReadOnlyList{IPEndPoint}?, ICollection{string})"/> with its inputs given (tests).</summary>
    internal static IReadOnlyList<IPEndPoint> Choose(IReadOnlyList<IPEndPoint>? given, string? environment, Func<string?> resolvConf, bool safeOnly, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        IReadOnlyList<IPEndPoint> servers;
        if (given is { Count: > 0 })
        {
            servers = given;
        }
        else if (!string.IsNullOrWhiteSpace(environment))
        {
            if (!TryParse(environment, out servers, out var bad))
            {
                warnings.Add($"{EnvironmentVariable} has a bad server '{bad}': no reverse DNS lookups");
                return [];
            }
        }
        else
        {
            servers = ParseResolvConf(resolvConf());
        }
        if (!safeOnly)
        {
            return servers;
        }
        var allowed = new List<IPEndPoint>();
        foreach (var server in servers)
        {
            if (IsSafe(server.Address))
            {
                allowed.Add(server);
            }
            else
            {
                warnings.Add($"{SafeTargets.EnvironmentVariable}=1 refuses DNS server {Format(server)}: reverse lookups ask only servers in 127.0.0.0/8, ::1 and 198.18.0.0/15");
            }
        }
        return allowed;
    }

    /// <summary>The <c>nameserver</c> addresses of resolv.conf text (RFC-less, glibc's format), at most three as glibc reads.</summary>
    internal static IReadOnlyList<IPEndPoint> ParseResolvConf(string? text)
    {
        var servers = new List<IPEndPoint>();
        foreach (var raw in (text ?? "").Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith("nameserver", StringComparison.Ordinal))
            {
                continue;
            }
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            // A scope suffix (fe80::1%eth0) is kept by IPAddress.TryParse.
            if (fields.Length >= 2 && fields[0] == "nameserver" && IPAddress.TryParse(fields[1], out var address) && servers.Count < 3)
            {
                servers.Add(new IPEndPoint(address, DefaultPort));
            }
        }
        return servers;
    }

    /// <summary>True for 127.0.0.0/8, ::1 and 198.18.0.0/15 (IPv4-mapped forms included).</summary>
    internal static bool IsSafe(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.Equals(IPAddress.IPv6Loopback);
        }
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return bytes[0] == 127 || (bytes[0] == 198 && (bytes[1] & 0xFE) == 18);
    }

    private static string? ReadResolvConf()
    {
        try
        {
            return File.ReadAllText(ResolvConf);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool TryParseOne(string text, out IPEndPoint endpoint)
    {
        endpoint = null!;
        if (text.Length is 0 or > 64)
        {
            return false;
        }
        // A bare address (IPv6 has colons of its own), then ADDR:PORT and [V6]:PORT.
        if (IPAddress.TryParse(text, out var bare) && !text.StartsWith('['))
        {
            if (bare.AddressFamily == AddressFamily.InterNetwork && text.Count(c => c == '.') != 3)
            {
                // IPAddress accepts "1" or "1.2" as IPv4; a server is written in full.
                return false;
            }
            endpoint = new IPEndPoint(bare, DefaultPort);
            return true;
        }
        if (IPEndPoint.TryParse(text, out var withPort) && withPort.Port is > 0 and <= 65535
            && (withPort.AddressFamily == AddressFamily.InterNetworkV6 ? text.StartsWith('[') : text.Count(c => c == '.') == 3))
        {
            endpoint = withPort;
            return true;
        }
        return false;
    }

    /// <summary>The servers as the user would write them, comma-separated.</summary>
    public static string FormatList(IEnumerable<IPEndPoint> servers) => string.Join(',', servers.Select(Format));
}
