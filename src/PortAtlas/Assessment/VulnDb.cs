using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace PortAtlas.Assessment;

/// <summary>A CVE whose NVD configuration covers a product version, and the range that covered it.</summary>
public sealed record VulnMatch
{
    /// <summary>The CVE id.</summary>
    public required string CveId { get; init; }
    /// <summary>NVD's English description.</summary>
    public string Description { get; init; } = "";
    /// <summary>CVSS base score (v3.1, else v3.0, else v4.0, else v2), or null.</summary>
    public double? BaseScore { get; init; }
    /// <summary>CVSS base severity as NVD writes it (LOW, MEDIUM, HIGH, CRITICAL), or null.</summary>
    public string? BaseSeverity { get; init; }
    /// <summary>The CPE match criteria, such as <c>cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*</c>.</summary>
    public required string Criteria { get; init; }
    /// <summary>The range in words: "8.5p1 &lt;= version &lt; 9.8p1", or "= 9.2p1" for an exact version, or "all versions".</summary>
    public required string Range { get; init; }
}

/// <summary>Counts of an NVD import.</summary>
/// <param name="Cves">CVE records stored (new or replaced).</param>
/// <param name="Matches">Vulnerable CPE match entries stored.</param>
/// <param name="Skipped">Records without an id, or match entries that were not vulnerable or not CPE 2.3.</param>
public sealed record NvdImportResult(int Cves, int Matches, int Skipped);

/// <summary>
/// A local store of NVD CVE records (CVE JSON 2.0, as NVD's API and feeds give them) in a SQLite file of its own,
/// for matching detected product versions against NVD's affected ranges. Not safe for concurrent writers; one
/// instance may serve matches to several threads once imports are done.
/// </summary>
/// <remarks>
/// Tables: <c>meta</c> (key, value; <c>schema_version</c> is <see cref="SchemaVersion"/>), <c>cve</c> (id,
/// description, scores, dates) and <c>cpe_match</c> (one vulnerable <c>cpeMatch</c> per row: vendor, product,
/// exact version or the four range bounds). Every configuration node's vulnerable matches are stored; a node's
/// AND with a platform ("only when running on ...") is not kept, so matches can over-report for such CVEs.
/// </remarks>
public sealed class VulnDb : IDisposable
{
    /// <summary>The schema version this code writes and reads.</summary>
    public const int SchemaVersion = 1;

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    private VulnDb(SqliteConnection connection) => _connection = connection;

