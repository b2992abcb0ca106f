using PortAtlas.Cli;

namespace PortAtlas.Lookup;

/// <summary>
/// `ports` in the native build: look-ups by number are answered here, by the CLI's own look-up code; every other
/// command line replaces this process with the full binary (<see cref="Handover"/>), so scans, history and the rest
/// behave exactly as before, with the same argv, stdin, stdout, exit code and signals.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        // Run through the source tree's ./ports launcher: rebuild first when a source changed since the build. Never
        // twice: with the stale stamp already noted, the launcher has just been through its build.
        if (Environment.GetEnvironmentVariable(SourceCheck.RootVariable) is { Length: > 0 } root
            && Environment.GetEnvironmentVariable(Handover.StaleVariable) is null
            && SourceCheck.FindStale(root) is { } stamp)
        {
            return Handover.Rebuild(root, stamp);
        }
        return Front.TryLookup(args, CliContext.FromProcess) ?? Handover.ToFullBinary();
    }
}
