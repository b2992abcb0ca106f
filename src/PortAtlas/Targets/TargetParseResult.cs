using System.Diagnostics.CodeAnalysis;

namespace PortAtlas.Targets;

/// <summary>The outcome of parsing target specs: a set, or an error that names the bad token.</summary>
public sealed record TargetParseResult
{
    private TargetParseResult()
    {
    }

    /// <summary>True when <see cref="Value"/> holds the parsed set; false when <see cref="Error"/> says why not.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Success => Value is not null;

    /// <summary>The parsed set, or null on failure.</summary>
    public TargetSet? Value { get; private init; }

    /// <summary>A one-line message such as <c>bad target '198.18.0.300': octet '300' out of range (0-255)</c>; null on success.</summary>
    public string? Error { get; private init; }

    /// <summary>The spec the error is about, when one is to blame; null on success or for errors about the whole set.</summary>
    public string? Token { get; private init; }

    internal static TargetParseResult Ok(TargetSet value) => new() { Value = value };

    internal static TargetParseResult Fail(string error, string? token = null) => new() { Error = error, Token = token };
}
