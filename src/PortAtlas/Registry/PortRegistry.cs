namespace PortAtlas.Registry;

/// <summary>
/// The offline port registry: every IANA row plus PortAtlas's curated knowledge, indexed by port and by name.
/// Immutable and safe to share between threads. Rows are decoded on first use, so a look-up by number costs
/// only the rows it returns.
/// </summary>
public sealed partial class PortRegistry
{
    private static readonly Lazy<PortRegistry> s_default = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    // Row i is IANA record i for i < _index.IanaCount, then curated rows. Each row's port range, transport and source
    // are plain arrays in the index so that indexing and Explain never decode a row they do not return.
    private readonly RegistryIndex _index;
    private readonly IanaTable? _iana;
    private readonly ReadOnlyMemory<byte> _curated;
    // Decoded rows, in chunks allocated on first use: a look-up fills a few slots, and a 120 kB array of them would
    // be cleared page by page at start-up (issue 16).
    private const int ChunkBits = 6;
    private readonly PortEntry?[]?[] _chunks;
    private Dictionary<string, int[]>? _byName;
    private PortEntry[]? _all;

    /// <summary>The registry built from the data compiled into PortAtlas, loaded on first use.</summary>
    public static PortRegistry Default => s_default.Value;

    /// <summary>Builds a registry from entries (IANA and curated, in any order).</summary>
    public PortRegistry(IEnumerable<PortEntry> entries)
    {
        PortEntry[] rows = [.. entries ?? throw new ArgumentNullException(nameof(entries))];
        var count = rows.Length;
        _chunks = NewChunks(count);
        var first = new int[count];
        var last = new int[count];
        var transport = new sbyte[count];
        var isIana = new bool[count];
        for (var row = 0; row < count; row++)
        {
            var entry = rows[row];
            Slot(row) = entry;
            first[row] = entry.Port ?? -1;
            last[row] = entry.Port is null ? -1 : entry.EndPort ?? entry.Port.Value;
            transport[row] = entry.Protocol is Transport t ? (sbyte)t : (sbyte)-1;
            isIana[row] = entry.Source == EntrySource.Iana;
        }
        _index = RegistryIndex.ForRows(first, last, transport, isIana);
    }

    private PortRegistry(RegistryIndex index, ReadOnlyMemory<byte> iana, ReadOnlyMemory<byte> curated)
    {
        _index = index;
        _iana = new IanaTable(iana, index);
        _curated = curated;
        // Filled as rows are decoded: a look-up touches only the slots of the rows it prints.
        _chunks = NewChunks(index.Count);
    }

    private static PortEntry?[]?[] NewChunks(int rows) => new PortEntry?[]?[(rows >> ChunkBits) + 1];

    /// <summary>Row <paramref name="row"/>'s entry if it was decoded, else null; allocates nothing.</summary>
    private PortEntry? Decoded(int row) => Volatile.Read(ref _chunks[row >> ChunkBits])?[row & ((1 << ChunkBits) - 1)];

    /// <summary>Where row <paramref name="row"/>'s decoded entry is kept (null until decoded).</summary>
    private ref PortEntry? Slot(int row)
    {
        ref var chunk = ref _chunks[row >> ChunkBits];
        var rows = Volatile.Read(ref chunk);
        if (rows is null)
        {
            var fresh = new PortEntry?[1 << ChunkBits];
            rows = Interlocked.CompareExchange(ref chunk, fresh, null) ?? fresh;
        }
        return ref rows[row & ((1 << ChunkBits) - 1)];
    }

    /// <summary>Loads the registry from the data compiled into the assembly.</summary>
    public static PortRegistry LoadEmbedded()
    {
        var iana = RegistryData.ReadResourceBytes(RegistryData.IanaResource)
            ?? throw new InvalidOperationException("the IANA registry resource is missing from the build");
        var curated = RegistryData.ReadResourceBytes(RegistryData.CuratedResource) ?? ReadOnlyMemory<byte>.Empty;
        var index = RegistryData.ReadResourceBytes(RegistryData.IndexResource)
            ?? throw new InvalidOperationException("the registry index resource is missing from the build");
        return new PortRegistry(RegistryIndex.Open(index, iana.Span, curated.Span), iana, curated);
    }

