using System.Net;

namespace PortAtlas.Model;

/// <summary>A name of a host and where it came from.</summary>
/// <param name="Name">The name.</param>
/// <param name="Type">
/// Where it came from, in Nmap's words: <c>user</c> (the name the user gave as a target), <c>PTR</c> (a reverse DNS
/// answer); other scanners' words pass through unchanged.
/// </param>
public sealed record HostName(string Name, string Type);

/// <summary>An operating system guess for a host (Nmap's <c>-O</c> osmatch).</summary>
public sealed record OsMatch
{
    /// <summary>The guess, such as "Linux 4.15 - 5.6".</summary>
    public required string Name { get; init; }
    /// <summary>How sure the scanner was, 0 to 100.</summary>
    public int Accuracy { get; init; }
    /// <summary>The classes the guess belongs to: vendor, family, generation, device type.</summary>
    public IReadOnlyList<OsClass> Classes { get; init; } = [];
}

/// <summary>One class of an <see cref="OsMatch"/> (Nmap's osclass).</summary>
public sealed record OsClass
{
    /// <summary>Device type: general purpose, router, printer, ...; null when not given.</summary>
    public string? Type { get; init; }
    /// <summary>Vendor: Linux, Microsoft, Cisco, ...</summary>
    public string? Vendor { get; init; }
    /// <summary>Family: Linux, Windows, IOS, ...</summary>
    public string? Family { get; init; }
    /// <summary>Generation: 4.X, 10, ...; null when not given.</summary>
    public string? Generation { get; init; }
    /// <summary>How sure the scanner was of this class, 0 to 100.</summary>
    public int Accuracy { get; init; }
    /// <summary>CPE names of the class (cpe:/o:linux:linux_kernel:4).</summary>
    public IReadOnlyList<string> Cpe { get; init; } = [];
}

/// <summary>
/// What a script reported about a host or a port (Nmap's NSE <c>script</c> element): its id, its text output, and its
/// structured output flattened to keys.
/// </summary>
public sealed record ScriptResult
{
    /// <summary>The script's id, such as <c>ssl-cert</c> or <c>http-title</c>.</summary>
    public required string Id { get; init; }
    /// <summary>The text the script printed.</summary>
    public string Output { get; init; } = "";
    /// <summary>
    /// The structured output, flattened: each <c>elem</c> keyed by the keys of its enclosing tables and its own,
    /// joined with dots (<c>subject.commonName</c>, <c>validity.notAfter</c>); an element without a key gets its
    /// position from 1 (<c>references.1</c>). In document order. Empty when the script gave no structure.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Elements { get; init; } = [];
}

/// <summary>
/// The verdict on one IP protocol of a host (Nmap's protocol scan, <c>-sO</c>, which records them as ports of
/// protocol <c>ip</c>): the number is the IP protocol number, not a port.
/// </summary>
public sealed record ProtocolResult
{
    /// <summary>The host's address.</summary>
    public required IPAddress Address { get; init; }
    /// <summary>IP protocol number, 0 to 255 (1 ICMP, 6 TCP, 17 UDP, 47 GRE, 132 SCTP).</summary>
    public required int Number { get; init; }
    /// <summary>The state.</summary>
    public required PortState State { get; init; }
    /// <summary>Why, as the scanner said: proto-response, port-unreach, no-response, ...</summary>
    public string Reason { get; init; } = "";
    /// <summary>The protocol's name as the scanner gave it (icmp, tcp, gre), when it did.</summary>
    public string? Name { get; init; }
}
