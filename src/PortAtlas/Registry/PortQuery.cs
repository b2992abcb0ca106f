namespace PortAtlas.Registry;

/// <summary>
/// A registry query: a port ("443"), a port with a transport ("22/udp"), a range ("6665-6669", "6665-6669/tcp"),
/// or a service name ("ldaps", "ldaps/tcp").
/// </summary>
public sealed record PortQuery
{
    /// <summary>The port range asked for, when the query is numeric.</summary>
    public PortRange Range { get; init; }
    /// <summary>The service name asked for, when the query is a name.</summary>
    public string? Name { get; init; }
    /// <summary>The transport, when the query names one.</summary>
    public Transport? Protocol { get; init; }
    /// <summary>The text as the user typed it.</summary>
    public string Text { get; init; } = "";

    /// <summary>Largest range a single query may ask for, so that a typo does not print the whole registry.</summary>
    public const int MaxRange = 4096;

    /// <summary>Parses a query; on failure <paramref name="error"/> names the bad token in one line.</summary>
    public static bool TryParse(string? text, out PortQuery query, out string error)
    {
        query = new PortQuery();
        error = "";
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0)
        {
            error = "empty query: give a port (443), port/protocol (22/udp), a range (6665-6669) or a service name (ldaps)";
            return false;
        }
        var body = trimmed.AsSpan();
        Transport? protocol = null;
        var slash = body.LastIndexOf('/');
        if (slash >= 0)
        {
            var proto = body[(slash + 1)..];
            if (!TransportNames.TryParse(proto, out var t))
            {
                error = $"unknown protocol '{proto}' in '{trimmed}': use tcp, udp, sctp or dccp";
                return false;
            }
            protocol = t;
            body = body[..slash];
        }
        if (body.IsEmpty)
        {
            error = $"missing port or name before '/' in '{trimmed}'";
            return false;
        }
        if (char.IsAsciiDigit(body[0]) || body[0] == '-')
        {
            var dash = body.IndexOf('-');
            var isRange = dash > 0;
            if (body[0] == '-' || !(isRange ? IsDigits(body[..dash]) && IsDigits(body[(dash + 1)..]) : IsDigits(body)))
            {
                // "80x" or "-5": numeric-looking but not a port; names never start with a digit in IANA's rules.
                if (!IsServiceName(body))
                {
                    error = $"bad port '{body}': ports are numbers 0-65535";
                    return false;
                }
                query = new PortQuery { Name = body.ToString(), Protocol = protocol, Text = trimmed };
                return true;
            }
            if (!PortRange.TryParse(body, out var range))
            {
                var bad = isRange && PortRange.TryParsePort(body[..dash], out var a) && PortRange.TryParsePort(body[(dash + 1)..], out var b) && b < a
                    ? $"reversed range '{body}': the first port must not exceed the last"
                    : $"port out of range in '{body}': ports are 0-65535";
                error = bad;
                return false;
            }
            if (range.Count > MaxRange)
            {
                error = $"range '{body}' is too wide for a look-up ({range.Count} ports; at most {MaxRange}): use 'ports list'";
                return false;
            }
            query = new PortQuery { Range = range, Protocol = protocol, Text = trimmed };
            return true;
        }
        if (!IsServiceName(body))
        {
            error = $"bad service name '{body}': letters, digits and '-' only";
            return false;
        }
        query = new PortQuery { Name = body.ToString(), Protocol = protocol, Text = trimmed };
        return true;
    }

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>RFC 6335 section 5.1 allows letters, digits and hyphens; IANA's legacy names also hold '.', '_', '+', '*'.</summary>
    private static bool IsServiceName(ReadOnlySpan<char> text)
    {
        if (text.Length > 64 || !char.IsAsciiLetterOrDigit(text[0]))
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '+' or '*'))
            {
                return false;
            }
        }
        return true;
    }
}
