namespace PortAtlas.Registry;

/// <summary>
/// The offline port registry: every IANA row plus PortAtlas's curated knowledge, indexed by port and by name.
/// Immutable and safe to share between threads.
/// </summary>
public sealed partial class PortRegistry
{
    private static readonly Lazy<PortRegistry> s_default = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly PortEntry[] _entries;
    // Entries by port in compressed-row form: the entries covering port p are _byPort[_offsets[p].._offsets[p + 1]],
    // curated and unofficial rows first. A look-up by number is two array reads and no allocation.
    private readonly PortEntry[] _byPort;
    private readonly int[] _offsets;
    private readonly Dictionary<string, PortEntry[]> _byName;
    private readonly Dictionary<string, PortEntry[]>.AlternateLookup<ReadOnlySpan<char>> _byNameSpan;

    /// <summary>The registry built from the data compiled into PortAtlas, loaded on first use.</summary>
    public static PortRegistry Default => s_default.Value;

    /// <summary>Builds a registry from entries (IANA and curated, in any order).</summary>
    public PortRegistry(IEnumerable<PortEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = [.. entries];

        var counts = new int[PortRange.MaxPort + 2];
        foreach (var entry in _entries)
        {
            if (entry.Port is int first)
            {
                var last = entry.EndPort ?? first;
                for (var p = first; p <= last; p++)
                {
                    counts[p + 1]++;
                }
            }
        }
        for (var p = 1; p < counts.Length; p++)
        {
            counts[p] += counts[p - 1];
        }
        _offsets = counts;
        _byPort = new PortEntry[counts[^1]];
        var fill = (int[])counts.Clone();
        // Two passes place curated knowledge ahead of IANA rows at each port.
        foreach (var pass in new[] { true, false })
        {
            foreach (var entry in _entries)
            {
                if (entry.Port is int first && (entry.Source != EntrySource.Iana) == pass)
                {
                    var last = entry.EndPort ?? first;
                    for (var p = first; p <= last; p++)
                    {
                        _byPort[fill[p]++] = entry;
                    }
                }
            }
        }

        _byName = _entries
            .Where(e => e.Name.Length > 0)
            .GroupBy(e => e.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.Source == EntrySource.Iana).ToArray(), StringComparer.OrdinalIgnoreCase);
        _byNameSpan = _byName.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Loads the registry from the data compiled into the assembly.</summary>
    public static PortRegistry LoadEmbedded()
    {
        var iana = RegistryData.ReadResource(RegistryData.IanaResource)
            ?? throw new InvalidOperationException("the IANA registry resource is missing from the build");
        var entries = RegistryData.ParseIana(iana);
        var curated = RegistryData.ReadResource(RegistryData.CuratedResource);
        if (curated is not null)
        {
            entries.AddRange(RegistryData.ParseCurated(curated));
        }
        return new PortRegistry(entries);
    }

    /// <summary>Every entry, IANA rows in the registry's order followed by curated rows.</summary>
    public IReadOnlyList<PortEntry> Entries => _entries;

    /// <summary>Every entry covering <paramref name="port"/>, curated knowledge first. Empty outside 0-65535.</summary>
    public ReadOnlySpan<PortEntry> AtPort(int port) =>
        (uint)port > PortRange.MaxPort ? [] : _byPort.AsSpan(_offsets[port], _offsets[port + 1] - _offsets[port]);

    /// <summary>Every entry with this service name (case-insensitive), curated knowledge first.</summary>
    public ReadOnlySpan<PortEntry> ByName(ReadOnlySpan<char> name) =>
        _byNameSpan.TryGetValue(name, out var found) ? found : [];

    /// <summary>
    /// The one entry that best explains <paramref name="port"/> over <paramref name="transport"/>:
    /// curated knowledge, else a named IANA assignment, else any IANA row (reserved, unassigned); null if none.
    /// </summary>
    public PortEntry? Explain(int port, Transport transport)
    {
        PortEntry? named = null, any = null;
        foreach (var entry in AtPort(port))
        {
            if (entry.Protocol != transport)
            {
                continue;
            }
            if (entry.Source != EntrySource.Iana)
            {
                return entry;
            }
            if (named is null && entry.Name.Length > 0)
            {
                named = entry;
            }
            any ??= entry;
        }
        return named ?? any;
    }

    /// <summary>The number of IANA rows for a transport (rows that name no transport are not counted).</summary>
    public int CountIana(Transport transport) => _entries.Count(e => e.Source == EntrySource.Iana && e.Protocol == transport);
}
