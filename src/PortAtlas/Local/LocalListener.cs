using System.Net;
using PortAtlas.Registry;

namespace PortAtlas.Local;

/// <summary>A process that holds a listening socket.</summary>
/// <param name="Id">Process id.</param>
/// <param name="Name">Command name (<c>/proc/PID/comm</c>).</param>
public sealed record LocalProcess(int Id, string Name);

/// <summary>A socket listening on this machine (TCP in LISTEN, UDP bound and unconnected), with who holds it and what the registry says.</summary>
public sealed record LocalListener
{
    /// <summary>tcp or udp.</summary>
    public required Transport Protocol { get; init; }
    /// <summary>The local address: 0.0.0.0 or :: for every interface.</summary>
    public required IPAddress Address { get; init; }
    /// <summary>The local port.</summary>
    public required int Port { get; init; }
    /// <summary>The socket's inode (Linux), 0 when unknown.</summary>
    public ulong Inode { get; init; }
    /// <summary>The processes holding the socket (several after fork), by id; empty when unknown (other systems, or no permission).</summary>
    public IReadOnlyList<LocalProcess> Processes { get; init; } = [];
    /// <summary>The first holding process's id, when known.</summary>
    public int? ProcessId => Processes.Count > 0 ? Processes[0].Id : null;
    /// <summary>The first holding process's name, when known.</summary>
    public string? ProcessName => Processes.Count > 0 ? Processes[0].Name : null;
    /// <summary>The socket owner's user id, when known.</summary>
    public int? Uid { get; init; }
    /// <summary>The socket owner's user name (from /etc/passwd), when known.</summary>
    public string? User { get; init; }
    /// <summary>The registry's service name for the port, when it has one.</summary>
    public string? ServiceName { get; init; }
    /// <summary>The registry's title for the service, when it has one.</summary>
    public string? ServiceTitle { get; init; }
    /// <summary>The registry's risk of exposing the service, when it rates it.</summary>
    public RiskLevel? Risk { get; init; }
    /// <summary>True when the socket accepts on every interface (0.0.0.0 or ::), not only loopback or one address.</summary>
    public bool AllInterfaces => Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any);
    /// <summary>True when the address is loopback only.</summary>
    public bool LoopbackOnly => IPAddress.IsLoopback(Address);
    /// <summary>A warning when a risky service (risk high or above, or a database, cache or container API) listens on every interface; otherwise null.</summary>
    public string? Warning { get; init; }
}
