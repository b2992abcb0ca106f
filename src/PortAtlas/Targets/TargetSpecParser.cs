using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PortAtlas.Targets;

/// <summary>
/// Parses target specs, nmap style, into a <see cref="TargetSet"/>: IPv4 and IPv6 addresses (IPv6 optionally in
/// brackets), CIDR blocks (host bits are masked off), dash ranges (<c>198.18.0.1-20</c>,
/// <c>198.18.0.1-198.18.0.20</c>, <c>2001:db8::1-2001:db8::ff</c>), octet ranges (<c>198.18.0-3.1-254</c>,
/// <c>198.18.0,2.*</c>) and host names (optionally with a prefix, <c>host/24</c>).
/// Overlapping specs merge, so no address is scanned twice. Failures are results that name the bad token.
/// </summary>
public static class TargetSpecParser
{
    /// <summary>The most separate ranges one octet-range spec may expand to, so that a spec cannot exhaust memory.</summary>
    public const int MaxRangesPerSpec = 1 << 20;

    /// <summary>Parses specs, resolving host names. Never throws for bad input; cancellation throws <see cref="OperationCanceledException"/>.</summary>
    /// <param name="specs">Target specs as given on the command line.</param>
    /// <param name="options">Excludes, limits and resolution; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels host-name resolution.</param>
    public static Task<TargetParseResult> ParseAsync(IEnumerable<string> specs, TargetParseOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(specs);
        return ParseAsync(specs.Select(static s => new TargetSpec(s)), options, cancellationToken);
    }

    /// <summary>Parses specs (each with its origin, such as a file and line), resolving host names.</summary>
    /// <param name="specs">Target specs; an error names the spec and its <see cref="TargetSpec.Origin"/>.</param>
    /// <param name="options">Excludes, limits and resolution; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels host-name resolution.</param>
    public static async Task<TargetParseResult> ParseAsync(IEnumerable<TargetSpec> specs, TargetParseOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(specs);
        options ??= new TargetParseOptions();
        var resolver = options.Resolver ?? Dns.GetHostAddressesAsync;
        var include = new Collector(options);
        var exclude = new Collector(options with { AllowHuge = true, MaxAddresses = ulong.MaxValue });

        if ((include.Parse(specs) ?? exclude.Parse(options.Excludes)) is { } syntaxError)
        {
            return syntaxError;
        }
        if (include.IsEmpty)
        {
            return TargetParseResult.Fail("no targets given");
        }
        var resolved = await ResolveAsync([.. include.Hosts.Select(h => h.Name), .. exclude.Hosts.Select(h => h.Name)], resolver, cancellationToken).ConfigureAwait(false);
        return include.AddHosts(resolved, options.ResolveAll) ?? exclude.AddHosts(resolved, resolveAll: true) ?? Build(include, exclude, options);
    }

    /// <summary>
    /// Parses specs without resolving anything: a host name is an error naming it. For callers that must not touch DNS.
    /// </summary>
    /// <param name="specs">Target specs as given on the command line.</param>
    /// <param name="options">Excludes and limits (the resolver is not used); null for the defaults.</param>
    public static TargetParseResult Parse(IEnumerable<string> specs, TargetParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(specs);
        options ??= new TargetParseOptions();
        var include = new Collector(options);
        var exclude = new Collector(options with { AllowHuge = true, MaxAddresses = ulong.MaxValue });
        if ((include.Parse(specs.Select(static s => new TargetSpec(s))) ?? exclude.Parse(options.Excludes)) is { } syntaxError)
        {
            return syntaxError;
        }
        if (include.IsEmpty)
        {
            return TargetParseResult.Fail("no targets given");
        }
        var host = include.Hosts.Concat(exclude.Hosts).FirstOrDefault();
        return host.Name is not null
            ? Fail(host.Spec, $"host name '{host.Name}' is not resolved here (use ParseAsync)")
            : Build(include, exclude, options);
    }

