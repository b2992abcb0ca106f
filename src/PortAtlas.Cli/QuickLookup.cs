namespace PortAtlas.Cli;

/// <summary>
/// The commonest command line, a look-up by number ("443", "22/udp", "6665-6669", "lookup 443 --format json"), which
/// needs none of the command tree. Shared by the full CLI and the native look-up front (src/PortAtlas.Lookup).
/// </summary>
internal static class QuickLookup
{
    /// <summary>
    /// True when <paramref name="args"/> is a look-up by number. Anything else, names included (they may be commands),
    /// takes the full parser, and both paths print the same.
    /// </summary>
    internal static bool TryParse(string[] args, out string[] queries, out string format)
    {
        queries = [];
        format = "table";
        var start = args.Length > 0 && args[0] == "lookup" ? 1 : 0;
        var found = new List<string>(args.Length);
        for (var i = start; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "--format" or "-f" && i + 1 < args.Length && args[i + 1] is "table" or "json" or "csv")
            {
                format = args[++i];
            }
            else if (arg.Length is > 0 and <= 32 && char.IsAsciiDigit(arg[0]) && !arg.Contains('='))
            {
                found.Add(arg);
            }
            else
            {
                return false;
            }
        }
        queries = [.. found];
        return found.Count > 0;
    }
}
