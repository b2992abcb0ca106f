namespace PortAtlas.Registry;

public sealed partial class PortRegistry
{
    /// <summary>
    /// Every entry that answers a query: the rows covering a port or any port of a range (optionally one transport),
    /// or the rows of a service name, then the rows at the ports that name is assigned to. Curated knowledge first.
    /// </summary>
    public IReadOnlyList<PortEntry> Lookup(PortQuery query)
    {
        var found = new List<PortEntry>();
        var seen = new HashSet<PortEntry>(ReferenceEqualityComparer.Instance);
        void Add(PortEntry entry)
        {
            if ((query.Protocol is null || entry.Protocol == query.Protocol) && seen.Add(entry))
            {
                found.Add(entry);
            }
        }

        if (query.Name is string name)
        {
            foreach (var entry in ByName(name))
            {
                Add(entry);
            }
        }
        else
        {
            var range = query.Range;
            for (var p = range.First; p <= range.Last; p++)
            {
                foreach (var entry in AtPort(p))
                {
                    Add(entry);
                }
            }
        }
        // By port, curated before IANA, by transport, else as found: a stable sort without LINQ's ThenBy, whose
        // generic virtual call a Native AOT look-up resolves at run time on every start (issue 16).
        var order = new int[found.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (a, b) =>
        {
            PortEntry x = found[a], y = found[b];
            var c = (x.Port ?? int.MaxValue).CompareTo(y.Port ?? int.MaxValue);
            c = c != 0 ? c : (x.Source == EntrySource.Iana).CompareTo(y.Source == EntrySource.Iana);
            c = c != 0 ? c : (x.Protocol ?? Transport.Dccp).CompareTo(y.Protocol ?? Transport.Dccp);
            return c != 0 ? c : a.CompareTo(b);
        });
        var sorted = new PortEntry[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            sorted[i] = found[order[i]];
        }
        return sorted;
    }

    /// <summary>
    /// Ranked keyword search over names, titles, descriptions, notes and products. Every word must match
    /// somewhere; exact names rank first, then name prefixes, then titles, then text. Case-insensitive.
    /// </summary>
    public IReadOnlyList<PortEntry> Search(string text, int limit = 50)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0)
        {
            return [];
        }
        var phrase = string.Join(' ', words);
        var scored = new List<(PortEntry Entry, int Score)>();
        foreach (var entry in Entries)
        {
            var score = 0;
            var all = true;
            foreach (var word in words)
            {
                var s = ScoreWord(entry, word);
                if (s == 0)
                {
                    all = false;
                    break;
                }
                score += s;
            }
            if (!all)
            {
                continue;
            }
            if (entry.Name.Equals(phrase, StringComparison.OrdinalIgnoreCase))
            {
                score += 10_000;
            }
            if (entry.Title?.Contains(phrase, StringComparison.OrdinalIgnoreCase) == true
                || entry.Description.Contains(phrase, StringComparison.OrdinalIgnoreCase))
            {
                score += 200;
            }
            // Curated knowledge explains more; prefer it when scores tie.
            score += entry.Source == EntrySource.Iana ? 0 : 50 + (entry.Exposure ?? 0);
            scored.Add((entry, score));
        }
        return [.. scored
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Entry.Port ?? int.MaxValue)
            .ThenBy(s => s.Entry.Protocol ?? Transport.Dccp)
            .Take(limit)
            .Select(s => s.Entry)];
    }

    private static int ScoreWord(PortEntry entry, string word)
    {
        if (entry.Name.Equals(word, StringComparison.OrdinalIgnoreCase))
        {
            return 1000;
        }
        if (entry.Name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
        {
            return 300;
        }
        if (entry.Title?.Contains(word, StringComparison.OrdinalIgnoreCase) == true)
        {
            return 250;
        }
        if (entry.Name.Contains(word, StringComparison.OrdinalIgnoreCase))
        {
            return 150;
        }
        if (entry.Description.Contains(word, StringComparison.OrdinalIgnoreCase))
        {
            return 100;
        }
        if (entry.Products?.Contains(word, StringComparison.OrdinalIgnoreCase) == true)
        {
            return 80;
        }
        if (entry.Notes?.Contains(word, StringComparison.OrdinalIgnoreCase) == true)
        {
            return 40;
        }
        return 0;
    }

    /// <summary>Entries filtered by curated-only, category and transport, in port order.</summary>
    public IEnumerable<PortEntry> List(bool significantOnly = false, PortCategory? category = null, Transport? transport = null) =>
        Entries
            .Where(e => e.Port is not null
                && (!significantOnly || e.Source != EntrySource.Iana)
                && (category is null || e.Category == category)
                && (transport is null || e.Protocol == transport))
            .OrderBy(e => e.Port)
            .ThenBy(e => e.Source == EntrySource.Iana)
            .ThenBy(e => e.Protocol);

    /// <summary>
    /// PortAtlas's own ranking of the ports most worth scanning for a transport, best first: the default ranking
    /// (<see cref="PortRanking"/>, at least 1000 TCP and 1000 UDP ports by exposure score), then curated ports it
    /// lacks by exposure, then ports IANA assigns a service for that transport, well-known before registered, in
    /// numeric order.
    /// </summary>
    public IReadOnlyList<int> TopPorts(Transport transport, int count)
    {
        if (count <= 0)
        {
            return [];
        }
        var ranked = new List<int>(Math.Min(count, PortRange.MaxPort + 1));
        var taken = new bool[PortRange.MaxPort + 1];
        void Take(int port)
        {
            if (port > 0 && ranked.Count < count && !taken[port])
            {
                taken[port] = true;
                ranked.Add(port);
            }
        }
        foreach (var entry in PortRanking.Default.For(transport))
        {
            if (ranked.Count >= count)
            {
                return ranked;
            }
            Take(entry.Port);
        }
        var curated = Enumerable.Range(_index.IanaCount, _index.Count - _index.IanaCount)
            .Select(EntryAt)
            .Where(e => e.Source != EntrySource.Iana && e.Protocol == transport && e.Port is not null)
            .OrderByDescending(e => e.Exposure ?? 0)
            .ThenBy(e => e.Port)
            .ToList();
        foreach (var entry in curated)
        {
            // A range contributes its first port at full rank; the rest follow the named ports below.
            Take(entry.Port!.Value);
        }
        foreach (var entry in curated)
        {
            for (var p = entry.Port!.Value; p <= entry.EndPort!.Value && p - entry.Port.Value < 16; p++)
            {
                Take(p);
            }
        }
        foreach (var limit in (ReadOnlySpan<int>)[PortCategories.LastWellKnown, PortCategories.LastRegistered])
        {
            var transports = _index.Transport;
            var first = _index.First;
            var last = _index.Last;
            for (var row = 0; row < _index.IanaCount && ranked.Count < count; row++)
            {
                if (transports[row] == (sbyte)transport && first[row] == last[row] && first[row] <= limit && _iana!.HasName(row))
                {
                    Take(first[row]);
                }
            }
        }
        return ranked;
    }
}
