using System.Runtime.InteropServices;

namespace PortAtlas.Cli;

/// <summary>SIGINT, SIGTERM and SIGHUP cancel the running command (a scan then prints, writes and saves what it found); the exit code is 128 + the signal, SIGHUP as SIGTERM. A second signal ends the process at once.</summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly PosixSignalRegistration[] _registrations;
    private volatile int _exitCode = ExitCodes.Interrupted;

    public TerminationSignals(CancellationToken outer)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _registrations = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }.Select(s => PosixSignalRegistration.Create(s, OnSignal))];
    }

    public CancellationToken Token => _cts.Token;

    public int ExitCode => _exitCode;

    public bool Signalled { get; private set; }

    private void OnSignal(PosixSignalContext context)
    {
        // The first signal asks the command to stop and keep what it found; a command busy where it does not look
        // (printing a large report) would ignore the next ones too, so a second signal ends the process as by default.
        context.Cancel = !Signalled;
        Signalled = true;
        _exitCode = context.Signal == PosixSignal.SIGINT ? ExitCodes.Interrupted : ExitCodes.Terminated;
        _cts.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
        _cts.Dispose();
    }
}
