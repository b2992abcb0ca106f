using System.Globalization;
using System.Text;
using PortAtlas.Registry;

namespace PortAtlas.Targets;

/// <summary>
/// Parses nmap-style port specs into a <see cref="PortList"/>: <c>22,80,443</c>, ranges <c>1-1024</c>, open ranges
/// <c>-1024</c> (from 1) and <c>60000-</c> (to 65535), <c>-</c> for 1-65535 (port 0 only when named, as in
/// <c>0-100</c>), transport prefixes <c>T:80,443,U:53,S:2905</c> (a prefix holds until the next one) and service
/// names <c>http,ssh</c> (every port the registry assigns the name for the transport). Failures are results that
/// name the bad token. Items may be surrounded by spaces; empty items are refused.
/// </summary>
public static class PortSpecParser
{
    private const int MapSize = PortRange.MaxPort + 1;

    /// <summary>Parses a port spec (<c>-p</c>), then removes <see cref="PortParseOptions.Exclude"/>.</summary>
    /// <param name="spec">The spec.</param>
    /// <param name="options">Default transports, excludes and registry; null for the defaults (TCP, no excludes).</param>
    public static PortParseResult Parse(string spec, PortParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        options ??= new PortParseOptions();
        var maps = new Maps();
        if (ParseInto(spec, options, maps) is { } error)
        {
            return error;
        }
        return Finish(maps, options);
    }

    /// <summary>
    /// The <paramref name="count"/> ports most worth scanning (<c>--top-ports</c>) for each default transport,
    /// as ranked by <see cref="PortRegistry.TopPorts"/>, then removes <see cref="PortParseOptions.Exclude"/>.
    /// </summary>
    /// <param name="count">How many ports per transport, 1-65535.</param>
    /// <param name="options">Default transports, excludes and registry; null for the defaults.</param>
    public static PortParseResult Top(int count, PortParseOptions? options = null)
    {
        options ??= new PortParseOptions();
        var token = count.ToString(CultureInfo.InvariantCulture);
        if (count is < 1 or > PortRange.MaxPort)
        {
            return PortParseResult.Fail($"bad top-ports count '{token}': must be 1-65535", token);
        }
        if (CheckTransports(options) is { } transportError)
        {
            return transportError;
        }
        var registry = options.Registry ?? PortRegistry.Default;
        var maps = new Maps();
        foreach (var transport in options.DefaultTransports)
        {
            var map = maps.For(transport);
            foreach (var port in registry.TopPorts(transport, count))
            {
                map[port] = true;
            }
        }
        return Finish(maps, options);
    }

    /// <summary>
    /// The canonical spec of a port list: every transport prefixed, ranges collapsed, such as <c>T:22,80-90,U:53</c>.
    /// <see cref="Parse"/> reads it back to the same list whatever the default transports. An empty list formats as "".
    /// </summary>
    /// <param name="ports">The list to format.</param>
    public static string Format(PortList ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var text = new StringBuilder();
        foreach (var (transport, prefix) in new[] { (Transport.Tcp, "T:"), (Transport.Udp, "U:"), (Transport.Sctp, "S:") })
        {
            var list = ports.For(transport);
            if (list.Count == 0)
            {
                continue;
            }
            text.Append(text.Length == 0 ? "" : ",").Append(prefix);
            for (var i = 0; i < list.Count;)
            {
                var j = i;
                while (j + 1 < list.Count && list[j + 1] == list[j] + 1)
                {
                    j++;
                }
                if (i > 0)
                {
                    text.Append(',');
                }
                text.Append(new PortRange(list[i], list[j]).ToString());
                i = j + 1;
            }
        }
        return text.ToString();
    }

    private static PortParseResult Finish(Maps maps, PortParseOptions options)
    {
        if (options.Exclude is { } exclude)
        {
            var removed = new Maps();
            if (ParseInto(exclude, options, removed) is { } error)
            {
                return error;
            }
            maps.Subtract(removed);
        }
        var list = PortList.FromMaps(maps.Tcp, maps.Udp, maps.Sctp);
        return list.Count == 0
            ? PortParseResult.Fail("no ports left: every port is excluded", options.Exclude)
            : PortParseResult.Ok(list);
    }

    private static PortParseResult? CheckTransports(PortParseOptions options)
    {
        if (options.DefaultTransports is null || options.DefaultTransports.Count == 0)
        {
            return PortParseResult.Fail("no default transport: pass at least one of TCP, UDP or SCTP", null);
        }
        foreach (var transport in options.DefaultTransports)
        {
            if (transport is not (Transport.Tcp or Transport.Udp or Transport.Sctp))
            {
                return PortParseResult.Fail($"bad transport '{transport.ToName()}': only TCP, UDP and SCTP are scanned", transport.ToName());
            }
        }
        return null;
    }

