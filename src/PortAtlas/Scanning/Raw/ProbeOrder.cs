namespace PortAtlas.Scanning.Raw;

/// <summary>
/// The order in which a pass walks a sweep's probes: a seeded permutation of all of them; for a shard, of its own pairs
/// and the canaries only, so that a shard of N walks a N-th of the positions rather than all of them, skipping the others
/// (issue 17). When discovery kept a subset of the plan's hosts, a shard walks them all and leaves other shards' out.
/// </summary>
internal sealed class ProbeOrder
{
    private readonly IndexPermutation _permutation;
    private readonly ShardFilter? _shard;
    private readonly bool _ownOnly;
    private readonly ulong _ownPairs;
    private readonly ulong _slots;
    private readonly ulong _stride;
    private readonly ulong _canaries;

    public ProbeOrder(ulong total, int slots, int canaries, ShardFilter? shard, ulong seed, bool sequential)
    {
        _shard = shard;
        _slots = (ulong)slots;
        _canaries = (ulong)canaries;
        _stride = _slots + _canaries;
        _ownOnly = shard is { SamePlan: true };
        _ownPairs = _ownOnly ? shard!.OwnPairs : 0;
        Positions = _ownOnly ? _ownPairs + (total / _stride * _canaries) : total;
        _permutation = new IndexPermutation(Math.Max(1, Positions), seed, sequential);
    }

    /// <summary>Positions a pass walks.</summary>
    public ulong Positions { get; }

    /// <summary>The sweep index of the probe at <paramref name="position"/>; false when it is another shard's.</summary>
    public bool TryGetIndex(ulong position, out ulong index)
    {
        var mapped = _permutation.Map(position);
        if (_ownOnly)
        {
            if (mapped < _ownPairs)
            {
                var pair = _shard!.OwnPairAt(mapped);
                index = (pair / _slots * _stride) + (pair % _slots);
            }
            else
            {
                var canary = mapped - _ownPairs;
                index = (canary / _canaries * _stride) + _slots + (canary % _canaries);
            }
            return true;
        }
        index = mapped;
        return _shard is null || !_shard.IsForeign(index);
    }
}
