using Spectre.Console;

namespace PortAtlas.Cli;

/// <summary>Where a command writes: data on stdout, messages and progress on stderr. Injected so tests can capture both.</summary>
public sealed class CliContext
{
    /// <summary>Data output.</summary>
    public required TextWriter Out { get; init; }
    /// <summary>Errors, progress and notes.</summary>
    public required TextWriter Error { get; init; }
    private IAnsiConsole? _console;
    private Func<IAnsiConsole>? _consoleFactory;
    private IAnsiConsole? _progress;
    private Func<IAnsiConsole?>? _progressFactory;

    /// <summary>Rendering of tables to <see cref="Out"/>.</summary>
    public IAnsiConsole Console
    {
        // Created on first use: a look-up printed as JSON never pays for the console library's start-up (issue 16).
        get => _console ??= (_consoleFactory ?? throw new InvalidOperationException("no console was given"))();
        init => _console = value;
    }

    /// <summary>Rendering of progress to <see cref="Error"/>; null when stderr is not a terminal.</summary>
    public IAnsiConsole? Progress
    {
        get => _progress ??= _progressFactory?.Invoke();
        init => _progress = value;
    }

    /// <summary>The process's own console: colours and live progress only on a terminal.</summary>
    public static CliContext FromProcess()
    {
        // Every byte to stdout and stderr passes a guard that escapes control characters (issue 13: outside text must
        // not drive the terminal); the console library's own colour and cursor sequences pass only on a terminal.
        var stdoutRedirected = System.Console.IsOutputRedirected;
        var stderrRedirected = System.Console.IsErrorRedirected;
        var stdout = TextWriter.Synchronized(new TerminalGuardWriter(System.Console.Out, allowStyling: false));
        var stderr = TextWriter.Synchronized(new TerminalGuardWriter(System.Console.Error, allowStyling: false));
        return new CliContext
        {
            Out = stdout,
            Error = stderr,
            _consoleFactory = () =>
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings
                {
                    Out = new AnsiConsoleOutput(TextWriter.Synchronized(new TerminalGuardWriter(System.Console.Out, allowStyling: !stdoutRedirected))),
                    Ansi = stdoutRedirected ? AnsiSupport.No : AnsiSupport.Yes,
                    ColorSystem = stdoutRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
                    Interactive = InteractionSupport.No,
                });
                // The guard hides the terminal from the console library's width detection: give it the width.
                console.Profile.Width = stdoutRedirected ? 200 : TerminalWidth();
                return console;
            },
            _progressFactory = stderrRedirected ? null : () =>
            {
                var progress = AnsiConsole.Create(new AnsiConsoleSettings
                {
                    Out = new AnsiConsoleOutput(TextWriter.Synchronized(new TerminalGuardWriter(System.Console.Error, allowStyling: true))),
                    Ansi = AnsiSupport.Yes,
                    ColorSystem = ColorSystemSupport.Detect,
                    Interactive = InteractionSupport.Yes,
                });
                progress.Profile.Width = TerminalWidth();
                return progress;
            },
        };
    }

    private static int TerminalWidth()
    {
        try
        {
            return System.Console.WindowWidth is > 0 and var width ? width : 80;
        }
        catch (IOException)
        {
            return 80;
        }
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
        // One line, whatever the message quotes: line breaks and control characters are escaped.
        Error.WriteLine($"ports: {PortAtlas.Sanitizing.OutsideText.Printable(message, 600, singleLine: true)}");
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
