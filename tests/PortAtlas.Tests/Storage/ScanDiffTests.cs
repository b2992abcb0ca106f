using System.Net;
using System.Text.Json;
using PortAtlas.Registry;
using PortAtlas.Scanning;
using PortAtlas.Storage;
using PortAtlas.StoreHarness;

namespace PortAtlas.Tests.Storage;

public sealed class ScanDiffTests
{
    private static readonly IPAddress s_a = IPAddress.Parse("198.18.0.1");
    private static readonly IPAddress s_b = IPAddress.Parse("198.18.0.2");
    private static readonly IPAddress s_c = IPAddress.Parse("198.18.0.3");

    private static PortResult Port(IPAddress address, int port, PortState state = PortState.Open, string? product = null, string? version = null, string? service = null) => new()
    {
        Address = address,
        Port = port,
        State = state,
        Reason = state == PortState.Open ? "syn-ack" : "conn-refused",
        Service = service is null && product is null ? null : new ServiceInfo { Name = service ?? "http", Product = product, Version = version, Method = "probe" },
    };

    private static ScanReport Scan(params HostResult[] hosts) => new() { Hosts = hosts, Stats = new ScanStats() };

    private static HostResult Host(IPAddress address, params PortResult[] ports) => new() { Address = address, Ports = ports };

    [Fact]
    public void Compare_OfAScanWithItself_IsEmpty()
    {
        var report = SyntheticReports.Create(16, 200, 0.05, 7);
        Assert.True(ScanDiff.Compare(report, report).IsEmpty);
        Assert.Equal("", ScanDiffWriter.ToText(ScanDiff.Compare(report, report)));
    }

    [Fact]
    public void Compare_FindsEveryKindOfChange_Exactly()
    {
        var before = Scan(
            Host(s_a, Port(s_a, 22, product: "OpenSSH", version: "9.6", service: "ssh"), Port(s_a, 80), Port(s_a, 443), Port(s_a, 8080, product: "Jetty", version: "9")),
            Host(s_b, Port(s_b, 25)));
        var after = Scan(
            Host(s_a, Port(s_a, 21), Port(s_a, 22, product: "OpenSSH", version: "9.7", service: "ssh"), Port(s_a, 80, PortState.Closed), Port(s_a, 8080)),
            Host(s_c, Port(s_c, 3306)));

        var diff = ScanDiff.Compare(before, after);

        Assert.Equal([s_c], diff.HostsNew.Select(h => h.Address));
        Assert.Equal([s_b], diff.HostsGone.Select(h => h.Address));
        Assert.Equal([(s_a, 21), (s_c, 3306)], diff.PortsOpened.Select(c => (c.Address, c.Port)));
        Assert.All(diff.PortsOpened, c => Assert.Null(c.Before));
        Assert.Equal([(s_a, 80, PortState.Closed), (s_a, 443, (PortState?)null), (s_b, 25, null)],
            diff.PortsClosed.Select(c => (c.Address, c.Port, c.After?.State)));
        // 8080 lost its detection in the second scan: that is not a change of service, only of knowledge.
        Assert.Equal([(s_a, 22, "9.6", "9.7")], diff.ServicesChanged.Select(c => (c.Address, c.Port, c.Before!.Service!.Version, c.After!.Service!.Version)));
        Assert.Empty(diff.FindingsNew);
        Assert.False(diff.IsEmpty);

        Assert.Equal(
            """
             198.18.0.1:
            +21/tcp open ftp
            -22/tcp open ssh OpenSSH 9.6
            +22/tcp open ssh OpenSSH 9.7
            -80/tcp open http
            +80/tcp closed http
            -443/tcp open https

            -198.18.0.2:
            -25/tcp open smtp

            +198.18.0.3:
            +3306/tcp open mysql

            """.ReplaceLineEndings("\n"),
            ScanDiffWriter.ToText(diff));
    }

    [Fact]
    public void Compare_KeysPortsByProtocolToo()
    {
        var before = Scan(Host(s_a, Port(s_a, 53) with { Protocol = Transport.Udp }));
        var after = Scan(Host(s_a, Port(s_a, 53)));

        var diff = ScanDiff.Compare(before, after);

        Assert.Equal((Transport.Tcp, 53), (diff.PortsOpened.Single().Protocol, diff.PortsOpened.Single().Port));
        Assert.Equal((Transport.Udp, 53), (diff.PortsClosed.Single().Protocol, diff.PortsClosed.Single().Port));
    }

    [Fact]
    public void Compare_WithAFindingsSource_ReportsNewAndGoneFindingsByKey()
    {
        var report = Scan(Host(s_a, Port(s_a, 443)));
        DiffFinding F(string id, int port = 443) => new(s_a, port, Transport.Tcp, id, "title " + id);
        var before = new[] { F("weak-tls"), F("expired-cert"), F("weak-tls", 8443) };
        var after = new[] { F("weak-tls"), F("CVE-2024-1"), F("CVE-2024-1") };

        var diff = ScanDiff.Compare(report, report with { Stats = new ScanStats() }, r => ReferenceEquals(r, report) ? before : after);

        Assert.Equal(["CVE-2024-1"], diff.FindingsNew.Select(f => f.Id));
        Assert.Equal([("expired-cert", 443), ("weak-tls", 8443)], diff.FindingsGone.Select(f => (f.Id, f.Port)));
        Assert.Contains("+finding CVE-2024-1 443/tcp title CVE-2024-1", ScanDiffWriter.ToText(diff), StringComparison.Ordinal);
    }

    [Fact]
    public void WriteJson_HasEveryListWithTheChanges()
    {
        var before = Scan(Host(s_a, Port(s_a, 80), Port(s_a, 22, product: "OpenSSH", version: "1", service: "ssh")));
        var after = Scan(Host(s_a, Port(s_a, 443), Port(s_a, 22, product: "OpenSSH", version: "2", service: "ssh")), Host(s_b, Port(s_b, 1)));

        using var json = JsonDocument.Parse(ScanDiffWriter.ToJson(ScanDiff.Compare(before, after)));
        var root = json.RootElement;

        Assert.Equal("198.18.0.2", root.GetProperty("hostsNew")[0].GetProperty("address").GetString());
        Assert.Equal(0, root.GetProperty("hostsGone").GetArrayLength());
        Assert.Equal([443, 1], root.GetProperty("portsOpened").EnumerateArray().Select(e => e.GetProperty("port").GetInt32()));
        var closed = root.GetProperty("portsClosed")[0];
        Assert.Equal((80, "tcp", "open", JsonValueKind.Null), (closed.GetProperty("port").GetInt32(), closed.GetProperty("protocol").GetString(),
            closed.GetProperty("before").GetProperty("state").GetString(), closed.GetProperty("after").ValueKind));
        var changed = root.GetProperty("servicesChanged")[0];
        Assert.Equal(("1", "2"), (changed.GetProperty("before").GetProperty("version").GetString(), changed.GetProperty("after").GetProperty("version").GetString()));
        Assert.Equal(0, root.GetProperty("findingsNew").GetArrayLength());
    }
}