    private static PortParseResult? ParseInto(string spec, PortParseOptions options, Maps maps)
    {
        if (spec.AsSpan().Trim().IsEmpty)
        {
            return PortParseResult.Fail("no ports given", spec);
        }
        if (CheckTransports(options) is { } transportError)
        {
            return transportError;
        }
        var registry = options.Registry ?? PortRegistry.Default;
        IReadOnlyList<Transport> current = options.DefaultTransports;
        foreach (var raw in spec.Split(','))
        {
            var item = raw.Trim();
            if (item.Length == 0)
            {
                return PortParseResult.Fail($"bad port spec '{spec}': empty item", spec);
            }
            var body = item;
            if (item.Length >= 2 && item[1] == ':')
            {
                if (!TryParsePrefix(item[0], out var transport))
                {
                    return Fail(item, $"unknown transport prefix '{item[..2]}' (use T:, U: or S:)");
                }
                current = [transport];
                body = item[2..].TrimStart();
                if (body.Length == 0)
                {
                    return Fail(item, "no port after the prefix");
                }
            }
            if (ParseItem(body, current, registry, maps) is { } reason)
            {
                return Fail(item, reason);
            }
        }
        return null;
    }

    private static string? ParseItem(string item, IReadOnlyList<Transport> transports, PortRegistry registry, Maps maps)
    {
        if (item.AsSpan().IndexOfAnyExcept("0123456789-") < 0)
        {
            if (ParseRange(item, out var range) is { } error)
            {
                return error;
            }
            foreach (var transport in transports)
            {
                Array.Fill(maps.For(transport), true, range.First, range.Count);
            }
            return null;
        }
        if (!char.IsAsciiLetter(item[0]))
        {
            return "not a port, range or service name";
        }
        foreach (var c in item)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_' and not '.' and not '+' and not '/')
            {
                return c is '*' or '?' ? "service-name wildcards are not supported" : "not a port, range or service name";
            }
        }
        var entries = registry.ByName(item);
        if (entries.IsEmpty)
        {
            return "unknown service name";
        }
        var found = false;
        foreach (var entry in entries)
        {
            if (entry.Port is int first && entry.Protocol is Transport transport && Contains(transports, transport))
            {
                var last = entry.EndPort ?? first;
                Array.Fill(maps.For(transport), true, first, last - first + 1);
                found = true;
            }
        }
        return found ? null : $"service '{item}' has no {string.Join('/', transports.Select(static t => t.ToName()))} port";
    }

    private static string? ParseRange(string item, out PortRange range)
    {
        range = default;
        var dash = item.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            if (!PortRange.TryParsePort(item, out var port))
            {
                return "out of range (0-65535)";
            }
            range = new PortRange(port, port);
            return null;
        }
        if (item.IndexOf('-', dash + 1) >= 0)
        {
            return "not a port or range";
        }
        // nmap: an open start means 1 (port 0 only when named), an open end means 65535.
        var first = 1;
        var last = PortRange.MaxPort;
        if (dash > 0 && !TryParseNumber(item[..dash], out first, out var firstError))
        {
            return firstError;
        }
        if (dash < item.Length - 1 && !TryParseNumber(item[(dash + 1)..], out last, out var lastError))
        {
            return lastError;
        }
        if (last < first)
        {
            return "range is reversed";
        }
        range = new PortRange(first, last);
        return null;
    }

    private static bool TryParseNumber(string text, out int port, out string? error)
    {
        error = null;
        if (PortRange.TryParsePort(text, out port))
        {
            return true;
        }
        error = $"port '{text}' out of range (0-65535)";
        return false;
    }

    private static bool TryParsePrefix(char c, out Transport transport)
    {
        transport = char.ToUpperInvariant(c) switch
        {
            'T' => Transport.Tcp,
            'U' => Transport.Udp,
            'S' => Transport.Sctp,
            _ => Transport.Dccp,
        };
        return transport != Transport.Dccp;
    }

    private static bool Contains(IReadOnlyList<Transport> transports, Transport transport)
    {
        foreach (var t in transports)
        {
            if (t == transport)
            {
                return true;
            }
        }
        return false;
    }

    private static PortParseResult Fail(string token, string reason) => PortParseResult.Fail($"bad port '{token}': {reason}", token);

    /// <summary>One bitmap per scanned transport, indexed by port.</summary>
    private sealed class Maps
    {
        public bool[] Tcp { get; } = new bool[MapSize];
        public bool[] Udp { get; } = new bool[MapSize];
        public bool[] Sctp { get; } = new bool[MapSize];

        public bool[] For(Transport transport) => transport switch
        {
            Transport.Tcp => Tcp,
            Transport.Udp => Udp,
            _ => Sctp,
        };

        public void Subtract(Maps other)
        {
            for (var port = 0; port < MapSize; port++)
            {
                Tcp[port] &= !other.Tcp[port];
                Udp[port] &= !other.Udp[port];
                Sctp[port] &= !other.Sctp[port];
            }
        }
    }
}
