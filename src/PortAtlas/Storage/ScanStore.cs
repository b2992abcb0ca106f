using Npgsql;

namespace PortAtlas.Storage;

/// <summary>Opens scan stores: SQLite files (the default) or PostgreSQL databases.</summary>
public static class ScanStore
{
    /// <summary>
    /// The default SQLite file: <c>$XDG_DATA_HOME/portatlas/history.db</c> when XDG_DATA_HOME is set, otherwise
    /// <c>portatlas/history.db</c> under <see cref="Environment.SpecialFolder.LocalApplicationData"/>
    /// (~/.local/share on Linux, %LOCALAPPDATA% on Windows, ~/Library/Application Support on macOS).
    /// </summary>
    public static string DefaultPath
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
                ? xdg
                : Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            if (string.IsNullOrEmpty(root))
            {
                root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
            }
            return Path.Combine(root, "portatlas", "history.db");
        }
    }

    /// <summary>
    /// Opens a store. <paramref name="location"/> is null or empty for the SQLite file at <see cref="DefaultPath"/>; a
    /// <c>postgres://user:password@host:port/database</c> (or <c>postgresql://</c>) URL or an Npgsql connection string
    /// (<c>Host=...;Database=...</c>) for PostgreSQL; anything else is the path of a SQLite file, created with its
    /// directory when missing. Nothing is read or written until the first call; that call applies schema migrations.
    /// </summary>
    /// <param name="location">Where the store is.</param>
    /// <param name="timeProvider">The clock for the times the store records; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentException">A PostgreSQL URL or connection string cannot be read.</exception>
    /// <exception cref="ScanStoreException">The location is a directory, not a file, or in a directory that does not exist.</exception>
    public static IScanStore Open(string? location, TimeProvider? timeProvider = null) => OpenCore(location, readOnly: false, timeProvider);

    /// <summary>
    /// Opens a store to read only (<c>history</c>, <c>show</c>, <c>diff</c>): a SQLite file is opened with
    /// <c>Mode=ReadOnly</c>, so a read-only file, directory or mount works and a writer never makes the reader wait
    /// (write-ahead log); nothing is created or migrated. A SQLite file that does not exist reads as an empty history.
    /// </summary>
    /// <exception cref="ScanStoreException">The location is a directory or not a file.</exception>
    public static IScanStore OpenReadOnly(string? location, TimeProvider? timeProvider = null) => OpenCore(location, readOnly: true, timeProvider);

    private static IScanStore OpenCore(string? location, bool readOnly, TimeProvider? timeProvider)
    {
        timeProvider ??= TimeProvider.System;
        if (location is not null && location.Length > 0 && string.IsNullOrWhiteSpace(location))
        {
            throw new ScanStoreException("the scan store location is blank") { IsBadLocation = true };
        }
        if (string.IsNullOrEmpty(location))
        {
            // A first 'ports history' finds no file: it gets the empty history, created as a scan would create it.
            var missing = !File.Exists(DefaultPath);
            return new GuardedScanStore(new SqliteScanStore(DefaultPath, timeProvider, readOnly && !missing, isDefault: true));
        }
        string connectionString;
        try
        {
            if (!TryGetPostgresConnectionString(location, out connectionString))
            {
                if (readOnly && !File.Exists(location) && !Directory.Exists(location))
                {
                    throw new ScanStoreException($"no scan history at '{location}' (the file does not exist)");
                }
                return new GuardedScanStore(new SqliteScanStore(location, timeProvider, readOnly, isDefault: false));
            }
            // Inside the try: Npgsql checks what is left of the connection string when the data source is built.
            return new GuardedScanStore(new PostgresScanStore(connectionString, timeProvider));
        }
        catch (ArgumentException ex)
        {
            throw new ScanStoreException(ex.Message.Split(" (Parameter", 2)[0], ex) { IsBadLocation = true };
        }
    }

    /// <summary>
    /// Whether <paramref name="location"/> names a PostgreSQL database, and its Npgsql connection string: URLs with the
    /// postgres or postgresql scheme (user, password and database percent-decoded; <c>sslmode</c>,
    /// <c>application_name</c> and <c>connect_timeout</c> query parameters honoured) and connection strings with a Host.
    /// </summary>
    /// <exception cref="ArgumentException">It looks like PostgreSQL but cannot be read.</exception>
    public static bool TryGetPostgresConnectionString(string location, out string connectionString)
    {
        ArgumentNullException.ThrowIfNull(location);
        connectionString = "";
        var text = location.Trim();
        if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            connectionString = FromUrl(text);
            return true;
        }
        if (text.StartsWith("Host=", StringComparison.OrdinalIgnoreCase) || text.Contains(";Host=", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("Server=", StringComparison.OrdinalIgnoreCase) || text.Contains(";Server=", StringComparison.OrdinalIgnoreCase))
        {
            var builder = new NpgsqlConnectionStringBuilder(text);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                // Not quoted: the string may hold a password.
                throw new ArgumentException("The PostgreSQL connection string names no Host.", nameof(location));
            }
            connectionString = builder.ConnectionString;
            return true;
        }
        return false;
    }

    private static string FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"Cannot read the PostgreSQL URL '{Redact(url)}'.", nameof(url));
        }
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
        };
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            switch (key.ToLowerInvariant())
            {
                case "sslmode":
                    builder.SslMode = Enum.TryParse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var mode) && !value.All(char.IsAsciiDigit)
                        ? mode
                        : throw new ArgumentException($"Unknown sslmode '{value}' in the PostgreSQL URL: use disable, allow, prefer, require, verify-ca or verify-full.", nameof(url));
                    break;
                case "application_name":
                    builder.ApplicationName = value;
                    break;
                case "connect_timeout":
                    builder.Timeout = int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 1024
                        ? seconds
                        : throw new ArgumentException($"Bad connect_timeout '{value}' in the PostgreSQL URL: give whole seconds from 1 to 1024.", nameof(url));
                    break;
                default:
                    throw new ArgumentException($"Unsupported PostgreSQL URL parameter '{key}'.", nameof(url));
            }
        }
        return builder.ConnectionString;
    }

    private static string Redact(string url)
    {
        var at = url.LastIndexOf('@');
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        return at > scheme && scheme >= 0 ? url[..(scheme + 3)] + "***" + url[at..] : url;
    }
}
