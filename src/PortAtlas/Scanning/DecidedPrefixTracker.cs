namespace PortAtlas.Scanning;

/// <summary>
/// The lowest permutation index not yet settled, when indices settle in any order: a ring of flags for the indices between
/// that prefix and the highest settled one, grown by doubling. Memory follows the spread between the slowest pair in flight
/// and the fastest (bounded in practice by concurrency × retransmissions), not the scan's size.
/// </summary>
internal sealed class DecidedPrefixTracker
{
    private readonly Lock _lock = new();
    private bool[] _settled = new bool[1024];
    private int _head;
    private ulong _prefix;

    public DecidedPrefixTracker(ulong start) => _prefix = start;

    /// <summary>Every index below this is settled.</summary>
    public ulong Prefix
    {
        get
        {
            lock (_lock)
            {
                return _prefix;
            }
        }
    }

    /// <summary>Marks <paramref name="index"/> settled; marking twice, or below the prefix, does nothing.</summary>
    public void Mark(ulong index)
    {
        lock (_lock)
        {
            if (index < _prefix)
            {
                return;
            }
            var offset = index - _prefix;
            if (offset >= (ulong)_settled.Length)
            {
                Grow(offset);
            }
            _settled[(_head + (int)offset) % _settled.Length] = true;
            while (_settled[_head])
            {
                _settled[_head] = false;
                _head = (_head + 1) % _settled.Length;
                _prefix++;
            }
        }
    }

    private void Grow(ulong offset)
    {
        var length = _settled.Length;
        while ((ulong)length <= offset)
        {
            length = checked(length * 2);
        }
        var grown = new bool[length];
        for (var i = 0; i < _settled.Length; i++)
        {
            grown[i] = _settled[(_head + i) % _settled.Length];
        }
        _settled = grown;
        _head = 0;
    }
}