    private static TargetParseResult Build(Collector include, Collector exclude, TargetParseOptions options)
    {
        AddressRanges.Normalize(include.V4);
        AddressRanges.Normalize(include.V6);
        AddressRanges.Normalize(exclude.V4);
        AddressRanges.Normalize(exclude.V6);
        var v4 = AddressRanges.Subtract(include.V4, exclude.V4);
        var v6 = AddressRanges.Subtract(include.V6, exclude.V6);
        var v4Count = AddressRanges.Count(v4);
        var v6Count = AddressRanges.Count(v6);
        var total = UInt128.MaxValue - v4Count < v6Count ? UInt128.MaxValue : v4Count + v6Count;
        if (total == 0)
        {
            return TargetParseResult.Fail("no targets left: every address is excluded");
        }
        if (total > ulong.MaxValue)
        {
            return TargetParseResult.Fail(string.Create(CultureInfo.InvariantCulture,
                $"the targets hold {FormatCount(total)} addresses; a scan cannot cover more than {ulong.MaxValue}"));
        }
        if (!options.AllowHuge && total > options.MaxAddresses)
        {
            return TargetParseResult.Fail(string.Create(CultureInfo.InvariantCulture,
                $"the targets hold {total} addresses, more than the limit of {options.MaxAddresses}; allow huge target sets (--allow-huge) to insist"));
        }
        return TargetParseResult.Ok(new TargetSet(v4, v6, include.Hostnames));
    }

