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
    public static IScanStore Open(string? location, TimeProvider? timeProvider = null)
    {
        timeProvider ??= TimeProvider.System;
        if (string.IsNullOrWhiteSpace(location))
        {
            return new SqliteScanStore(DefaultPath, timeProvider);
        }
        if (TryGetPostgresConnectionString(location, out var connectionString))
        {
            return new PostgresScanStore(connectionString, timeProvider);
        }
        return new SqliteScanStore(location, timeProvider);
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
            connectionString = new NpgsqlConnectionStringBuilder(text).ConnectionString;
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
                    builder.SslMode = Enum.Parse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true);
                    break;
                case "application_name":
                    builder.ApplicationName = value;
                    break;
                case "connect_timeout":
                    builder.Timeout = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
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
