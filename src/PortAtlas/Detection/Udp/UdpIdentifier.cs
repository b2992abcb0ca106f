using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using PortAtlas.Registry;

namespace PortAtlas.Detection.Udp;

/// <summary>
/// Identifies UDP services from their answers: sends protocol requests over an ordinary UDP socket (no raw-socket
/// privilege), first those likely for the port, then a bounded set of generic ones, and reads product and version
/// from the replies (DNS version.bind, NTP, SNMP sysDescr and engine ID, SIP Server, STUN SOFTWARE, NetBIOS,
/// memcached, OpenVPN, IKE vendor IDs, QUIC version negotiation, TFTP, Mumble, ...). Thread-safe.
/// </summary>
public sealed class UdpIdentifier
{
    private readonly TimeProvider _time;
    private readonly PortRegistry _registry;

    /// <summary>Creates an identifier.</summary>
    /// <param name="timeProvider">Clock for waits; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="registry">Registry that names ports whose answers no recogniser reads; <see cref="PortRegistry.Default"/> when null.</param>
    public UdpIdentifier(TimeProvider? timeProvider = null, PortRegistry? registry = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _registry = registry ?? PortRegistry.Default;
    }

    /// <summary>
    /// Identifies the service on one UDP port. Null when nothing answered (or the port is closed: ICMP port
    /// unreachable). An answer no recogniser reads gives the registry's name (method "registry") with the answer as
    /// evidence; an answer equal to what was sent gives <c>echo</c>. Never throws for anything the remote end does.
    /// </summary>
    /// <param name="endpoint">Address and port; the caller is responsible for it being a permitted target.</param>
    /// <param name="options">Waits and limits; <see cref="UdpDetectionOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the identification (the only source of <see cref="OperationCanceledException"/>).</param>
    public async Task<ServiceInfo?> IdentifyAsync(IPEndPoint endpoint, UdpDetectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        options ??= UdpDetectionOptions.Default;
        options.Validate();
        var outcome = await new UdpSession(endpoint, options, _time).RunAsync(cancellationToken).ConfigureAwait(false);
        return Conclude(endpoint.Port, outcome, options);
    }

    /// <summary>
    /// Scans and identifies one UDP port without raw-socket privilege: a reply makes it <c>open</c>
    /// (<c>udp-response</c>) with its service; an ICMP port unreachable, seen by a connected socket as ECONNREFUSED,
    /// makes it <c>closed</c> (<c>port-unreach</c>); silence leaves it <c>open|filtered</c> (<c>no-response</c>). The
    /// fallback for UDP scans when the raw engine is not permitted; slower than it, as each port waits out its rounds.
    /// </summary>
    /// <param name="address">The host; the caller is responsible for it being a permitted target.</param>
    /// <param name="port">The port, 1 to 65535.</param>
    /// <param name="options">Waits and limits; <see cref="UdpDetectionOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the scan (the only source of <see cref="OperationCanceledException"/>).</param>
    public async Task<PortResult> ScanPortAsync(IPAddress address, int port, UdpDetectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        options ??= UdpDetectionOptions.Default;
        options.Validate();
        var outcome = await new UdpSession(new IPEndPoint(address, port), options, _time).RunAsync(cancellationToken).ConfigureAwait(false);
        var result = new PortResult { Address = address, Port = port, Protocol = Transport.Udp, State = PortState.OpenFiltered, Reason = "no-response" };
        if (outcome.FirstReply is not null)
        {
            return result with { State = PortState.Open, Reason = "udp-response", RoundTrip = outcome.RoundTrip, Service = Conclude(port, outcome, options) };
        }
        return outcome.Refused ? result with { State = PortState.Closed, Reason = "port-unreach" } : result;
    }

