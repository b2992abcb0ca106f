namespace PortAtlas.Tests.Hostile;

/// <summary>One hostile case: the command (with {dir}, {db} and {port} placeholders), the exit code it must end with,
/// and an optional extra check returning a failure message or null.</summary>
public sealed record HostileCase(string Class, string Name, string[] Args, int Exit, Func<CliProcess.Result, HostileFixture, string?>? Check = null)
{
    public override string ToString() => $"{Class}: {Name}";
}

/// <summary>The table of hostile cases, by the defect classes of issue 13.</summary>
public static class HostileCases
{
    public const string Storage = "1 storage errors";
    public const string ReadOnly = "2 read-only commands";
    public const string Numbers = "3 numbers";
    public const string Escapes = "4 terminal escapes";
    public const string Csv = "5 CSV formulas";
    public const string Secrets = "6 secrets";
    public const string Files = "7 files";
    public const string Huge = "8 huge inputs";
    public const string Messages = "9 messages";
    public const string Schemas = "10 schemas";
    public const string StoredReports = "11 stored reports";

    public static IEnumerable<HostileCase> All()
    {
        // 3. Every numeric option, every kind of bad value.
        var numeric = new (string[] Prefix, string Option, bool IsDouble)[]
        {
            (["scan", "127.0.0.1", "-p", "1", "--no-save"], "--rate", true),
            (["scan", "127.0.0.1", "-p", "1", "--no-save"], "--max-retries", false),
            (["scan", "127.0.0.1", "-p", "1", "--no-save"], "--concurrency", false),
            (["scan", "127.0.0.1", "--no-save"], "--top-ports", false),
            (["scan", "127.0.0.1", "-p", "1", "--no-save"], "--seed", false),
            (["scan"], "--resume", false),
            (["search", "ssh"], "--limit", false),
            (["history"], "--limit", false),
        };
        string[] bad = ["NaN", "Infinity", "-Infinity", "1e400", "1e-12", "-1", "abc", "", "99999999999999999999999", "1,5", "0x", "\u001b[2J"];
        foreach (var (prefix, option, isDouble) in numeric)
        {
            foreach (var value in bad)
            {
                if (option == "--seed" && value is "-1")
                {
                    continue;
                }
                yield return new(Numbers, $"{string.Join(' ', prefix.Take(1))} {option} '{value}'", [.. prefix, option, value], 2,
                    (r, _) => r.ErrorText.Contains(option, StringComparison.Ordinal) ? null : $"stderr does not name {option}");
            }
            if (!isDouble && option is not ("--seed" or "--resume"))
            {
                yield return option == "--max-retries"
                    ? new(Numbers, "scan --max-retries 0 accepted", ["scan", "127.0.0.1", "-p", "{port}", "-sT", "--no-save", option, "0"], 0)
                    : new(Numbers, $"{prefix[0]} {option} 0", [.. prefix, option, "0"], 2);
            }
        }
        yield return new(Numbers, "scan --rate 1e7 accepted", ["scan", "127.0.0.1", "-p", "{port}", "-sT", "--no-save", "--rate", "1e7"], 0);
        yield return new(Numbers, "scan --rate 0.05 refused", ["scan", "127.0.0.1", "-p", "{port}", "--no-save", "--rate", "0.05"], 2);
        yield return new(Numbers, "scan --max-retries 51", ["scan", "127.0.0.1", "-p", "1", "--no-save", "--max-retries", "51"], 2);
        yield return new(Numbers, "scan --top-ports 65536", ["scan", "127.0.0.1", "--no-save", "--top-ports", "65536"], 2);
        yield return new(Numbers, "show id NaN", ["show", "NaN"], 2);
        yield return new(Numbers, "show id -1", ["show", "-1"], 2);
        yield return new(Numbers, "show id huge", ["show", "99999999999999999999999"], 2);

        // 1. Storage errors: one line, exit 1 (2 for a malformed location), earlier scans intact.
        foreach (var command in new[] { "history", "show 1", "diff 1 1", "import {dir}/hostile.xml", "report 1 -o {dir}/out-r.html" })
        {
            var words = command.Split(' ');
            yield return new(Storage, $"{words[0]} --db directory", [.. words, "--db", "{dir}/adir"], 2);
            yield return new(Storage, $"{words[0]} --db /dev/null", [.. words, "--db", "/dev/null"], 2);
            yield return new(Storage, $"{words[0]} --db corrupt", [.. words, "--db", "{dir}/corrupt.db"], 1);
            yield return new(Storage, $"{words[0]} --db text file", [.. words, "--db", "{dir}/text.db"], 1);
            yield return new(Storage, $"{words[0]} --db unreachable postgres", [.. words, "--db", "postgres://u:pw@127.0.0.1:1/db?connect_timeout=2"], 1,
                (r, _) => r.ErrorText.Contains("pw@", StringComparison.Ordinal) ? "the password is echoed" : null);
            yield return new(Storage, $"{words[0]} --db malformed postgres URL", [.. words, "--db", "postgres://u:pw@h/db?sslmode=bogus"], 2);
            yield return new(Storage, $"{words[0]} --db postgres unknown parameter", [.. words, "--db", "postgres://h/db?evil=1"], 2);
            yield return new(Storage, $"{words[0]} --db postgres bad timeout", [.. words, "--db", "postgres://h/db?connect_timeout=NaN"], 2);
        }
        yield return new(Storage, "history --db other SQLite database", ["history", "--db", "{dir}/other.db"], 1);
        yield return new(Storage, "history --db zero-byte file", ["history", "--db", "{dir}/empty.db"], 1);
        yield return new(Storage, "postgres URL without host", ["history", "--db", "postgres://"], 2);
        yield return new(Storage, "scan with a corrupt --db still prints", ["scan", "127.0.0.1", "-p", "{port}", "-sT", "--db", "{dir}/corrupt.db", "-f", "json"], 1,
            (r, _) => r.OutText.Contains("\"open\"", StringComparison.Ordinal) ? (r.ErrorText.Contains("not be saved", StringComparison.Ordinal) ? null : "does not say it was not saved") : "results not printed");
        yield return new(Storage, "scan with unreachable postgres still writes -o", ["scan", "127.0.0.1", "-p", "{port}", "-sT", "--db", "postgres://u:pw@127.0.0.1:1/db?connect_timeout=2", "-o", "{dir}/saved-anyway.json"], 1,
            (r, f) => File.Exists(f.P("saved-anyway.json")) ? null : "the -o file was not written");
        yield return new(Storage, "vulndb is a directory", ["vulndb", "import", "{dir}/nvd-ok.json", "--vulndb", "{dir}/adir"], 2);
        yield return new(Storage, "vulndb is /dev/null", ["vulndb", "import", "{dir}/nvd-ok.json", "--vulndb", "/dev/null"], 1);
        yield return new(Storage, "scan --vulndb corrupt", ["scan", "127.0.0.1", "-p", "1", "--no-save", "--vulndb", "{dir}/corrupt.db"], 1);

        // 2. Read-only commands open read-only and read past writers (see also HostileInputSuiteTests.History_ReadsPastAWriter).
        yield return new(ReadOnly, "history of a copy", ["history", "--db", "{dir}/copy.db"], 0);
        yield return new(ReadOnly, "show of a copy", ["show", "1", "--db", "{dir}/copy.db"], 0);
        yield return new(ReadOnly, "history of a missing file", ["history", "--db", "{dir}/missing.db"], 1,
            (r, f) => File.Exists(f.P("missing.db")) ? "history created the file" : null);
        yield return new(ReadOnly, "show of a missing file", ["show", "1", "--db", "{dir}/missing2.db"], 1,
            (r, f) => File.Exists(f.P("missing2.db")) ? "show created the file" : null);
        yield return new(ReadOnly, "show of a missing scan", ["show", "999"], 1);
        yield return new(ReadOnly, "diff of missing scans", ["diff", "998", "999"], 1);

        // 4. Terminal escapes from files, the network's records and other processes.
        foreach (var format in new[] { "table", "csv", "grep", "xml", "json", "jsonl" })
        {
            yield return new(Escapes, $"show hostile hostname as {format}", ["show", "1", "-f", format], 0);
        }
        yield return new(Escapes, "history table", ["history"], 0);
        yield return new(Escapes, "history json", ["history", "-f", "json"], 0);
        yield return new(Escapes, "diff text", ["diff", "1", "1", "-f", "text"], 0);
        yield return new(Escapes, "target with escapes", ["scan", "\u001b]0;x\u0007\u001b[2J", "--no-save"], 2);
        yield return new(Escapes, "targets file echoes an escaped excerpt", ["scan", "-iL", "{dir}/targets-escape.txt", "-p", "{port}", "-sT", "--no-save"], 2,
            (r, _) => r.ErrorText.Length < 400 ? null : "the error quotes too much of the line");
        yield return new(Escapes, "binary targets file", ["scan", "-iL", "{dir}/targets-binary.txt", "--no-save"], 2);
        yield return new(Escapes, "rules file with escapes", ["scan", "127.0.0.1", "-p", "1", "--no-save", "--rules", "{dir}/rules-escape.tsv"], 2);
        yield return new(Escapes, "binary rules file", ["scan", "127.0.0.1", "-p", "1", "--no-save", "--rules", "{dir}/rules-binary.tsv"], 2);
        yield return new(Escapes, "port spec with escapes", ["scan", "127.0.0.1", "-p", "\u001b]0;x\u0007", "--no-save"], 2);
        yield return new(Escapes, "registry query with escapes", ["\u001b]0;x\u0007"], 2);
        yield return new(Escapes, "search with escapes", ["search", "\u001b[2J\u009b"], 1);
        yield return new(Escapes, "unknown option with escapes", ["scan", "--\u001b[2J"], 2);
        yield return new(Escapes, "format with escapes", ["history", "-f", "\u001b]0;x\u0007"], 2);
        yield return new(Escapes, "file name with escapes", ["import", "/nonexistent/\u001b]0;x\u0007.xml"], 2);
        yield return new(Escapes, "nvd id with escapes", ["vulndb", "import", "{dir}/nvd-escape.json", "--vulndb", "{dir}/v-escape.db"], 0);
        yield return new(Escapes, "xml with C1 in an address", ["import", "{dir}/xml-badaddr.xml", "--db", "{dir}/imp1.db"], 2);
        yield return new(Escapes, "ports local with hostile process names", ["local", "--tcp"], 0);
        yield return new(Escapes, "ports local json", ["local", "--tcp", "-f", "json"], 0);
        yield return new(Escapes, "report html with hostile names", ["report", "1", "-o", "{dir}/hostile.html"], 0,
            (r, f) => File.ReadAllText(f.P("hostile.html")).Contains("s3cret", StringComparison.Ordinal) ? "the password is in the HTML" : null);

        // 5. CSV formula injection, every outside column.
        yield return new(Csv, "show csv guards service, product, version, extra", ["show", "1", "-f", "csv"], 0, (r, _) => CsvHasFormula(r.OutText));
        yield return new(Csv, "local csv guards process names", ["local", "--tcp", "-f", "csv"], 0, (r, _) => CsvHasFormula(r.OutText));
        yield return new(Csv, "history csv", ["history", "-f", "csv"], 0, (r, _) => CsvHasFormula(r.OutText));
        yield return new(Csv, "report csv", ["report", "1", "-o", "{dir}/r.csv"], 0, (r, f) => CsvHasFormula(File.ReadAllText(f.P("r.csv"))));
        yield return new(Csv, "registry csv", ["search", "ssh", "-f", "csv"], 0, (r, _) => CsvHasFormula(r.OutText));

        // 6. Secrets: never echo a password.
        foreach (var format in new[] { "xml", "grep", "json", "jsonl", "sarif", "html" })
        {
            yield return new(Secrets, $"imported args masked in {format}", ["show", "1", "-f", format], 0,
                (r, _) => r.OutText.Contains("s3cret", StringComparison.Ordinal) ? "the password is printed" : null);
        }
        yield return new(Secrets, "history json command line masked", ["history", "-f", "json"], 0,
            (r, _) => r.OutText.Contains("s3cret", StringComparison.Ordinal) ? "the password is printed" : null);
        yield return new(Secrets, "scan -oX masks the --db password", ["scan", "127.0.0.1", "-p", "{port}", "-sT", "--db", "postgres://al:hunter2@127.0.0.1:1/db?connect_timeout=2", "-o", "{dir}/secret.xml"], 1,
            (r, f) => File.ReadAllText(f.P("secret.xml")).Contains("hunter2", StringComparison.Ordinal) || r.ErrorText.Contains("hunter2", StringComparison.Ordinal) ? "the password is written" : null);
        yield return new(Secrets, "scan -oG masks the --db password", ["scan", "127.0.0.1", "-p", "{port}", "-sT", "--db", "postgres://al:hunter2@127.0.0.1:1/db?connect_timeout=2", "-o", "{dir}/secret.gnmap", "--output-format", "grep"], 1,
            (r, f) => File.ReadAllText(f.P("secret.gnmap")).Contains("hunter2", StringComparison.Ordinal) ? "the password is written" : null);
        yield return new(Secrets, "connection string password masked", ["history", "--db", "Host=127.0.0.1;Port=1;Password=hunter2;Timeout=2"], 1,
            (r, _) => r.ErrorText.Contains("hunter2", StringComparison.Ordinal) ? "the password is echoed" : null);
        yield return new(Secrets, "URL without password", ["history", "--db", "postgres://al@127.0.0.1:1/db?connect_timeout=2"], 1);

        // 7. Files.
        yield return new(Files, "--db empty", ["history", "--db", ""], 2);
        yield return new(Files, "--db blank", ["history", "--db", "  "], 2);
        yield return new(Files, "import --db in a missing directory", ["import", "{dir}/hostile.xml", "--db", "{dir}/nodir/sub/x.db"], 2,
            (r, f) => Directory.Exists(f.P("nodir")) ? "created the directory" : null);
        yield return new(Files, "scan --db in a missing directory", ["scan", "127.0.0.1", "-p", "1", "--db", "{dir}/nodir2/x.db"], 2,
            (r, f) => Directory.Exists(f.P("nodir2")) ? "created the directory" : null);
        yield return new(Files, "new database file is 0600", ["import", "{dir}/hostile.xml", "--db", "{dir}/new.db"], 0,
            (r, f) => OperatingSystem.IsWindows() || File.GetUnixFileMode(f.P("new.db")) == (UnixFileMode.UserRead | UnixFileMode.UserWrite) ? null : $"mode {File.GetUnixFileMode(f.P("new.db"))}");
        yield return new(Files, "vulndb import into the history", ["vulndb", "import", "{dir}/nvd-ok.json", "--vulndb", "{db}"], 2);
        yield return new(Files, "scan --vulndb is the history", ["scan", "127.0.0.1", "-p", "1", "--no-save", "--vulndb", "{db}"], 2);
        yield return new(Files, "vulndb empty", ["vulndb", "import", "{dir}/nvd-ok.json", "--vulndb", ""], 2);
        yield return new(Files, "vulndb in a missing directory", ["vulndb", "import", "{dir}/nvd-ok.json", "--vulndb", "{dir}/nodir3/v.db"], 2,
            (r, f) => Directory.Exists(f.P("nodir3")) ? "created the directory" : null);
        yield return new(Files, "report -o in a missing directory", ["report", "1", "-o", "{dir}/nodir4/r.html"], 1);
        yield return new(Files, "report -o a directory", ["report", "1", "-o", "{dir}/adir", "--output-format", "html"], 1);
        // The scan checks its -o files before the first packet (ScanPlan), so an unwritable one is bad input, unlike
        // 'report -o', which finds out when it writes.
        yield return new(Files, "scan -o a directory", ["scan", "127.0.0.1", "-p", "{port}", "-sT", "--no-save", "-o", "{dir}/adir", "--output-format", "json"], 2);

        // 8. Huge inputs: refused with the limit stated, memory bounded.
        // A /16 of each import format, in bounded memory (the suite's RSS check); the Nmap XML streams into the store.
        yield return new(Huge, "Nmap XML of a /16 with versions and a script per host", ["import", "{dir}/xml-slash16.xml", "--db", "{dir}/imp-slash16.db"], 0,
            (r, _) => r.OutText.Contains($"({HostileFixture.SlashSixteen} hosts, {3 * HostileFixture.SlashSixteen} open ports, ", StringComparison.Ordinal) ? null : $"stdout: {r.OutText}");
        yield return new(Huge, "Nmap XML one host past a /16", ["import", "{dir}/xml-over.xml", "--db", "{dir}/imp-over.db"], 2,
            (r, _) => r.ErrorText.Contains("more than 65,536 hosts", StringComparison.Ordinal) ? null : "the host limit is not stated");
        yield return new(Huge, "masscan list of a /16", ["import", "{dir}/masscan-slash16.txt", "--db", "{dir}/imp-masscan16.db"], 0,
            (r, _) => r.OutText.Contains($"({HostileFixture.SlashSixteen} hosts, ", StringComparison.Ordinal) ? null : $"stdout: {r.OutText}");
        yield return new(Huge, "naabu JSON of a /16", ["import", "{dir}/naabu-slash16.json", "--db", "{dir}/imp-naabu16.db"], 0,
            (r, _) => r.OutText.Contains($"({HostileFixture.SlashSixteen} hosts, ", StringComparison.Ordinal) ? null : $"stdout: {r.OutText}");
        yield return new(Huge, "xml with a 3 MB attribute", ["import", "{dir}/xml-bigattr.xml", "--db", "{dir}/imp2.db"], 2);
        yield return new(Huge, "xml with a 3 MB text node", ["import", "{dir}/xml-bigtext.xml", "--db", "{dir}/imp3.db"], 2);
        yield return new(Huge, "xml billion laughs", ["import", "{dir}/xml-laughs.xml", "--db", "{dir}/imp4.db"], 2);
        yield return new(Huge, "report from a 3 MB attribute", ["report", "{dir}/xml-bigattr.xml", "-o", "{dir}/big.html"], 2);
        yield return new(Huge, "targets file with a 20,000-character line", ["scan", "-iL", "{dir}/targets-longline.txt", "--no-save"], 2,
            (r, _) => r.ErrorText.Length < 400 ? null : "the error quotes the whole line");
        yield return new(Huge, "targets file with more than 1,000,000 targets", ["scan", "-iL", "{dir}/targets-many.txt", "-p", "{port}", "-sT", "--no-save"], 2);
        yield return new(Huge, "nvd with a 17 MB string", ["vulndb", "import", "{dir}/nvd-bigstring.json", "--vulndb", "{dir}/v-big.db"], 2);
        yield return new(Huge, "nvd nested 5000 deep", ["vulndb", "import", "{dir}/nvd-deep.json", "--vulndb", "{dir}/v-deep.db"], 2);
        yield return new(Huge, "xml nested 20000 deep, unclosed", ["import", "{dir}/xml-deep.xml", "--db", "{dir}/imp5.db"], 2);
        yield return new(Huge, "a 100,000-character target", ["scan", new string('a', 100_000), "--no-save"], 2,
            (r, _) => r.ErrorText.Length < 400 ? null : "the error quotes the whole target");

        // 9. Messages: readable, naming flags, about directories.
        yield return new(Messages, "targets file is a directory", ["scan", "-iL", "{dir}/adir", "--no-save"], 2, (r, _) => Says(r, "directory"));
        yield return new(Messages, "targets file missing", ["scan", "-iL", "{dir}/nope.txt", "--no-save"], 2);
        yield return new(Messages, "empty targets file", ["scan", "-iL", "{dir}/targets-empty.txt", "--no-save"], 2);
        yield return new(Messages, "exclude file is a directory", ["scan", "127.0.0.1", "--exclude-file", "{dir}/adir", "--no-save"], 2, (r, _) => Says(r, "directory"));
        yield return new(Messages, "rules file is a directory", ["scan", "127.0.0.1", "-p", "1", "--no-save", "--rules", "{dir}/adir"], 2);
        yield return new(Messages, "rules file missing", ["scan", "127.0.0.1", "-p", "1", "--no-save", "--rules", "{dir}/nope.tsv"], 2);
        yield return new(Messages, "import a directory", ["import", "{dir}/adir", "--db", "{dir}/imp6.db"], 2);
        yield return new(Messages, "import a missing file", ["import", "{dir}/nope.xml", "--db", "{dir}/imp7.db"], 2);
        yield return new(Messages, "report from a directory", ["report", "{dir}/adir", "-o", "{dir}/x.html"], 2);
        yield return new(Messages, "vulndb import a missing file", ["vulndb", "import", "{dir}/nope.json", "--vulndb", "{dir}/v1.db"], 2);
        yield return new(Messages, "unknown option", ["scan", "--frobnicate"], 2);
        yield return new(Messages, "unknown command", ["frobnicate", "now"], 1);
        yield return new(Messages, "no arguments", [], 2);
        yield return new(Messages, "scan without targets", ["scan", "--no-save"], 2);
        yield return new(Messages, "bad port range", ["scan", "127.0.0.1", "-p", "70000", "--no-save"], 2);
        yield return new(Messages, "reversed port range", ["scan", "127.0.0.1", "-p", "90-80", "--no-save"], 2);
        yield return new(Messages, "bad octet", ["scan", "198.18.0.300", "--no-save"], 2);
        yield return new(Messages, "bad host timeout", ["scan", "127.0.0.1", "--host-timeout", "NaNs", "--no-save"], 2);
        yield return new(Messages, "-sS with -sT", ["scan", "127.0.0.1", "-p", "1", "-sS", "-sT", "--no-save"], 2);
        yield return new(Messages, "unknown format", ["show", "1", "-f", "docx"], 2);
        yield return new(Messages, "report format from extension", ["report", "1", "-o", "{dir}/x.docx"], 2);
        yield return new(Messages, "diff with one id", ["diff", "1"], 2);

        // 10. Schemas: the wrong shape exits 2 saying what was expected.
        foreach (var name in new[] { "array", "foo", "vulnobj", "vulnstr", "null", "number", "empty", "truncated" })
        {
            yield return new(Schemas, $"vulndb import {name}", ["vulndb", "import", $"{{dir}}/nvd-{name}.json", "--vulndb", $"{{dir}}/v-{name}.db"], 2,
                (r, _) => name is "array" or "foo" && !r.ErrorText.Contains("vulnerabilities", StringComparison.Ordinal) ? "does not say what was expected" : null);
        }
        foreach (var name in new[] { "html", "truncated", "empty", "external", "badport" })
        {
            yield return new(Schemas, $"import xml {name}", ["import", $"{{dir}}/xml-{name}.xml", "--db", $"{{dir}}/imp-{name}.db"], 2);
        }
        yield return new(Schemas, "vulndb import ok", ["vulndb", "import", "{dir}/nvd-ok.json", "--vulndb", "{dir}/v-ok.db"], 0);

        // 11. Stored reports (format 2) damaged by hand or another tool: a storage failure in one line naming the store
        // and the scan (exit 1), quickly, whatever reads them.
        foreach (var name in HostileFixture.DamagedReports.Keys)
        {
            foreach (var command in new[] { "show 1", "show 1 -f csv", "diff 1 1", "report 1 -o {dir}/damaged.html" })
            {
                var words = command.Split(' ');
                yield return new(StoredReports, $"{words[0]} of a stored report {name}", [.. words, "--db", $"{{dir}}/report-{name}.db"], 1,
                    (r, _) => r.ErrorText.Contains("the stored report of scan 1 is damaged", StringComparison.Ordinal) ? null : "does not say which scan is damaged");
            }
        }
        yield return new(StoredReports, "a 2 GB rules file without a newline", ["scan", "127.0.0.1", "-p", "1", "--no-save", "--rules", "{dir}/rules-sparse.tsv"], 2,
            (r, _) => r.ErrorText.Contains("larger than 4 MiB", StringComparison.Ordinal) ? null : "the limit is not stated");
        yield return new(StoredReports, "a connection string without a host", ["history", "--db", "Host=;Password=hunter2"], 2,
            (r, _) => r.ErrorText.Contains("hunter2", StringComparison.Ordinal) ? "the password is echoed" : null);
    }

    private static string? Says(CliProcess.Result r, string word) =>
        r.ErrorText.Contains(word, StringComparison.OrdinalIgnoreCase) ? null : $"stderr does not say '{word}'";

    /// <summary>A message when any CSV cell (quoted or not) starts a spreadsheet formula.</summary>
    internal static string? CsvHasFormula(string csv)
    {
        foreach (var line in csv.Split('\n'))
        {
            foreach (var raw in line.TrimEnd('\r').Split(','))
            {
                var cell = raw.StartsWith('"') ? raw[1..] : raw;
                if (cell.Length > 0 && cell[0] is '=' or '+' or '@' or '\t' or '\r' || (cell.Length > 1 && cell[0] == '-' && !char.IsAsciiDigit(cell[1])))
                {
                    return $"a CSV cell starts a formula: {cell}";
                }
            }
        }
        return null;
    }
}
