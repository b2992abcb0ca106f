namespace PortAtlas.Scanning.Raw;

internal sealed partial class RawScanEngine
{
    /// <summary>How often the pacer looks at every rate-limited host, and the spacing of its oversampling probes.</summary>
    internal static readonly TimeSpan IcmpPacingTick = TimeSpan.FromMilliseconds(20);

    /// <summary>The shortest wait before a decisive probe counts as silent, and the longest it grows to.</summary>
    private static readonly TimeSpan s_minSettleTimeout = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan s_maxSettleTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Decisive silences that make a port open|filtered (the second guards against a lost or withheld error).</summary>
    private const int SilencesForOpenFiltered = 2;

    private int[]? _firstPassUnreachables;
    private IcmpRateLimitLearner?[]? _learners;

    /// <summary>After the first pass: how many port-unreachables each host sent at once, the lower bound of its bucket.</summary>
    private void RecordFirstPassBurst()
    {
        if (_unreachables is { } counts)
        {
            _firstPassUnreachables = new int[counts.Length];
            for (var i = 0; i < counts.Length; i++)
            {
                _firstPassUnreachables[i] = Volatile.Read(ref counts[i]);
            }
        }
    }

    /// <summary>The receive thread saw a port-unreachable from <paramref name="host"/>: its learner, if it is being paced, hears of it.</summary>
    private void OnUnreachableArrived(ulong host)
    {
        if (Volatile.Read(ref _learners) is { } learners && host < (ulong)learners.Length && Volatile.Read(ref learners[host]) is { } learner)
        {
            learner.OnUnreachable(_time.GetTimestamp());
        }
    }

    /// <summary>One rate-limited host under pacing.</summary>
    private sealed class PacedHost(ulong host, List<int> pending, IcmpRateLimitLearner learner)
    {
        public ulong Host { get; } = host;

        /// <summary>Its unanswered slots still to decide, in probe order.</summary>
        public List<int> Pending { get; } = pending;

        public IcmpRateLimitLearner Learner { get; } = learner;

        /// <summary>Decisive probes in flight: slot and send time.</summary>
        public List<(int Slot, long SentAt)> Outstanding { get; } = [];

        /// <summary>Decisive silences per slot of <see cref="Pending"/>'s slots.</summary>
        public Dictionary<int, int> Silences { get; } = [];

        /// <summary>The host's port-unreachable count when each slot's last silence was counted.</summary>
        public Dictionary<int, int> SilenceEpochs { get; } = [];

        /// <summary>Slots whose decisive silence was followed by no other probe: an answer for one is late, not withheld.</summary>
        public HashSet<int> SilentSinceLastProbe { get; } = [];

        /// <summary>How long a decisive probe may stay unanswered before it counts as silent; doubled by each late answer.</summary>
        public TimeSpan SettleTimeout { get; set; }

        /// <summary>When the last oversampling probe went out (0: none yet).</summary>
        public long LastOversample { get; set; }

        public int Cursor { get; set; }

        public int Unreachables { get; set; }

        public long LastArrival { get; set; }

        public bool Done { get; set; }

        public int OpenFiltered { get; set; }
    }

