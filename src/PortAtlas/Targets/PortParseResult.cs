using System.Diagnostics.CodeAnalysis;

namespace PortAtlas.Targets;

/// <summary>The outcome of parsing a port spec: a port list, or an error that names the bad token.</summary>
public sealed record PortParseResult
{
    private PortParseResult()
    {
    }

    /// <summary>True when <see cref="Value"/> holds the ports; false when <see cref="Error"/> says why not.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Success => Value is not null;

    /// <summary>The parsed ports, or null on failure.</summary>
    public PortList? Value { get; private init; }

    /// <summary>A one-line message such as <c>bad port '70000': out of range (0-65535)</c>; null on success.</summary>
    public string? Error { get; private init; }

    /// <summary>The item the error is about (or the whole spec for an empty item); null on success or when no token is to blame.</summary>
    public string? Token { get; private init; }

    internal static PortParseResult Ok(PortList value) => new() { Value = value };

    internal static PortParseResult Fail(string error, string? token) => new() { Error = error, Token = token };
}
