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
    /// <summary>The longest line read, in characters: a longer one is refused, not held in memory.</summary>
    public const int MaxLineLength = 4096;

    /// <summary>The most specs a file may hold (a network range is one spec: use ranges for more addresses).</summary>
    public const int MaxSpecs = 1_000_000;

    /// <summary>The most characters a file may hold (64 Mi), so that reading it stays within bounded memory.</summary>
    public const long MaxCharacters = 64L << 20;

    /// <summary>Reads the specs of a file. I/O failures are results naming the file, never exceptions.</summary>
    /// <param name="path">The file to read (UTF-8).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<TargetSpecFileResult> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            if (Directory.Exists(path))
            {
                return TargetSpecFileResult.Fail($"'{Sanitizing.OutsideText.Excerpt(path, 200)}' is a directory, not a targets file");
            }
            using var reader = new StreamReader(path);
            var specs = new List<TargetSpec>();
            var lineNumber = 0;
            long total = 0;
            var line = new System.Text.StringBuilder();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var state = ReadBoundedLine(reader, line);
                if (state == LineState.End)
                {
                    break;
                }
                lineNumber++;
                if (state == LineState.TooLong)
                {
                    return TargetSpecFileResult.Fail(string.Create(CultureInfo.InvariantCulture,
                        $"{Sanitizing.OutsideText.Excerpt(path, 200)}:{lineNumber}: line longer than {MaxLineLength} characters (starts '{Sanitizing.OutsideText.Excerpt(line.ToString())}')"));
                }
                total += line.Length + 1;
                if (total > MaxCharacters)
                {
                    return TargetSpecFileResult.Fail($"'{Sanitizing.OutsideText.Excerpt(path, 200)}' is larger than {MaxCharacters >> 20} MiB: give ranges or CIDR blocks instead of single addresses");
                }
                AddLine(specs, line.ToString(), path, lineNumber);
                if (specs.Count > MaxSpecs)
                {
                    return TargetSpecFileResult.Fail(string.Create(CultureInfo.InvariantCulture,
                        $"'{Sanitizing.OutsideText.Excerpt(path, 200)}' holds more than {MaxSpecs:N0} targets: give ranges or CIDR blocks instead"));
                }
                if (state == LineState.LastLine)
                {
                    break;
                }
            }
            await Task.CompletedTask.ConfigureAwait(false);
            return TargetSpecFileResult.Ok(specs);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return TargetSpecFileResult.Fail($"cannot read '{Sanitizing.OutsideText.Excerpt(path, 200)}': {ex.Message}");
        }
    }

    private enum LineState
    {
        Line,
        LastLine,
        TooLong,
        End,
    }

    // ReadLine without a bound would hold a 100 MB line in memory; this stops at MaxLineLength.
    private static LineState ReadBoundedLine(TextReader reader, System.Text.StringBuilder line)
    {
        line.Clear();
        var any = false;
        while (true)
        {
            var c = reader.Read();
            if (c < 0)
            {
                return any ? LineState.LastLine : LineState.End;
            }
            any = true;
            if (c == '\n')
            {
                return LineState.Line;
            }
            if (c == '\r')
            {
                if (reader.Peek() == '\n')
                {
                    reader.Read();
                }
                return LineState.Line;
            }
            if (line.Length >= MaxLineLength)
            {
                return LineState.TooLong;
            }
            line.Append((char)c);
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
