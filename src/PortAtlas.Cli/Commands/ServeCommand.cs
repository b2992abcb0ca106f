using System.CommandLine;
using System.Globalization;
using System.Net;
using PortAtlas.Storage;
using PortAtlas.Web;

namespace PortAtlas.Cli.Commands;

/// <summary>`ports serve`: the scan store as a local web view (PortAtlas.Web).</summary>
internal static class ServeCommand
{
    /// <summary>The shortest token accepted from --token-file.</summary>
    internal const int MinTokenLength = 16;

    public static Command Build(CliContext cli)
    {
        var db = HistoryCommands.DbOption();
        var listen = new Option<string>("--listen", "-l")
        {
            Description = "Address and port to listen on (ADDRESS:PORT, [IPv6]:PORT); any address but loopback asks for a token on every request",
            DefaultValueFactory = _ => "127.0.0.1:8080",
        };
        var allowScans = new Option<bool>("--allow-scans") { Description = "Allow starting scans from the page (opens the store for writing)" };
        var tokenFile = new Option<string?>("--token-file") { Description = "Read the access token from this file (its first line, at least 16 characters) instead of generating one" };
        var command = new Command("serve", "A local web view of the scan store: scans, hosts over time, diffs, findings, the registry, and a JSON API under /api")
        {
            db, listen, allowScans, tokenFile,
        };
        command.SetAction((parse, ct) => RunAsync(cli, parse.GetValue(db), parse.GetValue(listen)!, parse.GetValue(allowScans), parse.GetValue(tokenFile), ct));
        return command;
    }

    /// <summary>ADDRESS:PORT, [IPv6]:PORT, or an address alone (port 8080); port 0 picks a free one.</summary>
    internal static bool TryParseListen(string text, out IPEndPoint endPoint)
    {
        text = text.Trim();
        if (IPAddress.TryParse(text, out var address) && !text.StartsWith('['))
        {
            endPoint = new IPEndPoint(address, 8080);
            return true;
        }
        return IPEndPoint.TryParse(text, out endPoint!) && (text.Contains("]:", StringComparison.Ordinal) || text.Count(c => c == ':') == 1);
    }

    private static async Task<int> RunAsync(CliContext cli, string? db, string listenText, bool allowScans, string? tokenFile, CancellationToken cancellationToken)
    {
        if (!TryParseListen(listenText, out var listen))
        {
            return cli.Fail(ExitCodes.BadInput, $"bad --listen '{Sanitizing.OutsideText.Excerpt(listenText)}': give ADDRESS:PORT, such as 127.0.0.1:8080 or [::1]:8080");
        }
        string? token = null;
        if (tokenFile is not null)
        {
            try
            {
                token = (await File.ReadAllLinesAsync(tokenFile, cancellationToken).ConfigureAwait(false)).FirstOrDefault()?.Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return cli.Fail(ExitCodes.BadInput, $"cannot read --token-file '{tokenFile}': {ex.Message}");
            }
            if (token is null || token.Length < MinTokenLength || token.Any(char.IsControl))
            {
                return cli.Fail(ExitCodes.BadInput, $"bad --token-file '{tokenFile}': its first line must be a token of at least {MinTokenLength} printable characters");
            }
        }
        var options = new ServeOptions { Db = db, Listen = listen, AllowScans = allowScans, Token = token, RequireToken = token is not null };
        var generated = false;
        if (options.TokenRequired && options.Token is null)
        {
            options = options with { Token = WebTokens.NewToken() };
            generated = true;
        }
        WebServer server;
        try
        {
            server = await WebServer.StartAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            return cli.Fail(ExitCodes.Failure, $"cannot listen on {listenText}: {ex.Message.Split('\n')[0]}");
        }
        catch (ScanStoreException ex) when (ex.IsBadLocation)
        {
            return cli.Fail(ExitCodes.BadInput, ex.Message);
        }
        await using (server.ConfigureAwait(false))
        {
            cli.Error.WriteLine($"ports: serving {server.Address} ({(allowScans ? "scans allowed" : "read only")}); Ctrl-C stops");
            if (generated)
            {
                // Shown once: whoever can read this terminal can use the server.
                cli.Error.WriteLine($"ports: access token (shown once): {options.Token}");
                cli.Error.WriteLine($"ports: open {server.Address}?token={options.Token}");
            }
            cli.Error.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        cli.Error.WriteLine("ports: stopped");
        return cancellationToken.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Success;
    }
}
