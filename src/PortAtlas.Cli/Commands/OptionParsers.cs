using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using PortAtlas.Sanitizing;

namespace PortAtlas.Cli.Commands;

/// <summary>
/// Validated parsers for numeric options: each option states its range, and a value outside it, not a number, NaN,
/// Infinity or too large for its type (1e400) is refused at parse time with one line naming the option, the value and
/// the range (exit 2). Use as <c>new Option&lt;double?&gt;("--rate") { CustomParser = OptionParsers.Double(0.1, 1e7, "probes per second") }</c>.
/// </summary>
internal static partial class OptionParsers
{
    /// <summary>An int option in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Func<ArgumentResult, int> Int(int min, int max, string unit) => result =>
        TryInteger(result, min, max, unit, out var value) ? (int)value : default;

    /// <summary>An optional int option in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Func<ArgumentResult, int?> NullableInt(int min, int max, string unit) => result =>
        TryInteger(result, min, max, unit, out var value) ? (int)value : null;

    /// <summary>An optional long option in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Func<ArgumentResult, long?> NullableLong(long min, long max, string unit) => result =>
        TryInteger(result, min, max, unit, out var value) ? value : null;

    /// <summary>An optional unsigned 64-bit option (any value; decimal or 0x hex).</summary>
    public static Func<ArgumentResult, ulong?> NullableUInt64(string unit) => result =>
    {
        var text = Token(result);
        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        if (ulong.TryParse(hex ? text[2..] : text, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        result.AddError($"bad {Name(result)} '{OutsideText.Excerpt(text)}': give a whole number from 0 to {ulong.MaxValue} ({unit})");
        return null;
    };

    /// <summary>
    /// An optional finite double in [<paramref name="min"/>, <paramref name="max"/>]: NaN, Infinity, overflow (1e400)
    /// and values below the minimum (1e-12, which would otherwise read as "no limit") are refused.
    /// </summary>
    public static Func<ArgumentResult, double?> NullableDouble(double min, double max, string unit) => result =>
    {
        var text = Token(result);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            && value >= min && value <= max)
        {
            return value;
        }
        result.AddError($"bad {Name(result)} '{OutsideText.Excerpt(text)}': give a number from {Format(min)} to {Format(max)} ({unit})");
        return null;
    };

    /// <summary>
    /// Rewrites System.CommandLine's type errors ("Cannot parse argument 'abc' for option '--rate' as expected type
    /// 'System.Nullable`1[System.Double]'") in words; other messages pass with outside text made printable.
    /// </summary>
    public static string Humanize(string message)
    {
        var match = TypeError().Match(message);
        if (!match.Success)
        {
            return message;
        }
        var type = match.Groups["type"].Value;
        var kind = type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) ? "a number"
            : type.Contains("Int", StringComparison.Ordinal) ? "a whole number"
            : type.Contains("Boolean", StringComparison.Ordinal) ? "true or false"
            : type.Contains("TimeSpan", StringComparison.Ordinal) ? "a duration"
            : "a value of the right kind";
        return $"bad {match.Groups["option"].Value} '{OutsideText.Excerpt(match.Groups["value"].Value)}': expected {kind}";
    }

    private static bool TryInteger(ArgumentResult result, long min, long max, string unit, out long value)
    {
        var text = Token(result);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            return true;
        }
        result.AddError($"bad {Name(result)} '{OutsideText.Excerpt(text)}': give a whole number from {min.ToString("N0", CultureInfo.InvariantCulture)} to {max.ToString("N0", CultureInfo.InvariantCulture)} ({unit})");
        return false;
    }

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value.Trim() : "";

    private static string Name(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;

    private static string Format(double value) => value.ToString(value >= 1e6 ? "N0" : "0.###", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (?:option|command|argument) '(?<option>[^']*)' as expected type '(?<type>[^']*)'", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex TypeError();
}
