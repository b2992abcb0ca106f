using System.Globalization;

namespace PortAtlas.Registry;

/// <summary>An inclusive range of port numbers, 0-65535.</summary>
/// <param name="First">The first port.</param>
/// <param name="Last">The last port, at least <paramref name="First"/>.</param>
public readonly record struct PortRange(int First, int Last)
{
    /// <summary>The highest port number.</summary>
    public const int MaxPort = 65535;

    /// <summary>How many ports the range holds.</summary>
    public int Count => Last - First + 1;

    /// <summary>True when <paramref name="port"/> is inside the range.</summary>
    public bool Contains(int port) => port >= First && port <= Last;

    /// <summary>Parses "443" or "6665-6669"; false for anything else, out of range or reversed.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out PortRange range)
    {
        range = default;
        var dash = text.IndexOf('-');
        if (dash < 0)
        {
            if (!TryParsePort(text, out var port))
            {
                return false;
            }
            range = new PortRange(port, port);
            return true;
        }
        if (!TryParsePort(text[..dash], out var first) || !TryParsePort(text[(dash + 1)..], out var last) || last < first)
        {
            return false;
        }
        range = new PortRange(first, last);
        return true;
    }

    /// <summary>Parses a decimal port number 0-65535 (digits only, at most 5).</summary>
    public static bool TryParsePort(ReadOnlySpan<char> text, out int port)
    {
        port = 0;
        if (text.IsEmpty || text.Length > 5)
        {
            return false;
        }
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        port = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return port <= MaxPort;
    }

    /// <inheritdoc />
    public override string ToString() => First == Last
        ? First.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}");
}
