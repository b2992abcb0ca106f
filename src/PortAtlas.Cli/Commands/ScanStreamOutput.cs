using System.Buffers;
using System.Text;
using PortAtlas.Reports;
using PortAtlas.Scanning;

namespace PortAtlas.Cli.Commands;

/// <summary>JSON Lines as ports are decided: on stdout and/or into the output file, each line flushed as it is written.</summary>
internal sealed class StreamingOutput(CliContext cli, bool stdout, string? path, ScanPlan plan) : IAsyncDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private JsonlWriter? _stdout;
    private JsonlWriter? _file;

    public async ValueTask WriteAsync(PortResult result)
    {
        if (!stdout && path is null || !(plan.ListEveryState || result.State is not (PortState.Closed or PortState.Filtered)))
        {
            return;
        }
        if (stdout)
        {
            _stdout ??= new JsonlWriter(_buffer);
            _stdout.WritePort(result, plan.Targets.HostnameOf(result.Address));
            Flush();
        }
        if (path is not null && FileError is null)
        {
            try
            {
                _file ??= new JsonlWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read));
                await _file.WritePortAsync(result, plan.Targets.HostnameOf(result.Address)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await DropFileAsync(ex).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Why the file could not be written (a full disk), said once by the command; null while it can.</summary>
    public string? FileError { get; private set; }

    /// <summary>A file that cannot take a line must not stop the scan: it is given up, and the scan goes on to print and save.</summary>
    private async ValueTask DropFileAsync(Exception ex)
    {
        FileError = $"cannot write '{path}': {PortAtlas.Sanitizing.OutsideText.Printable(ex.Message, 300, singleLine: true)}";
        var file = _file;
        _file = null;
        if (file is not null)
        {
            try
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Its buffered lines cannot go either.
            }
        }
    }

    public async ValueTask FinishAsync(ScanStats stats)
    {
        if (stdout)
        {
            _stdout ??= new JsonlWriter(_buffer);
            _stdout.WriteStats(stats);
            Flush();
        }
        if (path is not null && FileError is null)
        {
            try
            {
                _file ??= new JsonlWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read));
                await _file.WriteStatsAsync(stats).ConfigureAwait(false);
                // Closed here, not on dispose, so a last failure is still reported.
                await _file.DisposeAsync().ConfigureAwait(false);
                _file = null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await DropFileAsync(ex).ConfigureAwait(false);
            }
        }
    }

    private void Flush()
    {
        cli.Out.Write(Encoding.UTF8.GetString(_buffer.WrittenSpan));
        cli.Out.Flush();
        _buffer.ResetWrittenCount();
    }

    public async ValueTask DisposeAsync()
    {
        _stdout?.Dispose();
        if (_file is not null)
        {
            try
            {
                await _file.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Stopped before FinishAsync: nothing left to say the file is incomplete to.
            }
        }
    }
}
