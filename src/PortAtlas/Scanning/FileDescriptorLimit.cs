using System.Runtime.InteropServices;

namespace PortAtlas.Scanning;

/// <summary>The process's open-file limit: every connection attempt in flight holds a descriptor.</summary>
internal static partial class FileDescriptorLimit
{
    // <sys/resource.h>: RLIMIT_NOFILE is 7 on Linux (every architecture .NET runs on), 8 on the BSDs and macOS.
    private const int RlimitNoFileLinux = 7;
    private const int FallbackLimit = 1024;

    private static readonly Lazy<int> s_limit = new(Raise);

    /// <summary>Raises the soft RLIMIT_NOFILE to the hard limit once per process (Linux), and returns the soft limit in force.</summary>
    public static int RaiseSoftLimit() => s_limit.Value;

    private static int Raise()
    {
        if (!OperatingSystem.IsLinux())
        {
            return FallbackLimit;
        }
        try
        {
            if (GetRLimit(RlimitNoFileLinux, out var limit) != 0)
            {
                return FallbackLimit;
            }
            if (limit.Current < limit.Maximum)
            {
                var raised = limit with { Current = limit.Maximum };
                if (SetRLimit(RlimitNoFileLinux, in raised) == 0)
                {
                    limit = raised;
                }
            }
            return (int)Math.Min(limit.Current, int.MaxValue);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return FallbackLimit;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct RLimit(ulong Current, ulong Maximum);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);
}
