using Spectre.Console;

namespace PortAtlas.Cli;

/// <summary>Where a command writes: data on stdout, messages and progress on stderr. Injected so tests can capture both.</summary>
public sealed class CliContext
{
    /// <summary>Data output.</summary>
    public required TextWriter Out { get; init; }
    /// <summary>Errors, progress and notes.</summary>
    public required TextWriter Error { get; init; }
    /// <summary>Rendering of tables to <see cref="Out"/>.</summary>
    public required IAnsiConsole Console { get; init; }
    /// <summary>Rendering of progress to <see cref="Error"/>; null when stderr is not a terminal.</summary>
    public IAnsiConsole? Progress { get; init; }

    /// <summary>The process's own console: colours and live progress only on a terminal.</summary>
    public static CliContext FromProcess()
    {
        var stdout = System.Console.Out;
        var stderr = System.Console.Error;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = System.Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = System.Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });
        if (System.Console.IsOutputRedirected)
        {
            // Redirected tables keep a wide layout rather than wrapping at 80 columns.
            console.Profile.Width = 200;
        }
        IAnsiConsole? progress = null;
        if (!System.Console.IsErrorRedirected)
        {
            progress = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(stderr),
                Interactive = InteractionSupport.Yes,
            });
        }
        return new CliContext { Out = stdout, Error = stderr, Console = console, Progress = progress };
    }

    /// <summary>A context writing plain text to the given writers (tests).</summary>
    public static CliContext ForWriters(TextWriter output, TextWriter error)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        return new CliContext { Out = output, Error = error, Console = console };
    }

    /// <summary>Writes a one-line error, "ports: message", and returns the exit code.</summary>
    public int Fail(int exitCode, string message)
    {
        Error.WriteLine($"ports: {message}");
        return exitCode;
    }
}

/// <summary>The machine contract's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;
    /// <summary>A runtime failure, or a query that matched nothing.</summary>
    public const int Failure = 1;
    /// <summary>Bad input; one line on stderr names the bad token.</summary>
    public const int BadInput = 2;
    /// <summary>Interrupted by SIGINT (128 + 2).</summary>
    public const int Interrupted = 130;
    /// <summary>Stopped by SIGTERM or SIGHUP (128 + 15).</summary>
    public const int Terminated = 143;
}
