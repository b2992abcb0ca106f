namespace PortAtlas.Scanning.Raw;

/// <summary>
/// Whether this process may send raw packets (Linux, and root or CAP_NET_RAW). Checked by opening, then closing, a raw
/// IPv4 socket and a packet socket: the kernel's answer is the only authoritative one (capabilities, user namespaces
/// and security modules all take part).
/// </summary>
public static class RawCapability
{
    private static readonly Lazy<string?> s_unavailableReason = new(Probe);

    /// <summary>True when raw scans (SYN, UDP, SCTP, host discovery) can run; the default scan type is SYN when true, connect otherwise.</summary>
    public static bool IsAvailable => s_unavailableReason.Value is null;

    /// <summary>One line saying why raw scans cannot run, or <see langword="null"/> when they can.</summary>
    public static string? UnavailableReason => s_unavailableReason.Value;

    /// <summary>Throws <see cref="RawScanUnavailableException"/> with the one-line reason when raw scans cannot run.</summary>
    /// <param name="scanType">The scan type asked for, named in the message.</param>
    public static void EnsureAvailable(string scanType)
    {
        if (UnavailableReason is { } reason)
        {
            throw new RawScanUnavailableException($"{scanType} scan needs raw sockets: {reason}");
        }
    }

    private static string? Probe()
    {
        if (!RawSyscalls.IsSupported)
        {
            return "raw scanning is implemented for 64-bit Linux only; use a connect scan";
        }
        var fd = RawSyscalls.Socket(RawSyscalls.AfInet, RawSyscalls.SockRaw | RawSyscalls.SockCloExec, RawSyscalls.IpProtoRaw);
        if (fd < 0)
        {
            return Explain(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }
        RawSyscalls.Close(fd);
        fd = RawSyscalls.Socket(RawSyscalls.AfPacket, RawSyscalls.SockDgram | RawSyscalls.SockCloExec, RawSyscalls.HostToNetwork(RawSyscalls.EthPAll));
        if (fd < 0)
        {
            return Explain(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }
        RawSyscalls.Close(fd);
        return null;
    }

    private static string Explain(int errno) => errno is RawSyscalls.EPerm or RawSyscalls.EAcces
        ? "permission denied (run as root or grant CAP_NET_RAW, e.g. setcap cap_net_raw+ep); use a connect scan"
        : $"raw socket failed with errno {errno}; use a connect scan";
}

/// <summary>A raw scan was asked for where raw sockets cannot be opened. The message is one line, fit for a CLI's stderr (exit code 2).</summary>
public sealed class RawScanUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public RawScanUnavailableException()
    {
    }

    /// <summary>Creates the exception with a one-line message.</summary>
    public RawScanUnavailableException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public RawScanUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
