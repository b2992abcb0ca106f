using System.Runtime.InteropServices;

namespace PortAtlas.Scanning.Raw;

/// <summary>
/// A classic BPF program for the engine's packet socket (issue 16): the kernel hands the receive thread only packets that
/// can answer a probe of this engine, instead of every packet of the namespace. It drops our own outgoing copies (one per
/// probe), and TCP, UDP and SCTP packets to any port but the engine's source and canary ports (the traffic of other
/// programs and other scanners on the same machine). ICMP, ICMPv6 and ARP pass whole (unreachables quote the probe, echo
/// replies carry no port), as do IPv4 fragments past the first and IPv6 packets with extension headers: the receive
/// thread still validates everything that passes, so the filter only has to keep every possible answer.
/// </summary>
/// <remarks>
/// The socket is a cooked (SOCK_DGRAM) packet socket, so offset 0 is the network header; the EtherType and the packet
/// type come from the kernel's ancillary loads (linux/filter.h: SKF_AD_OFF + SKF_AD_PROTOCOL, SKF_AD_PKTTYPE).
/// </remarks>
internal static class ReplyFilter
{
    /// <summary>setsockopt(SOL_SOCKET, SO_ATTACH_FILTER).</summary>
    public const int SoAttachFilter = 26;

    /// <summary>Bytes of a packet a filter that accepts lets through (all of it).</summary>
    public const uint AcceptAll = 0x40000;

    // Classic BPF opcodes (linux/bpf_common.h), as composed there.
    internal const ushort LdW = 0x00, LdH = 0x08, LdB = 0x10, Abs = 0x20, Ind = 0x40, Msh = 0xa0, Ldx = 0x01;
    internal const ushort Jmp = 0x05, Jeq = 0x10, Jset = 0x40, K = 0x00, Ret = 0x06;
    internal const uint AncillaryProtocol = 0xfffff000 + 0;
    internal const uint AncillaryPacketType = 0xfffff000 + 4;

    /// <summary>One instruction of a classic BPF program (struct sock_filter).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal readonly record struct Instruction(ushort Code, byte JumpTrue, byte JumpFalse, uint Operand);

    /// <summary>struct sock_fprog: the program's length and a pointer to it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct Program
    {
        public ushort Length;
        public Instruction* Filter;
    }

    /// <summary>The program that keeps answers to probes sent from <paramref name="sourcePort"/> or <paramref name="canaryPort"/>.</summary>
    public static Instruction[] Build(ushort sourcePort, ushort canaryPort)
    {
        // Written with labels (null: the next instruction) and assembled below, so no jump offset is counted by hand.
        (string? Label, ushort Code, string? True, string? False, uint Operand)[] source =
        [
            (null, LdW | Abs, null, null, AncillaryPacketType),
            (null, Jmp | Jeq | K, "drop", null, RawSyscalls.PacketOutgoing),      // our own copies
            (null, LdW | Abs, null, null, AncillaryProtocol),
            (null, Jmp | Jeq | K, "accept", null, RawSyscalls.EthPArp),
            (null, Jmp | Jeq | K, "ipv4", null, RawSyscalls.EthPIp),
            (null, Jmp | Jeq | K, "ipv6", "drop", RawSyscalls.EthPIpv6),
            // IPv4: ICMP passes; TCP, UDP and SCTP are checked by destination port; anything else is dropped.
            ("ipv4", LdB | Abs, null, null, 9),
            (null, Jmp | Jeq | K, "accept", null, 1),
            (null, Jmp | Jeq | K, "fragment", null, 6),
            (null, Jmp | Jeq | K, "fragment", null, 17),
            (null, Jmp | Jeq | K, "fragment", "drop", 132),
            ("fragment", LdH | Abs, null, null, 6),
            (null, Jmp | Jset | K, "accept", null, 0x1fff),                      // a later fragment carries no ports
            (null, Ldx | LdB | Msh, null, null, 0),                               // X = the IPv4 header's length
            (null, LdH | Ind, null, null, 2),
            (null, Jmp | Jeq | K, "port", "port", 0),                             // A = destination port
            // IPv6: ICMPv6 passes; TCP, UDP and SCTP right after the fixed header are checked by port; other next
            // headers (extension headers) pass, for the receive thread to walk.
            ("ipv6", LdB | Abs, null, null, 6),
            (null, Jmp | Jeq | K, "accept", null, 58),
            (null, Jmp | Jeq | K, "port6", null, 6),
            (null, Jmp | Jeq | K, "port6", null, 17),
            (null, Jmp | Jeq | K, "port6", "accept", 132),
            ("port6", LdH | Abs, null, null, 42),
            ("port", Jmp | Jeq | K, "accept", null, sourcePort),
            (null, Jmp | Jeq | K, "accept", "drop", canaryPort),
            ("accept", Ret | K, null, null, AcceptAll),
            ("drop", Ret | K, null, null, 0),
        ];
        var program = new Instruction[source.Length];
        for (var i = 0; i < source.Length; i++)
        {
            var (_, code, onTrue, onFalse, operand) = source[i];
            program[i] = new Instruction(code, Offset(source, i, onTrue), Offset(source, i, onFalse), operand);
        }
        return program;
    }

    /// <summary>The forward jump from instruction <paramref name="from"/> to <paramref name="label"/> (0: the next one).</summary>
    private static byte Offset((string? Label, ushort, string?, string?, uint)[] source, int from, string? label)
    {
        if (label is null)
        {
            return 0;
        }
        for (var i = from + 1; i < source.Length; i++)
        {
            if (source[i].Label == label)
            {
                return checked((byte)(i - from - 1));
            }
        }
        throw new InvalidOperationException($"no label '{label}' after instruction {from}");
    }
}
