using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PortAtlas.Cli.Rendering;
using PortAtlas.Reports;
using PortAtlas.Scanning;
using PortAtlas.Storage;
using Spectre.Console;

namespace PortAtlas.Cli.Commands;

/// <summary>history, show, diff, import, report: the scan store.</summary>
internal static class HistoryCommands
{
    /// <summary>Most targets 'history' names per scan; the rest are counted.</summary>
    internal const int MaxListedTargets = 10;

    /// <summary>The first <see cref="MaxListedTargets"/> targets, printable, then "(+N more)".</summary>
    internal static string SummariseTargets(IReadOnlyList<string> targets)
    {
        var shown = string.Join(' ', targets.Take(MaxListedTargets).Select(t => PortAtlas.Sanitizing.OutsideText.Printable(t, 64, singleLine: true)));
        return targets.Count > MaxListedTargets ? $"{shown} (+{targets.Count - MaxListedTargets} more)" : shown;
    }

    internal static Option<string?> DbOption() => new("--db")
    {
        Description = $"Scan store: a SQLite file or postgres://user:pass@host/db (default {ScanStore.DefaultPath})",
    };

    public static IEnumerable<Command> Build(CliContext cli)
    {
        yield return BuildHistory(cli);
        yield return BuildShow(cli);
        yield return BuildDiff(cli);
        yield return BuildImport(cli);
        yield return BuildReport(cli);
    }

