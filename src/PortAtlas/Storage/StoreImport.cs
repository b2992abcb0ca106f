namespace PortAtlas.Storage;

/// <summary>What <see cref="StoreImport.ImportAsync"/> saved.</summary>
public sealed record StoreImportResult
{
    /// <summary>The saved scan's id.</summary>
    public required long Id { get; init; }
    /// <summary>The format the content was read as.</summary>
    public required ImportFormat Format { get; init; }
    /// <summary>Distinct hosts saved.</summary>
    public required int Hosts { get; init; }
    /// <summary>Open ports listed in the hosts.</summary>
    public required long OpenPorts { get; init; }
    /// <summary>Findings saved (computed, or carried by the file).</summary>
    public required long Findings { get; init; }
    /// <summary>Whether the hosts streamed into the store one at a time rather than as one report in memory.</summary>
    public bool Streamed { get; init; }
    /// <summary>One line per thing that was clamped or left out.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// Imports another scanner's output into a store. Nmap XML into a SQLite store streams: each host is read, assessed,
/// and spooled to a temporary file as it comes, and the save writes the report host by host, so memory stays bounded
/// (tens of MB for a /16) whatever the file holds. Other formats, and PostgreSQL stores, read the report whole first.
/// </summary>
public static class StoreImport
{
    /// <summary>Imports <paramref name="stream"/> (its format sniffed from the content) and saves it as one scan.</summary>
    /// <param name="stream">The content.</param>
    /// <param name="store">Where to save; opened with <see cref="ScanStore.Open"/>.</param>
    /// <param name="assessor">Computes findings for each port; null to store the scan without them.</param>
    /// <param name="startedIfUnknown">The start time to record when the content carries none (RustScan's output).</param>
    /// <param name="limits">Bounds on the input; <see cref="ImportLimits.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the save (nothing is saved).</param>
    /// <exception cref="FormatException">The content is none of the formats, or broken, or past a limit.</exception>
    /// <exception cref="ScanStoreException">The store failed.</exception>
    public static async Task<StoreImportResult> ImportAsync(Stream stream, IScanStore store, Assessment.Assessor? assessor,
        DateTimeOffset? startedIfUnknown = null, ImportLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(store);
        limits ??= ImportLimits.Default;
        var content = ScanImporter.OpenContent(stream, out var format);
        var guarded = store as GuardedScanStore;
        if (format == ImportFormat.NmapXml && (guarded?.Inner ?? store) is SqliteScanStore sqlite)
        {
            using var sink = new SpoolingHostSink(limits.MaxHosts, assessor);
            var parsed = NmapXmlImporter.Import(content, limits, sink);
            var stats = WithStart(parsed.Report.Stats, startedIfUnknown);
            IReadOnlyList<string> targets = NmapXmlImporter.TargetsOf(stats.CommandLine) is { Count: > 0 } given
                ? given
                : sink.Count <= ImportedScans.MaxListedTargets
                    ? sink.FirstAddresses
                    : [.. sink.FirstAddresses, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"(+{sink.Count - ImportedScans.MaxListedTargets} more)")];
            var metadata = new ScanMetadata { Targets = targets };
            Task<long> Save() => sqlite.SaveSpooledAsync(stats, metadata, sink, cancellationToken);
            var id = guarded is null ? await Save().ConfigureAwait(false) : await guarded.GuardAsync(Save).ConfigureAwait(false);
            return new StoreImportResult
            {
                Id = id,
                Format = format,
                Hosts = sink.Count,
                OpenPorts = sink.OpenListed,
                Findings = sink.Findings,
                Streamed = true,
                Warnings = parsed.Warnings,
            };
        }
        var result = ScanImporter.Import(content, limits);
        var report = result.Report with { Stats = WithStart(result.Report.Stats, startedIfUnknown) };
        if (assessor is not null)
        {
            report = ImportedScans.Assess(report, assessor);
        }
        var saved = await store.SaveAsync(report, new ScanMetadata { Targets = ImportedScans.Targets(report) }, cancellationToken).ConfigureAwait(false);
        return new StoreImportResult
        {
            Id = saved,
            Format = result.Format,
            Hosts = report.Hosts.Count,
            OpenPorts = report.Hosts.Sum(h => (long)h.Ports.Count(p => p.State == PortState.Open)),
            Findings = report.Hosts.Sum(h => h.Ports.Sum(p => (long)p.Findings.Count)),
            Warnings = result.Warnings,
        };
    }

    private static ScanStats WithStart(ScanStats stats, DateTimeOffset? started) =>
        stats.Started == default && started is { } time ? stats with { Started = time, Finished = time } : stats;
}
