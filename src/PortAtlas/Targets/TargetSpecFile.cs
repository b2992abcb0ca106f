using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace PortAtlas.Targets;

/// <summary>
/// Reads target specs from a file (<c>--targets-file</c>, <c>--exclude-file</c>): one or more specs a line,
/// separated by whitespace or commas; <c>#</c> starts a comment; blank lines are skipped. Each spec remembers its
/// <c>file:line</c> so that a parse error names both the line and the token.
/// </summary>
/// <remarks>
/// A comma inside an nmap octet range (<c>198.18.0,2.1</c>) stays part of the spec: a token is split on commas only
/// when it is not a single four-octet spec.
/// </remarks>
public static class TargetSpecFile
{
    /// <summary>Reads the specs of a file. I/O failures are results naming the file, never exceptions.</summary>
    /// <param name="path">The file to read (UTF-8).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<TargetSpecFileResult> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var reader = new StreamReader(path);
            var specs = new List<TargetSpec>();
            var lineNumber = 0;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                AddLine(specs, line, path, ++lineNumber);
            }
            return TargetSpecFileResult.Ok(specs);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return TargetSpecFileResult.Fail($"cannot read '{path}': {ex.Message}");
        }
    }

    /// <summary>Reads the specs of already opened text; <paramref name="name"/> labels the origin of each spec.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="name">The name errors give the text, usually its path.</param>
    public static IReadOnlyList<TargetSpec> Read(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(name);
        var specs = new List<TargetSpec>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            AddLine(specs, line, name, ++lineNumber);
        }
        return specs;
    }

    private static void AddLine(List<TargetSpec> specs, string line, string name, int lineNumber)
    {
        var hash = line.IndexOf('#', StringComparison.Ordinal);
        var content = hash >= 0 ? line[..hash] : line;
        string? origin = null;
        foreach (var token in content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            origin ??= string.Create(CultureInfo.InvariantCulture, $"{name}:{lineNumber}");
            if (TargetSpecParser.IsOctetRange(token))
            {
                specs.Add(new TargetSpec(token, origin));
                continue;
            }
            foreach (var piece in token.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                specs.Add(new TargetSpec(piece, origin));
            }
        }
    }
}

/// <summary>The specs read from a file, or why the file could not be read.</summary>
public sealed record TargetSpecFileResult
{
    private TargetSpecFileResult()
    {
    }

    /// <summary>True when <see cref="Specs"/> holds what the file says; false when <see cref="Error"/> says why not.</summary>
    [MemberNotNullWhen(true, nameof(Specs))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Success => Specs is not null;

    /// <summary>The specs in file order, each with its <c>file:line</c> origin; null on failure.</summary>
    public IReadOnlyList<TargetSpec>? Specs { get; private init; }

    /// <summary>A one-line message naming the file; null on success.</summary>
    public string? Error { get; private init; }

    internal static TargetSpecFileResult Ok(IReadOnlyList<TargetSpec> specs) => new() { Specs = specs };

    internal static TargetSpecFileResult Fail(string error) => new() { Error = error };
}
