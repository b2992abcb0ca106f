using System.Net;

namespace PortAtlas.Scanning;

/// <summary>
/// The hosts file (/etc/hosts) read for reverse lookups, as the system's resolver consults it before DNS: an address's
/// name is the first name on the first line that lists it. Read once; a missing or unreadable file names nothing.
/// </summary>
internal sealed class HostsFile
{
    private const string DefaultPath = "/etc/hosts";
    private const int MaxBytes = 4 * 1024 * 1024;

    private readonly Dictionary<IPAddress, string> _names;

    private HostsFile(Dictionary<IPAddress, string> names) => _names = names;

    /// <summary>The machine's hosts file.</summary>
    public static HostsFile System { get; } = Load(DefaultPath);

    /// <summary>The name the file gives <paramref name="address"/>, or null.</summary>
    public string? NameOf(IPAddress address) =>
        _names.GetValueOrDefault(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>Reads the file at <paramref name="path"/>; empty when it cannot be read or is unreasonably large.</summary>
    public static HostsFile Load(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists && info.Length <= MaxBytes ? Parse(File.ReadAllText(path)) : new HostsFile([]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new HostsFile([]);
        }
    }

    /// <summary>Parses hosts-file text: <c>ADDRESS NAME [ALIAS...] [# comment]</c> a line; names that are not host names are skipped.</summary>
    public static HostsFile Parse(string text)
    {
        var names = new Dictionary<IPAddress, string>();
        foreach (var raw in text.Split('\n'))
        {
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var line = hash < 0 ? raw : raw[..hash];
            var fields = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || !IPAddress.TryParse(fields[0], out var address) || names.ContainsKey(address))
            {
                continue;
            }
            if (DnsPtrClient.Clean(fields[1]) is { } name)
            {
                names[address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address] = name;
            }
        }
        return new HostsFile(names);
    }
}
