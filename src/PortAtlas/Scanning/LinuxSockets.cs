using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace PortAtlas.Scanning;

/// <summary>
/// The few Linux system calls of the epoll connect engine: socket, connect, getsockopt, getsockname, setsockopt, close
/// and epoll. Constants are Linux's (asm-generic and x86-64); the engine is used only where <see cref="IsSupported"/>.
/// </summary>
internal static unsafe partial class LinuxSockets
{
    public const int AfInet = 2;
    public const int AfInet6 = 10;
    public const int SockStream = 1;
    public const int SockNonBlock = 0x800;
    public const int SockCloExec = 0x80000;
    public const int SolSocket = 1;
    public const int SoError = 4;
    public const int SoLinger = 13;
    public const int SoSndTimeo = 21;
    public const int EConnRefused = 111;
    public const int EpollCloExec = 0x80000;
    public const int EpollCtlAdd = 1;
    public const uint EpollOut = 0x004;

    public const int EIntr = 4;
    public const int EInval = 22;
    public const int EIsConn = 106;
    public const int EAlready = 114;
    public const int EInProgress = 115;

    private const string Libc = "libc";

    /// <summary>Linux on x86-64, where <c>struct epoll_event</c> is packed to 12 bytes.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary><c>struct epoll_event</c>, packed on x86-64.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Linger
    {
        public int OnOff;
        public int Seconds;
    }

    [LibraryImport(Libc, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Libc, EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int fd, byte* address, int length);

    [LibraryImport(Libc, EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, void* value, int* length);

    [LibraryImport(Libc, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, int length);

    [LibraryImport(Libc, EntryPoint = "getsockname", SetLastError = true)]
    public static partial int GetSockName(int fd, byte* address, int* length);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport(Libc, EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport(Libc, EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, EpollEvent* events, int maxEvents, int timeoutMs);

    /// <summary>The pending error of a socket (SO_ERROR, read and cleared), or errno when the call itself fails.</summary>
    public static int PendingError(int fd)
    {
        int error = 0;
        var length = sizeof(int);
        return GetSockOpt(fd, SolSocket, SoError, &error, &length) == 0 ? error : Marshal.GetLastPInvokeError();
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    /// <summary>
    /// Bounds a blocking connect() by the shortest wait the kernel has (SO_SNDTIMEO of 1 µs, rounded up to one clock tick):
    /// it then returns EINPROGRESS with the attempt still under way.
    /// </summary>
    public static bool SetShortestConnectWait(int fd)
    {
        var wait = new TimeVal { Seconds = 0, Microseconds = 1 };
        return SetSockOpt(fd, SolSocket, SoSndTimeo, &wait, sizeof(TimeVal)) == 0;
    }

    /// <summary>Makes close() send a RST and skip TIME_WAIT (SO_LINGER with a zero timeout).</summary>
    public static void SetResetOnClose(int fd)
    {
        var linger = new Linger { OnOff = 1, Seconds = 0 };
        SetSockOpt(fd, SolSocket, SoLinger, &linger, sizeof(Linger));
    }

    /// <summary>Linux errno values as the <see cref="SocketError"/> that .NET would report for them.</summary>
    public static SocketError ToSocketError(int errno) => errno switch
    {
        0 => SocketError.Success,
        1 or 13 => SocketError.AccessDenied, // EPERM, EACCES
        11 => SocketError.TryAgain, // EAGAIN
        23 or 24 => SocketError.TooManyOpenSockets, // ENFILE, EMFILE
        98 => SocketError.AddressAlreadyInUse,
        99 => SocketError.AddressNotAvailable,
        100 => SocketError.NetworkDown,
        101 => SocketError.NetworkUnreachable,
        104 => SocketError.ConnectionReset,
        105 => SocketError.NoBufferSpaceAvailable,
        110 => SocketError.TimedOut,
        111 => SocketError.ConnectionRefused,
        112 => SocketError.HostDown,
        113 => SocketError.HostUnreachable,
        92 => SocketError.ProtocolOption, // ENOPROTOOPT
        93 => SocketError.ProtocolNotSupported,
        _ => SocketError.SocketError,
    };
}
