namespace PortAtlas.Lookup;

/// <summary>
/// The source tree's staleness check, for a front started by the ./ports launcher: a build is stale when any path in
/// .build/sources (each source file and folder, one a line, relative to the root, written at build time) is newer
/// than .build/stamp or gone. A folder's time changes when a file is added, removed or renamed in it. Done here
/// rather than in the launcher because a few hundred stat calls cost well under a millisecond in native code and
/// about ten in sh (issue 16).
/// </summary>
internal static class SourceCheck
{
    /// <summary>Set by the launcher to the source tree's root; unset, there is nothing to check.</summary>
    internal const string RootVariable = "PORTATLAS_SOURCE_ROOT";

    private const string NoStamp = "-";

    /// <summary>
    /// The build stamp's content when the build is stale ("-" when there is no stamp, no list or an empty stamp: never
    /// empty, which the launcher would take for "not stale"); null when it is current.
    /// </summary>
    internal static string? FindStale(string root)
    {
        var stampPath = Path.Join(root, ".build", "stamp");
        string stamp;
        string[] sources;
        try
        {
            stamp = File.ReadAllText(stampPath).Trim();
            sources = File.ReadAllLines(Path.Join(root, ".build", "sources"));
        }
        catch (IOException)
        {
            return NoStamp;
        }
        catch (UnauthorizedAccessException)
        {
            return NoStamp;
        }
        if (stamp.Length == 0)
        {
            stamp = NoStamp;
        }
        var built = File.GetLastWriteTimeUtc(stampPath);
        // What .NET reports for a path that does not exist.
        var missing = DateTime.FromFileTimeUtc(0);
        foreach (var source in sources)
        {
            if (source.Length == 0)
            {
                continue;
            }
            var time = File.GetLastWriteTimeUtc(Path.Join(root, source));
            if (time > built || time == missing)
            {
                return stamp;
            }
        }
        return built == missing ? stamp : null;
    }
}
