using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Storage;

/// <summary>Writes a <see cref="ScanDiffResult"/> as text (ndiff-like) or JSON. The table is the CLI's.</summary>
public static class ScanDiffWriter
{
    /// <summary>
    /// ndiff-like text: one block per host that changed, headed by <c> ADDRESS:</c> (<c>+ADDRESS:</c> for a new host,
    /// <c>-ADDRESS:</c> for one gone), then a line per port, <c>+22/tcp open ssh OpenSSH 9.6</c> for what the second scan
    /// has and <c>-80/tcp open http</c> for what the first had; a port that closed shows both its old and new state, a
    /// changed service its old and new version; findings as <c>+finding ID PORT/PROTO title</c>. Nothing when nothing changed.
    /// </summary>
    /// <param name="diff">The changes.</param>
    /// <param name="writer">Where the text goes.</param>
    /// <param name="registry">Names services that detection did not identify; <see cref="PortRegistry.Default"/> when null.</param>
    public static void WriteText(ScanDiffResult diff, TextWriter writer, PortRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(writer);
        registry ??= PortRegistry.Default;
        var lines = new SortedDictionary<IPAddress, List<(int Order, string Line)>>(IPAddressComparer.Instance);
        List<(int, string)> Block(IPAddress address)
        {
            if (!lines.TryGetValue(address, out var block))
            {
                lines[address] = block = [];
            }
            return block;
        }
        var newHosts = diff.HostsNew.Select(h => h.Address).ToHashSet();
        var goneHosts = diff.HostsGone.Select(h => h.Address).ToHashSet();
        foreach (var host in diff.HostsNew.Concat(diff.HostsGone))
        {
            Block(host.Address);
        }
        var order = 0;
        foreach (var change in diff.PortsOpened.Concat(diff.PortsClosed).Concat(diff.ServicesChanged)
            .OrderBy(c => c.Protocol).ThenBy(c => c.Port))
        {
            var block = Block(change.Address);
            if (change.Before is { } before)
            {
                block.Add((order++, "-" + PortLine(before, registry)));
            }
            if (change.After is { } after)
            {
                block.Add((order++, "+" + PortLine(after, registry)));
            }
        }
        foreach (var (sign, finding) in diff.FindingsGone.Select(f => ('-', f)).Concat(diff.FindingsNew.Select(f => ('+', f))))
        {
            Block(finding.Address).Add((order++, string.Create(CultureInfo.InvariantCulture,
                $"{sign}finding {finding.Id} {finding.Port}/{finding.Protocol.ToName()}{(finding.Title is null ? "" : " " + finding.Title)}")));
        }
        var first = true;
        foreach (var (address, block) in lines)
        {
            if (!first)
            {
                writer.Write('\n');
            }
            first = false;
            var mark = newHosts.Contains(address) ? '+' : goneHosts.Contains(address) ? '-' : ' ';
            writer.Write(mark);
            writer.Write(address.ToString());
            writer.Write(":\n");
            foreach (var (_, line) in block.OrderBy(l => l.Order))
            {
                writer.Write(line);
                writer.Write('\n');
            }
        }
    }

    /// <summary>The text of <see cref="WriteText"/> as a string.</summary>
    public static string ToText(ScanDiffResult diff, PortRegistry? registry = null)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteText(diff, writer, registry);
        return writer.ToString();
    }

    /// <summary>
    /// JSON: <c>{"hostsNew":[{"address","hostname"}], "hostsGone":[...], "portsOpened":[change], "portsClosed":[change],
    /// "servicesChanged":[change], "findingsNew":[finding], "findingsGone":[finding]}</c>, where a change is
    /// <c>{"address","port","protocol","before":port|null,"after":port|null}</c> and a port
    /// <c>{"state","reason","service","product","version","extraInfo"}</c>.
    /// </summary>
    public static void WriteJson(ScanDiffResult diff, IBufferWriter<byte> output, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = indented });
        writer.WriteStartObject();
        WriteHosts(writer, "hostsNew"u8, diff.HostsNew);
        WriteHosts(writer, "hostsGone"u8, diff.HostsGone);
        WriteChanges(writer, "portsOpened"u8, diff.PortsOpened);
        WriteChanges(writer, "portsClosed"u8, diff.PortsClosed);
        WriteChanges(writer, "servicesChanged"u8, diff.ServicesChanged);
        WriteFindings(writer, "findingsNew"u8, diff.FindingsNew);
        WriteFindings(writer, "findingsGone"u8, diff.FindingsGone);
        writer.WriteEndObject();
    }

    /// <summary>The JSON of <see cref="WriteJson"/> as a string.</summary>
    public static string ToJson(ScanDiffResult diff, bool indented = true)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteJson(diff, buffer, indented);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string PortLine(PortResult port, PortRegistry registry)
    {
        var text = new StringBuilder().Append(port.Port.ToString(CultureInfo.InvariantCulture)).Append('/').Append(port.Protocol.ToName())
            .Append(' ').Append(port.State.ToName());
        var name = port.Service?.Name ?? registry.Explain(port.Port, port.Protocol)?.Name;
        if (!string.IsNullOrEmpty(name))
        {
            text.Append(' ').Append(name);
        }
        foreach (var part in (string?[])[port.Service?.Product, port.Service?.Version, port.Service?.ExtraInfo is { } extra ? "(" + extra + ")" : null])
        {
            if (!string.IsNullOrEmpty(part))
            {
                text.Append(' ').Append(part);
            }
        }
        return text.ToString();
    }

    private static void WriteHosts(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<HostResult> hosts)
    {
        writer.WriteStartArray(name);
        foreach (var host in hosts)
        {
            writer.WriteStartObject();
            writer.WriteString("address"u8, host.Address.ToString());
            if (host.Hostname is not null)
            {
                writer.WriteString("hostname"u8, host.Hostname);
            }
            writer.WriteString("state"u8, host.State);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static void WriteChanges(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<PortChange> changes)
    {
        writer.WriteStartArray(name);
        foreach (var change in changes)
        {
            writer.WriteStartObject();
            writer.WriteString("address"u8, change.Address.ToString());
            writer.WriteNumber("port"u8, change.Port);
            writer.WriteString("protocol"u8, change.Protocol.ToName());
            WritePort(writer, "before"u8, change.Before);
            WritePort(writer, "after"u8, change.After);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static void WritePort(Utf8JsonWriter writer, ReadOnlySpan<byte> name, PortResult? port)
    {
        if (port is null)
        {
            writer.WriteNull(name);
            return;
        }
        writer.WriteStartObject(name);
        writer.WriteString("state"u8, port.State.ToName());
        writer.WriteString("reason"u8, port.Reason);
        WriteOptional(writer, "service"u8, port.Service?.Name);
        WriteOptional(writer, "product"u8, port.Service?.Product);
        WriteOptional(writer, "version"u8, port.Service?.Version);
        WriteOptional(writer, "extraInfo"u8, port.Service?.ExtraInfo);
        writer.WriteEndObject();
    }

    private static void WriteFindings(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<DiffFinding> findings)
    {
        writer.WriteStartArray(name);
        foreach (var finding in findings)
        {
            writer.WriteStartObject();
            writer.WriteString("address"u8, finding.Address.ToString());
            writer.WriteNumber("port"u8, finding.Port);
            writer.WriteString("protocol"u8, finding.Protocol.ToName());
            writer.WriteString("id"u8, finding.Id);
            WriteOptional(writer, "title"u8, finding.Title);
            WriteOptional(writer, "severity"u8, finding.Severity);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
