using PortAtlas.Cli;

namespace PortAtlas.Lookup;

/// <summary>The front's one decision: answer a look-up, or leave the command line to the full binary.</summary>
internal static class Front
{
    /// <summary>The exit code of the look-up, or null when <paramref name="args"/> is not a look-up by number.</summary>
    internal static int? TryLookup(string[] args, Func<CliContext> cli) =>
        QuickLookup.TryParse(args, out var queries, out var format)
            ? Cli.Commands.RegistryCommands.Lookup(cli(), queries, format)
            : null;
}
