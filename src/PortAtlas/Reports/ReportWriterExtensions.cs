using System.Buffers;
using System.Text;
using PortAtlas.Scanning;

namespace PortAtlas.Reports;

/// <summary>Conveniences over <see cref="IReportWriter"/>.</summary>
public static class ReportWriterExtensions
{
    /// <summary>The whole report as a string.</summary>
    public static string WriteToString(this IReportWriter writer, ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var buffer = new ArrayBufferWriter<byte>();
        writer.Write(report, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes the report to a file, replacing it, as UTF-8 without a byte order mark.</summary>
    public static async Task WriteToFileAsync(this IReportWriter writer, ScanReport report, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            await writer.WriteAsync(report, file, cancellationToken).ConfigureAwait(false);
        }
    }
}
