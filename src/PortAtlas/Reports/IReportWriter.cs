using System.Buffers;
using PortAtlas.Scanning;

namespace PortAtlas.Reports;

/// <summary>
/// Writes a <see cref="ScanReport"/> in one <see cref="ReportFormat"/>, as UTF-8 without a byte order mark.
/// Writers keep no state between calls and are safe to share between threads.
/// </summary>
public interface IReportWriter
{
    /// <summary>The format written.</summary>
    ReportFormat Format { get; }

    /// <summary>The media type of the output, such as application/json.</summary>
    string MediaType { get; }

    /// <summary>Writes the report as UTF-8 into <paramref name="output"/>.</summary>
    void Write(ScanReport report, IBufferWriter<byte> output);

    /// <summary>Writes the report as UTF-8 to <paramref name="stream"/>, host by host, and flushes it; the stream stays open.</summary>
    void Write(ScanReport report, Stream stream);

    /// <summary>Writes the report to <paramref name="writer"/>, host by host; the writer's encoding applies.</summary>
    void Write(ScanReport report, TextWriter writer);

    /// <summary>Writes the report as UTF-8 to <paramref name="stream"/>, host by host, and flushes it; the stream stays open.</summary>
    Task WriteAsync(ScanReport report, Stream stream, CancellationToken cancellationToken = default);

    /// <summary>Writes the report to <paramref name="writer"/>, host by host.</summary>
    Task WriteAsync(ScanReport report, TextWriter writer, CancellationToken cancellationToken = default);
}
