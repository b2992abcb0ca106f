using PortAtlas.Targets;

namespace PortAtlas.Scanning.Raw;

/// <summary>
/// Tells a sweep's probe that belongs to another shard of the plan (<see cref="ScanShard"/>) from one of its own, per
/// probe, from the shard permutation's inverse: a shard of a /8 holds no bit for the three quarters of the pairs it
/// never sends (issue 17). Canary probes are every shard's own.
/// </summary>
internal sealed class ShardFilter
{
    private readonly TargetSet _hosts;
    private readonly TargetSet _planned;
    private readonly bool _samePlan;
    private readonly ulong _slots;
    private readonly ulong _stride;
    private readonly IndexPermutation _permutation;
    private readonly ulong _start;
    private readonly ulong _end;

    /// <param name="hosts">The sweep's hosts: the plan's, or those of them discovery kept.</param>
    /// <param name="planned">The plan's hosts, which the shards are cut from.</param>
    /// <param name="slots">Port probes a host (the permutation's stride).</param>
    /// <param name="stride">Probes a host in the sweep: the port probes and then the canaries.</param>
    /// <param name="shard">This sweep's shard.</param>
    /// <param name="seed">The shard permutation's seed, the same in every shard of the plan.</param>
    /// <param name="sequential">Whether the permutation is the identity (<c>--sequential</c>).</param>
    public ShardFilter(TargetSet hosts, TargetSet planned, int slots, int stride, ScanShard shard, ulong seed, bool sequential)
    {
        _hosts = hosts;
        _planned = planned;
        _samePlan = ReferenceEquals(hosts, planned);
        _slots = (ulong)slots;
        _stride = (ulong)stride;
        var total = checked(planned.Count * _slots);
        _permutation = new IndexPermutation(total, seed, sequential);
        (_start, _end) = shard.Range(total);
        ForeignCount = _samePlan ? total - (_end - _start) : CountForeign();
    }

    /// <summary>The sweep's port probes that are other shards'.</summary>
    public ulong ForeignCount { get; }

    /// <summary>Whether the sweep's hosts are the plan's own (no discovery dropped any): then a plan pair is a sweep pair.</summary>
    public bool SamePlan => _samePlan;

    /// <summary>This shard's pairs.</summary>
    public ulong OwnPairs => _end - _start;

    /// <summary>The plan pair (host × ports + slot) of this shard's <paramref name="k"/>-th pair, in the shard permutation's order.</summary>
    public ulong OwnPairAt(ulong k) => _permutation.Map(_start + k);

    public bool IsForeign(ulong index)
    {
        var slot = index % _stride;
        if (slot >= _slots)
        {
            return false;
        }
        var host = index / _stride;
        if (!_samePlan)
        {
            var value = _hosts.GetValue(host, out var isIPv6);
            if (!_planned.TryGetIndex(value, isIPv6, out host))
            {
                return false;
            }
        }
        var position = _permutation.Inverse((host * _slots) + slot);
        return position < _start || position >= _end;
    }

    // Discovery kept a subset of the plan's hosts: count their pairs outside the range one by one.
    private ulong CountForeign()
    {
        ulong count = 0;
        for (ulong host = 0; host < _hosts.Count; host++)
        {
            for (ulong slot = 0; slot < _slots; slot++)
            {
                count += IsForeign((host * _stride) + slot) ? 1UL : 0;
            }
        }
        return count;
    }
}
