using System.Text.Json;
using System.Xml;
using PortAtlas.Storage;
using PortAtlas.Sanitizing;

namespace PortAtlas.Cli;

/// <summary>
/// Turns an exception that escaped a command into the exit code and one readable line: storage failures name the
/// store and the reason, bad arguments exit 2, anything else is reported by type and message, never with a stack trace.
/// </summary>
internal static class CliErrors
{
    public static (int ExitCode, string Message) Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            error = aggregate.InnerExceptions[0];
        }
        return error switch
        {
            ScanStoreException store => (store.IsBadLocation ? ExitCodes.BadInput : ExitCodes.Failure, store.Message),
            System.Data.Common.DbException db => (ExitCodes.Failure, Short(ScanStoreException.From(db, "database")?.Message ?? db.Message)),
            UnauthorizedAccessException access => (ExitCodes.Failure, $"permission denied: {Short(access.Message)}"),
            DirectoryNotFoundException missing => (ExitCodes.Failure, Short(missing.Message)),
            FileNotFoundException missing => (ExitCodes.Failure, Short(missing.Message)),
            PathTooLongException tooLong => (ExitCodes.BadInput, Short(tooLong.Message)),
            IOException io => (ExitCodes.Failure, Short(io.Message)),
            XmlException xml => (ExitCodes.BadInput, $"malformed XML: {Short(xml.Message)}"),
            JsonException json => (ExitCodes.BadInput, $"malformed JSON: {Short(json.Message)}"),
            InvalidDataException data => (ExitCodes.BadInput, Short(data.Message)),
            OutOfMemoryException => (ExitCodes.Failure, "out of memory: the input is larger than this machine can hold"),
            InsufficientExecutionStackException => (ExitCodes.BadInput, "the input is nested too deeply"),
            _ => (ExitCodes.Failure, $"internal error ({error.GetType().Name}): {Short(error.Message)}"),
        };
    }

    // Exception messages can quote outside text (a path, a line): one printable line of bounded length.
    private static string Short(string message) => OutsideText.Printable(message, 300, singleLine: true)!;
}