    /// <summary>
    /// UDP: hosts that answered some probes with port-unreachable but left others silent are probably rate limiting their
    /// ICMP (Linux: a burst of six per peer, then one per second). Their silent ports are re-probed, every such host at
    /// once (each host's budget is its own), each under a model of its bucket learned from the answers
    /// (<see cref="IcmpRateLimitLearner"/>): probes go out a little faster than the answers can come until the spacing of
    /// the answers gives the interval; from then on a probe is sent when the model holds a token for it, so a closed port
    /// answers and a silent one is open|filtered (after a second such silence, counted once the host has answered someone
    /// in between). Ports already decided are never re-probed.
    /// A host whose answers stop for three intervals while probes still go out has nothing closed left.
    /// </summary>
    private void PaceRateLimitedHosts(Sweep sweep)
    {
        if (_unreachables is null)
        {
            return;
        }
        var stride = (ulong)sweep.Stride;
        var started = _time.GetTimestamp();
        var paced = new List<PacedHost>();
        var learners = new IcmpRateLimitLearner?[sweep.Hosts.Count];
        for (ulong host = 0; host < sweep.Hosts.Count; host++)
        {
            if (Volatile.Read(ref _unreachables[host]) == 0)
            {
                continue;
            }
            var pending = new List<int>();
            var order = new IndexPermutation((ulong)sweep.Slots.Length, _seed ^ host, _options.Sequential);
            for (ulong i = 0; i < (ulong)sweep.Slots.Length; i++)
            {
                var slot = (int)order.Map(i);
                var index = (host * stride) + (ulong)slot;
                if (!sweep.IsAnswered(index) && !sweep.IsForeign(index))
                {
                    pending.Add(slot);
                }
            }
            if (pending.Count > 0)
            {
                var burst = _firstPassUnreachables?[host] ?? 1;
                var learner = new IcmpRateLimitLearner(_time, burst, IcmpPacingTick, started);
                learners[host] = learner;
                paced.Add(new PacedHost(host, pending, learner) { Unreachables = Volatile.Read(ref _unreachables[host]), LastArrival = started });
                _rateLimited.Add(AddressOf(sweep.Hosts, host));
            }
        }
        if (paced.Count == 0)
        {
            return;
        }
        Volatile.Write(ref _learners, learners);
        var active = paced.Count;
        while (active > 0)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var now = _time.GetTimestamp();
            var timeout = CurrentTimeout();
            foreach (var paced1 in paced)
            {
                if (paced1.Done)
                {
                    continue;
                }
                if (PaceOne(sweep, paced1, stride, now, timeout))
                {
                    paced1.Done = true;
                    active--;
                }
            }
            _sender.Flush();
            if (active > 0)
            {
                Sleep(IcmpPacingTick);
            }
        }
        Volatile.Write(ref _learners, null);
        _pacingTime = _time.GetElapsedTime(started);
        var learned = paced.Where(p => p.Learner.Interval is not null).Select(p => p.Learner).ToList();
        var model = learned.Count == 0
            ? "no interval could be learned (too few closed ports left)"
            : $"learned a burst of {learned.Min(l => l.Burst)}-{learned.Max(l => l.Burst)} and one per {learned.Min(l => l.Interval!.Value.TotalSeconds):0.000}-{learned.Max(l => l.Interval!.Value.TotalSeconds):0.000} s"
              + (learned.Sum(l => l.Corrections) is var c and > 0 ? $", corrected {c} time(s)" : "");
        _notes.Add($"ICMP port-unreachable rate limiting on {paced.Count} host(s) ({model}): their silent UDP ports were re-probed under that limit, which took {_pacingTime.TotalSeconds:0.0} s");
    }

    /// <summary>One tick of one host: settle its decisive probes, then send what its bucket allows. True when the host is done.</summary>
    private bool PaceOne(Sweep sweep, PacedHost paced, ulong stride, long now, TimeSpan timeout)
    {
        // Answers wait in the receive queue when the machine is busy: silence is judged on a generous clock of its own.
        if (paced.SettleTimeout < s_minSettleTimeout)
        {
            paced.SettleTimeout = timeout > s_minSettleTimeout ? timeout : s_minSettleTimeout;
        }
        timeout = paced.SettleTimeout;
        var learner = paced.Learner;
        var unreachables = Volatile.Read(ref _unreachables![paced.Host]);
        if (unreachables != paced.Unreachables)
        {
            paced.Unreachables = unreachables;
            paced.LastArrival = now;
        }
        var outstanding = paced.Outstanding;
        for (var i = outstanding.Count - 1; i >= 0; i--)
        {
            var (slot, sentAt) = outstanding[i];
            if (sweep.IsAnswered((paced.Host * stride) + (ulong)slot))
            {
                learner.Release();
                outstanding.RemoveAt(i);
            }
            else if (_time.GetElapsedTime(sentAt, now) >= timeout)
            {
                learner.Release();
                outstanding.RemoveAt(i);
                // A second silence counts only after the target has answered someone in between: a model caught ahead
                // of the bucket (an answer still in the receive queue) cannot then silence one port twice in one go.
                if (!paced.SilenceEpochs.TryGetValue(slot, out var epoch) || paced.Unreachables > epoch)
                {
                    paced.Silences[slot] = paced.Silences.GetValueOrDefault(slot) + 1;
                    paced.SilenceEpochs[slot] = paced.Unreachables;
                }
                paced.SilentSinceLastProbe.Add(slot);
            }
        }
        var pending = paced.Pending;
        for (var i = pending.Count - 1; i >= 0; i--)
        {
            var slot = pending[i];
            if (sweep.IsAnswered((paced.Host * stride) + (ulong)slot))
            {
                if (paced.SilentSinceLastProbe.Contains(slot))
                {
                    // Answered after its decisive probe timed out and before any other probe: late, not withheld.
                    paced.SettleTimeout = paced.SettleTimeout * 2 > s_maxSettleTimeout ? s_maxSettleTimeout : paced.SettleTimeout * 2;
                }
                else if (paced.Silences.GetValueOrDefault(slot) > 0)
                {
                    // It was silent under a token the model thought was there: the model ran ahead of the target.
                    learner.OnSuppressed(now);
                }
                pending.RemoveAt(i);
            }
            else if (paced.Silences.GetValueOrDefault(slot) >= SilencesForOpenFiltered && !IsOutstanding(outstanding, slot))
            {
                paced.OpenFiltered++;
                pending.RemoveAt(i);
            }
        }
        if (pending.Count == 0)
        {
            return true;
        }
        // Answers stopped while probes kept going: nothing closed is left (or the target stopped answering at all).
        var quiet = 3 * (learner.Interval ?? _options.IcmpRateLimitInterval);
        if (outstanding.Count == 0 && _time.GetElapsedTime(paced.LastArrival, now) >= quiet)
        {
            return true;
        }
        var sent = false;
        // An oversampling probe still unanswered may have taken the token the model sees: no decisive probe until it settles.
        var settled = paced.LastOversample == 0 || _time.GetElapsedTime(paced.LastOversample, now) >= timeout;
        while (settled && learner.TryReserve(now))
        {
            if (!TryNextSlot(paced, outstanding, skipSilent: false, out var slot))
            {
                learner.Release();
                break;
            }
            SendProbe(OwnLane, sweep, (paced.Host * stride) + (ulong)slot, pass: 1);
            paced.SilentSinceLastProbe.Remove(slot);
            outstanding.Add((slot, now));
            sent = true;
        }
        // Oversampling skips ports already silent under a token: they are probably open|filtered, and probing them would
        // only delay the answer of a closed port (and blur the spacing the learner measures).
        if (!sent && !learner.HasToken(now) && learner.ShouldOversample(now) && TryNextSlot(paced, outstanding, skipSilent: true, out var next))
        {
            SendProbe(OwnLane, sweep, (paced.Host * stride) + (ulong)next, pass: 1);
            paced.SilentSinceLastProbe.Remove(next);
            paced.LastOversample = now;
        }
        return false;
    }

    /// <summary>The next pending slot in turn that has no decisive probe in flight (and, with <paramref name="skipSilent"/>, no decisive silence yet).</summary>
    private static bool TryNextSlot(PacedHost paced, List<(int Slot, long SentAt)> outstanding, bool skipSilent, out int slot)
    {
        var pending = paced.Pending;
        for (var tried = 0; tried < pending.Count; tried++)
        {
            paced.Cursor = (paced.Cursor + 1) % pending.Count;
            var candidate = pending[paced.Cursor];
            if (!IsOutstanding(outstanding, candidate) && !(skipSilent && paced.Silences.ContainsKey(candidate)))
            {
                slot = candidate;
                return true;
            }
        }
        slot = -1;
        return false;
    }

    private static bool IsOutstanding(List<(int Slot, long SentAt)> outstanding, int slot)
    {
        foreach (var (s, _) in outstanding)
        {
            if (s == slot)
            {
                return true;
            }
        }
        return false;
    }
}
