using System.Runtime.InteropServices;

namespace PortAtlas.Scanning.Raw;

/// <summary>
/// The Linux system calls of raw-packet scanning: raw and packet sockets, batched send and receive (sendmmsg, recvmmsg,
/// the receive ring's mmap), poll. Constants and struct layouts are Linux x86-64 and arm64 (LP64) ones.
/// </summary>
internal static unsafe partial class RawSyscalls
{
    public const int AfInet = 2;
    public const int AfInet6 = 10;
    public const int AfPacket = 17;
    public const int SockDgram = 2;
    public const int SockRaw = 3;
    public const int SockCloExec = 0x80000;
    public const int IpProtoIp = 0;
    public const int IpProtoIpv6 = 41;
    public const int IpProtoRaw = 255;
    public const int IpHdrIncl = 3;
    public const int Ipv6HdrIncl = 36;
    public const int SolSocket = 1;
    public const int SoSndBuf = 7;
    public const int SoRcvBuf = 8;
    public const int SoSndBufForce = 32;
    public const int SoRcvBufForce = 33;
    public const int SolPacket = 263;
    public const int PacketStatistics = 6;
    public const int PacketIgnoreOutgoing = 23;
    public const ushort EthPAll = 0x0003;
    public const ushort EthPIp = 0x0800;
    public const ushort EthPIpv6 = 0x86DD;
    public const ushort EthPArp = 0x0806;
    public const byte PacketOutgoing = 4;
    public const short PollIn = 0x001;
    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int MapShared = 1;
    public const int MsgDontWait = 0x40;

    public const int EAgain = 11;
    public const int EIntr = 4;
    public const int ENoBufs = 105;
    public const int EPerm = 1;
    public const int EAcces = 13;

    private const string Libc = "libc";

    /// <summary>Linux, 64-bit: the layouts below hold.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux() && Environment.Is64BitProcess
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TPacketStats
    {
        public uint Packets;
        public uint Drops;
    }

    /// <summary>struct sockaddr_ll (20 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int InterfaceIndex;
        public ushort HardwareType;
        public byte PacketType;
        public byte AddressLength;
        public ulong Address;
    }

    [LibraryImport(Libc, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Libc, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

    [LibraryImport(Libc, EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, void* value, uint* length);

    [LibraryImport(Libc, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, void* address, uint length);

    [LibraryImport(Libc, EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int fd, void* buffer, nuint length, int flags, void* address, uint addressLength);

    [LibraryImport(Libc, EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMMsg(int fd, MMsgHdr* messages, uint count, int flags);

    [LibraryImport(Libc, EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int RecvMMsg(int fd, MMsgHdr* messages, uint count, int flags, void* timeout);

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport(Libc, EntryPoint = "mmap", SetLastError = true)]
    public static partial void* MMap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport(Libc, EntryPoint = "munmap", SetLastError = true)]
    public static partial int MUnmap(void* address, nuint length);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint IfNameToIndex(string name);

    public static ushort HostToNetwork(ushort value) => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value);
}
