using System.Text;
using PortAtlas.Scanning;

namespace PortAtlas.Assessment;

/// <summary>
/// Names products the way CPE and the vulnerability catalogs do, from what detection reported: the CPE names of a
/// service (<c>cpe:/a:vendor:product:version</c> or <c>cpe:2.3:a:vendor:product:version:...</c>) and, failing those,
/// its product name through an alias table (<c>data/product-aliases.tsv</c>: <c>OpenSSH</c> is openbsd:openssh,
/// <c>Apache httpd</c> is apache:http_server). Only applications are named: operating-system and hardware CPEs are
/// left out, since a catalog's "Windows" entries say nothing about the service that answered.
/// </summary>
public static class ProductNames
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> s_aliases = new(LoadAliases, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Alias → canonical "vendor:product", keys normalised with <see cref="Normalize"/> (names) or lowercase "vendor:product" (CPE pairs).</summary>
    public static IReadOnlyDictionary<string, string> Aliases => s_aliases.Value;

    /// <summary>
    /// Lowercase words: parenthesised text dropped, every run of characters other than letters and digits a single
    /// space. "Internet Information Services (IIS)" becomes "internet information services", "http_server" "http server".
    /// </summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var result = new StringBuilder(text.Length);
        var depth = 0;
        var space = false;
        foreach (var c in text)
        {
            if (c == '(')
            {
                depth++;
                space = true;
                continue;
            }
            if (c == ')')
            {
                depth = Math.Max(0, depth - 1);
                space = true;
                continue;
            }
            if (depth > 0)
            {
                continue;
            }
            if (char.IsLetterOrDigit(c))
            {
                if (space && result.Length > 0)
                {
                    result.Append(' ');
                }
                space = false;
                result.Append(char.ToLowerInvariant(c));
            }
            else
            {
                space = true;
            }
        }
        return result.ToString();
    }

    /// <summary>"vendor:product" in CPE form (lowercase, '_' between words) from any spelling of the two.</summary>
    public static string Key(string vendor, string product) =>
        Normalize(vendor).Replace(' ', '_') + ":" + Normalize(product).Replace(' ', '_');

    /// <summary>
    /// Reads a CPE 2.2 URI (<c>cpe:/a:openbsd:openssh:9.2p1</c>) or CPE 2.3 formatted string
    /// (<c>cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*</c>): part (a, o, h), vendor, product and version
    /// (null for absent, <c>*</c> or <c>-</c>; a 2.3 update such as <c>p1</c> is appended to the version).
    /// </summary>
    public static bool TryParseCpe(string? cpe, out char part, out string vendor, out string product, out string? version)
    {
        part = default;
        vendor = product = "";
        version = null;
        if (string.IsNullOrWhiteSpace(cpe))
        {
            return false;
        }
        string[] fields;
        if (cpe.StartsWith("cpe:2.3:", StringComparison.OrdinalIgnoreCase))
        {
            fields = SplitCpe23(cpe.AsSpan(8));
        }
        else if (cpe.StartsWith("cpe:/", StringComparison.OrdinalIgnoreCase))
        {
            fields = cpe[5..].Split(':');
        }
        else
        {
            return false;
        }
        if (fields.Length < 3 || fields[0].Length != 1 || fields[1].Length == 0 || fields[2].Length == 0 || fields[1] == "*" || fields[2] == "*")
        {
            return false;
        }
        part = char.ToLowerInvariant(fields[0][0]);
        vendor = Unescape(fields[1]).ToLowerInvariant();
        product = Unescape(fields[2]).ToLowerInvariant();
        version = fields.Length > 3 && fields[3] is not ("" or "*" or "-") ? Unescape(fields[3]) : null;
        if (version is not null && fields.Length > 4 && fields[4] is not ("" or "*" or "-") && cpe.StartsWith("cpe:2.3:", StringComparison.OrdinalIgnoreCase))
        {
            version += Unescape(fields[4]);
        }
        return part is 'a' or 'o' or 'h';
    }

    /// <summary>
    /// The applications detection identified on a service: each application CPE, canonicalised through the alias
    /// table, then the product name's alias when no CPE named one. The version is the CPE's, else the service's.
    /// </summary>
    public static IReadOnlyList<ProductId> Identify(ServiceInfo? service)
    {
        if (service is null)
        {
            return [];
        }
        var found = new List<ProductId>();
        foreach (var cpe in service.Cpe)
        {
            if (TryParseCpe(cpe, out var part, out var vendor, out var product, out var version) && part == 'a')
            {
                var key = Canonical(vendor + ":" + product);
                var (v, p) = Split(key);
                AddDistinct(found, new ProductId(v, p, version ?? NullIfEmpty(service.Version)));
            }
        }
        if (found.Count == 0 && !string.IsNullOrWhiteSpace(service.Product)
            && Aliases.TryGetValue(Normalize(service.Product), out var alias))
        {
            var (v, p) = Split(alias);
            AddDistinct(found, new ProductId(v, p, NullIfEmpty(service.Version)));
        }
        return found;
    }

    /// <summary>The canonical "vendor:product" for a key, through the alias table; the key itself when it has no alias.</summary>
    public static string Canonical(string key) =>
        Aliases.TryGetValue(key.ToLowerInvariant(), out var canonical) ? canonical : key.ToLowerInvariant();

    /// <summary>Every "vendor:product" spelling that names the same product as <paramref name="key"/>: itself and its CPE aliases (nginx:nginx for f5:nginx).</summary>
    public static IReadOnlyList<string> Equivalents(string key)
    {
        var canonical = Canonical(key);
        var keys = new List<string> { canonical };
        foreach (var (alias, target) in Aliases)
        {
            if (alias.Contains(':', StringComparison.Ordinal) && string.Equals(target, canonical, StringComparison.Ordinal) && !keys.Contains(alias))
            {
                keys.Add(alias);
            }
        }
        return keys;
    }

    /// <summary>A CISA KEV entry's product as a canonical key: the alias of "vendor product", of the product alone, else the derived key.</summary>
    public static string KeyForCatalog(string vendorProject, string product)
    {
        if (Aliases.TryGetValue(Normalize(vendorProject + " " + product), out var byBoth))
        {
            return byBoth;
        }
        var derived = Key(vendorProject, product);
        if (Aliases.TryGetValue(derived, out var byKey))
        {
            return byKey;
        }
        return Aliases.TryGetValue(Normalize(product), out var byProduct) && Split(byProduct).Vendor == Normalize(vendorProject).Replace(' ', '_')
            ? byProduct
            : derived;
    }

    internal static IReadOnlyDictionary<string, string> ParseAliases(TextReader reader)
    {
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#'))
            {
                continue;
            }
            var columns = line.Split('\t');
            if (columns.Length < 2 || !columns[1].Contains(':', StringComparison.Ordinal))
            {
                continue;
            }
            var name = columns[0].Trim();
            var key = name.Contains(':', StringComparison.Ordinal) ? name.ToLowerInvariant() : Normalize(name);
            aliases[key] = columns[1].Trim().ToLowerInvariant();
        }
        return aliases;
    }

    private static IReadOnlyDictionary<string, string> LoadAliases()
    {
        using var stream = typeof(ProductNames).Assembly.GetManifestResourceStream("PortAtlas.data.product-aliases.tsv")
            ?? throw new InvalidOperationException("embedded resource PortAtlas.data.product-aliases.tsv is missing");
        using var reader = new StreamReader(stream);
        return ParseAliases(reader);
    }

    private static (string Vendor, string Product) Split(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? ("", key) : (key[..colon], key[(colon + 1)..]);
    }

    private static void AddDistinct(List<ProductId> list, ProductId id)
    {
        if (!list.Any(p => p.Key == id.Key))
        {
            list.Add(id);
        }
    }

    /// <summary>CPE 2.3 fields split on ':' that is not escaped by a backslash.</summary>
    private static string[] SplitCpe23(ReadOnlySpan<char> text)
    {
        var fields = new List<string>(11);
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                continue;
            }
            if (text[i] == ':')
            {
                fields.Add(text[start..i].ToString());
                start = i + 1;
            }
        }
        fields.Add(text[start..].ToString());
        return [.. fields];
    }

    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal) && !field.Contains('%', StringComparison.Ordinal))
        {
            return field;
        }
        var text = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 1 < field.Length)
            {
                text.Append(field[++i]);
            }
            else if (field[i] == '%' && i + 2 < field.Length && Uri.IsHexDigit(field[i + 1]) && Uri.IsHexDigit(field[i + 2]))
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                text.Append(field[i]);
            }
        }
        return text.ToString();
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
