using System.Net;
using System.Runtime.CompilerServices;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Detection;

/// <summary>
/// Service and version detection: connects to open TCP ports, listens for a banner, sends probes chosen by the
/// port's registry name, inspects TLS, and matches answers against our <see cref="SignatureDatabase"/>.
/// Thread-safe; one instance can serve any number of scans.
/// </summary>
public sealed class ServiceDetector
{
    private readonly TimeProvider _time;
    private readonly SignatureDatabase _signatures;
    private readonly PortRegistry _registry;

    /// <summary>Creates a detector.</summary>
    /// <param name="timeProvider">Clock for waits and for deciding certificate expiry; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="signatures">Signatures to match; <see cref="SignatureDatabase.Default"/> when null.</param>
    /// <param name="registry">Registry for port hints; <see cref="PortRegistry.Default"/> when null.</param>
    public ServiceDetector(TimeProvider? timeProvider = null, SignatureDatabase? signatures = null, PortRegistry? registry = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _signatures = signatures ?? SignatureDatabase.Default;
        _registry = registry ?? PortRegistry.Default;
    }

    /// <summary>
    /// Identifies the service on one open TCP port. Never throws for anything the remote end does: a port that
    /// cannot be connected to gives null; one that answers but matches nothing gives its registry name
    /// (<see cref="ServiceInfo.Method"/> "registry") with the bytes seen as evidence; a port that uses up
    /// <see cref="DetectionOptions.PortTimeout"/> gives the best guess so far.
    /// </summary>
    /// <param name="endpoint">Address and port; the caller is responsible for it being a permitted target.</param>
    /// <param name="options">Timeouts and limits; <see cref="DetectionOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the detection (the only source of <see cref="OperationCanceledException"/>).</param>
    public Task<ServiceInfo?> DetectAsync(IPEndPoint endpoint, DetectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        options ??= DetectionOptions.Default;
        options.Validate();
        return DetectWithTlsAsync(endpoint, options, cancellationToken);
    }

    /// <summary>
    /// Passes scan results through, enriching open TCP ones with <see cref="PortResult.Service"/>, at most
    /// <see cref="DetectionOptions.MaxConcurrency"/> at a time. Results that need no detection pass at once; the
    /// order of output is the order detection finishes. UDP results with a reply get their registry name
    /// (<see cref="DetectionOptions.NameUdpFromRegistry"/>). A result that already carries a service is left as is.
    /// </summary>
    /// <param name="results">The scan's results, streamed.</param>
    /// <param name="options">Timeouts and limits; <see cref="DetectionOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops reading input and detecting; what was yielded stays yielded.</param>
    public async IAsyncEnumerable<PortResult> DetectAsync(
        IAsyncEnumerable<PortResult> results,
        DetectionOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        options ??= DetectionOptions.Default;
        options.Validate();
        await foreach (var result in ConcurrentResults.TransformAsync(results, NeedsDetection, r => NameFromRegistry(r, options), (r, ct) => DetectResultAsync(r, options, ct), options.MaxConcurrency, cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    private async Task<ServiceInfo?> DetectWithTlsAsync(IPEndPoint endpoint, DetectionOptions options, CancellationToken cancellationToken)
    {
        var info = await new DetectionSession(endpoint, options, _time, _signatures, _registry).RunAsync(cancellationToken).ConfigureAwait(false);
        return await Tls.TlsDeepInspection.EnrichAsync(endpoint, info, options, _time, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PortResult> DetectResultAsync(PortResult result, DetectionOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var service = await DetectWithTlsAsync(new IPEndPoint(result.Address, result.Port), options, cancellationToken).ConfigureAwait(false);
            return service is null ? result : result with { Service = service };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One port's failure (a platform socket error we did not foresee) must not end the scan: pass it on undetected.
            return result;
        }
    }

    private static bool NeedsDetection(PortResult result) =>
        result.Protocol == Transport.Tcp && result.State == PortState.Open && result.Service is null && (uint)result.Port is > 0 and <= 65535;

    private PortResult NameFromRegistry(PortResult result, DetectionOptions options)
    {
        if (!options.NameUdpFromRegistry || result.Protocol != Transport.Udp || result.Service is not null
            || result.State is not (PortState.Open or PortState.OpenFiltered))
        {
            return result;
        }
        var name = _registry.Explain(result.Port, Transport.Udp)?.Name;
        return string.IsNullOrEmpty(name) ? result : result with { Service = new ServiceInfo { Name = name, Method = "registry" } };
    }
}