    private static async Task<Dictionary<string, Resolution>> ResolveAsync(
        string[] names, Func<string, CancellationToken, Task<IPAddress[]>> resolver, CancellationToken cancellationToken)
    {
        var distinct = names.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var results = new Resolution[distinct.Length];
        // Names resolve concurrently (a targets file may hold thousands), a few at a time.
        await Parallel.ForAsync(0, distinct.Length, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            try
            {
                results[i] = new Resolution(await resolver(distinct[i], ct).ConfigureAwait(false), null);
            }
            catch (SocketException ex)
            {
                results[i] = new Resolution([], ex.Message);
            }
            catch (ArgumentException ex)
            {
                results[i] = new Resolution([], ex.Message);
            }
        }).ConfigureAwait(false);
        var map = new Dictionary<string, Resolution>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < distinct.Length; i++)
        {
            map[distinct[i]] = results[i];
        }
        return map;
    }

    private static TargetParseResult Fail(TargetSpec spec, string reason)
    {
        var origin = spec.Origin is null ? "" : spec.Origin + ": ";
        return TargetParseResult.Fail($"{origin}bad target '{Sanitizing.OutsideText.Excerpt(spec.Text, 64)}': {reason}", spec.Text);
    }

    private static string FormatCount(UInt128 count) =>
        count == UInt128.MaxValue ? "2^128" : count.ToString(CultureInfo.InvariantCulture);

    private readonly record struct Resolution(IPAddress[] Addresses, string? Error);

    private readonly record struct HostSpec(TargetSpec Spec, string Name, int PrefixLength);

    /// <summary>Gathers the ranges and host names of one list of specs (the targets, or the excludes).</summary>
    private sealed class Collector(TargetParseOptions options)
    {
        public List<AddressRange<uint>> V4 { get; } = [];
        public List<AddressRange<UInt128>> V6 { get; } = [];
        public List<HostSpec> Hosts { get; } = [];
        public Dictionary<IPAddress, string> Hostnames { get; } = [];
        public bool IsEmpty => V4.Count == 0 && V6.Count == 0 && Hosts.Count == 0;

        public TargetParseResult? Parse(IEnumerable<TargetSpec> specs)
        {
            foreach (var spec in specs)
            {
                if (spec.Text is null)
                {
                    return TargetParseResult.Fail("bad target: null spec");
                }
                if (ParseOne(spec) is { } reason)
                {
                    return Fail(spec, reason);
                }
            }
            return null;
        }

        public TargetParseResult? AddHosts(Dictionary<string, Resolution> resolved, bool resolveAll)
        {
            foreach (var host in Hosts)
            {
                var resolution = resolved[host.Name];
                if (resolution.Error is not null)
                {
                    return Fail(host.Spec, $"cannot resolve host name '{host.Name}' ({resolution.Error})");
                }
                var usable = resolution.Addresses
                    .Select(static a => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a)
                    .Where(static a => a.AddressFamily == AddressFamily.InterNetwork || (a.AddressFamily == AddressFamily.InterNetworkV6 && a.ScopeId == 0))
                    .ToList();
                if (usable.Count == 0)
                {
                    return Fail(host.Spec, $"host name '{host.Name}' resolves to no usable address");
                }
                var chosen = resolveAll ? usable : [usable.Find(static a => a.AddressFamily == AddressFamily.InterNetwork) ?? usable[0]];
                foreach (var address in chosen)
                {
                    if (AddAddress(address, host.PrefixLength) is { } reason)
                    {
                        return Fail(host.Spec, reason);
                    }
                    Hostnames.TryAdd(address, host.Name);
                }
            }
            return null;
        }

        private string? AddAddress(IPAddress address, int prefixLength)
        {
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                if (prefixLength > 32)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"prefix length {prefixLength} out of range for IPv4 address {address} (0-32)");
                }
                return AddV4(AddressRanges.FromPrefix(TargetSet.ToUInt32(address), prefixLength < 0 ? 32 : prefixLength));
            }
            return AddV6(AddressRanges.FromPrefix(TargetSet.ToUInt128(address), prefixLength < 0 ? 128 : prefixLength));
        }

        private string? AddV4(AddressRange<uint> range)
        {
            if (CheckSize(range.Count) is { } error)
            {
                return error;
            }
            V4.Add(range);
            return null;
        }

        private string? AddV6(AddressRange<UInt128> range)
        {
            if (CheckSize(range.Count) is { } error)
            {
                return error;
            }
            V6.Add(range);
            return null;
        }

        private string? CheckSize(UInt128 count) => options.AllowHuge || count <= options.MaxAddresses
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"{FormatCount(count)} addresses, more than the limit of {options.MaxAddresses}; allow huge target sets (--allow-huge) to insist");

        /// <summary>Parses one spec into ranges or a pending host name; returns the reason it is bad, or null.</summary>
        private string? ParseOne(TargetSpec spec)
        {
            var text = spec.Text;
            if (text.Length == 0)
            {
                return "empty target";
            }
            if (text.AsSpan().ContainsAny(" \t\r\n"))
            {
                return "contains whitespace";
            }
            if (text[0] == '[')
            {
                var close = text.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                {
                    return "'[' without ']'";
                }
                var rest = text[(close + 1)..];
                if (rest.Length > 0 && rest[0] != '/')
                {
                    return $"unexpected '{rest}' after ']'";
                }
                var inner = text[1..close];
                if (!inner.Contains(':', StringComparison.Ordinal))
                {
                    return "brackets hold an IPv6 address";
                }
                return ParseV6(inner + rest);
            }
            if (text.Contains(':', StringComparison.Ordinal))
            {
                return ParseV6(text);
            }
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                if (!TryParsePrefix(text.AsSpan(slash + 1), 32, out var prefix, out var prefixError))
                {
                    return prefixError;
                }
                var address = text[..slash];
                if (TryParseQuad(address, out var value, out var quadError))
                {
                    return AddV4(AddressRanges.FromPrefix(value, prefix));
                }
                if (IsV4Shaped(address))
                {
                    return quadError ?? "a CIDR block starts from a single address";
                }
                return AddHost(spec, address, prefix);
            }
            if (IsV4Shaped(text))
            {
                return ParseV4(text);
            }
            return AddHost(spec, text, -1);
        }

        private string? AddHost(TargetSpec spec, string name, int prefixLength)
        {
            if (!IsHostName(name))
            {
                return "not an address, range or host name";
            }
            Hosts.Add(new HostSpec(spec, name, prefixLength));
            return null;
        }

        private string? ParseV4(string text)
        {
            // A full range "a.b.c.d-e.f.g.h"; any other dash is an octet range ("198.18.0.1-20").
            var dash = text.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && text.AsSpan(dash + 1).IndexOf('-') < 0 && text.AsSpan(0, dash).Count('.') == 3 && text.AsSpan(dash + 1).Count('.') == 3
                && !text.AsSpan().ContainsAny(",*"))
            {
                if (!TryParseQuad(text[..dash], out var first, out var error) || !TryParseQuad(text[(dash + 1)..], out var last, out error))
                {
                    return error;
                }
                return last < first ? "range is reversed" : AddV4(new AddressRange<uint>(first, last));
            }
            return ParseOctets(text);
        }

        /// <summary>nmap's octet ranges: each of four octets is <c>*</c> or a comma list of <c>n</c>, <c>n-m</c>, <c>-m</c>, <c>n-</c>, <c>-</c>.</summary>
        private string? ParseOctets(string text)
        {
            var parts = text.Split('.');
            if (parts.Length != 4)
            {
                return "an IPv4 address has four octets";
            }
            var octets = new List<AddressRange<uint>>[4];
            UInt128 total = 1;
            for (var i = 0; i < 4; i++)
            {
                if (ParseOctet(parts[i], out octets[i]) is { } error)
                {
                    return error;
                }
                total *= AddressRanges.Count(octets[i]);
            }
            if (CheckSize(total) is { } sizeError)
            {
                return sizeError;
            }
            // Octets after the last partial one are whole (0-255) and fold into each range; those before it multiply.
            var k = 3;
            while (k >= 0 && octets[k].Count == 1 && octets[k][0] == new AddressRange<uint>(0, 255))
            {
                k--;
            }
            if (k < 0)
            {
                V4.Add(new AddressRange<uint>(0, uint.MaxValue));
                return null;
            }
            UInt128 pieces = (UInt128)octets[k].Count;
            for (var i = 0; i < k; i++)
            {
                pieces *= AddressRanges.Count(octets[i]);
            }
            if (pieces > MaxRangesPerSpec)
            {
                return string.Create(CultureInfo.InvariantCulture, $"expands to {pieces} separate ranges, more than {MaxRangesPerSpec}; use fewer octet ranges");
            }
            Expand(octets, k, 0, 0);
            return null;
        }

        private void Expand(List<AddressRange<uint>>[] octets, int k, int index, uint prefix)
        {
            var shift = 8 * (3 - index);
            if (index == k)
            {
                var fill = (1u << shift) - 1;
                foreach (var range in octets[k])
                {
                    V4.Add(new AddressRange<uint>(prefix | (range.First << shift), prefix | (range.Last << shift) | fill));
                }
                return;
            }
            foreach (var range in octets[index])
            {
                for (var v = range.First; v <= range.Last; v++)
                {
                    Expand(octets, k, index + 1, prefix | (v << shift));
                }
            }
        }

        private string? ParseV6(string text)
        {
            if (text.Contains('%', StringComparison.Ordinal))
            {
                return "IPv6 zone ids (%...) are not supported";
            }
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                if (!TryParsePrefix(text.AsSpan(slash + 1), 128, out var prefix, out var prefixError))
                {
                    return prefixError;
                }
                return TryParseV6(text[..slash], out var value, out var error) ? AddV6(AddressRanges.FromPrefix(value, prefix)) : error;
            }
            var dash = text.IndexOf('-', StringComparison.Ordinal);
            if (dash >= 0)
            {
                if (!TryParseV6(text[..dash], out var first, out var error) || !TryParseV6(text[(dash + 1)..], out var last, out error))
                {
                    return error;
                }
                return last < first ? "range is reversed" : AddV6(new AddressRange<UInt128>(first, last));
            }
            return TryParseV6(text, out var single, out var singleError) ? AddV6(new AddressRange<UInt128>(single, single)) : singleError;
        }
    }

    private static string? ParseOctet(string part, out List<AddressRange<uint>> values)
    {
        values = [];
        if (part.Length == 0)
        {
            return "empty octet";
        }
        foreach (var item in part.Split(','))
        {
            if (item.Length == 0)
            {
                return $"empty item in octet '{part}'";
            }
            // "*", "-", "n-" and "-m" leave the open ends at 0 and 255.
            uint first = 0, last = 255;
            var dash = item.IndexOf('-', StringComparison.Ordinal);
            if (item == "*")
            {
                values.Add(new AddressRange<uint>(first, last));
                continue;
            }
            if (dash < 0)
            {
                if (TryParseOctet(item, out first) is { } error)
                {
                    return error;
                }
                last = first;
            }
            else
            {
                var low = item[..dash];
                var high = item[(dash + 1)..];
                if (low.Length > 0 && TryParseOctet(low, out first) is { } lowError)
                {
                    return lowError;
                }
                if (high.Length > 0 && TryParseOctet(high, out last) is { } highError)
                {
                    return highError;
                }
                if (last < first)
                {
                    return $"octet range '{item}' is reversed";
                }
            }
            values.Add(new AddressRange<uint>(first, last));
        }
        AddressRanges.Normalize(values);
        return null;
    }

    private static string? TryParseOctet(string text, out uint value)
    {
        value = 0;
        if (!IsAllDigits(text))
        {
            return $"octet '{text}' is not a number";
        }
        if (text.Length > 1 && text[0] == '0')
        {
            // inet_aton reads a leading zero as octal; refuse rather than guess.
            return $"octet '{text}' has a leading zero";
        }
        if (text.Length > 3 || (value = uint.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture)) > 255)
        {
            return $"octet '{text}' out of range (0-255)";
        }
        return null;
    }

    private static bool IsAllDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return !text.IsEmpty;
    }

    /// <summary>A plain dotted quad, each octet 0-255 in decimal without leading zeros.</summary>
    private static bool TryParseQuad(string text, out uint value, out string? error)
    {
        value = 0;
        error = null;
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            error = "an IPv4 address has four octets";
            return false;
        }
        foreach (var part in parts)
        {
            if (part.Length == 0)
            {
                error = "empty octet";
                return false;
            }
            if (TryParseOctet(part, out var octet) is { } octetError)
            {
                error = octetError;
                return false;
            }
            value = (value << 8) | octet;
        }
        return true;
    }

    private static bool TryParseV6(string text, out UInt128 value, out string? error)
    {
        value = 0;
        error = null;
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c) && c is not ':' and not '.')
            {
                error = $"'{c}' cannot appear in an IPv6 address";
                return false;
            }
        }
        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            error = $"'{text}' is not an IPv6 address";
            return false;
        }
        value = TargetSet.ToUInt128(address);
        return true;
    }

    private static bool TryParsePrefix(ReadOnlySpan<char> text, int max, out int prefix, out string? error)
    {
        prefix = 0;
        error = null;
        if (text.IsEmpty || text.Length > 3 || !IsAllDigits(text))
        {
            error = $"prefix length '{text}' is not a number";
            return false;
        }
        prefix = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        if (prefix > max)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"prefix length {prefix} out of range (0-{max})");
            return false;
        }
        return true;
    }

    /// <summary>True for a single IPv4 spec of four octets, possibly with octet ranges and commas (not checked further).</summary>
    internal static bool IsOctetRange(string text) =>
        IsV4Shaped(text) && text.Split('.') is { Length: 4 } parts && Array.TrueForAll(parts, static p => p.Length > 0);

    /// <summary>Only digits, dots, commas, dashes and stars: an IPv4 address or octet range, never a host name.</summary>
    private static bool IsV4Shaped(string text) => text.AsSpan().IndexOfAnyExcept("0123456789.,-*") < 0;

    /// <summary>RFC 1123 host names (letters, digits, hyphens; underscores tolerated), labels of 1-63, at most 253 characters.</summary>
    private static bool IsHostName(string name)
    {
        var trimmed = name.EndsWith('.') ? name[..^1] : name;
        if (trimmed.Length is 0 or > 253)
        {
            return false;
        }
        foreach (var label in trimmed.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }
            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
                {
                    return false;
                }
            }
        }
        return true;
    }
}
