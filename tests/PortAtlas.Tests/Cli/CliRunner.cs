using PortAtlas.Cli;

namespace PortAtlas.Tests.Cli;

/// <summary>Runs the CLI in-process with captured stdout and stderr.</summary>
internal static class CliRunner
{
    // Scans are saved by default: keep the tests' history out of the user's.
    static CliRunner() => Environment.SetEnvironmentVariable("XDG_DATA_HOME", Directory.CreateTempSubdirectory("pa-history-").FullName);

    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, CliContext.ForWriters(output, error), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
