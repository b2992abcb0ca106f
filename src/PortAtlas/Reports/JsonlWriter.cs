using System.Buffers;
using System.Text.Json;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Reports;

/// <summary>
/// Writes JSON Lines as a scan runs: one line per <see cref="PortResult"/> as it arrives, then a final stats line.
/// Each line reaches the stream when its call returns, so a reader sees results live. The lines are those of
/// <see cref="JsonlReportWriter"/>. Not thread-safe: one producer writes.
/// </summary>
public sealed class JsonlWriter : IDisposable, IAsyncDisposable
{
    private readonly Stream? _stream;
    private readonly IBufferWriter<byte> _output;
    private readonly ArrayBufferWriter<byte>? _line;
    private readonly Utf8JsonWriter _json;
    private readonly PortRegistry _registry;
    private readonly bool _leaveOpen;
    private bool _disposed;

    /// <summary>A writer of lines to <paramref name="stream"/>.</summary>
    /// <param name="stream">Where lines go, as UTF-8.</param>
    /// <param name="options">Settings; null for <see cref="ReportOptions.Default"/>.</param>
    /// <param name="leaveOpen">Leave the stream open on dispose (default false: it is disposed with this writer).</param>
    public JsonlWriter(Stream stream, ReportOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _line = new ArrayBufferWriter<byte>(1024);
        _output = _line;
        _registry = (options ?? ReportOptions.Default).EffectiveRegistry;
        _json = new Utf8JsonWriter(_output, JsonFields.WriterOptions(indented: false));
    }

    /// <summary>A writer of lines into <paramref name="output"/>; each call appends one complete line.</summary>
    public JsonlWriter(IBufferWriter<byte> output, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _registry = (options ?? ReportOptions.Default).EffectiveRegistry;
        _json = new Utf8JsonWriter(_output, JsonFields.WriterOptions(indented: false));
    }

    /// <summary>Lines written so far.</summary>
    public long LinesWritten { get; private set; }

    /// <summary>Writes one port's line.</summary>
    /// <param name="result">The verdict.</param>
    /// <param name="hostname">The host's name when known; written as null otherwise.</param>
    public void WritePort(PortResult result, string? hostname = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ObjectDisposedException.ThrowIf(_disposed, this);
        JsonlLines.WritePort(_json, _output, result, hostname, _registry);
        CompleteLine();
    }

    /// <summary>Writes one port's line and waits for the stream to take it.</summary>
    public ValueTask WritePortAsync(PortResult result, string? hostname = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ObjectDisposedException.ThrowIf(_disposed, this);
        JsonlLines.WritePort(_json, _output, result, hostname, _registry);
        return CompleteLineAsync(cancellationToken);
    }

    /// <summary>Writes the final <c>{"stats":{...}}</c> line.</summary>
    public void WriteStats(ScanStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ObjectDisposedException.ThrowIf(_disposed, this);
        JsonlLines.WriteStats(_json, _output, stats);
        CompleteLine();
    }

    /// <summary>Writes the final <c>{"stats":{...}}</c> line and waits for the stream to take it.</summary>
    public ValueTask WriteStatsAsync(ScanStats stats, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ObjectDisposedException.ThrowIf(_disposed, this);
        JsonlLines.WriteStats(_json, _output, stats);
        return CompleteLineAsync(cancellationToken);
    }

    /// <summary>Flushes the underlying stream, if any.</summary>
    public void Flush() => _stream?.Flush();

    /// <summary>Flushes the underlying stream, if any.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) =>
        _stream?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _json.Dispose();
        if (_stream is not null)
        {
            _stream.Flush();
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await _json.DisposeAsync().ConfigureAwait(false);
        if (_stream is not null)
        {
            await _stream.FlushAsync().ConfigureAwait(false);
            if (!_leaveOpen)
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void CompleteLine()
    {
        LinesWritten++;
        if (_stream is not null && _line is not null)
        {
            _stream.Write(_line.WrittenSpan);
            _line.ResetWrittenCount();
        }
    }

    private async ValueTask CompleteLineAsync(CancellationToken cancellationToken)
    {
        LinesWritten++;
        if (_stream is not null && _line is not null)
        {
            await _stream.WriteAsync(_line.WrittenMemory, cancellationToken).ConfigureAwait(false);
            _line.ResetWrittenCount();
        }
    }
}
