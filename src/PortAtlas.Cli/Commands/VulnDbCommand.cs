using System.CommandLine;
using PortAtlas.Assessment;

namespace PortAtlas.Cli.Commands;

/// <summary>
/// `ports vulndb import FILE...`: loads NVD CVE JSON 2.0 files into a local store for version-accurate findings.
/// `ports vulndb update --kev FILE --eol FILE...`: refreshes the known-exploited catalog and lifecycle data from files
/// the user downloaded.
/// </summary>
internal static class VulnDbCommand
{
    /// <summary>The default store: beside the scan history, under the user's data directory.</summary>
    internal static string DefaultPath => Path.Combine(DataDirectory(), "vulndb.db");

    internal static string DataDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = string.IsNullOrEmpty(xdg) ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData) : xdg;
        return Path.Combine(root, "portatlas");
    }

    public static Command Build(CliContext cli)
    {
        var files = new Argument<string[]>("files") { Description = "NVD CVE JSON 2.0 files (nvdcve-2.0-*.json)", Arity = ArgumentArity.OneOrMore };
        var path = new Option<string?>("--vulndb") { Description = $"The store to write (default {DefaultPath})" };
        var import = new Command("import", "Import NVD CVE JSON 2.0 files") { files, path };
        import.SetAction(async (parse, cancellationToken) =>
        {
            var given = parse.GetValue(path);
            var store = given ?? DefaultPath;
            var inputs = parse.GetValue(files) ?? [];
            foreach (var file in inputs)
            {
                if (Directory.Exists(file))
                {
                    return cli.Fail(ExitCodes.BadInput, $"'{file}' is a directory: give NVD JSON files");
                }
                if (!File.Exists(file))
                {
                    return cli.Fail(ExitCodes.BadInput, $"NVD file '{file}' does not exist");
                }
            }
            if (given is { Length: 0 })
            {
                return cli.Fail(ExitCodes.BadInput, "--vulndb is empty: give a file, or leave --vulndb out for the default");
            }
            if (Directory.Exists(store))
            {
                return cli.Fail(ExitCodes.BadInput, $"'{store}' is a directory: --vulndb wants a database file");
            }
            var directory = Path.GetDirectoryName(Path.GetFullPath(store))!;
            if (given is not null && !Directory.Exists(directory))
            {
                // Only the default location's directories are created; a mistyped path is not.
                return cli.Fail(ExitCodes.BadInput, $"the directory of '{store}' does not exist: create it first");
            }
            Directory.CreateDirectory(directory);
            using var db = VulnDb.Open(store);
            foreach (var file in inputs)
            {
                await using var stream = File.OpenRead(file);
                NvdImportResult result;
                try
                {
                    result = await db.ImportNvdJsonAsync(stream, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidDataException)
                {
                    return cli.Fail(ExitCodes.BadInput, $"'{file}' is not an NVD CVE JSON 2.0 file: {ex.Message}");
                }
                cli.Out.WriteLine($"{file}: {result.Cves} CVEs, {result.Matches} CPE ranges, {result.Skipped} skipped");
            }
            cli.Out.WriteLine($"{store}: {db.CveCount} CVEs");
            return ExitCodes.Success;
        });
        // Assessment prefers refreshed copies in the data directory over the compiled-in data (see `update`).
        KnowledgeFiles.Directory ??= DataDirectory();
        return new Command("vulndb", "The local NVD store used for version-accurate CVE findings, and refreshed KEV and end-of-life data") { import, BuildUpdate(cli) };
    }

    private static Command BuildUpdate(CliContext cli)
    {
        var kev = new Option<string?>("--kev") { Description = "CISA's known_exploited_vulnerabilities.json (https://www.cisa.gov/known-exploited-vulnerabilities-catalog)" };
        var eol = new Option<string[]>("--eol")
        {
            Description = "Lifecycle files: endoflife.date API files named <slug>.json (https://endoflife.date/api/<slug>.json), or a table in PortAtlas's end-of-life.tsv format",
            AllowMultipleArgumentsPerToken = true,
        };
        var dir = new Option<string?>("--dir") { Description = $"Where refreshed copies are kept (default {DataDirectory()})" };
        var update = new Command("update", "Refresh the known-exploited catalog and end-of-life data from downloaded files") { kev, eol, dir };
        update.SetAction(parse => Update(cli, parse.GetValue(kev), parse.GetValue(eol) ?? [], parse.GetValue(dir) ?? DataDirectory()));
        return update;
    }

    /// <summary>Validates every file before writing anything; exit 2 naming the file and the problem.</summary>
    internal static int Update(CliContext cli, string? kevFile, IReadOnlyList<string> eolFiles, string directory)
    {
        if (kevFile is null && eolFiles.Count == 0)
        {
            return cli.Fail(ExitCodes.BadInput, "nothing to update: give --kev FILE and/or --eol FILE...");
        }
        foreach (var file in (kevFile is null ? eolFiles : [kevFile, .. eolFiles]))
        {
            if (!File.Exists(file))
            {
                return cli.Fail(ExitCodes.BadInput, $"'{file}' does not exist");
            }
        }
        KevCatalog? catalog = null;
        if (kevFile is not null)
        {
            using var stream = File.OpenRead(kevFile);
            catalog = KnowledgeFiles.ValidateKev(stream, out var problem);
            if (catalog is null)
            {
                return cli.Fail(ExitCodes.BadInput, $"'{kevFile}' is not a CISA KEV catalog: {problem}");
            }
        }
        var updates = new List<EndOfLifeBranch>();
        var replacesAll = false;
        foreach (var file in eolFiles)
        {
            if (file.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    using var reader = File.OpenText(file);
                    var table = EndOfLife.Read(reader);
                    if (table.Count == 0)
                    {
                        return cli.Fail(ExitCodes.BadInput, $"'{file}' holds no end-of-life rows");
                    }
                    updates.AddRange(table);
                    replacesAll = true;
                }
                catch (FormatException ex)
                {
                    return cli.Fail(ExitCodes.BadInput, $"'{file}' is not an end-of-life table: {ex.Message}");
                }
                continue;
            }
            var slug = Path.GetFileNameWithoutExtension(file);
            using var stream = File.OpenRead(file);
            var branches = KnowledgeFiles.ParseEndOfLifeDate(slug, stream, out var problem);
            if (branches is null)
            {
                return cli.Fail(ExitCodes.BadInput, $"'{file}' is not endoflife.date lifecycle data: {problem}");
            }
            updates.AddRange(branches);
        }
        try
        {
            Directory.CreateDirectory(directory);
            if (kevFile is not null)
            {
                var target = Path.Combine(directory, KnowledgeFiles.KevFileName);
                File.Copy(kevFile, target + ".tmp", overwrite: true);
                File.Move(target + ".tmp", target, overwrite: true);
                cli.Out.WriteLine($"{target}: CISA KEV {catalog!.CatalogVersion}, {catalog.Entries.Count} entries");
            }
            if (eolFiles.Count > 0)
            {
                var target = Path.Combine(directory, KnowledgeFiles.EndOfLifeFileName);
                IReadOnlyList<EndOfLifeBranch> current;
                if (File.Exists(target))
                {
                    using var reader = File.OpenText(target);
                    current = EndOfLife.Read(reader);
                }
                else
                {
                    current = EndOfLife.Embedded();
                }
                var merged = replacesAll ? updates : KnowledgeFiles.Merge(current, updates);
                using (var writer = new StreamWriter(target + ".tmp", append: false, new System.Text.UTF8Encoding(false)))
                {
                    KnowledgeFiles.WriteEndOfLife(writer, merged, DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
                }
                File.Move(target + ".tmp", target, overwrite: true);
                cli.Out.WriteLine($"{target}: {updates.Count} branches updated, {merged.Count} in all");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return cli.Fail(ExitCodes.Failure, $"could not write to '{directory}': {ex.Message}");
        }
        return ExitCodes.Success;
    }
}
