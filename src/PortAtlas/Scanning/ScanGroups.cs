using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PortAtlas.Targets;

namespace PortAtlas.Scanning;

/// <summary>
/// Names and fingerprints of scan groups: the shards of one plan stored as one scan. A group is named by the user
/// (<c>--group</c>) or after the targets and seed; its fingerprint covers everything shards must agree on (targets,
/// ports, technique, seed, shard count, what is listed and detected), so a shard of another plan is refused.
/// </summary>
public static class ScanGroups
{
    /// <summary>Longest group name.</summary>
    public const int MaxNameLength = 63;

    /// <summary>True for 1-63 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit.</summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The group a sharded scan joins when none is named: "g-" and 12 hex digits of a hash of the targets and seed.</summary>
    public static string DefaultName(TargetSet targets, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var text = new StringBuilder();
        foreach (var spec in targets.ToSpecs())
        {
            text.Append(spec).Append('\n');
        }
        text.Append(seed.ToString(CultureInfo.InvariantCulture));
        return "g-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 6));
    }

    /// <summary>
    /// What every shard of a group must share, as a hex SHA-256: targets, ports, TCP technique, seed, shard count,
    /// retransmissions, discovery, detection, assessment and listing. The shard index, rate, concurrency, command line
    /// and output files may differ between shards.
    /// </summary>
    public static string Fingerprint(ScanPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder();
        foreach (var spec in plan.Targets.ToSpecs())
        {
            text.Append(spec).Append('\n');
        }
        var o = plan.Options;
        text.Append(CultureInfo.InvariantCulture, $"ports={PortSpecParser.Format(plan.Ports)}\ntcp={plan.TcpTechnique}\nseed={o.Seed}\nshards={o.Shard?.Count ?? 1}\n");
        text.Append(CultureInfo.InvariantCulture, $"retries={o.MaxRetries}\nskipDiscovery={o.SkipDiscovery}\ndetect={plan.Detect}\nassess={plan.Assess}\nall={plan.ListEveryState}\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>What differs between two plans that should be shards of one group, in a few words, for the refusal; null when they agree.</summary>
    public static string? Difference(ScanPlan existing, ScanPlan joining)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(joining);
        if (!existing.Targets.ToSpecs().SequenceEqual(joining.Targets.ToSpecs()))
        {
            return "targets differ";
        }
        if (PortSpecParser.Format(existing.Ports) != PortSpecParser.Format(joining.Ports))
        {
            return "ports differ";
        }
        if (existing.TcpTechnique != joining.TcpTechnique)
        {
            return $"TCP technique differs ({existing.TcpTechnique.ToString().ToLowerInvariant()} vs {joining.TcpTechnique.ToString().ToLowerInvariant()})";
        }
        if (existing.Options.Seed != joining.Options.Seed)
        {
            return "seed differs";
        }
        if ((existing.Options.Shard?.Count ?? 1) != (joining.Options.Shard?.Count ?? 1))
        {
            return $"shard count differs ({existing.Options.Shard?.Count ?? 1} vs {joining.Options.Shard?.Count ?? 1})";
        }
        return Fingerprint(existing) == Fingerprint(joining) ? null : "scan options differ (retries, discovery, detection, assessment or listing)";
    }
}
