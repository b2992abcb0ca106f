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
        if (path is not null)
        {
            _file ??= new JsonlWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read));
            await _file.WritePortAsync(result, plan.Targets.HostnameOf(result.Address)).ConfigureAwait(false);
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
        if (path is not null)
        {
            _file ??= new JsonlWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read));
            await _file.WriteStatsAsync(stats).ConfigureAwait(false);
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
            await _file.DisposeAsync().ConfigureAwait(false);
        }
    }
}
