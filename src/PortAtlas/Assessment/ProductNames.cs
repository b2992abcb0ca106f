using System.Text;
using PortAtlas.Scanning;

namespace PortAtlas.Assessment;

/// <summary>
/// Names products the way CPE and the vulnerability catalogs do, from what detection reported: the CPE names of a
/// service (<c>cpe:/a:vendor:product:version</c> or <c>cpe:2.3:a:vendor:product:version:...</c>) and, failing those,
/// its product name through an alias table (<c>data/product-aliases.tsv</c>: <c>OpenSSH</c> is openbsd:openssh,
/// <c>Apache httpd</c> is apache:http_server). Applications are named, and operating-system or hardware CPEs only
/// when the table flags them <c>platform</c> (network OSes and appliance firmware such as Cisco IOS, RouterOS,
/// FortiOS): a catalog's "Windows" entries say nothing about the service that answered.
/// </summary>
public static class ProductNames
{
    private static readonly Lazy<AliasTable> s_table = new(LoadAliases, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Alias → canonical "vendor:product", keys normalised with <see cref="Normalize"/> (names) or lowercase "vendor:product" (CPE pairs).</summary>
    public static IReadOnlyDictionary<string, string> Aliases => s_table.Value.First;

    /// <summary>Alias → every canonical key it stands for (a KEV entry naming two products has two).</summary>
    public static IReadOnlyDictionary<string, string[]> AllKeys => s_table.Value.All;

    /// <summary>True when an operating-system or hardware CPE "vendor:product" names software matched against the catalogs.</summary>
    public static bool IsPlatform(string key) =>
        s_table.Value.Platform.Contains(key.ToLowerInvariant()) || s_table.Value.Platform.Contains(Canonical(key));

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
        var table = s_table.Value;
        var found = new List<ProductId>();
        var application = false;
        foreach (var cpe in service.Cpe)
        {
            if (!TryParseCpe(cpe, out var part, out var vendor, out var product, out var version))
            {
                continue;
            }
            var raw = vendor + ":" + product;
            if (part != 'a' && !IsPlatform(raw))
            {
                continue;
            }
            application |= part == 'a';
            var key = Canonical(raw);
            var (v, p) = Split(key);
            var noVersion = table.NoVersion.Contains(raw) || table.NoVersion.Contains(key);
            AddDistinct(found, new ProductId(v, p, noVersion ? null : version ?? NullIfEmpty(service.Version)));
        }
        var name = Normalize(service.Product);
        if (!application && name.Length > 0 && Aliases.TryGetValue(name, out var alias))
        {
            var (v, p) = Split(alias);
            AddDistinct(found, new ProductId(v, p, table.NoVersion.Contains(name) ? null : NullIfEmpty(service.Version)));
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
    public static string KeyForCatalog(string vendorProject, string product) => KeysForCatalog(vendorProject, product)[0];

    /// <summary>True when a KEV entry concerns only Debian's (and Ubuntu's) packaging of its product (CVE-2022-0543's Redis).</summary>
    public static bool IsDebianOnly(string vendorProject, string product) =>
        s_table.Value.DebianOnly.Contains(Normalize(vendorProject + " " + product));

    /// <summary>
    /// Every canonical key a CISA KEV entry names: by its CVE id when the table lists it (entries filed under
    /// "Multiple Products"), else the keys of "vendor product", of the derived key, of the product alone when the
    /// vendor agrees, else the derived key alone.
    /// </summary>
    public static IReadOnlyList<string> KeysForCatalog(string vendorProject, string product, string? cveId = null)
    {
        var all = AllKeys;
        if (cveId is not null && all.TryGetValue(cveId.ToUpperInvariant(), out var byCve))
        {
            return byCve;
        }
        if (all.TryGetValue(Normalize(vendorProject + " " + product), out var byBoth))
        {
            return byBoth;
        }
        var derived = Key(vendorProject, product);
        if (all.TryGetValue(derived, out var byKey))
        {
            return byKey;
        }
        return all.TryGetValue(Normalize(product), out var byProduct) && Split(byProduct[0]).Vendor == Normalize(vendorProject).Replace(' ', '_')
            ? byProduct
            : [derived];
    }

    internal static IReadOnlyDictionary<string, string> ParseAliases(TextReader reader) => ParseTable(reader).First;

    private static AliasTable ParseTable(TextReader reader)
    {
        var table = new AliasTable();
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
            var key = name.StartsWith("CVE-", StringComparison.OrdinalIgnoreCase) ? name.ToUpperInvariant()
                : name.Contains(':', StringComparison.Ordinal) ? name.ToLowerInvariant()
                : Normalize(name);
            var targets = columns[1].ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            table.First[key] = targets[0];
            table.All[key] = targets;
            foreach (var flag in columns.Length > 2 ? columns[2].Split(',', StringSplitOptions.TrimEntries) : [])
            {
                if (flag == "platform")
                {
                    table.Platform.Add(key);
                    table.Platform.Add(targets[0]);
                }
                else if (flag == "no-version")
                {
                    table.NoVersion.Add(key);
                }
                else if (flag == "debian-only")
                {
                    table.DebianOnly.Add(key);
                }
            }
        }
        return table;
    }

    private static AliasTable LoadAliases()
    {
        using var stream = typeof(ProductNames).Assembly.GetManifestResourceStream("PortAtlas.data.product-aliases.tsv")
            ?? throw new InvalidOperationException("embedded resource PortAtlas.data.product-aliases.tsv is missing");
        using var reader = new StreamReader(stream);
        return ParseTable(reader);
    }

    private sealed class AliasTable
    {
        public Dictionary<string, string> First { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, string[]> All { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Platform { get; } = new(StringComparer.Ordinal);
        public HashSet<string> NoVersion { get; } = new(StringComparer.Ordinal);
        public HashSet<string> DebianOnly { get; } = new(StringComparer.Ordinal);
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
