using System.Runtime.InteropServices;
using System.Text;

namespace PortAtlas.Lookup;

/// <summary>
/// The source tree's staleness check, for a front started by the ./ports launcher: a build is stale when any path in
/// .build/sources (each source file and folder, one a line, relative to the root, written at build time) is newer
/// than .build/stamp or gone. A folder's time changes when a file is added, removed or renamed in it. Done here
/// rather than in the launcher because a few hundred stat calls cost native code a fraction of a millisecond
/// and sh several (issue 16); statx on a reused buffer, since .NET's file-time calls cost about 8 µs each here.
/// </summary>
internal static unsafe partial class SourceCheck
{
    /// <summary>Set by the launcher to the source tree's root; unset, there is nothing to check.</summary>
    internal const string RootVariable = "PORTATLAS_SOURCE_ROOT";

    private const string NoStamp = "-";
    private const int AtFdCwd = -100;
    private const uint StatxMtime = 0x40;
    private const int ENOSYS = 38;
    private const int EPERM = 1;

    // Set when statx is unavailable: .NET's own file-time calls for the rest of the run.
    private static bool s_managed;

    /// <summary>
    /// The build stamp's content when the build is stale ("-" when there is no stamp, no list or an empty stamp: never
    /// empty, which the launcher would take for "not stale"); null when it is current.
    /// </summary>
    internal static string? FindStale(string root)
    {
        byte[] stampText, list;
        try
        {
            stampText = File.ReadAllBytes(Path.Join(root, ".build", "stamp"));
            list = File.ReadAllBytes(Path.Join(root, ".build", "sources"));
        }
        catch (IOException)
        {
            return NoStamp;
        }
        catch (UnauthorizedAccessException)
        {
            return NoStamp;
        }
        var stamp = Encoding.UTF8.GetString(stampText).Trim();
        if (stamp.Length == 0)
        {
            stamp = NoStamp;
        }
        // One buffer for every path: the root, a slash, the listed path, a NUL.
        var rootBytes = Encoding.UTF8.GetBytes(root);
        var path = new byte[4096];
        rootBytes.CopyTo(path, 0);
        path[rootBytes.Length] = (byte)'/';
        var start = rootBytes.Length + 1;
        var built = Modified(path, start, ".build/stamp"u8);
        if (built is null)
        {
            return stamp;
        }
        foreach (var range in list.AsSpan().Split((byte)'\n'))
        {
            var source = list.AsSpan(range);
            if (source.IsEmpty)
            {
                continue;
            }
            if (start + source.Length >= path.Length || Modified(path, start, source) is not { } time || time > built)
            {
                return stamp;
            }
        }
        return null;
    }

    /// <summary>A path's modification time in ticks since 1970 (following links), or null when it is not there.</summary>
    private static long? Modified(byte[] path, int start, ReadOnlySpan<byte> relative)
    {
        relative.CopyTo(path.AsSpan(start));
        path[start + relative.Length] = 0;
        if (!s_managed)
        {
            // struct statx is the same on every architecture: stx_mask at 0, stx_mtime (s64 seconds, u32 ns) at 112.
            var buffer = stackalloc byte[256];
            fixed (byte* p = path)
            {
                if (Statx(AtFdCwd, p, 0, StatxMtime, buffer) == 0)
                {
                    return (*(uint*)buffer & StatxMtime) == 0 ? null : (*(long*)(buffer + 112) * TimeSpan.TicksPerSecond) + (*(uint*)(buffer + 120) / 100);
                }
            }
            if (Marshal.GetLastPInvokeError() is not (ENOSYS or EPERM))
            {
                return null;
            }
            // statx unavailable: an old kernel, or a sandbox that forbids it.
            s_managed = true;
        }
        var text = Encoding.UTF8.GetString(path, 0, start + relative.Length);
        var time = File.GetLastWriteTimeUtc(text);
        return time == DateTime.FromFileTimeUtc(0) ? null : (time - DateTime.UnixEpoch).Ticks;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static partial int Statx(int directory, byte* path, int flags, uint mask, byte* buffer);
}