    /// <summary>Opens (creating when absent) the store at <paramref name="path"/>; <c>:memory:</c> for a store in memory.</summary>
    /// <exception cref="InvalidDataException">The file was written by a newer schema.</exception>
    public static VulnDb Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        try
        {
            using (var kind = connection.CreateCommand())
            {
                // A scan history given for the vulnerability store must not gain its tables (issue 13).
                kind.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('scans', 'schema_version')";
                if ((long)kind.ExecuteScalar()! > 0)
                {
                    throw new InvalidDataException($"'{path}' is a scan history database, not a vulnerability store: give another --vulndb file");
                }
            }
            Execute(connection, """
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS cve (
                    id TEXT PRIMARY KEY, published TEXT, last_modified TEXT, description TEXT NOT NULL DEFAULT '',
                    base_score REAL, base_severity TEXT);
                CREATE TABLE IF NOT EXISTS cpe_match (
                    cve_id TEXT NOT NULL, vendor TEXT NOT NULL, product TEXT NOT NULL, criteria TEXT NOT NULL,
                    version TEXT, start_including TEXT, start_excluding TEXT, end_including TEXT, end_excluding TEXT);
                CREATE INDEX IF NOT EXISTS cpe_match_product ON cpe_match (vendor, product);
                CREATE INDEX IF NOT EXISTS cpe_match_cve ON cpe_match (cve_id);
                """);
            using (var read = connection.CreateCommand())
            {
                read.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
                var stored = read.ExecuteScalar() as string;
                if (stored is null)
                {
                    using var write = connection.CreateCommand();
                    write.CommandText = "INSERT INTO meta (key, value) VALUES ('schema_version', $v)";
                    write.Parameters.AddWithValue("$v", SchemaVersion.ToString(CultureInfo.InvariantCulture));
                    write.ExecuteNonQuery();
                }
                else if (!int.TryParse(stored, NumberStyles.Integer, CultureInfo.InvariantCulture, out var version) || version > SchemaVersion)
                {
                    throw new InvalidDataException($"vulnerability store {path} has schema version {stored}; this PortAtlas reads up to {SchemaVersion}");
                }
            }
            return new VulnDb(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Number of CVE records stored.</summary>
    public long CveCount
    {
        get
        {
            lock (_gate)
            {
                using var command = _connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) FROM cve";
                return (long)command.ExecuteScalar()!;
            }
        }
    }

    /// <summary>
    /// Imports an NVD CVE JSON 2.0 document (<c>{"vulnerabilities":[{"cve":{...}}]}</c>): each CVE replaces any
    /// stored record of the same id, in one transaction. Throws <see cref="JsonException"/> on malformed JSON, leaving the store unchanged.
    /// </summary>
    public async Task<NvdImportResult> ImportNvdJsonAsync(Stream json, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        // Streamed, one CVE record at a time (issue 13: a 3 GB feed overflowed a whole-document parse).
        await Task.Yield();
        lock (_gate)
        {
            return Import(json, cancellationToken);
        }
    }

    /// <summary>True when the store holds <paramref name="cveId"/> with at least one vulnerable CPE match.</summary>
    public bool Contains(string cveId)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT 1 FROM cpe_match WHERE cve_id = $id LIMIT 1";
            command.Parameters.AddWithValue("$id", cveId.ToUpperInvariant());
            return command.ExecuteScalar() is not null;
        }
    }

    /// <summary>
    /// The CVEs whose vulnerable CPE matches cover <paramref name="version"/> of vendor:product (CPE names, any case),
    /// one per CVE, highest score first. Empty when the version is unknown or has no digits: a range says nothing then.
    /// </summary>
    public IReadOnlyList<VulnMatch> Match(string vendor, string product, string? version)
    {
        ArgumentNullException.ThrowIfNull(vendor);
        ArgumentNullException.ThrowIfNull(product);
        var upstream = ProductVersion.Upstream(version);
        if (!ProductVersion.IsComparable(upstream))
        {
            return [];
        }
        var matches = new Dictionary<string, VulnMatch>(StringComparer.Ordinal);
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT m.cve_id, m.criteria, m.version, m.start_including, m.start_excluding, m.end_including, m.end_excluding,
                       c.description, c.base_score, c.base_severity
                FROM cpe_match m JOIN cve c ON c.id = m.cve_id
                WHERE m.vendor = $vendor AND m.product = $product
                ORDER BY m.cve_id
                """;
            command.Parameters.AddWithValue("$vendor", vendor.ToLowerInvariant());
            command.Parameters.AddWithValue("$product", product.ToLowerInvariant());
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var cve = reader.GetString(0);
                if (matches.ContainsKey(cve))
                {
                    continue;
                }
                var exact = reader.IsDBNull(2) ? null : reader.GetString(2);
                var range = Covers(upstream, exact, Nullable(reader, 3), Nullable(reader, 4), Nullable(reader, 5), Nullable(reader, 6));
                if (range is null)
                {
                    continue;
                }
                matches[cve] = new VulnMatch
                {
                    CveId = cve,
                    Criteria = reader.GetString(1),
                    Range = range,
                    Description = reader.IsDBNull(7) ? "" : reader.GetString(7),
                    BaseScore = reader.IsDBNull(8) ? null : reader.GetDouble(8),
                    BaseSeverity = Nullable(reader, 9),
                };
            }
        }
        return [.. matches.Values.OrderByDescending(m => m.BaseScore ?? 0).ThenBy(m => m.CveId, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    /// <summary>The range in words when <paramref name="version"/> is inside it, else null.</summary>
    internal static string? Covers(string version, string? exact, string? startIncluding, string? startExcluding, string? endIncluding, string? endExcluding)
    {
        if (exact is not null)
        {
            return ProductVersion.Compare(version, exact) == 0 ? "= " + exact : null;
        }
        if (startIncluding is not null && ProductVersion.Compare(version, startIncluding) < 0) { return null; }
        if (startExcluding is not null && ProductVersion.Compare(version, startExcluding) <= 0) { return null; }
        if (endIncluding is not null && ProductVersion.Compare(version, endIncluding) > 0) { return null; }
        if (endExcluding is not null && ProductVersion.Compare(version, endExcluding) >= 0) { return null; }
        var low = startIncluding is not null ? startIncluding + " <= " : startExcluding is not null ? startExcluding + " < " : "";
        var high = endIncluding is not null ? " <= " + endIncluding : endExcluding is not null ? " < " + endExcluding : "";
        return low.Length == 0 && high.Length == 0 ? "all versions" : low + "version" + high;
    }

    private NvdImportResult Import(Stream json, CancellationToken cancellationToken)
    {
        int cves = 0, stored = 0, skipped = 0;
        using var transaction = _connection.BeginTransaction();
        using var deleteMatches = Command(transaction, "DELETE FROM cpe_match WHERE cve_id = $id", "$id");
        using var upsert = Command(transaction, """
            INSERT INTO cve (id, published, last_modified, description, base_score, base_severity)
            VALUES ($id, $published, $modified, $description, $score, $severity)
            ON CONFLICT (id) DO UPDATE SET published = excluded.published, last_modified = excluded.last_modified,
                description = excluded.description, base_score = excluded.base_score, base_severity = excluded.base_severity
            """, "$id", "$published", "$modified", "$description", "$score", "$severity");
        using var insert = Command(transaction, """
            INSERT INTO cpe_match (cve_id, vendor, product, criteria, version, start_including, start_excluding, end_including, end_excluding)
            VALUES ($id, $vendor, $product, $criteria, $version, $si, $se, $ei, $ee)
            """, "$id", "$vendor", "$product", "$criteria", "$version", "$si", "$se", "$ei", "$ee");
        NvdJsonStream.ForEachItem(json, item =>
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("cve", out var cve) || cve.ValueKind != JsonValueKind.Object)
            {
                skipped++;
                return;
            }
            var id = Text(cve, "id")?.ToUpperInvariant();
            if (string.IsNullOrEmpty(id))
            {
                skipped++;
                return;
            }
            var (score, severity) = Score(cve);
            Set(upsert, id, Text(cve, "published"), Text(cve, "lastModified"), Description(cve), score, severity);
            upsert.ExecuteNonQuery();
            Set(deleteMatches, id);
            deleteMatches.ExecuteNonQuery();
            cves++;
            foreach (var match in CpeMatches(cve))
            {
                if (!(match.TryGetProperty("vulnerable", out var vulnerable) && vulnerable.ValueKind == JsonValueKind.True)
                    || Text(match, "criteria") is not { } criteria
                    || !criteria.StartsWith("cpe:2.3:", StringComparison.OrdinalIgnoreCase)
                    || !ProductNames.TryParseCpe(criteria, out _, out var vendor, out var product, out var version))
                {
                    skipped++;
                    continue;
                }
                Set(insert, id, vendor, product, criteria, version,
                    Text(match, "versionStartIncluding"), Text(match, "versionStartExcluding"),
                    Text(match, "versionEndIncluding"), Text(match, "versionEndExcluding"));
                insert.ExecuteNonQuery();
                stored++;
            }
        }, cancellationToken);
        transaction.Commit();
        return new NvdImportResult(cves, stored, skipped);
    }

    private static IEnumerable<JsonElement> CpeMatches(JsonElement cve)
    {
        if (!cve.TryGetProperty("configurations", out var configurations) || configurations.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }
        foreach (var configuration in configurations.EnumerateArray())
        {
            if (configuration.ValueKind != JsonValueKind.Object || !configuration.TryGetProperty("nodes", out var nodes) || nodes.ValueKind != JsonValueKind.Array)
            {
                continue;
            }
            foreach (var node in nodes.EnumerateArray())
            {
                if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty("cpeMatch", out var matches) || matches.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }
                foreach (var match in matches.EnumerateArray())
                {
                    if (match.ValueKind == JsonValueKind.Object)
                    {
                        yield return match;
                    }
                }
            }
        }
    }

    private static string Description(JsonElement cve)
    {
        if (!cve.TryGetProperty("descriptions", out var descriptions) || descriptions.ValueKind != JsonValueKind.Array)
        {
            return "";
        }
        string? first = null;
        foreach (var description in descriptions.EnumerateArray())
        {
            if (description.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            var value = Text(description, "value");
            if (string.Equals(Text(description, "lang"), "en", StringComparison.OrdinalIgnoreCase) && value is not null)
            {
                return value;
            }
            first ??= value;
        }
        return first ?? "";
    }

    private static (double? Score, string? Severity) Score(JsonElement cve)
    {
        if (!cve.TryGetProperty("metrics", out var metrics) || metrics.ValueKind != JsonValueKind.Object)
        {
            return (null, null);
        }
        foreach (var name in (ReadOnlySpan<string>)["cvssMetricV31", "cvssMetricV30", "cvssMetricV40", "cvssMetricV2"])
        {
            if (!metrics.TryGetProperty(name, out var list) || list.ValueKind != JsonValueKind.Array)
            {
                continue;
            }
            foreach (var metric in list.EnumerateArray())
            {
                if (metric.ValueKind != JsonValueKind.Object || !metric.TryGetProperty("cvssData", out var data) || data.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }
                double? score = data.TryGetProperty("baseScore", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : null;
                // CVSS v2 keeps its severity beside cvssData, v3 and v4 inside it.
                var severity = Text(data, "baseSeverity") ?? Text(metric, "baseSeverity");
                return (score, severity?.ToUpperInvariant());
            }
        }
        return (null, null);
    }

    private SqliteCommand Command(SqliteTransaction transaction, string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        return command;
    }

    private static void Set(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string? Nullable(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
