namespace PortAtlas.Registry;

/// <summary>A view of registry entries, materialised one by one as they are read; allocates nothing itself.</summary>
public readonly ref struct PortEntries
{
    private readonly PortRegistry? _registry;
    private readonly ReadOnlySpan<int> _indices;

    internal PortEntries(PortRegistry registry, ReadOnlySpan<int> indices)
    {
        _registry = registry;
        _indices = indices;
    }

    /// <summary>Number of entries.</summary>
    public int Length => _indices.Length;

    /// <summary>True when there is none.</summary>
    public bool IsEmpty => _indices.IsEmpty;

    /// <summary>The entry at <paramref name="index"/>.</summary>
    public PortEntry this[int index] => _registry!.EntryAt(_indices[index]);

    /// <summary>The entries as an array.</summary>
    public PortEntry[] ToArray()
    {
        var array = new PortEntry[_indices.Length];
        for (var i = 0; i < array.Length; i++)
        {
            array[i] = this[i];
        }
        return array;
    }

    /// <summary>Enumerates without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>The enumerator of <see cref="PortEntries"/>.</summary>
    public ref struct Enumerator
    {
        private readonly PortEntries _entries;
        private int _index;

        internal Enumerator(PortEntries entries)
        {
            _entries = entries;
            _index = -1;
        }

        /// <summary>Advances.</summary>
        public bool MoveNext() => ++_index < _entries.Length;

        /// <summary>The current entry.</summary>
        public readonly PortEntry Current => _entries[_index];
    }
}
