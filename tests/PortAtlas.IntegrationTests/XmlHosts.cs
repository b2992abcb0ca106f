using System.Globalization;
using System.Xml.Linq;

namespace PortAtlas.IntegrationTests;

/// <summary>A host of an nmap-style XML report: its state, its ports by state (listed and extra), and its listed ports.</summary>
internal sealed record XmlHost(string State, Dictionary<string, int> Counts, List<string> Listed);

/// <summary>Reads the hosts of an nmap-style XML report by address.</summary>
internal static class XmlHosts
{
    public static Dictionary<string, XmlHost> Read(string xml)
    {
        var hosts = new Dictionary<string, XmlHost>();
        foreach (var host in XDocument.Parse(xml).Descendants("host"))
        {
            var counts = new Dictionary<string, int> { ["open"] = 0, ["closed"] = 0, ["filtered"] = 0 };
            var listed = new List<string>();
            foreach (var port in host.Descendants("port"))
            {
                var state = port.Element("state")!;
                var name = (string)state.Attribute("state")!;
                counts[name] = counts.GetValueOrDefault(name) + 1;
                listed.Add($"{(string)port.Attribute("portid")!}/{name}/{(string)state.Attribute("reason")!}");
            }
            foreach (var extra in host.Descendants("extraports"))
            {
                var name = (string)extra.Attribute("state")!;
                counts[name] = counts.GetValueOrDefault(name) + int.Parse((string)extra.Attribute("count")!, CultureInfo.InvariantCulture);
            }
            var address = (string)host.Element("address")!.Attribute("addr")!;
            hosts[address] = new XmlHost((string)host.Element("status")!.Attribute("state")!, counts, listed);
        }
        return hosts;
    }

    /// <summary>Each host as one comparable line: address, state, counts by state and listed ports.</summary>
    public static List<string> Lines(string xml) =>
        [.. Read(xml).OrderBy(h => h.Key, StringComparer.Ordinal).Select(h =>
            $"{h.Key} {h.Value.State} {string.Join(',', h.Value.Counts.Where(c => c.Value > 0).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"))} [{string.Join(' ', h.Value.Listed)}]")];
}
