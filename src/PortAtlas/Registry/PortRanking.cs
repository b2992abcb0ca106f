using System.Globalization;

namespace PortAtlas.Registry;

/// <summary>One port of the default ranking: how likely it is to be open, and why.</summary>
/// <param name="Protocol">The transport (TCP or UDP).</param>
/// <param name="Port">The port number.</param>
/// <param name="Score">0-100: how likely the port is to be open on a host an operator scans.</param>
/// <param name="Reason">What usually listens there, in a line.</param>
public readonly record struct RankedPort(Transport Protocol, int Port, int Score, string Reason);

/// <summary>
/// PortAtlas's default port ranking (<c>data/port-ranking.tsv</c>): for TCP and UDP, ports best first by exposure
/// score. The head is written knowledge of default listeners and internet-wide measurements; the tail is
/// IANA-assigned ports in a documented order (see the file's header and <c>tools/port-ranking-tail.py</c>).
/// </summary>
public sealed class PortRanking
{
    internal const string Resource = "PortAtlas.data.port-ranking.tsv";

    private static readonly Lazy<PortRanking> s_default = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly RankedPort[] _tcp;
    private readonly RankedPort[] _udp;

    private PortRanking(RankedPort[] tcp, RankedPort[] udp)
    {
        _tcp = tcp;
        _udp = udp;
    }

    /// <summary>The ranking compiled into PortAtlas, loaded on first use.</summary>
    public static PortRanking Default => s_default.Value;

    /// <summary>The ranked ports of a transport, best first; empty for SCTP and DCCP.</summary>
    public IReadOnlyList<RankedPort> For(Transport transport) => transport switch
    {
        Transport.Tcp => _tcp,
        Transport.Udp => _udp,
        _ => [],
    };

    /// <summary>
    /// Parses the ranking file: a header row <c>protocol, port, score, reason</c>, then one row per port. Rows of a
    /// protocol are ordered by score, highest first, ties in file order. Throws <see cref="FormatException"/>
    /// naming the row on a bad field or a port listed twice.
    /// </summary>
    public static PortRanking Parse(string tsv)
    {
        ArgumentNullException.ThrowIfNull(tsv);
        var tcp = new List<RankedPort>(1200);
        var udp = new List<RankedPort>(1200);
        var seen = new HashSet<(Transport, int)>();
        var header = false;
        var number = 0;
        foreach (var raw in tsv.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var fields = line.Split('\t');
            if (!header)
            {
                if (fields is not ["protocol", "port", "score", "reason"])
                {
                    throw new FormatException($"ranking line {number}: expected the header 'protocol, port, score, reason'");
                }
                header = true;
                continue;
            }
            if (fields.Length != 4)
            {
                throw new FormatException($"ranking line {number}: {fields.Length} fields, not 4");
            }
            if (!TransportNames.TryParse(fields[0], out var transport) || transport is not (Transport.Tcp or Transport.Udp))
            {
                throw new FormatException($"ranking line {number}: bad protocol '{fields[0]}'");
            }
            if (!int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > PortRange.MaxPort)
            {
                throw new FormatException($"ranking line {number}: bad port '{fields[1]}'");
            }
            if (!int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var score) || score > 100)
            {
                throw new FormatException($"ranking line {number}: bad score '{fields[2]}'");
            }
            if (fields[3].Length == 0)
            {
                throw new FormatException($"ranking line {number}: empty reason");
            }
            if (!seen.Add((transport, port)))
            {
                throw new FormatException($"ranking line {number}: {port}/{fields[0]} is listed twice");
            }
            (transport == Transport.Tcp ? tcp : udp).Add(new RankedPort(transport, port, score, fields[3]));
        }
        if (!header)
        {
            throw new FormatException("the ranking has no header row");
        }
        // A stable sort keeps file order among equal scores.
        return new PortRanking([.. tcp.OrderByDescending(r => r.Score)], [.. udp.OrderByDescending(r => r.Score)]);
    }

    private static PortRanking LoadEmbedded() =>
        Parse(RegistryData.ReadResource(Resource) ?? throw new InvalidOperationException($"embedded resource {Resource} is missing"));
}
