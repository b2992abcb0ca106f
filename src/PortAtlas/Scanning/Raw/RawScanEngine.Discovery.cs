using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using PortAtlas.Scanning.Packets;
using PortAtlas.Targets;

namespace PortAtlas.Scanning.Raw;

internal sealed partial class RawScanEngine
{
    /// <summary>The discovery probes (nmap's -PE -PP -PS443 -PA80 -PU40125, plus ARP on attached Ethernet segments).</summary>
    private static readonly ProbeSlot[] s_discoverySlots =
    [
        new(ProbeKind.IcmpEcho, 0),
        new(ProbeKind.IcmpTimestamp, 0),
        new(ProbeKind.TcpSyn, 443),
        new(ProbeKind.TcpAck, 80),
        new(ProbeKind.Udp, 40125),
    ];

    private Action<HostDiscoveryResult>? _discovered;
    private List<AttachedSegment>? _segments;

    /// <summary>Probes every target and reports each one, up (with the first answer's reason) or down.</summary>
    public void RunDiscovery(TargetSet targets, Action<HostDiscoveryResult> onResult)
    {
        if (targets.Count == 0)
        {
            return;
        }
        BeginPhase();
        _discovered = onResult;
        _segments = AttachedSegments();
        var sweep = new Sweep(targets, DiscoverySlots(_options.DiscoveryProbes), 0, isDiscovery: true, (s, host, slot, state, reason, roundTrip) =>
        {
            if (s.TryMarkUp(host))
            {
                onResult(new HostDiscoveryResult { Address = s.Hosts.GetAddress(host), IsUp = true, Reason = reason, RoundTrip = roundTrip });
            }
        });
        _sweep = sweep;
        SendArp(sweep);
        EndPhase("discovery setup");
        RunPasses(sweep, 1, 2, () => SendArp(sweep));
        Quiesce();
        for (ulong host = 0; host < targets.Count; host++)
        {
            if (sweep.TryMarkUp(host))
            {
                onResult(new HostDiscoveryResult { Address = targets.GetAddress(host), IsUp = false, Reason = Reasons.NoResponse });
            }
        }
        EndPhase("discovery end");
    }

    private static ProbeSlot[] DiscoverySlots(IReadOnlyList<DiscoveryProbe>? probes) =>
        probes is not { Count: > 0 } ? s_discoverySlots : [.. probes.Distinct().Select(p => new ProbeSlot(p.Kind switch
        {
            DiscoveryProbeKind.IcmpEcho => ProbeKind.IcmpEcho,
            DiscoveryProbeKind.IcmpTimestamp => ProbeKind.IcmpTimestamp,
            DiscoveryProbeKind.TcpSyn => ProbeKind.TcpSyn,
            DiscoveryProbeKind.TcpAck => ProbeKind.TcpAck,
            _ => ProbeKind.Udp,
        }, p.Kind is DiscoveryProbeKind.IcmpEcho or DiscoveryProbeKind.IcmpTimestamp ? (ushort)0 : (ushort)p.Port))];

    private void SendArp(Sweep sweep)
    {
        if (_segments is not { Count: > 0 })
        {
            return;
        }
        Span<byte> arp = stackalloc byte[ArpPacket.Length];
        for (ulong host = 0; host < sweep.Hosts.Count; host++)
        {
            var value = sweep.Hosts.GetValue(host, out var v6);
            if (v6 || sweep.IsHostUp(host))
            {
                continue;
            }
            foreach (var segment in _segments)
            {
                if (((uint)value & segment.Mask) == (segment.Address & segment.Mask) && (uint)value != segment.Address)
                {
                    SafeTargets.Check(value, false);
                    new ArpPacket(ArpPacket.Request, segment.Mac, segment.Address, 0, (uint)value).Write(arp);
                    _receiver.SendLinkLayer(segment.InterfaceIndex, ArpPacket.EtherType, 0xFFFF_FFFF_FFFF, arp);
                    break;
                }
            }
        }
    }

    private void OnArp(Sweep sweep, ReadOnlySpan<byte> packet, int interfaceIndex)
    {
        if (!sweep.IsDiscovery || _segments is null || _discovered is null || !ArpPacket.TryParse(packet, out var arp) || arp.Operation != ArpPacket.Reply)
        {
            return;
        }
        foreach (var segment in _segments)
        {
            if (segment.InterfaceIndex == interfaceIndex && arp.TargetProtocolAddress == segment.Address
                && sweep.Hosts.TryGetIndex(arp.SenderProtocolAddress, false, out var host) && sweep.TryMarkUp(host))
            {
                Interlocked.Increment(ref _validated);
                _discovered(new HostDiscoveryResult { Address = sweep.Hosts.GetAddress(host), IsUp = true, Reason = Reasons.ArpResponse });
                return;
            }
        }
    }

    private readonly record struct AttachedSegment(int InterfaceIndex, ulong Mac, uint Address, uint Mask);

    /// <summary>IPv4 subnets on Ethernet interfaces that are up: their hosts answer ARP.</summary>
    private static List<AttachedSegment> AttachedSegments()
    {
        var segments = new List<AttachedSegment>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType != NetworkInterfaceType.Ethernet)
                {
                    continue;
                }
                var macBytes = nic.GetPhysicalAddress().GetAddressBytes();
                if (macBytes.Length != 6)
                {
                    continue;
                }
                var mac = ArpPacket.ReadMac(macBytes);
                var index = (int)RawSyscalls.IfNameToIndex(nic.Name);
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    if (unicast.Address.AddressFamily == AddressFamily.InterNetwork && unicast.PrefixLength is > 0 and < 32 && index > 0)
                    {
                        var mask = uint.MaxValue << (32 - unicast.PrefixLength);
                        segments.Add(new AttachedSegment(index, mac, (uint)IpPair.ToValue(unicast.Address), mask));
                    }
                }
            }
        }
        catch (NetworkInformationException)
        {
        }
        return segments;
    }
}
