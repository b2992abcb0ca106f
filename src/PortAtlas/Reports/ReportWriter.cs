using System.Buffers;
using System.Text;
using PortAtlas.Scanning;

namespace PortAtlas.Reports;

/// <summary>
/// The base of the PortAtlas report writers: each format produces UTF-8 in parts (a header, one part per host,
/// a footer), and this class moves the parts to a buffer, a stream or a text writer, synchronously or not,
/// so that a large report is never held twice in memory.
/// </summary>
public abstract class ReportWriter : IReportWriter
{
    private const int InitialBufferSize = 16 * 1024;

    private protected ReportWriter(ReportOptions? options) => Options = options ?? ReportOptions.Default;

    /// <summary>The settings this writer was made with.</summary>
    public ReportOptions Options { get; }

    /// <inheritdoc />
    public abstract ReportFormat Format { get; }

    /// <inheritdoc />
    public string MediaType => Format.MediaType();

    /// <inheritdoc />
    public void Write(ScanReport report, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var _ in WriteParts(report, output))
        {
        }
    }

    /// <inheritdoc />
    public void Write(ScanReport report, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new ArrayBufferWriter<byte>(InitialBufferSize);
        foreach (var _ in WriteParts(report, buffer))
        {
            stream.Write(buffer.WrittenSpan);
            buffer.ResetWrittenCount();
        }
        stream.Write(buffer.WrittenSpan);
        stream.Flush();
    }

    /// <inheritdoc />
    public void Write(ScanReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        var buffer = new ArrayBufferWriter<byte>(InitialBufferSize);
        foreach (var _ in WriteParts(report, buffer))
        {
            // Parts end between values, never inside a UTF-8 sequence, so each decodes on its own.
            writer.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
            buffer.ResetWrittenCount();
        }
        writer.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        writer.Flush();
    }

    /// <inheritdoc />
    public async Task WriteAsync(ScanReport report, Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new ArrayBufferWriter<byte>(InitialBufferSize);
        foreach (var _ in WriteParts(report, buffer))
        {
            await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            buffer.ResetWrittenCount();
        }
        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task WriteAsync(ScanReport report, TextWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        var buffer = new ArrayBufferWriter<byte>(InitialBufferSize);
        foreach (var _ in WriteParts(report, buffer))
        {
            await writer.WriteAsync(Encoding.UTF8.GetString(buffer.WrittenSpan).AsMemory(), cancellationToken).ConfigureAwait(false);
            buffer.ResetWrittenCount();
        }
        await writer.WriteAsync(Encoding.UTF8.GetString(buffer.WrittenSpan).AsMemory(), cancellationToken).ConfigureAwait(false);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the report into <paramref name="output"/>, yielding after each complete part (header, host, footer).</summary>
    private protected abstract IEnumerable<int> WriteParts(ScanReport report, IBufferWriter<byte> output);
}
