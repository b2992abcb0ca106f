using System.Globalization;

namespace PortAtlas.Scanning;

/// <summary>Durations as nmap writes them: 500ms, 30s, 5m, 1h; a bare number is seconds. Range 1 ms to 7 days; NaN and Infinity are refused.</summary>
internal static class DurationParser
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var t = text.Trim().ToLowerInvariant();
        var (number, scale) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 0.001)
            : t.EndsWith('s') ? (t[..^1], 1.0)
            : t.EndsWith('m') ? (t[..^1], 60.0)
            : t.EndsWith('h') ? (t[..^1], 3600.0)
            : (t, 1.0);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value) || value * scale < 0.001 || value * scale > TimeSpan.FromDays(7).TotalSeconds)
        {
            return false;
        }
        duration = TimeSpan.FromSeconds(value * scale);
        return true;
    }
}
