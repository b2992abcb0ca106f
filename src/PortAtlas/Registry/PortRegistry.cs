namespace PortAtlas.Registry;

/// <summary>
/// The offline port registry: every IANA row plus PortAtlas's curated knowledge, indexed by port and by name.
/// Immutable and safe to share between threads. Rows are decoded on first use, so a look-up by number costs
/// only the rows it returns.
/// </summary>
public sealed partial class PortRegistry
{
    private static readonly Lazy<PortRegistry> s_default = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    // Row i is IANA record i for i < _ianaCount, then curated rows. Each row's port range, transport and source
    // are kept as plain arrays so that indexing and Explain never decode a row they do not return.
    private readonly IanaTable? _iana;
    private readonly int _ianaCount;
    private readonly PortEntry?[] _rows;
    private readonly int[] _first;
    private readonly int[] _last;
    private readonly sbyte[] _transport;
    private readonly bool[] _isIana;
    // Rows by port in compressed-row form: the rows covering port p are _byPort[_offsets[p].._offsets[p + 1]],
    // curated and unofficial rows first.
    private readonly int[] _byPort;
    private readonly int[] _offsets;
    private Dictionary<string, int[]>? _byName;
    private PortEntry[]? _all;

    /// <summary>The registry built from the data compiled into PortAtlas, loaded on first use.</summary>
    public static PortRegistry Default => s_default.Value;

    /// <summary>Builds a registry from entries (IANA and curated, in any order).</summary>
    public PortRegistry(IEnumerable<PortEntry> entries)
        : this(null, [.. entries ?? throw new ArgumentNullException(nameof(entries))])
    {
    }

    private PortRegistry(IanaTable? iana, PortEntry[] others)
    {
        _iana = iana;
        _ianaCount = iana?.Count ?? 0;
        var count = _ianaCount + others.Length;
        _rows = new PortEntry?[count];
        _first = new int[count];
        _last = new int[count];
        _transport = new sbyte[count];
        _isIana = new bool[count];
        if (iana is not null)
        {
            Array.Copy(iana.First, _first, _ianaCount);
            Array.Copy(iana.Last, _last, _ianaCount);
            Array.Copy(iana.Transport, _transport, _ianaCount);
            Array.Fill(_isIana, true, 0, _ianaCount);
        }
        for (var i = 0; i < others.Length; i++)
        {
            var row = _ianaCount + i;
            var entry = others[i];
            _rows[row] = entry;
            _first[row] = entry.Port ?? -1;
            _last[row] = entry.Port is null ? -1 : entry.EndPort ?? entry.Port.Value;
            _transport[row] = entry.Protocol is Transport t ? (sbyte)t : (sbyte)-1;
            _isIana[row] = entry.Source == EntrySource.Iana;
        }

        var offsets = new int[PortRange.MaxPort + 2];
        for (var row = 0; row < count; row++)
        {
            for (var p = _first[row]; p >= 0 && p <= _last[row]; p++)
            {
                offsets[p + 1]++;
            }
        }
        for (var p = 1; p < offsets.Length; p++)
        {
            offsets[p] += offsets[p - 1];
        }
        _offsets = offsets;
        // Every slot is written below: no need to pay for zeroing.
        _byPort = GC.AllocateUninitializedArray<int>(offsets[^1]);
        var fill = GC.AllocateUninitializedArray<int>(offsets.Length);
        offsets.CopyTo(fill, 0);
        // Two passes place curated knowledge ahead of IANA rows at each port.
        foreach (var curatedPass in (ReadOnlySpan<bool>)[true, false])
        {
            for (var row = 0; row < count; row++)
            {
                if (_isIana[row] != curatedPass)
                {
                    for (var p = _first[row]; p >= 0 && p <= _last[row]; p++)
                    {
                        _byPort[fill[p]++] = row;
                    }
                }
            }
        }
    }

    /// <summary>Loads the registry from the data compiled into the assembly.</summary>
    public static PortRegistry LoadEmbedded()
    {
        var iana = RegistryData.ReadResourceBytes(RegistryData.IanaResource)
            ?? throw new InvalidOperationException("the IANA registry resource is missing from the build");
        var curated = RegistryData.ReadResource(RegistryData.CuratedResource);
        return new PortRegistry(IanaTable.Index(iana), curated is null ? [] : [.. RegistryData.ParseCurated(curated)]);
    }

    internal PortEntry EntryAt(int row)
    {
        var entry = Volatile.Read(ref _rows[row]);
        if (entry is null)
        {
            // Two threads may decode the same row; both results are equal records, either may win.
            entry = _iana!.Materialize(row);
            Volatile.Write(ref _rows[row], entry);
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
                all = new PortEntry[_rows.Length];
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
        (uint)port > PortRange.MaxPort ? default : new(this, _byPort.AsSpan(_offsets[port], _offsets[port + 1] - _offsets[port]));

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
            for (var row = 0; row < _rows.Length; row++)
            {
                if (_isIana[row] != (pass == 1))
                {
                    continue;
                }
                var name = row < _ianaCount && _rows[row] is null ? _iana!.NameOf(row) : EntryAt(row).Name;
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
        foreach (var row in _byPort.AsSpan(_offsets[port], _offsets[port + 1] - _offsets[port]))
        {
            if (_transport[row] != (sbyte)transport)
            {
                continue;
            }
            var entry = EntryAt(row);
            if (!_isIana[row] || entry.Name.Length > 0)
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
        for (var row = 0; row < _rows.Length; row++)
        {
            if (_isIana[row] && _transport[row] == (sbyte)transport)
            {
                count++;
            }
        }
        return count;
    }
}