    internal PortEntry EntryAt(int row)
    {
        ref var slot = ref Slot(row);
        var entry = Volatile.Read(ref slot);
        if (entry is null)
        {
            // Two threads may decode the same row; both results are equal records, either may win.
            var index = _index;
            entry = row < index.IanaCount
                ? _iana!.Materialize(row)
                : RegistryData.CuratedEntry(_curated.Span[index.Start[row]..index.End[row]], (Transport)index.Transport[row]);
            Volatile.Write(ref slot, entry);
        }
        return entry;
    }

    /// <summary>Every entry, IANA rows in the registry's order followed by curated rows. Decodes every row once.</summary>
    public IReadOnlyList<PortEntry> Entries
    {
        get
        {
            var all = Volatile.Read(ref _all);
            if (all is null)
            {
                all = new PortEntry[_index.Count];
                for (var row = 0; row < all.Length; row++)
                {
                    all[row] = EntryAt(row);
                }
                Volatile.Write(ref _all, all);
            }
            return all;
        }
    }

    /// <summary>Every entry covering <paramref name="port"/>, curated knowledge first. Empty outside 0-65535.</summary>
    public PortEntries AtPort(int port) =>
        (uint)port > PortRange.MaxPort ? default : new(this, _index.RowsAt(port));

    /// <summary>Every entry with this service name (case-insensitive), curated knowledge first.</summary>
    public PortEntries ByName(ReadOnlySpan<char> name) =>
        NameIndex().GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var rows) ? new(this, rows) : default;

    private Dictionary<string, int[]> NameIndex()
    {
        var index = Volatile.Read(ref _byName);
        if (index is not null)
        {
            return index;
        }
        var lists = new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase);
        // Curated rows first so that they lead each name's list.
        for (var pass = 0; pass < 2; pass++)
        {
            for (var row = 0; row < _index.Count; row++)
            {
                if (_index.IsIana[row] != (pass == 1))
                {
                    continue;
                }
                var name = row < _index.IanaCount && Decoded(row) is null ? _iana!.NameOf(row) : EntryAt(row).Name;
                if (name.Length == 0)
                {
                    continue;
                }
                if (!lists.TryGetValue(name, out var list))
                {
                    lists[name] = list = [];
                }
                list.Add(row);
            }
        }
        index = lists.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.OrdinalIgnoreCase);
        Volatile.Write(ref _byName, index);
        return index;
    }

    /// <summary>
    /// The one entry that best explains <paramref name="port"/> over <paramref name="transport"/>:
    /// curated knowledge, else a named IANA assignment, else any IANA row (reserved, unassigned); null if none.
    /// </summary>
    public PortEntry? Explain(int port, Transport transport)
    {
        if ((uint)port > PortRange.MaxPort)
        {
            return null;
        }
        PortEntry? any = null;
        var transports = _index.Transport;
        var isIana = _index.IsIana;
        foreach (var row in _index.RowsAt(port))
        {
            if (transports[row] != (sbyte)transport)
            {
                continue;
            }
            var entry = EntryAt(row);
            if (!isIana[row] || entry.Name.Length > 0)
            {
                return entry;
            }
            any ??= entry;
        }
        return any;
    }

    /// <summary>
    /// Like <see cref="Explain"/>, but never null: a port the registry has no row for is described by its number
    /// space, so every port the tool prints is explained.
    /// </summary>
    public PortEntry Describe(int port, Transport transport) => Explain(port, transport) ?? new PortEntry
    {
        Port = port,
        EndPort = port,
        Protocol = transport,
        Source = EntrySource.Iana,
        Description = PortCategories.Of(port) switch
        {
            PortCategory.Dynamic => "Dynamic port (49152-65535): IANA never assigns these; usually a client's ephemeral port or a service configured by hand",
            PortCategory.Registered => "Unassigned registered port: no IANA assignment; a service configured by hand",
            _ => "Unassigned well-known port: no IANA assignment",
        },
    };

    /// <summary>The number of IANA rows for a transport (rows that name no transport are not counted).</summary>
    public int CountIana(Transport transport)
    {
        var count = 0;
        var transports = _index.Transport;
        var isIana = _index.IsIana;
        for (var row = 0; row < _index.Count; row++)
        {
            if (isIana[row] && transports[row] == (sbyte)transport)
            {
                count++;
            }
        }
        return count;
    }
}
