using System.Globalization;
using System.Text.RegularExpressions;
using PortAtlas.Registry;

namespace PortAtlas.Assessment;

/// <summary>
/// A set of assessment rules: the built-in ones (<see cref="BuiltIn"/>, from <c>data/assessment-rules.tsv</c>) and a
/// user's own, read from the same format and merged over them with <see cref="Merge"/>. Immutable.
/// </summary>
/// <remarks>
/// <para>
/// The format: UTF-8 text, one rule a line, eight tab-separated columns; lines starting with <c>#</c> and blank
/// lines are skipped, and so is a header line starting with <c>id</c>. Columns:
/// <c>id</c> (letters, digits and '-', such as <c>PA-NOAUTH-REDIS</c>; lines sharing an id are alternatives);
/// <c>severity</c> (<c>info</c>, <c>low</c>, <c>medium</c>, <c>high</c>, <c>critical</c>, <c>registry</c> for the
/// registry's risk of the port, or <c>off</c> to disable the id); <c>title</c>; <c>when</c>; <c>evidence</c>;
/// <c>why</c> and <c>remediation</c> (empty or <c>-</c> for the registry's notes and hardening tip);
/// <c>references</c> (URLs or CVE ids separated by spaces, may be empty). Trailing empty columns may be left out
/// after <c>evidence</c>, and a line disabling an id needs only <c>id</c> and <c>off</c>.
/// </para>
/// <para>
/// <c>when</c> is a list of conditions separated by <c>;</c>, all of which must hold. A condition is
/// <c>field</c> (present and not false), <c>!field</c> (absent or false), or <c>field op value</c> with op one of
/// <c>=</c> and <c>!=</c> (any of the <c>|</c>-separated values, ignoring case), <c>~</c> and <c>!~</c> (a .NET
/// regular expression, case-insensitive, run without backtracking), <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>,
/// <c>&gt;=</c> (numbers as numbers, <c>registry.risk</c> by level, anything else as a <see cref="ProductVersion"/>),
/// and <c>has</c> (the field is a list separated by commas or spaces holding any of the <c>|</c>-separated names;
/// the names found fill <c>{matched}</c>). A field that was not observed fails every condition except
/// <c>!field</c>: a rule concludes only from what was seen. Unless a condition names <c>state</c>, only open ports
/// match.
/// </para>
/// <para>
/// Fields: <c>port</c>, <c>protocol</c>, <c>state</c>, <c>reason</c>, <c>address</c>, <c>hostname</c>;
/// <c>service</c> (detection's name, else the registry's), <c>detected</c> (true when detection identified the
/// service from what it sent), <c>service.method</c>, <c>product</c>, <c>version</c>, <c>extra</c>, <c>cpe</c>,
/// <c>banner</c> (detection's evidence); <c>fact.KEY</c> (<see cref="ServiceFacts"/>); <c>tls</c> (the service
/// speaks TLS), <c>tls.protocol</c>, <c>tls.cipher</c>, <c>tls.subject</c>, <c>tls.issuer</c>, <c>tls.keytype</c>,
/// <c>tls.keybits</c>, <c>tls.signature</c>, <c>tls.selfsigned</c>, <c>tls.expired</c> (the flag, or NotAfter
/// before now), <c>tls.notafter</c>, <c>tls.notbefore</c>; <c>registry.name</c>, <c>registry.title</c>,
/// <c>registry.source</c>, <c>registry.risk</c>, <c>registry.text</c> (title, description and notes),
/// <c>registry.agrees</c> (true unless detection named a different service than the registry). The evidence and
/// the title may hold any field as <c>{field}</c>, and <c>{matched}</c>.
/// </para>
/// </remarks>
public sealed class AssessmentRules
{
    private static readonly Lazy<AssessmentRules> s_builtIn = new(LoadBuiltIn, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly HashSet<string> s_fields = new(StringComparer.OrdinalIgnoreCase)
    {
        "port", "protocol", "state", "reason", "address", "hostname",
        "service", "detected", "service.method", "product", "version", "extra", "cpe", "banner",
        "tls", "tls.protocol", "tls.cipher", "tls.subject", "tls.issuer", "tls.keytype", "tls.keybits", "tls.signature",
        "tls.selfsigned", "tls.expired", "tls.notafter", "tls.notbefore",
        "registry.name", "registry.title", "registry.source", "registry.risk", "registry.text", "registry.agrees",
        "matched",
    };

    private AssessmentRules(IReadOnlyList<AssessmentRule> rules, IReadOnlySet<string> disabled)
    {
        Rules = rules;
        DisabledIds = disabled;
    }

    /// <summary>No rules.</summary>
    public static AssessmentRules Empty { get; } = new([], new HashSet<string>());

    /// <summary>The rules compiled into PortAtlas (<c>data/assessment-rules.tsv</c>), loaded on first use.</summary>
    public static AssessmentRules BuiltIn => s_builtIn.Value;

    /// <summary>The active rules, in file order.</summary>
    public IReadOnlyList<AssessmentRule> Rules { get; }

    /// <summary>Ids disabled by a line with severity <c>off</c>.</summary>
    public IReadOnlySet<string> DisabledIds { get; }

    /// <summary>
    /// Reads a rule file. Throws <see cref="FormatException"/> naming the source, line and token of the first bad line;
    /// use <see cref="Parse"/> to collect every error instead.
    /// </summary>
    /// <param name="reader">The text of the file.</param>
    /// <param name="sourceName">A name for messages, such as the file's path.</param>
    public static AssessmentRules Load(TextReader reader, string sourceName = "rules")
    {
        var result = Parse(reader, sourceName);
        if (result.Errors.Count > 0)
        {
            throw new FormatException(result.Errors[0]);
        }
        return result.Rules;
    }

    /// <summary>
    /// The most characters a rule file from outside may hold. The built-in file is a few dozen KiB; a file read whole
    /// without a bound (a 2 GB one without a newline, /dev/zero) would take a scan's memory and time before it starts.
    /// </summary>
    internal const int MaxFileCharacters = 4 << 20;

    /// <summary>The text of the rule file at <paramref name="path"/>; null when it holds more than <see cref="MaxFileCharacters"/>.</summary>
    internal static string? ReadFileText(string path)
    {
        // In blocks, so that a small file (every real one) costs its size, not the bound's 8 MB, at each scan's start.
        using var reader = new StreamReader(path);
        var text = new System.Text.StringBuilder();
        var buffer = new char[64 * 1024];
        int read;
        while ((read = reader.ReadBlock(buffer, 0, buffer.Length)) > 0)
        {
            if (text.Length + read > MaxFileCharacters)
            {
                return null;
            }
            text.Append(buffer, 0, read);
        }
        return text.ToString();
    }

    /// <summary>The message for a rule file larger than <see cref="MaxFileCharacters"/>.</summary>
    internal static string TooLarge(string path) => $"rules file '{Sanitizing.OutsideText.Excerpt(path, 200)}' is larger than {MaxFileCharacters >> 20} MiB";

    /// <summary>Reads a rule file, keeping the good lines and describing each bad one ("source:line: message").</summary>
    public static RuleParseResult Parse(TextReader reader, string sourceName = "rules") => ParseWith(reader, sourceName, UntrustedPatterns);

    // A rule file from outside is matched without backtracking (linear in the input: a hostile pattern cannot stall a
    // scan). Building such a matcher is slow (about 40 ms for the built-in file, a third of a scan's start-up), so the
    // built-in rules, whose patterns are ours and have no nested repetition, use the backtracking interpreter.
    private const RegexOptions UntrustedPatterns = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;
    private const RegexOptions BuiltInPatterns = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    private static RuleParseResult ParseWith(TextReader reader, string sourceName, RegexOptions patterns)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var rules = new List<AssessmentRule>();
        var disabled = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#') || line.StartsWith("id\t", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var where = string.Create(CultureInfo.InvariantCulture, $"{sourceName}:{number}");
            if (TryParseLine(line, where, patterns, out var rule, out var error))
            {
                if (rule.Disabled)
                {
                    disabled.Add(rule.Id);
                }
                else
                {
                    rules.Add(rule);
                }
            }
            else
            {
                errors.Add($"{where}: {error}");
            }
        }
        return new RuleParseResult(new AssessmentRules(rules, disabled), errors);
    }

    /// <summary>
    /// These rules with <paramref name="overrides"/> over them: an id the overrides define or disable replaces every
    /// line of that id here; other ids of both sets are kept, these first.
    /// </summary>
    public AssessmentRules Merge(AssessmentRules overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var replaced = new HashSet<string>(overrides.DisabledIds, StringComparer.OrdinalIgnoreCase);
        foreach (var rule in overrides.Rules)
        {
            replaced.Add(rule.Id);
        }
        var rules = Rules.Where(r => !replaced.Contains(r.Id)).Concat(overrides.Rules).ToList();
        var disabled = new HashSet<string>(DisabledIds, StringComparer.OrdinalIgnoreCase);
        disabled.UnionWith(overrides.DisabledIds);
        // An id both disabled and redefined by the overrides stays defined: the definition is the later intent.
        disabled.ExceptWith(overrides.Rules.Select(r => r.Id));
        return new AssessmentRules(rules.Where(r => !disabled.Contains(r.Id)).ToList(), disabled);
    }

    private static AssessmentRules LoadBuiltIn()
    {
        using var stream = typeof(AssessmentRules).Assembly.GetManifestResourceStream("PortAtlas.data.assessment-rules.tsv")
            ?? throw new InvalidOperationException("embedded resource PortAtlas.data.assessment-rules.tsv is missing");
        using var reader = new StreamReader(stream);
        var result = ParseWith(reader, "assessment-rules.tsv", BuiltInPatterns);
        return result.Errors.Count == 0 ? result.Rules : throw new FormatException(result.Errors[0]);
    }

    private static bool TryParseLine(string line, string where, RegexOptions patterns, out AssessmentRule rule, out string error)
    {
        rule = null!;
        var columns = line.Split('\t');
        var off = columns.Length >= 2 && columns[1].Trim().Equals("off", StringComparison.OrdinalIgnoreCase);
        if (off && columns.Length < 5)
        {
            // "ID<TAB>off" is enough to disable an id.
            Array.Resize(ref columns, 5);
            for (var i = 2; i < 5; i++)
            {
                columns[i] ??= "";
            }
        }
        if (columns.Length < 5)
        {
            error = $"expected at least 5 tab-separated columns (id, severity, title, when, evidence), found {columns.Length}";
            return false;
        }
        var id = columns[0].Trim();
        if (id.Length == 0 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            error = $"bad id '{id}': use letters, digits and '-'";
            return false;
        }
        var severityText = columns[1].Trim();
        var disabled = severityText.Equals("off", StringComparison.OrdinalIgnoreCase);
        var fromRegistry = severityText.Equals("registry", StringComparison.OrdinalIgnoreCase);
        var severity = RiskLevel.Medium;
        if (!disabled && !fromRegistry && !RegistryNames.TryParseRisk(severityText, out severity))
        {
            error = $"bad severity '{severityText}': use info, low, medium, high, critical, registry or off";
            return false;
        }
        var conditions = new List<RuleCondition>();
        if (!disabled)
        {
            foreach (var clause in columns[3].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!TryParseCondition(clause, patterns, out var condition, out error))
                {
                    return false;
                }
                conditions.Add(condition);
            }
            if (conditions.Count == 0)
            {
                error = "empty 'when': a rule needs at least one condition";
                return false;
            }
            if (string.IsNullOrWhiteSpace(columns[4]))
            {
                error = "empty 'evidence': a finding must say what was seen";
                return false;
            }
            if (!TryCheckTemplate(columns[2], out error) || !TryCheckTemplate(columns[4], out error))
            {
                return false;
            }
        }
        rule = new AssessmentRule
        {
            Id = id.ToUpperInvariant(),
            Severity = severity,
            SeverityFromRegistry = fromRegistry,
            Disabled = disabled,
            Title = columns[2].Trim(),
            When = columns[3].Trim(),
            Evidence = columns[4].Trim(),
            WhyItMatters = Optional(columns, 5),
            Remediation = Optional(columns, 6),
            References = columns.Length > 7 ? columns[7].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [],
            Source = where,
            Conditions = conditions,
        };
        error = "";
        return true;
    }

    private static string? Optional(string[] columns, int index)
    {
        if (index >= columns.Length)
        {
            return null;
        }
        var text = columns[index].Trim();
        return text.Length == 0 || text == "-" ? null : text;
    }

    private static bool IsKnownField(string field) =>
        s_fields.Contains(field) || (field.StartsWith("fact.", StringComparison.OrdinalIgnoreCase) && field.Length > 5);

    private static bool TryCheckTemplate(string template, out string error)
    {
        var index = 0;
        while ((index = template.IndexOf('{', index)) >= 0)
        {
            var end = template.IndexOf('}', index);
            if (end < 0)
            {
                error = $"unclosed '{{' in '{template}'";
                return false;
            }
            var field = template[(index + 1)..end];
            if (!IsKnownField(field))
            {
                error = $"unknown field '{{{field}}}' in '{template}'";
                return false;
            }
            index = end + 1;
        }
        error = "";
        return true;
    }

    private static bool TryParseCondition(string clause, RegexOptions patterns, out RuleCondition condition, out string error)
    {
        condition = null!;
        var text = clause.AsSpan().Trim();
        var negated = text.StartsWith("!");
        if (negated)
        {
            text = text[1..].TrimStart();
        }
        var length = 0;
        while (length < text.Length && (char.IsAsciiLetterOrDigit(text[length]) || text[length] is '.' or '_' or '-'))
        {
            length++;
        }
        var field = text[..length].ToString();
        if (field.Length == 0 || !IsKnownField(field) || field.Equals("matched", StringComparison.OrdinalIgnoreCase))
        {
            error = $"unknown field '{(field.Length == 0 ? clause : field)}' in condition '{clause}'";
            return false;
        }
        var rest = text[length..].TrimStart();
        if (rest.IsEmpty)
        {
            condition = new RuleCondition(field.ToLowerInvariant(), negated ? RuleOperator.Absent : RuleOperator.Present, "", [], null);
            error = "";
            return true;
        }
        if (negated)
        {
            error = $"'!' goes before a bare field, not a comparison: '{clause}'";
            return false;
        }
        (string Token, RuleOperator Op)[] operators =
        [
            ("!~", RuleOperator.NotMatches), ("!=", RuleOperator.NotEqual), ("<=", RuleOperator.LessOrEqual),
            (">=", RuleOperator.GreaterOrEqual), ("~", RuleOperator.Matches), ("=", RuleOperator.Equal),
            ("<", RuleOperator.Less), (">", RuleOperator.Greater), ("has ", RuleOperator.Has),
        ];
        foreach (var (token, op) in operators)
        {
            if (!rest.StartsWith(token, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var value = rest[token.Length..].Trim().ToString();
            if (value.Length == 0)
            {
                error = $"missing value after '{token.Trim()}' in '{clause}'";
                return false;
            }
            Regex? pattern = null;
            if (op is RuleOperator.Matches or RuleOperator.NotMatches)
            {
                try
                {
                    pattern = new Regex(value, patterns);
                }
                catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
                {
                    error = $"bad regular expression '{value}': {ex.Message}";
                    return false;
                }
            }
            var alternatives = value.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            condition = new RuleCondition(field.ToLowerInvariant(), op, value, alternatives, pattern);
            error = "";
            return true;
        }
        error = $"unknown operator in '{clause}': use =, !=, ~, !~, <, <=, >, >= or has";
        return false;
    }
}

/// <summary>The outcome of <see cref="AssessmentRules.Parse"/>: the rules read from good lines, and one message per bad line.</summary>
/// <param name="Rules">The rules of the good lines.</param>
/// <param name="Errors">"source:line: message" for each bad line; empty when the file is good.</param>
public sealed record RuleParseResult(AssessmentRules Rules, IReadOnlyList<string> Errors);
