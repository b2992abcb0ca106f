using System.Globalization;
using System.Text;
using PortAtlas.Registry;

namespace PortAtlas.Assessment;

/// <summary>Runs rule-file rules against one port.</summary>
internal static class RuleEngine
{
    /// <summary>Findings of <paramref name="rules"/> on the port; one per id, from the first line of the id that matches.</summary>
    public static void Evaluate(AssessmentRules rules, PortContext context, List<Finding> findings)
    {
        HashSet<string>? raised = null;
        foreach (var rule in rules.Rules)
        {
            if (raised is not null && raised.Contains(rule.Id))
            {
                continue;
            }
            if (!Matches(rule, context, out var matched))
            {
                continue;
            }
            var evidence = Render(rule.Evidence, context, matched).Trim();
            if (evidence.Length == 0)
            {
                continue;
            }
            var severity = rule.SeverityFromRegistry ? context.Entry?.Risk ?? rule.Severity : rule.Severity;
            findings.Add(new Finding
            {
                Id = rule.Id,
                Title = Render(rule.Title, context, matched).Trim(),
                Severity = severity,
                Address = context.Port.Address,
                Port = context.Port.Port,
                Protocol = context.Port.Protocol,
                Evidence = evidence,
                WhyItMatters = rule.WhyItMatters ?? NullIfEmpty(context.Entry?.Notes),
                Remediation = rule.Remediation ?? NullIfEmpty(context.Entry?.Hardening),
                References = rule.References,
            });
            (raised ??= new HashSet<string>(StringComparer.Ordinal)).Add(rule.Id);
        }
    }

    public static bool Matches(AssessmentRule rule, PortContext context, out string? matched)
    {
        matched = null;
        var namesState = false;
        foreach (var condition in rule.Conditions)
        {
            namesState |= condition.Field == "state";
            if (!Holds(condition, context, ref matched))
            {
                return false;
            }
        }
        // Rules speak about what answers: unless a rule names the state, only open ports match.
        return namesState || context.Port.State == PortState.Open;
    }

    private static bool Holds(RuleCondition condition, PortContext context, ref string? matched)
    {
        var value = context.Get(condition.Field);
        switch (condition.Operator)
        {
            case RuleOperator.Present:
                return IsTrue(value);
            case RuleOperator.Absent:
                return !IsTrue(value);
        }
        if (value is null)
        {
            // Not observed: nothing to conclude, whatever the comparison.
            return false;
        }
        switch (condition.Operator)
        {
            case RuleOperator.Equal:
                return condition.Alternatives.Any(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase));
            case RuleOperator.NotEqual:
                return !condition.Alternatives.Any(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase));
            case RuleOperator.Matches:
                return condition.Pattern!.IsMatch(value);
            case RuleOperator.NotMatches:
                return !condition.Pattern!.IsMatch(value);
            case RuleOperator.Has:
                var items = value.Split([',', ' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
                var found = items.Where(i => condition.Alternatives.Any(a => string.Equals(a, i, StringComparison.OrdinalIgnoreCase)))
                    .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                if (found.Count == 0)
                {
                    return false;
                }
                matched = matched is null ? string.Join(", ", found) : matched + ", " + string.Join(", ", found);
                return true;
            default:
                var order = CompareOrdered(condition.Field, value, condition.Value);
                return order switch
                {
                    null => false,
                    var o => condition.Operator switch
                    {
                        RuleOperator.Less => o < 0,
                        RuleOperator.LessOrEqual => o <= 0,
                        RuleOperator.Greater => o > 0,
                        _ => o >= 0,
                    },
                };
        }
    }

    private static int? CompareOrdered(string field, string value, string bound)
    {
        if (field == "registry.risk")
        {
            return RegistryNames.TryParseRisk(value, out var a) && RegistryNames.TryParseRisk(bound, out var b) ? ((int)a).CompareTo((int)b) : null;
        }
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x)
            && long.TryParse(bound, NumberStyles.Integer, CultureInfo.InvariantCulture, out var y))
        {
            return x.CompareTo(y);
        }
        if (field is "tls.notafter" or "tls.notbefore")
        {
            return string.CompareOrdinal(value, bound);
        }
        return ProductVersion.IsComparable(value) && ProductVersion.IsComparable(bound) ? ProductVersion.Compare(value, bound) : null;
    }

    private static bool IsTrue(string? value) =>
        !string.IsNullOrWhiteSpace(value) && !value.Equals("false", StringComparison.OrdinalIgnoreCase)
        && !value.Equals("no", StringComparison.OrdinalIgnoreCase) && value != "0";

    /// <summary>The template with each <c>{field}</c> replaced by its value; an unobserved field renders empty, and runs of spaces collapse.</summary>
    public static string Render(string template, PortContext context, string? matched)
    {
        if (!template.Contains('{', StringComparison.Ordinal))
        {
            return template;
        }
        var text = new StringBuilder(template.Length + 32);
        var index = 0;
        while (index < template.Length)
        {
            var open = template.IndexOf('{', index);
            var close = open < 0 ? -1 : template.IndexOf('}', open);
            if (close < 0)
            {
                text.Append(template, index, template.Length - index);
                break;
            }
            text.Append(template, index, open - index);
            var field = template[(open + 1)..close].ToLowerInvariant();
            text.Append((field == "matched" ? matched : context.Get(field)) ?? "");
            index = close + 1;
        }
        while (text.ToString().Contains("  ", StringComparison.Ordinal))
        {
            text.Replace("  ", " ");
        }
        return text.Replace(" )", ")").Replace(" ;", ";").ToString();
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
