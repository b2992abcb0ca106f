using System.Net;

namespace PortAtlas.Web;

/// <summary>How <c>ports serve</c> runs: where it listens, which store it reads, whether it may start scans.</summary>
public sealed record ServeOptions
{
    /// <summary>The scan store (as <see cref="Storage.ScanStore.Open"/> takes it); null for the default SQLite file.</summary>
    public string? Db { get; init; }

    /// <summary>Where to listen; default 127.0.0.1 on port 8080. Port 0 picks a free port.</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 8080);

    /// <summary>Allow starting scans from the page (and open the store for writing); default false: the store is read only.</summary>
    public bool AllowScans { get; init; }

    /// <summary>
    /// The token every request must carry; required (non-null) when <see cref="Listen"/> is not a loopback address,
    /// on 127.0.0.1 and ::1 asked for only with <see cref="RequireToken"/> is set.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>Ask for the token even on loopback (tests and shared machines).</summary>
    public bool RequireToken { get; init; }

    /// <summary>Most scans started from the page that may run at once; default 2.</summary>
    public int MaxConcurrentScans { get; init; } = 2;

    /// <summary>
    /// Whether a token is asked for on every request with these options: on any address but 127.0.0.1 and ::1 (other
    /// addresses of 127.0.0.0/8 too: on some systems they are shared with containers), or when <see cref="RequireToken"/>.
    /// </summary>
    public bool TokenRequired => RequireToken || !(Listen.Address.Equals(IPAddress.Loopback) || Listen.Address.Equals(IPAddress.IPv6Loopback));
}
