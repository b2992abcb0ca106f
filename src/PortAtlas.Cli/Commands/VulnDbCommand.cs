using System.CommandLine;
using PortAtlas.Assessment;

namespace PortAtlas.Cli.Commands;

/// <summary>`ports vulndb import FILE...`: loads NVD CVE JSON 2.0 files into a local store for version-accurate findings.</summary>
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
        return new Command("vulndb", "The local NVD store used for version-accurate CVE findings") { import };
    }
}
