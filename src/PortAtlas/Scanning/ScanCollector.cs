using System.Collections;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PortAtlas.Scanning.Packets;
using PortAtlas.Targets;

namespace PortAtlas.Scanning;

/// <summary>How <see cref="ScanCollector"/> lists ports.</summary>
public sealed record ScanCollectorOptions
{
    /// <summary>List closed ports whatever their number; default false (they are listed while a host has few).</summary>
    public bool ListClosed { get; init; }

    /// <summary>List filtered ports whatever their number; default false (they are listed while a host has few).</summary>
    public bool ListFiltered { get; init; }

    /// <summary>
    /// How many closed (or filtered) ports of one host are listed before the rest of that state are only counted;
    /// default <see cref="ScanCollector.MaxListedPerState"/>; 0 lists none.
    /// </summary>
    public int MaxListedPerState { get; init; } = ScanCollector.MaxListedPerState;
}

/// <summary>
/// The one place where results become a <see cref="ScanReport"/>, with bounded memory, as nmap reports them: every
/// open, open|filtered and unfiltered port is kept; closed and filtered ports are kept only while a host has few of
/// them (<see cref="ScanCollectorOptions.MaxListedPerState"/>), otherwise only counted and reported as extra ports.
/// Seedable from earlier reports (<see cref="Add(ScanReport)"/>), so that the parts of a scan run at different times
/// add up to the report an uninterrupted run would have given. Not thread-safe: one writer.
/// </summary>
/// <remarks>
/// Memory is flat in the number of hosts that have nothing to list (a silent or closed host of a large scan): such a
/// host is a slot of counts (about 50 bytes, no object of its own), or, when an engine hands it over as silent or
/// closed, one bit
/// (<see cref="AddUniformHosts"/>); the built report's hosts are made as they are
/// read, in address order, so that writers and stores stream them. A host that may still list its closed or filtered
/// ports (it has few of them so far) holds them as 8-byte entries in reused blocks, not as records. A report built here is a view: read it before
/// adding more results (reading a host afterwards throws <see cref="InvalidOperationException"/>).
/// </remarks>
public sealed class ScanCollector
{
    /// <summary>How many closed or filtered ports of one host are listed, by default, before the rest are only counted.</summary>
    public const int MaxListedPerState = 25;

    private const int States = (int)PortState.Unfiltered + 1;
    // Slots live in chunks of 2,048 (64 KB, below the large object heap): growing never copies them all at once.
    private const int ChunkBits = 11;
    private const int ChunkSize = 1 << ChunkBits;
    private const byte StateUnknown = 0;
    private const byte StateUp = 1;
    private const byte StateOther = 2;

    // IPv4 hosts by their address as a number, so that a host with nothing to list needs no object; others by address.
    private readonly Dictionary<uint, int> _v4 = [];
    private readonly Dictionary<IPAddress, int> _other = [];
    private readonly List<Slot[]> _chunks = [];
    private readonly long[] _totals = new long[States];
    private readonly ScanCollectorOptions _options;
    // The (state, reason) pairs of held ports, so that a held port names its reason in one byte; id 0 marks an unused entry.
    private readonly Dictionary<(PortState, string), byte> _reasonIds = [];
    private readonly List<(PortState State, string Reason)> _reasons = [(default, "")];
    private readonly HeldBlocks? _held;
    // Hosts an engine handed over as uniform (IPv4 only): a bit each, not a slot; listed by the report among the others.
    private UniformHosts? _uniform;
    private int _slotCount;
    private int _version;

    /// <summary>Creates a collector; <paramref name="listEveryState"/> keeps every port whatever its state.</summary>
    public ScanCollector(bool listEveryState = false)
        : this(new ScanCollectorOptions { ListClosed = listEveryState, ListFiltered = listEveryState })
    {
    }

