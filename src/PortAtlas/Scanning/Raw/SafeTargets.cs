namespace PortAtlas.Scanning.Raw;

/// <summary>
/// A last line of defence for tests, benchmarks and scripts: when the environment variable PORTATLAS_SAFE_TARGETS is
/// "1", the raw sender refuses every destination outside 127.0.0.0/8, ::1 and 198.18.0.0/15 (RFC 2544's benchmarking
/// range, where the lab lives). Raw sockets can send anywhere; this makes a wrong address fail loudly instead.
/// </summary>
public static class SafeTargets
{
    /// <summary>The environment variable that turns the guard on.</summary>
    public const string EnvironmentVariable = "PORTATLAS_SAFE_TARGETS";

    /// <summary>True when the guard is on (read once per process).</summary>
    public static bool IsEnforced { get; } = Environment.GetEnvironmentVariable(EnvironmentVariable) == "1";

    /// <summary>True when <paramref name="address"/> (IPv4 in the low 32 bits) is in 127.0.0.0/8, 198.18.0.0/15 or is ::1.</summary>
    public static bool IsSafe(UInt128 address, bool isIPv6) =>
        isIPv6 ? address == UInt128.One : ((uint)address >> 24) == 127 || ((uint)address >> 17) == (0xC612_0000u >> 17);

    /// <summary>Throws when the guard is on and <paramref name="address"/> is not safe.</summary>
    /// <exception cref="InvalidOperationException">The destination is refused.</exception>
    public static void Check(UInt128 address, bool isIPv6)
    {
        if (IsEnforced && !IsSafe(address, isIPv6))
        {
            throw new InvalidOperationException(
                $"{EnvironmentVariable}=1 refuses to send to {Packets.IpPair.ToAddress(address, isIPv6)}: only 127.0.0.0/8, ::1 and 198.18.0.0/15 are allowed.");
        }
    }
}
