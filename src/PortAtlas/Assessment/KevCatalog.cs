using System.Globalization;
using System.Text.Json;

namespace PortAtlas.Assessment;

/// <summary>One entry of CISA's Known Exploited Vulnerabilities catalog.</summary>
public sealed record KevEntry
{
    /// <summary>The CVE id, such as CVE-2021-41773.</summary>
    public required string CveId { get; init; }
    /// <summary>KEV's vendor or project name, as CISA writes it.</summary>
    public required string VendorProject { get; init; }
    /// <summary>KEV's product name, as CISA writes it.</summary>
    public required string Product { get; init; }
    /// <summary>The vulnerability's name.</summary>
    public string VulnerabilityName { get; init; } = "";
    /// <summary>When CISA added it to the catalog.</summary>
    public DateOnly? DateAdded { get; init; }
    /// <summary>CISA's short description.</summary>
    public string ShortDescription { get; init; } = "";
    /// <summary>What CISA requires federal agencies to do.</summary>
    public string RequiredAction { get; init; } = "";
    /// <summary>CISA's due date for that action.</summary>
    public DateOnly? DueDate { get; init; }
    /// <summary>"Known" when the CVE has been used in ransomware campaigns, else "Unknown".</summary>
    public string KnownRansomwareCampaignUse { get; init; } = "Unknown";
    /// <summary>CISA's notes, usually vendor advisory URLs separated by " ; ".</summary>
    public string Notes { get; init; } = "";
    /// <summary>CWE ids.</summary>
    public IReadOnlyList<string> Cwes { get; init; } = [];
    /// <summary>The product as a canonical CPE "vendor:product" (<see cref="ProductNames.KeyForCatalog"/>).</summary>
    public string ProductKey { get; init; } = "";
    /// <summary>Every canonical "vendor:product" the entry names (<see cref="ProductNames.KeysForCatalog"/>); <see cref="ProductKey"/> first.</summary>
    public IReadOnlyList<string> ProductKeys { get; init; } = [];
    /// <summary>True when the entry concerns only Debian's and Ubuntu's packaging of the product.</summary>
    public bool DebianOnly { get; init; }
}

/// <summary>
/// CISA's Known Exploited Vulnerabilities catalog, indexed by product. <see cref="Default"/> is the refreshed copy in
/// <see cref="KnowledgeFiles.Directory"/> when there is one, else the copy compiled into PortAtlas (<c>data/known_exploited_vulnerabilities.json</c>, see data/PROVENANCE.md), parsed on first use.
/// KEV names products but no versions: a match says the product has exploited CVEs, not that this version has them.
/// Entries are indexed under every product they name, through the alias table (<c>data/product-aliases.tsv</c>).
/// </summary>
public sealed class KevCatalog
{
    private static readonly Lazy<KevCatalog> s_default = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Dictionary<string, List<KevEntry>> _byProduct;
    private readonly Dictionary<string, KevEntry> _byCve;

    private KevCatalog(string catalogVersion, DateTimeOffset? released, IReadOnlyList<KevEntry> entries)
    {
        CatalogVersion = catalogVersion;
        DateReleased = released;
        Entries = entries;
        _byProduct = new Dictionary<string, List<KevEntry>>(StringComparer.Ordinal);
        _byCve = new Dictionary<string, KevEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            foreach (var key in entry.ProductKeys.Count == 0 ? [entry.ProductKey] : entry.ProductKeys)
            {
                if (!_byProduct.TryGetValue(key, out var list))
                {
                    _byProduct[key] = list = [];
                }
                if (!list.Contains(entry))
                {
                    list.Add(entry);
                }
            }
            _byCve.TryAdd(entry.CveId, entry);
        }
    }

    /// <summary>The catalog compiled into PortAtlas, loaded on first use.</summary>
    public static KevCatalog Default => s_default.Value;

    /// <summary>The catalog's version, such as 2026.08.21.</summary>
    public string CatalogVersion { get; }

    /// <summary>When CISA released this version.</summary>
    public DateTimeOffset? DateReleased { get; }

    /// <summary>Every entry, in the catalog's order.</summary>
    public IReadOnlyList<KevEntry> Entries { get; }

    /// <summary>Reads the catalog's JSON feed (<c>known_exploited_vulnerabilities.json</c>). Throws <see cref="JsonException"/> on malformed JSON.</summary>
    public static KevCatalog Load(Stream json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var version = Text(root, "catalogVersion");
        DateTimeOffset? released = DateTimeOffset.TryParse(Text(root, "dateReleased"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var r) ? r : null;
        var entries = new List<KevEntry>();
        if (root.TryGetProperty("vulnerabilities", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }
                var cve = Text(item, "cveID");
                var vendor = Text(item, "vendorProject");
                var product = Text(item, "product");
                if (cve.Length == 0 || product.Length == 0)
                {
                    continue;
                }
                var cwes = item.TryGetProperty("cwes", out var c) && c.ValueKind == JsonValueKind.Array
                    ? c.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray()
                    : [];
                var keys = ProductNames.KeysForCatalog(vendor, product, cve);
                entries.Add(new KevEntry
                {
                    CveId = cve,
                    VendorProject = vendor,
                    Product = product,
                    VulnerabilityName = Text(item, "vulnerabilityName"),
                    DateAdded = Date(Text(item, "dateAdded")),
                    ShortDescription = Text(item, "shortDescription"),
                    RequiredAction = Text(item, "requiredAction"),
                    DueDate = Date(Text(item, "dueDate")),
                    KnownRansomwareCampaignUse = Text(item, "knownRansomwareCampaignUse") is { Length: > 0 } use ? use : "Unknown",
                    Notes = Text(item, "notes"),
                    Cwes = cwes,
                    ProductKey = keys[0],
                    ProductKeys = keys,
                    DebianOnly = ProductNames.IsDebianOnly(vendor, product),
                });
            }
        }
        return new KevCatalog(version, released, entries);
    }

    /// <summary>The entries for a product, any spelling of its vendor:product (<see cref="ProductNames.Equivalents"/>); empty when none.</summary>
    public IReadOnlyList<KevEntry> Find(string vendor, string product)
    {
        var result = new List<KevEntry>();
        foreach (var key in ProductNames.Equivalents(ProductNames.Key(vendor, product)))
        {
            if (_byProduct.TryGetValue(key, out var list))
            {
                foreach (var entry in list)
                {
                    if (!result.Contains(entry))
                    {
                        result.Add(entry);
                    }
                }
            }
        }
        return result;
    }

    /// <summary>The entry for a CVE id, or null when the catalog does not list it.</summary>
    public KevEntry? FindCve(string cveId) => _byCve.GetValueOrDefault(cveId);

    private static KevCatalog LoadEmbedded()
    {
        if (KnowledgeFiles.FilePath(KnowledgeFiles.KevFileName) is string path)
        {
            try
            {
                using var file = File.OpenRead(path);
                return Load(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
            {
                // A damaged refreshed copy must not stop assessment: the compiled-in catalog still applies.
            }
        }
        using var stream = typeof(KevCatalog).Assembly.GetManifestResourceStream("PortAtlas.data.known_exploited_vulnerabilities.json")
            ?? throw new InvalidOperationException("embedded resource PortAtlas.data.known_exploited_vulnerabilities.json is missing");
        return Load(stream);
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";

    private static DateOnly? Date(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
}
