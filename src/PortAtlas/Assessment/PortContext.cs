using System.Globalization;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Assessment;

/// <summary>One port as the rules see it: the result, its host, the registry's row and the time of assessment.</summary>
internal sealed class PortContext
{
    public PortContext(PortResult port, HostResult? host, PortEntry? entry, DateTimeOffset now)
    {
        Port = port;
        Host = host;
        Entry = entry;
        Now = now;
    }

    public PortResult Port { get; }

    public HostResult? Host { get; }

    public PortEntry? Entry { get; }

    public DateTimeOffset Now { get; }

    public ServiceInfo? Service => Port.Service;

    public bool Detected => Service is { } service && !string.Equals(service.Method, "registry", StringComparison.OrdinalIgnoreCase);

    public string? ServiceName => NullIfEmpty(Service?.Name) ?? NullIfEmpty(Entry?.Name);

    /// <summary>True when the certificate had expired at scan time, or has by <see cref="Now"/>.</summary>
    public bool TlsExpired => Service?.Tls is { } tls && (tls.Expired == true || (tls.NotAfter is DateTimeOffset end && end < Now));

    /// <summary>The value of a rule field, or null when it was not observed. Booleans are "true" or "false".</summary>
    public string? Get(string field)
    {
        var service = Service;
        var tls = service?.Tls;
        if (field.StartsWith("fact.", StringComparison.Ordinal))
        {
            return NullIfEmpty(ServiceFacts.Get(service?.Facts, field[5..]));
        }
        return field switch
        {
            "port" => Port.Port.ToString(CultureInfo.InvariantCulture),
            "protocol" => Port.Protocol.ToName(),
            "state" => Port.State.ToName(),
            "reason" => NullIfEmpty(Port.Reason),
            "address" => Port.Address.ToString(),
            "hostname" => NullIfEmpty(Host?.Hostname),
            "service" => ServiceName,
            "detected" => Bool(Detected),
            "service.method" => service is null ? (Entry is null ? null : "registry") : NullIfEmpty(service.Method),
            "product" => NullIfEmpty(service?.Product),
            "version" => NullIfEmpty(service?.Version),
            "extra" => NullIfEmpty(service?.ExtraInfo),
            "cpe" => service is null || service.Cpe.Count == 0 ? null : string.Join(' ', service.Cpe),
            "banner" => NullIfEmpty(service?.Evidence),
            "tls" => Bool(tls is not null),
            "tls.protocol" => NullIfEmpty(tls?.Protocol),
            "tls.cipher" => NullIfEmpty(tls?.CipherSuite),
            "tls.subject" => NullIfEmpty(tls?.Subject),
            "tls.issuer" => NullIfEmpty(tls?.Issuer),
            "tls.keytype" => NullIfEmpty(tls?.KeyType),
            "tls.keybits" => tls?.KeyBits?.ToString(CultureInfo.InvariantCulture),
            "tls.signature" => NullIfEmpty(tls?.SignatureAlgorithm),
            "tls.selfsigned" => tls?.SelfSigned is bool selfSigned ? Bool(selfSigned) : null,
            "tls.expired" => tls is null || (tls.Expired is null && tls.NotAfter is null) ? null : Bool(TlsExpired),
            "tls.notafter" => tls?.NotAfter?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "tls.notbefore" => tls?.NotBefore?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "registry.name" => NullIfEmpty(Entry?.Name),
            "registry.title" => NullIfEmpty(Entry?.Title) ?? NullIfEmpty(Entry?.Description),
            "registry.source" => Entry?.Source.ToName(),
            "registry.risk" => Entry?.Risk?.ToName(),
            "registry.text" => Entry is null ? null : string.Join(' ', Entry.Title, Entry.Description, Entry.Notes, Entry.Products),
            "registry.agrees" => Bool(!Detected || Entry is null || string.Equals(service!.Name, Entry.Name, StringComparison.OrdinalIgnoreCase)),
            _ => null,
        };
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