    /// <summary>Creates a collector with <paramref name="options"/>.</summary>
    public ScanCollector(ScanCollectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxListedPerState, nameof(options));
        _options = options;
        // Past 64 a block would cost more than the few ports most hosts have: such ports are held as they came.
        _held = options.MaxListedPerState is > 0 and <= 64 ? new HeldBlocks(options.MaxListedPerState) : null;
    }

    /// <summary>Number of results added (seeded reports' counted ports included).</summary>
    public long Count { get; private set; }

    /// <summary>Number of open ports added.</summary>
    public long OpenCount => _totals[(int)PortState.Open];

    /// <summary>Adds one result.</summary>
    public void Add(PortResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _version++;
        ref var slot = ref SlotOf(result.Address, null, "unknown", out var index);
        var state = (int)result.State;
        slot.Counts[state] = Saturating(slot.Counts[state] + 1L);
        _totals[state]++;
        Count++;
        AddListed(ref slot, index, result);
        Prune(ref slot, index, result.State);
    }

    /// <summary>
    /// Adds an earlier part of the scan: each host's counts (from <see cref="HostResult.StateCounts"/>, else its listed
    /// ports), listed ports, name and state. Each port must be in one part only.
    /// </summary>
    public void Add(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _version++;
        Span<long> counted = stackalloc long[States];
        foreach (var host in report.Hosts)
        {
            ref var slot = ref SlotOf(host.Address, host.Hostname, host.State, out var index);
            counted.Clear();
            foreach (var port in host.Ports)
            {
                counted[(int)port.State]++;
                AddListed(ref slot, index, port);
            }
            foreach (var (name, count) in host.StateCounts)
            {
                if (PortStateNames.TryParse(name, out var state))
                {
                    counted[(int)state] = Math.Max(counted[(int)state], count);
                }
            }
            for (var s = 0; s < States; s++)
            {
                slot.Counts[s] = Saturating(slot.Counts[s] + counted[s]);
                _totals[s] += counted[s];
                Count += counted[s];
                Prune(ref slot, index, (PortState)s);
            }
        }
    }

    /// <summary>Number of hosts the report lists from here: those held, and those handed over as uniform.</summary>
    public int HostCount => checked(_slotCount + (int)(_uniform?.Count ?? 0));

    /// <summary>
    /// Adds hosts of which no probe brought an answer or every probe a reset, each with its ports
    /// (<see cref="UniformHosts.PortsOf"/>) of its state and no port listed, as that many results would: held as a bit each, listed by the report in address order. A host
    /// held here already (a seeded report's) takes the counts into its slot. Only for ports a host cannot list (more of
    /// them than <see cref="ScanCollectorOptions.MaxListedPerState"/>, their state not listed in full).
    /// </summary>
    internal void AddUniformHosts(UniformHosts uniform)
    {
        ArgumentNullException.ThrowIfNull(uniform);
        _version++;
        _totals[(int)uniform.State] += uniform.SilentPorts;
        _totals[(int)PortState.Closed] += uniform.ClosedPorts;
        Count += uniform.SilentPorts + uniform.ClosedPorts;
        if (_uniform is null && uniform.Hosts.IsIPv4Only)
        {
            foreach (var (key, index) in _v4)
            {
                if (uniform.Remove(key, out var state, out var ports))
                {
                    AddUniformCounts(ref SlotAt(index), index, ports, state);
                }
            }
            _uniform = uniform;
            return;
        }
        // A second set (or IPv6 hosts) is rare: its hosts take slots, as their results would have.
        for (var host = uniform.Next(0); host < uniform.Hosts.Count; host = uniform.Next(host + 1))
        {
            ref var slot = ref SlotOf(uniform.Hosts.GetAddress(host), null, "unknown", out var index);
            AddUniformCounts(ref slot, index, uniform.PortsOf(host), uniform.StateOf(host));
        }
    }

    private void AddUniformCounts(ref Slot slot, int index, int ports, PortState state)
    {
        slot.Counts[(int)state] = Saturating(slot.Counts[(int)state] + (long)ports);
        Prune(ref slot, index, state);
    }

    /// <summary>The ports held as listed (every open, open|filtered and unfiltered one, and those of states listed in full), in no order.</summary>
    public IEnumerable<PortResult> ListedPorts()
    {
        for (var i = 0; i < _slotCount; i++)
        {
            if (SlotAt(i).Extra?.Listed is { } listed)
            {
                foreach (var port in listed)
                {
                    yield return port;
                }
            }
        }
    }

    /// <summary>
    /// The report so far, with <paramref name="stats"/>' fields and this collector's counts. Hosts in address order, each
    /// host's ports by protocol then number. Hosts that list no port are made as they are read (a large scan's report is
    /// streamed, never held): read the report before adding more results.
    /// </summary>
    /// <param name="stats">Statistics; <see cref="ScanStats.PortsScanned"/> and <see cref="ScanStats.StateCounts"/> are replaced.</param>
    /// <param name="targets">Where host names come from, for hosts that have none yet.</param>
    public ScanReport Build(ScanStats stats, TargetSet? targets = null) => Build(stats, targets, []);

    /// <summary>As <see cref="Build(ScanStats, TargetSet?)"/>, with <paramref name="tail"/> after the collected hosts.</summary>
    internal ScanReport Build(ScanStats stats, TargetSet? targets, IReadOnlyList<HostResult> tail)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var hosts = new CollectedHosts(this, targets, tail);
        return new ScanReport
        {
            Hosts = hosts,
            Stats = stats with
            {
                PortsScanned = Count,
                HostsScanned = stats.HostsScanned == 0 ? HostCount : stats.HostsScanned,
                StateCounts = StateNames(_totals),
            },
        };
    }

    /// <summary>Whether <paramref name="address"/> has results (or was marked) here.</summary>
    internal bool Contains(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork
            ? _v4.ContainsKey(TargetSet.ToUInt32(address))
                || (_uniform is { } uniform && uniform.Hosts.TryGetIndex(TargetSet.ToUInt32(address), isIPv6: false, out var host) && uniform.Contains(host))
            : _other.ContainsKey(address);

    /// <summary>Marks a host as one that was scanned but could not be decided (a host timeout): reported "unknown" without ports.</summary>
    public void AddUnknownHost(IPAddress address, string? hostname = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        _version++;
        SlotOf(address, hostname, "unknown", out _);
    }

    private ref Slot SlotAt(int index) => ref _chunks[index >> ChunkBits][index & (ChunkSize - 1)];

    private ref Slot SlotOf(IPAddress address, string? hostname, string state, out int index)
    {
        bool exists;
        var wasUniform = false;
        var uniformState = PortState.Filtered;
        var uniformPorts = 0;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var key = TargetSet.ToUInt32(address);
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_v4, key, out exists);
            if (!exists)
            {
                entry = NewSlot();
                // A uniform host with a result after all becomes a slot, with the counts it stood for (already in the totals).
                wasUniform = _uniform?.Remove(key, out uniformState, out uniformPorts) == true;
            }
            index = entry;
        }
        else
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_other, address, out exists);
            if (!exists)
            {
                entry = NewSlot();
            }
            index = entry;
        }
        ref var slot = ref SlotAt(index);
        if (!exists)
        {
            if (address.AddressFamily != AddressFamily.InterNetwork)
            {
                slot.ExtraOrNew().Address = address;
            }
            if (state == "up")
            {
                slot.State = StateUp;
            }
            else if (state != "unknown")
            {
                slot.State = StateOther;
                slot.ExtraOrNew().State = state;
            }
        }
        if (wasUniform)
        {
            AddUniformCounts(ref slot, index, uniformPorts, uniformState);
        }
        if (hostname is not null && slot.Extra?.Hostname is null)
        {
            slot.ExtraOrNew().Hostname = hostname;
        }
        if (state == "up")
        {
            slot.State = StateUp;
        }
        return ref slot;
    }

    private int NewSlot()
    {
        if ((_slotCount & (ChunkSize - 1)) == 0)
        {
            _chunks.Add(new Slot[ChunkSize]);
        }
        return _slotCount++;
    }

    private static IPAddress V4Address(uint key) => IpPair.ToAddress(key, isIPv6: false);

    private static int Saturating(long value) => (int)Math.Min(value, int.MaxValue);

    private void AddListed(ref Slot slot, int index, PortResult result)
    {
        var listAll = result.State switch
        {
            PortState.Closed => _options.ListClosed,
            PortState.Filtered => _options.ListFiltered,
            _ => true,
        };
        if (listAll)
        {
            (slot.ExtraOrNew().Listed ??= []).Add(result);
        }
        else if (slot.Counts[(int)result.State] <= _options.MaxListedPerState)
        {
            if (_held is null || !TryHold(result, out var held) || !_held.TryAdd(index, result.State, held))
            {
                (slot.ExtraOrNew().Unlisted ??= []).Add(result);
            }
        }
    }

    /// <summary>
    /// <paramref name="result"/> as 8 bytes, when nothing is lost: a closed host of a large scan holds its first ports
    /// (listed if it ends with few) until it has more than that, late in a random-order sweep, and 25 records of
    /// about 90 bytes each made a closed host cost 2.6 KB there.
    /// </summary>
    private bool TryHold(PortResult result, out HeldPort held)
    {
        held = default;
        if (result.Service is not null || result.Findings.Count > 0 || result.Scripts.Count > 0
            || result.Port is < 0 or > ushort.MaxValue
            || result.RoundTrip is { Ticks: < 0 or >= uint.MaxValue })
        {
            return false;
        }
        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_reasonIds, (result.State, result.Reason), out var known);
        if (!known)
        {
            if (_reasons.Count > byte.MaxValue)
            {
                _reasonIds.Remove((result.State, result.Reason));
                return false;
            }
            id = (byte)_reasons.Count;
            _reasons.Add((result.State, result.Reason));
        }
        held = new HeldPort((ushort)result.Port, result.Protocol, id, result.RoundTrip is { } rtt ? (uint)rtt.Ticks + 1 : 0);
        return true;
    }

    private PortResult Rebuild(HeldPort held, IPAddress address) => new()
    {
        Address = address,
        Port = held.Port,
        Protocol = held.Protocol,
        State = _reasons[held.Reason].State,
        Reason = _reasons[held.Reason].Reason,
        RoundTrip = held.RoundTrip == 0 ? null : TimeSpan.FromTicks(held.RoundTrip - 1L),
    };

    /// <summary>
    /// Drops the held ports of a summarised state once the host has more of them than are listed: they will never be
    /// shown, and holding them would cost memory per host in every large scan (most hosts of a silent range).
    /// </summary>
    private void Prune(ref Slot slot, int index, PortState state)
    {
        if (slot.Counts[(int)state] <= _options.MaxListedPerState || state is not (PortState.Closed or PortState.Filtered))
        {
            return;
        }
        _held?.Drop(index, state);
        if (slot.Extra is { Unlisted: { } unlisted } extra)
        {
            unlisted.RemoveAll(r => r.State == state);
            if (unlisted.Count == 0)
            {
                extra.Unlisted = null;
                if (extra.IsEmpty)
                {
                    // Back to a slot of counts: the host needs no object of its own again.
                    slot.Extra = null;
                }
            }
        }
    }

    /// <summary>The host of <paramref name="slot"/> as reported: listed ports sorted, summarised states counted.</summary>
    private HostResult Materialize(in Slot slot, int index, IPAddress address, TargetSet? targets, SharedCounts shared)
    {
        IReadOnlyList<PortResult> ports = [];
        var extra = slot.Extra;
        if (extra?.Listed is not null || extra?.Unlisted is not null || _held?.Any(index) == true)
        {
            var list = new List<PortResult>(extra?.Listed ?? []);
            foreach (var state in (ReadOnlySpan<PortState>)[PortState.Closed, PortState.Filtered])
            {
                // A state with more ports than can be listed is summarised, as nmap's "Not shown: N closed ports".
                if (slot.Counts[(int)state] > _options.MaxListedPerState)
                {
                    continue;
                }
                if (extra?.Unlisted is not null)
                {
                    list.AddRange(extra.Unlisted.Where(r => r.State == state));
                }
                foreach (var held in _held is null ? default : _held.Of(index, state))
                {
                    list.Add(Rebuild(held, address));
                }
            }
            list.Sort(static (a, b) => a.Protocol != b.Protocol ? a.Protocol.CompareTo(b.Protocol) : a.Port.CompareTo(b.Port));
            ports = list;
        }
        var answered = slot.Counts[(int)PortState.Open] + (long)slot.Counts[(int)PortState.Closed] > 0;
        return new HostResult
        {
            Address = address,
            Hostname = extra?.Hostname ?? targets?.HostnameOf(address),
            State = answered || slot.State == StateUp ? "up" : slot.State == StateOther ? extra!.State! : "unknown",
            Ports = ports,
            StateCounts = shared.Of(slot.Counts),
        };
    }

    private static Dictionary<string, long> StateNames(ReadOnlySpan<long> counts)
    {
        var names = new Dictionary<string, long>();
        for (var s = 0; s < counts.Length; s++)
        {
            if (counts[s] > 0)
            {
                names[((PortState)s).ToName()] = counts[s];
            }
        }
        return names;
    }

    private static Dictionary<string, long> StateNames(in StateCountArray counts)
    {
        Span<long> wide = stackalloc long[States];
        for (var s = 0; s < States; s++)
        {
            wide[s] = counts[s];
        }
        return StateNames(wide);
    }

    /// <summary>What is held per host: counts and state inline (32 bytes); an object only once the host has ports to list, a name, or an IPv6 address.</summary>
    private struct Slot
    {
        public HostExtra? Extra;
        public StateCountArray Counts;
        public byte State;

        public HostExtra ExtraOrNew() => Extra ??= new HostExtra();
    }

    /// <summary>The rarer parts of a host: ports held to list, the name it was given, a state other than up or unknown, its address when not IPv4.</summary>
    private sealed class HostExtra
    {
        public List<PortResult>? Listed { get; set; }
        /// <summary>Closed or filtered ports held while the host may list them, that do not fit in <see cref="HeldBlocks"/>.</summary>
        public List<PortResult>? Unlisted { get; set; }
        public string? Hostname { get; set; }
        public string? State { get; set; }
        public IPAddress? Address { get; set; }

        public bool IsEmpty => Listed is null && Unlisted is null && Hostname is null && State is null && Address is null;
    }

    /// <summary>A closed or filtered port held in 8 bytes: number, transport, (state, reason) id (from 1), round trip in ticks plus one (0: none).</summary>
    private readonly record struct HeldPort(ushort Port, Transport Protocol, byte Reason, uint RoundTrip);

    /// <summary>
    /// Held ports by host and state, in blocks of one state's listed size (a state is held only while a host has no more
    /// than that), in chunks of at most 64 KB that are reused. A closed host of a large sweep holds its first ports for
    /// seconds, until its next one: as arrays of their own, they died in the oldest generation, which the GC gave back
    /// late (peak RSS 143 MiB over pa-rst, 123 with ConserveMemory).
    /// </summary>
    private sealed class HeldBlocks(int size)
    {
        private readonly Dictionary<long, int> _blocks = [];
        private readonly List<HeldPort[]> _chunks = [];
        private readonly Stack<int> _free = new();
        private readonly int _perChunk = Math.Max(1, 8192 / size);
        private int _made;

        public bool Any(int slot) =>
            _blocks.Count > 0 && (_blocks.ContainsKey(Key(slot, PortState.Closed)) || _blocks.ContainsKey(Key(slot, PortState.Filtered)));

        /// <summary>Adds <paramref name="port"/>; false when the block is full (a seeded report listed more than that).</summary>
        public bool TryAdd(int slot, PortState state, HeldPort port)
        {
            ref var block = ref CollectionsMarshal.GetValueRefOrAddDefault(_blocks, Key(slot, state), out var exists);
            if (!exists)
            {
                block = Take();
            }
            var entries = Block(block);
            var used = Used(entries);
            if (used == entries.Length)
            {
                return false;
            }
            entries[used] = port;
            return true;
        }

        public ReadOnlySpan<HeldPort> Of(int slot, PortState state) =>
            _blocks.TryGetValue(Key(slot, state), out var block) ? Block(block)[..Used(Block(block))] : default;

        public void Drop(int slot, PortState state)
        {
            if (!_blocks.Remove(Key(slot, state), out var block))
            {
                return;
            }
            Block(block).Clear();
            _free.Push(block);
            if (_blocks.Count == 0 && _chunks.Count > 1)
            {
                // Nothing held any more (the end of a closed sweep): the chunks go back to the GC.
                _chunks.Clear();
                _free.Clear();
                _made = 0;
                _blocks.TrimExcess();
            }
        }

        private static long Key(int slot, PortState state) => ((long)slot << 1) | (state == PortState.Filtered ? 1L : 0L);

        private static int Used(Span<HeldPort> entries)
        {
            var used = 0;
            while (used < entries.Length && entries[used].Reason != 0)
            {
                used++;
            }
            return used;
        }

        private Span<HeldPort> Block(int block) => _chunks[block / _perChunk].AsSpan(block % _perChunk * size, size);

        private int Take()
        {
            if (_free.TryPop(out var block))
            {
                return block;
            }
            if (_made == _chunks.Count * _perChunk)
            {
                _chunks.Add(new HeldPort[_perChunk * size]);
            }
            return _made++;
        }
    }

    /// <summary>One count per <see cref="PortState"/>, inline in its slot.</summary>
    [InlineArray(States)]
    private struct StateCountArray
    {
        private int _first;
    }

    /// <summary>One count table per distinct pattern of counts, for hosts that list no port.</summary>
    private sealed class SharedCounts
    {
        private readonly Dictionary<(int, int, int, int, int), Dictionary<string, long>> _tables = [];

        public Dictionary<string, long> Of(in StateCountArray counts)
        {
            var key = (counts[0], counts[1], counts[2], counts[3], counts[4]);
            lock (_tables)
            {
                if (!_tables.TryGetValue(key, out var table))
                {
                    // Bounded: a scan with many distinct patterns gets its own tables past this point.
                    table = StateNames(counts);
                    if (_tables.Count < 4096)
                    {
                        _tables[key] = table;
                    }
                }
                return table;
            }
        }
    }

    /// <summary>
    /// The hosts of a built report, in address order, each made when it is read, from its slot: its counts (one shared
    /// table per pattern of counts), results kept whole and held 8-byte entries. Made at once, 61,440 hosts with three open
    /// ports each held ~1 KB apiece (a list and a table of counts of their own) from the build to the end. Holds 8 bytes per held host (its
    /// place in the order) and 4 more per held IPv4 host beside uniform ones (how many uniform hosts come before it),
    /// beside the collector it reads; a uniform host costs nothing here.
    /// </summary>
    private sealed class CollectedHosts : IReadOnlyList<HostResult>, IHostListView
    {
        private readonly ScanCollector _owner;
        private readonly int _version;
        private readonly TargetSet? _targets;
        private readonly uint[] _v4Keys;
        private readonly int[] _v4Slots;
        private readonly IPAddress[] _otherAddresses;
        private readonly int[] _otherSlots;
        private readonly IReadOnlyList<HostResult> _tail;
        private readonly Func<HostResult, HostResult>? _map;
        private readonly SharedCounts _shared;
        private readonly UniformHosts? _uniform;
        private readonly long[]? _ranks;
        // Per held IPv4 host: the uniform hosts before it, so that its place among all IPv4 hosts is its own plus that.
        private readonly int[]? _uniformBefore;
        private readonly int _v4Hosts;

        public CollectedHosts(ScanCollector owner, TargetSet? targets, IReadOnlyList<HostResult> tail)
        {
            _owner = owner;
            _version = owner._version;
            _targets = targets;
            _tail = tail;
            _shared = new SharedCounts();
            _v4Keys = new uint[owner._v4.Count];
            _v4Slots = new int[owner._v4.Count];
            var i = 0;
            foreach (var (key, slot) in owner._v4)
            {
                _v4Keys[i] = key;
                _v4Slots[i++] = slot;
            }
            Array.Sort(_v4Keys, _v4Slots);
            _otherAddresses = new IPAddress[owner._other.Count];
            _otherSlots = new int[owner._other.Count];
            i = 0;
            foreach (var (address, slot) in owner._other)
            {
                _otherAddresses[i] = address;
                _otherSlots[i++] = slot;
            }
            Array.Sort(_otherAddresses, _otherSlots, IPAddressComparer.Instance);
            _v4Hosts = _v4Slots.Length;
            if (owner._uniform is { Count: > 0 } uniform)
            {
                _uniform = uniform;
                _ranks = uniform.BlockRanks();
                _uniformBefore = new int[_v4Keys.Length];
                for (var p = 0; p < _v4Keys.Length; p++)
                {
                    _uniformBefore[p] = (int)uniform.Rank(uniform.Hosts.CountBelow(_v4Keys[p]), _ranks);
                }
                _v4Hosts = checked(_v4Hosts + (int)uniform.Count);
            }
        }

        private CollectedHosts(CollectedHosts source, Func<HostResult, HostResult> map)
        {
            _owner = source._owner;
            _version = source._version;
            _targets = source._targets;
            _v4Keys = source._v4Keys;
            _v4Slots = source._v4Slots;
            _otherAddresses = source._otherAddresses;
            _otherSlots = source._otherSlots;
            _shared = source._shared;
            _uniform = source._uniform;
            _ranks = source._ranks;
            _uniformBefore = source._uniformBefore;
            _v4Hosts = source._v4Hosts;
            _tail = [.. source._tail.Select(map)];
            _map = source._map is { } inner ? h => map(inner(h)) : map;
        }

        public int Count => _v4Hosts + _otherSlots.Length + _tail.Count;

        public HostResult this[int index]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfNegative(index);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
                var collected = _v4Hosts + _otherSlots.Length;
                if (index >= collected)
                {
                    return _tail[index - collected];
                }
                if (index >= _v4Hosts)
                {
                    return Lazy(_v4Slots.Length + (index - _v4Hosts), uniformHost: 0);
                }
                if (_uniform is null)
                {
                    return Lazy(index, uniformHost: 0);
                }
                // The last held IPv4 host at or before this place: it is that host, or a uniform one after it.
                int low = 0, high = _v4Keys.Length - 1, held = -1;
                while (low <= high)
                {
                    var mid = low + ((high - low) / 2);
                    if (PositionOfHeld(mid) <= index)
                    {
                        held = mid;
                        low = mid + 1;
                    }
                    else
                    {
                        high = mid - 1;
                    }
                }
                return held >= 0 && PositionOfHeld(held) == index
                    ? Lazy(held, uniformHost: 0)
                    : Lazy(-1, _uniform.Select(index - (held + 1), _ranks!));
            }
        }

        public IReadOnlyList<HostResult> Map(Func<HostResult, HostResult> map) => new CollectedHosts(this, map);

        public IEnumerator<HostResult> GetEnumerator()
        {
            // In one walk: held and uniform IPv4 hosts merged by address, then the others, then the tail.
            var position = 0;
            var uniformEnd = _uniform?.Hosts.Count ?? 0;
            var uniformHost = _uniform?.Next(0) ?? 0;
            var uniformKey = uniformHost < uniformEnd ? (uint)_uniform!.Hosts.GetValue(uniformHost, out _) : 0;
            var held = 0;
            while (held < _v4Keys.Length || uniformHost < uniformEnd)
            {
                if (held < _v4Keys.Length && (uniformHost >= uniformEnd || _v4Keys[held] < uniformKey))
                {
                    yield return Lazy(held, uniformHost: 0);
                    held++;
                }
                else
                {
                    yield return Lazy(-1, uniformHost);
                    uniformHost = _uniform!.Next(uniformHost + 1);
                    uniformKey = uniformHost < uniformEnd ? (uint)_uniform.Hosts.GetValue(uniformHost, out _) : 0;
                }
                position++;
            }
            for (var i = position; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>The place in the report of held host <paramref name="held"/> (IPv4 ones first, each after the uniform hosts below it).</summary>
        private int PositionOfHeld(int held) =>
            held < _v4Keys.Length ? held + (_uniformBefore?[held] ?? 0) : _v4Hosts + (held - _v4Keys.Length);

        private IPAddress HeldAddress(int held) =>
            held < _v4Keys.Length ? V4Address(_v4Keys[held]) : _otherAddresses[held - _v4Keys.Length];

        /// <summary>Held host <paramref name="held"/> made from its slot, or (when -1) uniform host <paramref name="uniformHost"/> from the counts it stands for.</summary>
        private HostResult Lazy(int held, ulong uniformHost)
        {
            if (_owner._version != _version)
            {
                throw new InvalidOperationException("The collector took more results after this report was built: build the report again.");
            }
            HostResult host;
            if (held >= 0)
            {
                var slot = held < _v4Slots.Length ? _v4Slots[held] : _otherSlots[held - _v4Slots.Length];
                host = _owner.Materialize(_owner.SlotAt(slot), slot, HeldAddress(held), _targets, _shared);
            }
            else
            {
                var counts = default(Slot);
                counts.Counts[(int)_uniform!.StateOf(uniformHost)] = _uniform.PortsOf(uniformHost);
                // No slot of its own: -1 holds no ports.
                host = _owner.Materialize(counts, -1, V4Address((uint)_uniform.Hosts.GetValue(uniformHost, out _)), _targets, _shared);
            }
            return _map is null ? host : _map(host);
        }
    }
}
