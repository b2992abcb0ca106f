using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PortAtlas.Assessment;

/// <summary>
/// Refreshed copies of the known-exploited catalog and the end-of-life table that the user downloaded
/// (<c>ports vulndb update</c>): validated, written to a directory, and preferred over the compiled-in data by
/// <see cref="KevCatalog.Default"/> and <see cref="EndOfLife.Branches"/> when <see cref="Directory"/> is set
/// before their first use.
/// </summary>
public static partial class KnowledgeFiles
{
    /// <summary>The file name of the refreshed KEV catalog.</summary>
    public const string KevFileName = "known_exploited_vulnerabilities.json";

    /// <summary>The file name of the refreshed end-of-life table.</summary>
    public const string EndOfLifeFileName = "end-of-life.tsv";

    /// <summary>Where refreshed copies live; null (the default) to use only the compiled-in data.</summary>
    public static string? Directory { get; set; }

    /// <summary>
    /// Checks a CISA KEV JSON feed's shape: an object with a catalogVersion, a non-empty vulnerabilities array, and
    /// each entry with a CVE id, vendorProject and product. Returns the catalog, or null and the problem.
    /// </summary>
    public static KevCatalog? ValidateKev(Stream json, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var buffer = new MemoryStream();
        json.CopyTo(buffer);
        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "the top level is not a JSON object";
                return null;
            }
            if (!root.TryGetProperty("catalogVersion", out var version) || version.ValueKind != JsonValueKind.String || version.GetString()!.Length == 0)
            {
                problem = "it has no catalogVersion";
                return null;
            }
            if (!root.TryGetProperty("vulnerabilities", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                problem = "it has no vulnerabilities array";
                return null;
            }
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("cveID", out var cve) || cve.ValueKind != JsonValueKind.String || !CvePattern().IsMatch(cve.GetString()!)
                    || !item.TryGetProperty("vendorProject", out var vendor) || vendor.ValueKind != JsonValueKind.String
                    || !item.TryGetProperty("product", out var product) || product.ValueKind != JsonValueKind.String)
                {
                    problem = $"vulnerability {index} lacks a cveID (CVE-YYYY-N), vendorProject or product";
                    return null;
                }
                index++;
            }
        }
        catch (JsonException ex)
        {
            problem = $"it is not JSON ({ex.Message})";
            return null;
        }
        buffer.Position = 0;
        problem = null;
        return KevCatalog.Load(buffer);
    }

    /// <summary>
    /// Reads one product's lifecycle as endoflife.date publishes it (<c>https://endoflife.date/api/SLUG.json</c>: an
    /// array of objects with <c>cycle</c> and <c>eol</c>, a date or a boolean; or the v1 shape
    /// <c>{"result":{"releases":[{"name","eolFrom"}]}}</c>). The product comes from <paramref name="slug"/> through
    /// <c>data/end-of-life-products.tsv</c>. Returns the branches, or null and the problem.
    /// </summary>
    public static IReadOnlyList<EndOfLifeBranch>? ParseEndOfLifeDate(string slug, Stream json, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(slug);
        ArgumentNullException.ThrowIfNull(json);
        if (!EndOfLife.Products.TryGetValue(slug, out var product))
        {
            problem = $"'{slug}' is not a product PortAtlas maps (see end-of-life-products.tsv: {string.Join(", ", EndOfLife.Products.Keys.Order(StringComparer.Ordinal))})";
            return null;
        }
        var cycles = new List<(string Cycle, DateOnly? Eol)>();
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            var (list, nameField, eolField) = root.ValueKind == JsonValueKind.Array
                ? (root, "cycle", "eol")
                : root.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Object
                    && result.TryGetProperty("releases", out var releases) && releases.ValueKind == JsonValueKind.Array
                    ? (releases, "name", "eolFrom")
                    : (default, "", "");
            if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                problem = "it is neither an endoflife.date API array of cycles nor a v1 result with releases";
                return null;
            }
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty(nameField, out var name) || name.ValueKind != JsonValueKind.String)
                {
                    problem = $"release {index} has no '{nameField}'";
                    return null;
                }
                DateOnly? eol = null;
                if (item.TryGetProperty(eolField, out var e) && e.ValueKind == JsonValueKind.String)
                {
                    if (!DateOnly.TryParseExact(e.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                    {
                        problem = $"release {index} has a bad '{eolField}' date '{e.GetString()}'";
                        return null;
                    }
                    eol = date;
                }
                cycles.Add((name.GetString()!, eol));
                index++;
            }
        }
        catch (JsonException ex)
        {
            problem = $"it is not JSON ({ex.Message})";
            return null;
        }
        var numbered = cycles.Where(c => CyclePattern().IsMatch(c.Cycle)).ToList();
        if (numbered.Count == 0)
        {
            problem = "no release has a numeric cycle such as 3.2";
            return null;
        }
        var source = $"https://endoflife.date/{slug}";
        var branches = new List<EndOfLifeBranch>();
        foreach (var (cycle, eol) in numbered.OrderBy(c => c.Cycle, ProductVersion.Comparer))
        {
            if (eol is DateOnly ended)
            {
                branches.Add(new EndOfLifeBranch(product.Key, cycle, Bump(cycle), ended, $"{product.Name} {cycle}", source));
            }
        }
        problem = null;
        return branches;
    }

    /// <summary>
    /// The end-of-life table with every branch of the products in <paramref name="updates"/> replaced by the new
    /// ones; other products keep their current rows.
    /// </summary>
    public static IReadOnlyList<EndOfLifeBranch> Merge(IReadOnlyList<EndOfLifeBranch> current, IReadOnlyList<EndOfLifeBranch> updates)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(updates);
        var replaced = updates.Select(b => b.ProductKey).ToHashSet(StringComparer.Ordinal);
        return [.. current.Where(b => !replaced.Contains(b.ProductKey)), .. updates];
    }

    /// <summary>Writes an end-of-life table in <c>data/end-of-life.tsv</c>'s format.</summary>
    public static void WriteEndOfLife(TextWriter output, IReadOnlyList<EndOfLifeBranch> branches, string recorded)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(branches);
        output.Write("# PortAtlas end-of-life table, refreshed by `ports vulndb update`.\nproduct\tfrom\tbelow\teol\tlabel\tsource\trecorded\n");
        foreach (var b in branches)
        {
            output.Write(string.Create(CultureInfo.InvariantCulture, $"{b.ProductKey}\t{b.From}\t{b.Below}\t{b.Ended:yyyy-MM-dd}\t{Clean(b.Label)}\t{Clean(b.Source)}\t{recorded}\n"));
        }
    }

    internal static string? FilePath(string name) =>
        Directory is string dir && File.Exists(Path.Combine(dir, name)) ? Path.Combine(dir, name) : null;

    private static string Clean(string text) => text.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');

    private static string Bump(string cycle)
    {
        var dot = cycle.LastIndexOf('.');
        var last = int.Parse(cycle.AsSpan(dot + 1), CultureInfo.InvariantCulture);
        return cycle[..(dot + 1)] + (last + 1).ToString(CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^CVE-\d{4}-\d{4,}$", RegexOptions.CultureInvariant)]
    private static partial Regex CvePattern();

    [GeneratedRegex(@"^\d{1,6}(\.\d{1,6}){0,3}$", RegexOptions.CultureInvariant)]
    private static partial Regex CyclePattern();
}