    private static Command BuildHistory(CliContext cli)
    {
        var db = DbOption();
        var target = new Option<string?>("--target", "-t") { Description = "Only scans whose targets contain this text" };
        var limit = new Option<int>("--limit", "-n") { Description = "Most scans to list (1 to 1,000,000)", DefaultValueFactory = _ => 50, CustomParser = OptionParsers.Int(1, 1_000_000, "scans") };
        var format = new Option<string>("--format", "-f") { Description = "table, json or csv", DefaultValueFactory = _ => "table" };
        var command = new Command("history", "Saved scans, newest first") { db, target, limit, format };
        command.SetAction(async (parse, ct) =>
        {
            var fmt = parse.GetValue(format)!.ToLowerInvariant();
            if (fmt is not ("table" or "json" or "csv"))
            {
                return cli.Fail(ExitCodes.BadInput, $"unknown format '{fmt}' for history: use table, json or csv");
            }
            if (parse.GetValue(limit) < 1)
            {
                return cli.Fail(ExitCodes.BadInput, $"bad --limit '{parse.GetValue(limit)}': give a positive number");
            }
            await using var store = OpenStore(parse.GetValue(db), readOnly: true);
            var scans = await store.ListAsync(new ScanFilter { Target = parse.GetValue(target), Limit = parse.GetValue(limit) }, ct).ConfigureAwait(false);
            // A scan group is one scan: its shards' own rows are shown under it, not beside it.
            var groups = await ListGroupsAsync(store, parse.GetValue(target), ct).ConfigureAwait(false);
            var grouped = groups.SelectMany(g => g.Shards).Where(s => s.ScanId is not null).Select(s => s.ScanId!.Value).ToHashSet();
            scans = [.. scans.Where(s => !grouped.Contains(s.Id))];
            switch (fmt)
            {
                case "json":
                    WriteJson(cli, json =>
                    {
                        json.WriteStartArray();
                        foreach (var s in scans)
                        {
                            json.WriteStartObject();
                            json.WriteNumber("id", s.Id);
                            json.WriteString("started", s.Started);
                            json.WriteString("finished", s.Finished);
                            json.WriteString("scanType", s.ScanType);
                            json.WriteString("commandLine", PortAtlas.Sanitizing.Secrets.MaskCredentials(s.CommandLine));
                            // A scan of a long targets file keeps its list in the store; history names the first ones and the count.
                            json.WriteStartArray("targets");
                            foreach (var t in s.Targets.Take(MaxListedTargets))
                            {
                                json.WriteStringValue(t);
                            }
                            json.WriteEndArray();
                            json.WriteNumber("targetCount", s.Targets.Count);
                            json.WriteNumber("hostsScanned", s.HostsScanned);
                            json.WriteNumber("hostsUp", s.HostsUp);
                            json.WriteNumber("portsScanned", s.PortsScanned);
                            json.WriteNumber("openPorts", s.OpenPorts);
                            json.WriteBoolean("interrupted", s.Interrupted);
                            json.WriteEndObject();
                        }
                        ShardHistory.WriteJson(json, groups);
                        json.WriteEndArray();
                    });
                    break;
                case "csv":
                    cli.Out.Write("id,started,scan_type,targets,hosts_up,ports_scanned,open_ports,interrupted\n");
                    foreach (var s in scans)
                    {
                        var line = new StringBuilder();
                        line.Append(s.Id.ToString(CultureInfo.InvariantCulture)).Append(',').Append(s.Started.ToString("O", CultureInfo.InvariantCulture)).Append(',');
                        RegistryReport.AppendCsv(line, s.ScanType).Append(',');
                        RegistryReport.AppendCsv(line, SummariseTargets(s.Targets)).Append(',');
                        line.Append(CultureInfo.InvariantCulture, $"{s.HostsUp},{s.PortsScanned},{s.OpenPorts},{(s.Interrupted ? "true" : "false")}\n");
                        cli.Out.Write(line);
                    }
                    ShardHistory.WriteCsv(cli.Out, groups);
                    break;
                default:
                    var table = new Table().Border(TableBorder.Rounded);
                    foreach (var column in new[] { "ID", "Started", "Type", "Targets", "Hosts up", "Ports", "Open" })
                    {
                        table.AddColumn(column);
                    }
                    foreach (var s in scans)
                    {
                        table.AddRow(
                            Styled.Text(s.Id.ToString(CultureInfo.InvariantCulture)),
                            Styled.Text(s.Started.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                            Styled.Text(s.ScanType + (s.Interrupted ? " (interrupted)" : "")),
                            Styled.Text(SummariseTargets(s.Targets)),
                            Styled.Text(s.HostsUp.ToString(CultureInfo.InvariantCulture)),
                            Styled.Text(s.PortsScanned.ToString(CultureInfo.InvariantCulture)),
                            Styled.Text(s.OpenPorts.ToString(CultureInfo.InvariantCulture)));
                    }
                    cli.Console.Write(table);
                    ShardHistory.WriteTable(cli.Console, groups);
                    break;
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command BuildShow(CliContext cli)
    {
        var db = DbOption();
        var id = new Argument<string>("id") { Description = "Scan id (see 'ports history')" };
        var format = new Option<string>("--format", "-f") { Description = "table, json, jsonl, csv, xml, grep, sarif or html", DefaultValueFactory = _ => "table" };
        var command = new Command("show", "Print a saved scan in any report format") { id, db, format };
        command.SetAction(async (parse, ct) =>
        {
            if (!TryParseScanRef(cli, parse.GetValue(id)!, out var scanId, out var groupName))
            {
                return ExitCodes.BadInput;
            }
            if (!TryParseReportFormat(cli, parse.GetValue(format)!, out var reportFormat))
            {
                return ExitCodes.BadInput;
            }
            await using var store = OpenStore(parse.GetValue(db), readOnly: true);
            var scan = await GetScanAsync(store, scanId, groupName, ct).ConfigureAwait(false);
            if (scan is null)
            {
                return NoScan(cli, store, parse.GetValue(id)!, groupName);
            }
            Print(cli, scan.Report, reportFormat);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command BuildDiff(CliContext cli)
    {
        var db = DbOption();
        var ids = new Argument<string[]>("scans") { Description = "Two scan ids: the earlier, then the later", Arity = ArgumentArity.ZeroOrMore };
        var last = new Option<string?>("--last") { Description = "Compare the latest two scans of this target" };
        var format = new Option<string>("--format", "-f") { Description = "table, text (ndiff-like) or json", DefaultValueFactory = _ => "table" };
        var command = new Command("diff", "What changed between two scans: ports opened and closed, services, findings") { ids, last, db, format };
        command.SetAction(async (parse, ct) =>
        {
            var fmt = parse.GetValue(format)!.ToLowerInvariant();
            if (fmt is not ("table" or "text" or "json"))
            {
                return cli.Fail(ExitCodes.BadInput, $"unknown format '{fmt}' for diff: use table, text or json");
            }
            var given = parse.GetValue(ids) ?? [];
            var target = parse.GetValue(last);
            if ((target is null) == (given.Length == 0) || (target is null && given.Length != 2))
            {
                return cli.Fail(ExitCodes.BadInput, "give two scan ids ('ports diff 3 7') or --last TARGET");
            }
            await using var store = OpenStore(parse.GetValue(db), readOnly: true);
            StoredScan? before, after;
            if (target is not null)
            {
                after = await store.LatestForTargetAsync(target, 0, ct).ConfigureAwait(false);
                before = await store.LatestForTargetAsync(target, 1, ct).ConfigureAwait(false);
                if (after is null || before is null)
                {
                    return cli.Fail(ExitCodes.Failure, $"fewer than two saved scans of '{target}' in {store.Location}");
                }
            }
            else
            {
                if (!TryParseScanRef(cli, given[0], out var a, out var groupA) || !TryParseScanRef(cli, given[1], out var b, out var groupB))
                {
                    return ExitCodes.BadInput;
                }
                before = await GetScanAsync(store, a, groupA, ct).ConfigureAwait(false);
                after = await GetScanAsync(store, b, groupB, ct).ConfigureAwait(false);
                if (before is null || after is null)
                {
                    return NoScan(cli, store, before is null ? given[0] : given[1], before is null ? groupA : groupB);
                }
            }
            var diff = ScanDiff.Compare(before.Report, after.Report);
            switch (fmt)
            {
                case "json":
                    cli.Out.WriteLine(ScanDiffWriter.ToJson(diff));
                    break;
                case "text":
                    cli.Out.Write(ScanDiffWriter.ToText(diff));
                    break;
                default:
                    cli.Console.WriteLine(Styled.Text($"scan {Name(before, given, 0)}", Styled.Bold).Add($" ({before.Summary.Started.ToLocalTime():yyyy-MM-dd HH:mm}) → ")
                        .Add($"scan {Name(after, given, 1)}", Styled.Bold).Add($" ({after.Summary.Started.ToLocalTime():yyyy-MM-dd HH:mm})"));
                    cli.Console.Write(new Text(diff.IsEmpty ? "no changes\n" : ScanDiffWriter.ToText(diff)));
                    break;
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command BuildImport(CliContext cli)
    {
        var db = DbOption();
        var files = new Argument<string[]>("files")
        {
            Description = "Files or directories: Nmap or masscan XML, masscan JSON or list, RustScan or naabu JSON output (told from the content)",
            Arity = ArgumentArity.OneOrMore,
        };
        var noAssess = new Option<bool>("--no-assess") { Description = "Store the scans without computing findings from them" };
        var command = new Command("import", "Bring other scanners' results (Nmap, masscan, RustScan, naabu) into the history") { files, noAssess, db };
        command.SetAction(async (parse, ct) =>
        {
            var paths = new List<string>();
            foreach (var given in parse.GetValue(files) ?? [])
            {
                if (Directory.Exists(given))
                {
                    // A directory's regular files in name order (subdirectories are not entered); files in none of the formats, such as notes beside the scans, are passed over with a warning.
                    var before = paths.Count;
                    foreach (var file in Directory.EnumerateFiles(given).Order(StringComparer.Ordinal))
                    {
                        if (IsScanOutput(file))
                        {
                            paths.Add(file);
                        }
                        else
                        {
                            cli.Error.WriteLine($"ports: warning: '{Escape(file)}' is not a scan output: skipped");
                        }
                    }
                    if (paths.Count == before)
                    {
                        // A directory that yields nothing is most likely the wrong one: saying so beats a silent success.
                        return cli.Fail(ExitCodes.BadInput, $"'{Escape(given)}' is a directory with no scan output in it: give the files, or a directory that holds some");
                    }
                }
                else if (File.Exists(given))
                {
                    paths.Add(given);
                }
                else
                {
                    return cli.Fail(ExitCodes.BadInput, $"file '{Escape(given)}' does not exist");
                }
            }
            var assessor = parse.GetValue(noAssess) ? null : new Assessment.Assessor();
            await using var store = OpenStore(parse.GetValue(db), readOnly: false);
            // Each file is one save, streamed host by host (bounded memory); a broken file is refused and saves nothing,
            // while the files before it stay saved (each was printed as it was).
            foreach (var file in paths)
            {
                StoreImportResult imported;
                try
                {
                    await using var stream = File.OpenRead(file);
                    // RustScan's output carries no time: the file's is the best record of when the scan ran.
                    var written = new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);
                    imported = await StoreImport.ImportAsync(stream, store, assessor, written, cancellationToken: ct).ConfigureAwait(false);
                }
                catch (FormatException ex)
                {
                    return cli.Fail(ExitCodes.BadInput, $"'{Escape(file)}' cannot be imported: {Escape(ex.Message)}");
                }
                foreach (var warning in imported.Warnings)
                {
                    cli.Error.WriteLine($"ports: warning: {Escape(file)}: {Escape(warning)}");
                }
                cli.Out.WriteLine($"{Escape(file)}: {imported.Format.ToName()}, saved as scan {imported.Id} ({imported.Hosts} hosts, {imported.OpenPorts} open ports, {imported.Findings} findings)");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static bool IsScanOutput(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            var head = new byte[4096];
            var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            ScanImporter.Sniff(head.AsSpan(0, read));
            return true;
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            // Sockets, devices and unreadable files in a directory are not scan outputs either.
            return false;
        }
    }

    /// <summary>A file name or message from outside, with control characters shown as escapes before it reaches a terminal.</summary>
    private static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    private static Command BuildReport(CliContext cli)
    {
        var db = DbOption();
        var scan = new Argument<string>("scan") { Description = "A saved scan's id, or an Nmap XML file" };
        var output = new Option<string>("--output", "-o") { Description = "The report file; its format from the extension (.html, .sarif, .json, .xml, ...)", Required = true };
        var outputFormat = new Option<string?>("--output-format") { Description = "html, sarif, json, jsonl, csv, xml or grep" };
        var command = new Command("report", "Write a saved scan as a report to hand over (a self-contained HTML page by default)") { scan, output, outputFormat, db };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(output)!;
            var fmtText = parse.GetValue(outputFormat);
            ReportFormat format;
            if (fmtText is not null)
            {
                if (!ReportFormats.TryParse(fmtText, out format))
                {
                    return cli.Fail(ExitCodes.BadInput, $"unknown output format '{fmtText}'");
                }
            }
            else if (ReportFormats.FromExtension(path) is { } fromExtension)
            {
                format = fromExtension;
            }
            else
            {
                return cli.Fail(ExitCodes.BadInput, $"cannot tell the format of '{path}' from its extension: add --output-format");
            }
            var source = parse.GetValue(scan)!;
            ScanReport report;
            if (File.Exists(source))
            {
                try
                {
                    await using var stream = File.OpenRead(source);
                    report = ScanImporter.Import(stream).Report;
                }
                catch (FormatException ex)
                {
                    return cli.Fail(ExitCodes.BadInput, $"'{Escape(source)}' cannot be imported: {Escape(ex.Message)}");
                }
                report = ImportedScans.Assess(report, new Assessment.Assessor());
            }
            else
            {
                if (!TryParseScanRef(cli, source, out var id, out var groupName))
                {
                    return ExitCodes.BadInput;
                }
                await using var store = OpenStore(parse.GetValue(db), readOnly: true);
                var stored = await GetScanAsync(store, id, groupName, ct).ConfigureAwait(false);
                if (stored is null)
                {
                    return NoScan(cli, store, source, groupName);
                }
                report = stored.Report;
            }
            await format.CreateWriter().WriteToFileAsync(report, path, CancellationToken.None).ConfigureAwait(false);
            cli.Error.WriteLine($"ports: wrote {format.ToName()} report to {path}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Opens the store named by --db (read-only for history, show, diff and report). An empty --db is an error, not the
    /// default: a script's unset variable must not write to the user's history.
    /// </summary>
    /// <exception cref="ScanStoreException">The location is blank, a directory, or cannot be opened.</exception>
    internal static IScanStore OpenStore(string? location, bool readOnly)
    {
        if (location is { Length: 0 })
        {
            throw new ScanStoreException("--db is empty: give a database file or a postgres:// URL, or leave --db out for the default") { IsBadLocation = true };
        }
        return readOnly ? ScanStore.OpenReadOnly(location) : ScanStore.Open(location);
    }

    /// <summary>A scan id, or the name of a scan group (shards stored as one scan); false with a one-line error otherwise.</summary>
    internal static bool TryParseScanRef(CliContext cli, string text, out long id, out string? group)
    {
        group = null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0)
        {
            return true;
        }
        if (!text.All(char.IsAsciiDigit) && ScanGroups.IsValidName(text))
        {
            group = text;
            return true;
        }
        cli.Fail(ExitCodes.BadInput, $"bad scan id '{Escape(text)}': give the number or group name 'ports history' shows");
        return false;
    }

    /// <summary>A stored scan by id, or a scan group as one scan; null when there is none.</summary>
    internal static async Task<StoredScan?> GetScanAsync(IScanStore store, long id, string? group, CancellationToken cancellationToken) =>
        group is null ? await store.GetAsync(id, cancellationToken).ConfigureAwait(false)
        : store is IScanGroupStore groups ? await groups.GetGroupAsync(group, cancellationToken).ConfigureAwait(false)
        : null;

    private static async Task<IReadOnlyList<ScanGroupSummary>> ListGroupsAsync(IScanStore store, string? target, CancellationToken cancellationToken)
    {
        if (store is not IScanGroupStore groups)
        {
            return [];
        }
        var all = await groups.ListGroupsAsync(cancellationToken).ConfigureAwait(false);
        return target is null ? all : [.. all.Where(g => g.Targets.Any(t => t.Contains(target, StringComparison.OrdinalIgnoreCase)))];
    }

    /// <summary>A missing scan is a runtime failure (1); a name that is no group is a bad token (2), as any other non-number.</summary>
    private static int NoScan(CliContext cli, IScanStore store, string given, string? group) => group is null
        ? cli.Fail(ExitCodes.Failure, $"no scan {Escape(given)} in {store.Location}")
        : cli.Fail(ExitCodes.BadInput, $"bad scan id '{Escape(given)}': no scan group of that name in {store.Location}; give the number or group name 'ports history' shows");

    private static string Name(StoredScan scan, string[] given, int index) =>
        scan.Summary.Id != 0 ? scan.Summary.Id.ToString(CultureInfo.InvariantCulture) : given.Length > index ? given[index] : "";

    internal static bool TryParseId(CliContext cli, string text, out long id)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0)
        {
            return true;
        }
        cli.Fail(ExitCodes.BadInput, $"bad scan id '{text}': give the number 'ports history' shows");
        return false;
    }

    internal static bool TryParseReportFormat(CliContext cli, string text, out ReportFormat? format)
    {
        format = null;
        if (text.Equals("table", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (ReportFormats.TryParse(text, out var f))
        {
            format = f;
            return true;
        }
        cli.Fail(ExitCodes.BadInput, $"unknown format '{text}': use table, json, jsonl, csv, xml, grep, sarif or html");
        return false;
    }

    internal static void Print(CliContext cli, ScanReport report, ReportFormat? format)
    {
        if (format is ReportFormat f)
        {
            f.CreateWriter().Write(report, cli.Out);
            cli.Out.Flush();
        }
        else
        {
            ScanTable.Render(cli.Console, report);
        }
    }

    internal static void WriteJson(CliContext cli, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(json);
        }
        cli.Out.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        cli.Out.Flush();
    }
}
