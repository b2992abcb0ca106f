using System.CommandLine;
using System.CommandLine.Invocation;
using System.Globalization;
using System.Reflection;
using PortAtlas.Assessment;
using PortAtlas.Detection;
using PortAtlas.Registry;

namespace PortAtlas.Cli.Commands;

/// <summary>`ports --version`: the program's version and the data it carries, so a report can be traced to its data.</summary>
internal static class VersionInfo
{
    /// <summary>Makes --version print <see cref="Describe"/>.</summary>
    public static void AddTo(RootCommand root, CliContext cli)
    {
        if (root.Options.OfType<VersionOption>().FirstOrDefault() is { } version)
        {
            version.Action = new PrintAction(cli);
        }
    }

    /// <summary>The lines --version prints.</summary>
    internal static IEnumerable<string> Describe()
    {
        var assembly = typeof(VersionInfo).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        // The source revision after '+' is noise for people; the version is what they compare.
        yield return $"ports {informational.Split('+')[0]}";
        var registry = PortRegistry.Default;
        var iana = registry.Entries.Where(e => e.Source == EntrySource.Iana).ToList();
        // The registry's date is its newest registration or modification: the edition it was taken from is at least that recent.
        var newest = iana.SelectMany(e => new[] { e.RegistrationDate, e.ModificationDate })
            .Select(d => DateOnly.TryParse(d, CultureInfo.InvariantCulture, out var date) ? date : DateOnly.MinValue)
            .DefaultIfEmpty(DateOnly.MinValue).Max();
        yield return string.Create(CultureInfo.InvariantCulture, $"IANA port registry: {iana.Count:N0} entries, newest change {newest:yyyy-MM-dd}");
        var curatedPorts = registry.Entries.Where(e => e.Source != EntrySource.Iana && e.Port is not null).Select(e => (e.Port, e.Protocol)).Distinct().Count();
        yield return string.Create(CultureInfo.InvariantCulture, $"curated ports: {curatedPorts:N0}");
        var kev = KevCatalog.Default;
        yield return string.Create(CultureInfo.InvariantCulture, $"CISA KEV catalog: version {kev.CatalogVersion}, released {kev.DateReleased:yyyy-MM-dd}, {kev.Entries.Count:N0} entries");
        yield return string.Create(CultureInfo.InvariantCulture, $"service signatures: {SignatureDatabase.Default.Signatures.Count:N0}");
    }

    private sealed class PrintAction(CliContext cli) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            foreach (var line in Describe())
            {
                cli.Out.WriteLine(line);
            }
            return ExitCodes.Success;
        }
    }
}
