using System.Text.RegularExpressions;

namespace PortAtlas.Assessment;

/// <summary>The comparison of a rule condition.</summary>
internal enum RuleOperator : byte
{
    /// <summary><c>field</c>: present, non-empty and not false.</summary>
    Present,
    /// <summary><c>!field</c>: absent, empty or false.</summary>
    Absent,
    Equal,
    NotEqual,
    Matches,
    NotMatches,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    /// <summary><c>field has a|b</c>: the field is a list (commas or spaces) holding any of the names.</summary>
    Has,
}

/// <summary>One parsed condition of a rule.</summary>
internal sealed record RuleCondition(string Field, RuleOperator Operator, string Value, IReadOnlyList<string> Alternatives, Regex? Pattern);
