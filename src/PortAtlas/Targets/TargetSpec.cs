namespace PortAtlas.Targets;

/// <summary>One target or exclude spec as the user wrote it, with where it came from for error messages.</summary>
/// <param name="Text">The spec: an address, a CIDR block, a range, an nmap octet range or a host name.</param>
/// <param name="Origin">Where the spec was read, such as <c>targets.txt:12</c>; null for the command line.</param>
public readonly record struct TargetSpec(string Text, string? Origin = null);
