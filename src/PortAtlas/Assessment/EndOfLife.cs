using System.Globalization;

namespace PortAtlas.Assessment;

/// <summary>One row of <c>data/end-of-life.tsv</c>: a product branch and the day its vendor's support ended.</summary>
/// <param name="ProductKey">CPE vendor:product.</param>
/// <param name="From">First version of the branch, inclusive; null for any older version.</param>
/// <param name="Below">First version past the branch, exclusive.</param>
/// <param name="Ended">The day support ended.</param>
/// <param name="Label">The branch in words, such as "PHP 8.0 and older".</param>
/// <param name="Source">Where the vendor states it.</param>
public sealed record EndOfLifeBranch(string ProductKey, string? From, string Below, DateOnly Ended, string Label, string Source)
{
    /// <summary>True when <paramref name="version"/> is in this branch.</summary>
    public bool Contains(string version) =>
        ProductVersion.IsComparable(version)
        && (From is null || ProductVersion.Compare(version, From) >= 0)
        && ProductVersion.Compare(version, Below) < 0;
}

/// <summary>The end-of-life table compiled into PortAtlas (<c>data/end-of-life.tsv</c>).</summary>
public static class EndOfLife
{
    private static readonly Lazy<IReadOnlyList<EndOfLifeBranch>> s_branches = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<IReadOnlyDictionary<string, (string Key, string Name)>> s_products = new(LoadProducts, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Every branch of the table: the refreshed copy in <see cref="KnowledgeFiles.Directory"/> if any, else the embedded one.</summary>
    public static IReadOnlyList<EndOfLifeBranch> Branches => s_branches.Value;

    /// <summary>endoflife.date product slug → CPE vendor:product and display name (<c>data/end-of-life-products.tsv</c>).</summary>
    public static IReadOnlyDictionary<string, (string Key, string Name)> Products => s_products.Value;

    /// <summary>The table compiled into PortAtlas, ignoring any refreshed copy.</summary>
    public static IReadOnlyList<EndOfLifeBranch> Embedded()
    {
        using var stream = typeof(EndOfLife).Assembly.GetManifestResourceStream("PortAtlas.data.end-of-life.tsv")
            ?? throw new InvalidOperationException("embedded resource PortAtlas.data.end-of-life.tsv is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }

    /// <summary>Reads a table in <c>data/end-of-life.tsv</c>'s format; throws <see cref="FormatException"/> naming a bad line.</summary>
    public static IReadOnlyList<EndOfLifeBranch> Read(TextReader reader) => Parse(reader);

    /// <summary>
    /// The narrowest branch of <paramref name="product"/> that holds its version and whose support had ended by
    /// <paramref name="today"/>; null when none (or when the version is unknown).
    /// </summary>
    public static EndOfLifeBranch? Find(ProductId product, DateOnly today)
    {
        if (!ProductVersion.IsComparable(product.Version))
        {
            return null;
        }
        var keys = ProductNames.Equivalents(product.Key);
        return Branches
            .Where(b => keys.Contains(b.ProductKey) && b.Ended <= today && b.Contains(product.Version!))
            .OrderBy(b => b.Below, ProductVersion.Comparer)
            .FirstOrDefault();
    }

    internal static IReadOnlyList<EndOfLifeBranch> Parse(TextReader reader)
    {
        var branches = new List<EndOfLifeBranch>();
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#') || line.StartsWith("product\t", StringComparison.Ordinal))
            {
                continue;
            }
            var c = line.Split('\t');
            if (c.Length < 6 || !DateOnly.TryParseExact(c[3], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var ended)
                || !c[0].Contains(':', StringComparison.Ordinal) || !ProductVersion.IsComparable(c[2].Trim()))
            {
                throw new FormatException($"end-of-life.tsv: bad line '{line}'");
            }
            branches.Add(new EndOfLifeBranch(c[0].Trim().ToLowerInvariant(), c[1].Trim() is { Length: > 0 } from ? from : null, c[2].Trim(), ended, c[4].Trim(), c[5].Trim()));
        }
        return branches;
    }

    private static IReadOnlyList<EndOfLifeBranch> LoadEmbedded()
    {
        if (KnowledgeFiles.FilePath(KnowledgeFiles.EndOfLifeFileName) is string path)
        {
            try
            {
                using var file = File.OpenText(path);
                return Parse(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                // A damaged refreshed copy must not stop assessment: the compiled-in table still applies.
            }
        }
        return Embedded();
    }

    private static IReadOnlyDictionary<string, (string Key, string Name)> LoadProducts()
    {
        using var stream = typeof(EndOfLife).Assembly.GetManifestResourceStream("PortAtlas.data.end-of-life-products.tsv")
            ?? throw new InvalidOperationException("embedded resource PortAtlas.data.end-of-life-products.tsv is missing");
        using var reader = new StreamReader(stream);
        var products = new Dictionary<string, (string Key, string Name)>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
        {
            var c = line.Split('\t');
            if (line.StartsWith('#') || line.StartsWith("slug\t", StringComparison.Ordinal) || c.Length < 3)
            {
                continue;
            }
            products[c[0]] = (c[1], c[2]);
        }
        return products;
    }
}