    /// <summary>
    /// Passes scan results through, identifying open and open|filtered UDP ones, at most
    /// <see cref="UdpDetectionOptions.MaxConcurrency"/> at a time. A port that answers is reported <c>open</c>
    /// (reason <c>udp-response</c>), as its answer proves. Other results, and results whose service was identified
    /// by more than its port number, pass at once; the output order is the order identification finishes.
    /// </summary>
    /// <param name="results">The scan's results, streamed.</param>
    /// <param name="options">Waits and limits; <see cref="UdpDetectionOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops reading input and identifying.</param>
    public async IAsyncEnumerable<PortResult> IdentifyAsync(
        IAsyncEnumerable<PortResult> results,
        UdpDetectionOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        options ??= UdpDetectionOptions.Default;
        options.Validate();
        await foreach (var result in ConcurrentResults.TransformAsync(results, NeedsIdentification, r => r, (r, ct) => IdentifyResultAsync(r, options, ct), options.MaxConcurrency, cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    private static bool NeedsIdentification(PortResult result) =>
        result.Protocol == Transport.Udp && result.State is PortState.Open or PortState.OpenFiltered
        && result.Service is not { Method: not "registry" } && (uint)result.Port is > 0 and <= 65535;

    /// <summary>
    /// One UDP result identified: the service when a reply carried one, and an open|filtered port that answered becomes
    /// open (reason udp-response), as nmap does. A result that cannot be identified comes back as it was.
    /// </summary>
    public async Task<PortResult> IdentifyResultAsync(PortResult result, UdpDetectionOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        options ??= UdpDetectionOptions.Default;
        try
        {
            var outcome = await new UdpSession(new IPEndPoint(result.Address, result.Port), options, _time).RunAsync(cancellationToken).ConfigureAwait(false);
            var service = Conclude(result.Port, outcome, options);
            if (service is not null)
            {
                return result.State == PortState.OpenFiltered
                    ? result with { Service = service, State = PortState.Open, Reason = "udp-response", RoundTrip = outcome.RoundTrip ?? result.RoundTrip }
                    : result with { Service = service };
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One port's unforeseen socket failure must not end the scan: pass it on unidentified.
        }
        return result;
    }

    private ServiceInfo? Conclude(int port, UdpOutcome outcome, UdpDetectionOptions options)
    {
        if (outcome.FirstReply is null)
        {
            return null;
        }
        if (outcome.Matches.Count > 0)
        {
            return Merge(outcome.Matches) with { Evidence = Evidence.Escape(outcome.IdentifyingReply ?? outcome.FirstReply, options.MaxEvidenceLength) };
        }
        var name = _registry.Explain(port, Transport.Udp)?.Name;
        return new ServiceInfo
        {
            Name = string.IsNullOrEmpty(name) ? "unknown" : name,
            Method = "registry",
            Evidence = Evidence.Escape(outcome.FirstReply, options.MaxEvidenceLength),
        };
    }

    /// <summary>
    /// One service from the recognised answers: the first that names a product (else the first) is the base; the
    /// others of the same service fill what it lacks, and their extra information is appended.
    /// </summary>
    internal static ServiceInfo Merge(IReadOnlyList<ServiceInfo> matches)
    {
        var best = matches.FirstOrDefault(m => m.Product is not null) ?? matches[0];
        var extras = new List<string>();
        var cpe = new List<string>(best.Cpe);
        foreach (var m in matches.Where(m => m.Name == best.Name))
        {
            if (m.ExtraInfo is { Length: > 0 } extra && !extras.Contains(extra))
            {
                extras.Add(extra);
            }
            cpe.AddRange(m.Cpe.Where(c => !cpe.Contains(c)));
            best = best with
            {
                Product = best.Product ?? m.Product,
                Version = best.Version ?? (best.Product == m.Product ? m.Version : null),
                OperatingSystem = best.OperatingSystem ?? m.OperatingSystem,
                DeviceType = best.DeviceType ?? m.DeviceType,
            };
        }
        return best with { ExtraInfo = extras.Count == 0 ? null : string.Join("; ", extras), Cpe = cpe };
    }
}

/// <summary>What a UDP session saw: the services recognised, the reply that identified, the first reply at all.</summary>
internal sealed record UdpOutcome(IReadOnlyList<ServiceInfo> Matches, byte[]? IdentifyingReply, byte[]? FirstReply, TimeSpan? RoundTrip, bool Refused);

/// <summary>
/// One port's identification: rounds of datagrams over one UDP socket, each round's answers read until the wait
/// ends, every probe has answered, or a recognised answer's companions had their short wait.
/// </summary>
internal sealed class UdpSession(IPEndPoint endpoint, UdpDetectionOptions options, TimeProvider time)
{
    private const int MaxReplies = 32;
    private readonly List<ServiceInfo> _matches = [];
    private byte[]? _identifying;
    private byte[]? _first;
    private TimeSpan? _roundTrip;
    private bool _refused;

    /// <summary>The probes for a port: its likely ones, then the generic ones, each list in table order.</summary>
    internal static (List<UdpProbe> Likely, List<UdpProbe> Generic) Plan(int port, int maxGeneric)
    {
        var likely = UdpProbes.All.Where(p => p.Ports.Contains(port)).ToList();
        var generic = UdpProbes.All.Where(p => p.GenericRank >= 0 && !likely.Any(l => l.Recognise == p.Recognise))
            .OrderBy(p => p.GenericRank).Take(maxGeneric).ToList();
        return (likely, generic);
    }

    public async Task<UdpOutcome> RunAsync(CancellationToken cancellationToken)
    {
        using var budget = new CancellationTokenSource(options.PortTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, cancellationToken);
        var (likely, generic) = Plan(endpoint.Port, options.MaxGenericProbes);
        var buffer = ArrayPool<byte>.Shared.Rent(65536);
        try
        {
            if (likely.Count > 0)
            {
                for (var attempt = 0; attempt <= options.Retries && _first is null && !_refused; attempt++)
                {
                    await RoundAsync(likely, buffer, linked.Token).ConfigureAwait(false);
                }
            }
            if (_matches.Count == 0 && !_refused && generic.Count > 0 && (_first is null || likely.Count == 0))
            {
                await RoundAsync(generic, buffer, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The port's budget ran out: what was recognised so far stands.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new UdpOutcome(_matches, _identifying, _first, _roundTrip, _refused);
    }

    private async Task RoundAsync(List<UdpProbe> probes, byte[] buffer, CancellationToken cancellationToken)
    {
        var anySource = probes.Any(p => p.AnySourcePort);
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (anySource)
        {
            // Answers may come from another port (TFTP): an unconnected socket that keeps datagrams from the host only.
            socket.Bind(new IPEndPoint(endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
        }
        else
        {
            // A connected socket sees only this port's answers, and the ICMP port unreachable as ECONNREFUSED.
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        var started = time.GetTimestamp();
        try
        {
            foreach (var probe in probes)
            {
                if (anySource)
                {
                    await socket.SendToAsync(probe.Payload, SocketFlags.None, endpoint, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await socket.SendAsync(probe.Payload, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            _refused = true;
            return;
        }
        catch (SocketException)
        {
            // Unreachable network or similar: nothing to hear.
            return;
        }
        using var wait = new CancellationTokenSource(options.RoundWait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, cancellationToken);
        var answered = 0;
        var companionsAwaited = false;
        EndPoint any = new IPEndPoint(endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        try
        {
            while (answered < Math.Min(probes.Count, MaxReplies))
            {
                int length;
                if (anySource)
                {
                    var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, linked.Token).ConfigureAwait(false);
                    if (received.RemoteEndPoint is not IPEndPoint from || !from.Address.Equals(endpoint.Address))
                    {
                        continue;
                    }
                    length = received.ReceivedBytes;
                }
                else
                {
                    length = await socket.ReceiveAsync(buffer, SocketFlags.None, linked.Token).ConfigureAwait(false);
                }
                answered++;
                var reply = buffer.AsSpan(0, length);
                _first ??= reply.ToArray();
                _roundTrip ??= time.GetElapsedTime(started);
                if (Read(reply, probes) && !companionsAwaited)
                {
                    companionsAwaited = true;
                    wait.CancelAfter(options.CompanionWait);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The round's wait ended.
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            _refused = _first is null;
        }
        catch (SocketException)
        {
            // A socket error after the answers we have: keep them.
        }
    }

    // Echo first (an echo server returns any probe), then the recogniser of each probe sent in this round.
    private bool Read(ReadOnlySpan<byte> reply, List<UdpProbe> probes)
    {
        foreach (var probe in probes)
        {
            if (reply.SequenceEqual(probe.Payload))
            {
                if (!_matches.Any(m => m.Name == "echo"))
                {
                    _matches.Add(new ServiceInfo { Name = "echo", Method = "probe" });
                    _identifying ??= reply.ToArray();
                }
                return true;
            }
        }
        foreach (var probe in probes)
        {
            var service = probe.Recognise(reply);
            if (service is not null)
            {
                _matches.Add(service);
                _identifying ??= reply.ToArray();
                return true;
            }
        }
        return false;
    }
}
