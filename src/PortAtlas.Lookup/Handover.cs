using System.Runtime.InteropServices;
using System.Text;
using PortAtlas.Cli;

namespace PortAtlas.Lookup;

/// <summary>
/// Replaces this process with another program (execv): no child process, and the caller's stdin, stdout, stderr,
/// exit code and signals reach that program untouched. The argv is passed on byte for byte, from /proc/self/cmdline.
/// </summary>
internal static unsafe partial class Handover
{
    /// <summary>The full binary's file name, beside this one.</summary>
    internal const string FullBinaryName = "ports-full";

    /// <summary>Set for the launcher when this front found the build stale: the build stamp it judged.</summary>
    internal const string StaleVariable = "PORTATLAS_STALE";

    /// <summary>Runs the full binary with this process's argv; returns only when it cannot.</summary>
    internal static int ToFullBinary()
    {
        // AppContext.BaseDirectory is the real directory of this executable: /usr/bin/ports may be a link to it.
        var path = Path.Join(AppContext.BaseDirectory, FullBinaryName);
        return Exec(path, CommandLine());
    }

    /// <summary>Runs the source tree's launcher (root/ports) with the stale stamp noted, so it builds, then runs this command line.</summary>
    internal static int Rebuild(string root, string stamp)
    {
        var argv = CommandLine();
        argv[0] = Encoding.UTF8.GetBytes(Path.Join(root, "ports"));
        _ = SetEnv(StaleVariable, stamp, 1);
        return Exec("/bin/sh", [Encoding.UTF8.GetBytes("sh"), .. argv]);
    }

    /// <summary>This process's argv as the kernel holds it; from the decoded arguments only when /proc is not there.</summary>
    internal static byte[][] CommandLine()
    {
        try
        {
            return SplitCommandLine(File.ReadAllBytes("/proc/self/cmdline"));
        }
        catch (IOException)
        {
            return [.. Environment.GetCommandLineArgs().Select(Encoding.UTF8.GetBytes)];
        }
        catch (UnauthorizedAccessException)
        {
            return [.. Environment.GetCommandLineArgs().Select(Encoding.UTF8.GetBytes)];
        }
    }

    /// <summary>/proc/PID/cmdline's format: each argument followed by a NUL byte.</summary>
    internal static byte[][] SplitCommandLine(ReadOnlySpan<byte> cmdline)
    {
        var args = new List<byte[]>();
        while (cmdline.Length > 0)
        {
            var end = cmdline.IndexOf((byte)0);
            if (end < 0)
            {
                end = cmdline.Length;
            }
            args.Add(cmdline[..end].ToArray());
            cmdline = cmdline[Math.Min(end + 1, cmdline.Length)..];
        }
        return [.. args];
    }

    private static int Exec(string path, byte[][] argv)
    {
        // Each argument NUL-terminated, pinned for the call; execv returns only on failure.
        var handles = new GCHandle[argv.Length];
        var pointers = new byte*[argv.Length + 1];
        try
        {
            for (var i = 0; i < argv.Length; i++)
            {
                handles[i] = GCHandle.Alloc((byte[])[.. argv[i], 0], GCHandleType.Pinned);
                pointers[i] = (byte*)handles[i].AddrOfPinnedObject();
            }
            fixed (byte** array = pointers)
            {
                _ = ExecV(path, array);
            }
        }
        finally
        {
            foreach (var handle in handles)
            {
                if (handle.IsAllocated)
                {
                    handle.Free();
                }
            }
        }
        var error = Marshal.GetLastPInvokeError();
        return CliContext.FromProcess().Fail(ExitCodes.Failure, $"cannot run {path}: {Marshal.GetPInvokeErrorMessage(error)}");
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ExecV(string path, byte** argv);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
