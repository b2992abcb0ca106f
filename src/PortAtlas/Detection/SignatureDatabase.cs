using System.Text;
using System.Text.RegularExpressions;

namespace PortAtlas.Detection;

/// <summary>
/// Our own service signatures: a tab-separated text file, one signature per line, in the order they are tried
/// (see <c>data/service-signatures.tsv</c> for the format). Loaded once; matching is thread-safe.
/// </summary>
public sealed class SignatureDatabase
{
    private const string ResourceName = "PortAtlas.data.service-signatures.tsv";
    private const int ColumnCount = 10;

    /// <summary>Longest time one pattern may run on one answer before it counts as no match.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);

    private static readonly Lazy<SignatureDatabase> s_default = new(LoadEmbedded);
    private static readonly Regex s_template = new(@"\$(\d)", RegexOptions.CultureInvariant, MatchTimeout);

    private readonly ServiceSignature[] _signatures;

    /// <summary>Creates a database over signatures, tried in the given order.</summary>
    public SignatureDatabase(IEnumerable<ServiceSignature> signatures)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        _signatures = [.. signatures];
    }

    /// <summary>The signatures compiled into the library.</summary>
    public static SignatureDatabase Default => s_default.Value;

    /// <summary>Every signature, in file order.</summary>
    public IReadOnlyList<ServiceSignature> Signatures => _signatures;

    /// <summary>Loads the embedded signature file; throws if it has errors (a build defect, caught by tests).</summary>
    public static SignatureDatabase LoadEmbedded()
    {
        using var stream = typeof(SignatureDatabase).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var result = Parse(reader.ReadToEnd());
        if (result.Errors.Count > 0)
        {
            throw new InvalidOperationException($"{ResourceName}: {result.Errors[0]}");
        }
        return result.Database;
    }

    /// <summary>
    /// Parses signature text. Lines that are empty or start with '#' are skipped; a bad line is reported by number
    /// in <see cref="SignatureParseResult.Errors"/> and left out, the rest still load.
    /// </summary>
    public static SignatureParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = new List<ServiceSignature>();
        var errors = new List<string>();
        var lineNumber = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.IsEmpty || line[0] == '#' || line.IsWhiteSpace())
            {
                continue;
            }
            var cols = line.ToString().Split('\t');
            if (cols.Length != ColumnCount)
            {
                errors.Add($"line {lineNumber}: {cols.Length} columns, expected {ColumnCount}");
                continue;
            }
            MatchKind kind;
            if (cols[1] == "hard")
            {
                kind = MatchKind.Hard;
            }
            else if (cols[1] == "soft")
            {
                kind = MatchKind.Soft;
            }
            else
            {
                errors.Add($"line {lineNumber}: kind '{cols[1]}' is neither hard nor soft");
                continue;
            }
            if (cols[0].Length == 0 || cols[2].Length == 0 || cols[3].Length == 0)
            {
                errors.Add($"line {lineNumber}: probe, service and pattern are required");
                continue;
            }
            Regex pattern;
            try
            {
                // Interpreted, culture-invariant, with a timeout: answers are hostile input, patterns are data.
                pattern = new Regex(cols[3], RegexOptions.CultureInvariant, MatchTimeout);
            }
            catch (ArgumentException e)
            {
                errors.Add($"line {lineNumber}: bad pattern: {e.Message}");
                continue;
            }
            list.Add(new ServiceSignature
            {
                Probes = cols[0].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Kind = kind,
                Service = cols[2],
                Pattern = pattern,
                Product = Optional(cols[4]),
                Version = Optional(cols[5]),
                ExtraInfo = Optional(cols[6]),
                OperatingSystem = Optional(cols[7]),
                DeviceType = Optional(cols[8]),
                Cpe = Optional(cols[9]) is string cpe ? cpe.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [],
                Line = lineNumber,
            });
        }
        return new SignatureParseResult { Database = new SignatureDatabase(list), Errors = errors };
    }

    /// <summary>
    /// The first hard match for an answer to <paramref name="probe"/>, else the first soft match, else null.
    /// A pattern that runs out of time counts as no match.
    /// </summary>
    public SignatureMatch? Match(string probe, ReadOnlySpan<byte> answer)
    {
        ArgumentNullException.ThrowIfNull(probe);
        if (answer.IsEmpty)
        {
            return null;
        }
        var text = Encoding.Latin1.GetString(answer);
        SignatureMatch? soft = null;
        foreach (var signature in _signatures)
        {
            if (!signature.AppliesTo(probe) || (soft is not null && signature.Kind == MatchKind.Soft))
            {
                continue;
            }
            Match m;
            try
            {
                m = signature.Pattern.Match(text);
            }
            catch (RegexMatchTimeoutException)
            {
                continue;
            }
            if (!m.Success)
            {
                continue;
            }
            var match = Fill(signature, m);
            if (signature.Kind == MatchKind.Hard)
            {
                return match;
            }
            soft ??= match;
        }
        return soft;
    }

    private static SignatureMatch Fill(ServiceSignature signature, Match m) => new()
    {
        Signature = signature,
        Product = Expand(signature.Product, m),
        Version = Expand(signature.Version, m),
        ExtraInfo = Expand(signature.ExtraInfo, m),
        OperatingSystem = Expand(signature.OperatingSystem, m),
        DeviceType = Expand(signature.DeviceType, m),
        Cpe = [.. signature.Cpe.Select(c => ExpandCpe(c, m)).OfType<string>()],
        Span = new Range(m.Index, m.Index + m.Length),
    };

    /// <summary>Fills $1..$9 with the groups' text, keeping printable characters only; null when the result is empty.</summary>
    internal static string? Expand(string? template, Match m)
    {
        if (template is null)
        {
            return null;
        }
        var text = template.Contains('$', StringComparison.Ordinal)
            ? s_template.Replace(template, t => Printable(m.Groups[t.Groups[1].Value[0] - '0'].Value))
            : template;
        // An empty group leaves a dangling separator ("; protocol 2.0"): trim it.
        text = text.Trim(' ', ';', ',');
        return text.Length == 0 ? null : text;
    }

    private static string? ExpandCpe(string template, Match m)
    {
        var text = Expand(template, m);
        if (text is null)
        {
            return null;
        }
        // A CPE whose version group was empty ends with ':'; drop the empty component.
        text = text.TrimEnd(':').Replace(' ', '_').ToLowerInvariant();
        return text;
    }

    private static string Printable(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c >= ' ' && c < '\x7f')
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    /// <summary>Counts signatures per service, for documentation and tests.</summary>
    internal IReadOnlyDictionary<string, int> CountByService() =>
        _signatures.GroupBy(s => s.Service, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);


    private static string? Optional(string column) => column.Length == 0 || column == "-" ? null : column;
}

/// <summary>Signatures parsed from text, and the lines that could not be.</summary>
public sealed record SignatureParseResult
{
    /// <summary>The signatures that parsed.</summary>
    public required SignatureDatabase Database { get; init; }
    /// <summary>One message per bad line, naming it.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
}
