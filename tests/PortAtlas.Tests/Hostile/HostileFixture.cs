using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PortAtlas.Storage;

namespace PortAtlas.Tests.Hostile;

/// <summary>
/// The files the hostile cases point at: a history with one earlier scan (which every case must leave intact),
/// hostile Nmap XML, NVD JSON, targets and rules files, a loopback listener of our own to scan, and (on Linux) a
/// listening process whose name is an escape sequence or a spreadsheet formula.
/// </summary>
public sealed class HostileFixture : IAsyncLifetime
{
    private readonly List<Process> _processes = [];
    private TcpListener? _listener;

    public string Dir { get; } = Directory.CreateTempSubdirectory("pa-hostile-").FullName;

    public string DataHome => Path.Combine(Dir, "data");

    public string Db => Path.Combine(DataHome, "portatlas", "history.db");

    public int ListenPort { get; private set; }

    /// <summary>The earlier scan's open-port count, to check it is intact after every case.</summary>
    public long EarlierOpenPorts { get; private set; }

    public string P(string name) => Path.Combine(Dir, name);

    /// <summary>Stored reports (format 2) a hand or another tool damaged: each in a copy of the history, as scan 1.</summary>
    public static readonly IReadOnlyDictionary<string, string> DamagedReports = new Dictionary<string, string>
    {
        ["repeat-on-ports"] = """{"format":2,"hosts":[{"address":"198.18.0.1","state":"up","ports":[{"address":"198.18.0.1","port":22,"protocol":"tcp","state":"open","reason":"syn-ack"}],"repeat":16000000}]}""",
        ["repeat-negative"] = """{"format":2,"hosts":[{"address":"10.0.0.0","state":"up","ports":[],"repeat":-1}]}""",
        ["repeat-past-end"] = """{"format":2,"hosts":[{"address":"255.255.255.250","state":"up","ports":[],"repeat":10}]}""",
        ["repeat-ipv6"] = """{"format":2,"hosts":[{"address":"::1","state":"up","ports":[],"repeat":1}]}""",
        ["repeat-fraction"] = """{"format":2,"hosts":[{"address":"10.0.0.0","state":"up","ports":[],"repeat":1.5}]}""",
        ["repeat-2^63"] = """{"format":2,"hosts":[{"address":"10.0.0.0","state":"up","ports":[],"repeat":9223372036854775808}]}""",
        ["element-not-pair"] = """{"format":2,"hosts":[{"address":"10.0.0.1","state":"up","ports":[],"scripts":[{"id":"x","output":"y","elements":[["k"]]}]}]}""",
        ["truncated"] = """{"format":2,"hosts":[{"address":"10.0.0.1","sta""",
        ["deep"] = "{\"format\":2,\"x\":" + new string('[', 5000) + new string(']', 5000) + "}",
    };

    private async Task DamageAsync(string path, string json)
    {
        File.Copy(Db, path);
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE scans SET report_json = $json";
        update.Parameters.AddWithValue("$json", json);
        await update.ExecuteNonQueryAsync();
    }

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(DataHome, "portatlas"));
        var hostile = "evil\u009b]0;pwned\u009c\u202e.example";
        await File.WriteAllTextAsync(P("hostile.xml"), NmapXml(hostile, "=HYPERLINK(\"http://x\")", "\u009b31mred\u009b2J", "-2+3", "@SUM(A1)"));
        await using (var store = ScanStore.Open(Db))
        {
            await using var stream = File.OpenRead(P("hostile.xml"));
            var report = NmapXmlImporter.Parse(stream);
            await store.SaveAsync(report, new ScanMetadata { Targets = ["127.0.0.1"] });
            EarlierOpenPorts = (await store.ListAsync()).Single().OpenPorts;
        }
        File.Copy(Db, P("copy.db"));
        foreach (var (name, json) in DamagedReports)
        {
            await DamageAsync(P($"report-{name}.db"), json);
        }
        // A sparse 2 GB rules file without a newline (no disk taken).
        await using (var sparse = File.Create(P("rules-sparse.tsv")))
        {
            sparse.SetLength(2L << 30);
        }
        await File.WriteAllBytesAsync(P("corrupt.db"), [.. Encoding.ASCII.GetBytes("SQLite format 3\0"), .. Enumerable.Range(0, 8192).Select(i => (byte)(i * 7))]);
        await File.WriteAllTextAsync(P("text.db"), "this is not a database\n");
        await File.WriteAllBytesAsync(P("empty.db"), []);
        await using (var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={P("other.db")};Pooling=False"))
        {
            await other.OpenAsync();
            await using var create = other.CreateCommand();
            create.CommandText = "CREATE TABLE t (x INTEGER)";
            await create.ExecuteNonQueryAsync();
        }
        Directory.CreateDirectory(P("adir"));
        // Targets files.
        await File.WriteAllTextAsync(P("targets-escape.txt"), "127.0.0.1\n\u001b]0;owned\u0007\u001b[2J" + new string('A', 300) + "\n");
        await File.WriteAllTextAsync(P("targets-longline.txt"), new string('1', 20_000) + "\n");
        await File.WriteAllTextAsync(P("targets-empty.txt"), "# nothing\n\n");
        await using (var many = new StreamWriter(P("targets-many.txt")))
        {
            for (var i = 0; i < 1_000_001; i++)
            {
                await many.WriteLineAsync("127.0.0.1");
            }
        }
        // Only control and high bytes: no token can be a host name (nothing is resolved).
        await File.WriteAllBytesAsync(P("targets-binary.txt"), [.. Enumerable.Range(0, 4096).Select(i => (byte)(i % 3 == 0 ? 0x1b : 0x80 + (i * 7 % 128)))]);
        // Rules files.
        await File.WriteAllTextAsync(P("rules-escape.tsv"), "\u001b]0;x\u0007\tbogus\n");
        await File.WriteAllBytesAsync(P("rules-binary.tsv"), [.. Enumerable.Range(0, 2048).Select(i => (byte)(i * 13))]);
        // Nmap XML.
        await File.WriteAllTextAsync(P("xml-bigattr.xml"), "<?xml version=\"1.0\"?><nmaprun args=\"" + new string('A', 3 << 20) + "\"></nmaprun>");
        await File.WriteAllTextAsync(P("xml-bigtext.xml"), "<?xml version=\"1.0\"?><nmaprun><x>" + new string('A', 3 << 20) + "</x></nmaprun>");
        await File.WriteAllTextAsync(P("xml-laughs.xml"), "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]><nmaprun args=\"&d;&d;&d;&d;\"></nmaprun>");
        await File.WriteAllTextAsync(P("xml-external.xml"), "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><nmaprun args=\"&x;\"></nmaprun>");
        await File.WriteAllTextAsync(P("xml-html.xml"), "<html><body>not nmap</body></html>");
        await File.WriteAllTextAsync(P("xml-truncated.xml"), NmapXml("h", "http", "p", "1", "x")[..200]);
        await File.WriteAllTextAsync(P("xml-deep.xml"), "<?xml version=\"1.0\"?><nmaprun>" + string.Concat(Enumerable.Repeat("<a>", 20_000)) + "</nmaprun>");
        await File.WriteAllTextAsync(P("xml-badaddr.xml"), "<?xml version=\"1.0\"?><nmaprun><host><address addr=\"999.1.1.1\u009b\" addrtype=\"ipv4\"/></host></nmaprun>");
        await File.WriteAllTextAsync(P("xml-badport.xml"), "<?xml version=\"1.0\"?><nmaprun><host><address addr=\"127.0.0.1\" addrtype=\"ipv4\"/><ports><port protocol=\"tcp\" portid=\"99999999999\"><state state=\"open\"/></port></ports></host></nmaprun>");
        await File.WriteAllTextAsync(P("xml-empty.xml"), "");
        await WriteLargeInputsAsync();
        // NVD JSON.
        await File.WriteAllTextAsync(P("nvd-array.json"), "[]");
        await File.WriteAllTextAsync(P("nvd-foo.json"), "{\"foo\":1}");
        await File.WriteAllTextAsync(P("nvd-vulnobj.json"), "{\"vulnerabilities\":{}}");
        await File.WriteAllTextAsync(P("nvd-vulnstr.json"), "{\"vulnerabilities\":\"x\"}");
        await File.WriteAllTextAsync(P("nvd-null.json"), "null");
        await File.WriteAllTextAsync(P("nvd-number.json"), "123");
        await File.WriteAllTextAsync(P("nvd-empty.json"), "");
        await File.WriteAllTextAsync(P("nvd-truncated.json"), "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-1");
        await File.WriteAllTextAsync(P("nvd-deep.json"), "{\"vulnerabilities\":[" + new string('[', 5000) + new string(']', 5000) + "]}");
        await File.WriteAllTextAsync(P("nvd-bigstring.json"), "{\"vulnerabilities\":[{\"cve\":{\"id\":\"" + new string('A', 17 << 20) + "\"}}]}");
        await File.WriteAllTextAsync(P("nvd-escape.json"), "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2024-\\u001b]0;x\\u0007\"}}]}");
        await File.WriteAllTextAsync(P("nvd-ok.json"), "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2024-0001\",\"configurations\":[]}}]}");

        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        ListenPort = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptLoop(_listener);
        if (OperatingSystem.IsLinux() && File.Exists("/usr/bin/python3"))
        {
            StartNamedListener("\u001b]0;PWN\u0007\u001b[2Jx");
            StartNamedListener("=HYPERLINK(1)");
        }
    }

    /// <summary>Hosts of a /16, the import's host limit.</summary>
    public const int SlashSixteen = 1 << 16;

    // The largest input of each import format: a /16 of hosts (Nmap XML with versions, CPEs and a script per host; masscan
    // list; naabu JSON lines), and Nmap XML one host past the limit. Addresses are in 198.18.0.0/15 and never contacted.
    private async Task WriteLargeInputsAsync()
    {
        static string Address(int i) => $"198.{18 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}";
        await using (var xml = new StreamWriter(P("xml-slash16.xml")))
        {
            await xml.WriteLineAsync("<?xml version=\"1.0\"?><nmaprun scanner=\"nmap\" args=\"nmap -sV 198.18.0.0/16\" start=\"1700000000\" version=\"7.93\">");
            for (var i = 0; i < SlashSixteen; i++)
            {
                await xml.WriteLineAsync(
                    $"<host><status state=\"up\" reason=\"syn-ack\"/><address addr=\"{Address(i)}\" addrtype=\"ipv4\"/><ports><extraports state=\"closed\" count=\"2\"/>" +
                    "<port protocol=\"tcp\" portid=\"22\"><state state=\"open\" reason=\"syn-ack\"/><service name=\"ssh\" product=\"OpenSSH\" version=\"9.2p1\" method=\"probed\" conf=\"10\"><cpe>cpe:/a:openbsd:openssh:9.2p1</cpe></service></port>" +
                    "<port protocol=\"tcp\" portid=\"23\"><state state=\"open\" reason=\"syn-ack\"/><service name=\"telnet\" method=\"table\" conf=\"3\"/></port>" +
                    "<port protocol=\"tcp\" portid=\"80\"><state state=\"open\" reason=\"syn-ack\"/><service name=\"http\" product=\"nginx\" version=\"1.22.1\" method=\"probed\" conf=\"10\"/><script id=\"http-title\" output=\"Welcome\"/></port>" +
                    "<port protocol=\"tcp\" portid=\"443\"><state state=\"filtered\" reason=\"no-response\"/></port></ports></host>");
            }
            await xml.WriteLineAsync("</nmaprun>");
        }
        await using (var xml = new StreamWriter(P("xml-over.xml")))
        {
            await xml.WriteLineAsync("<?xml version=\"1.0\"?><nmaprun args=\"nmap\" start=\"1700000000\">");
            for (var i = 0; i <= SlashSixteen; i++)
            {
                await xml.WriteLineAsync($"<host><status state=\"up\"/><address addr=\"{Address(i)}\" addrtype=\"ipv4\"/></host>");
            }
            await xml.WriteLineAsync("</nmaprun>");
        }
        await using (var list = new StreamWriter(P("masscan-slash16.txt")))
        await using (var naabu = new StreamWriter(P("naabu-slash16.json")))
        {
            await list.WriteLineAsync("#masscan");
            for (var i = 0; i < SlashSixteen; i++)
            {
                await list.WriteLineAsync($"open tcp 80 {Address(i)} 1700000000");
                await naabu.WriteLineAsync($"{{\"ip\":\"{Address(i)}\",\"port\":443,\"protocol\":\"tcp\",\"timestamp\":\"2026-12-01T00:00:00Z\"}}");
            }
            await list.WriteLineAsync("# end");
        }
    }

    private static async Task AcceptLoop(TcpListener listener)
    {
        try
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync();
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // Stopped.
        }
    }

    // A process whose name (comm, from the executable's file name) is hostile, listening on loopback.
    private void StartNamedListener(string name)
    {
        var link = Path.Combine(Dir, "bin-" + _processes.Count);
        Directory.CreateDirectory(link);
        var exe = Path.Combine(link, name);
        File.CreateSymbolicLink(exe, "/usr/bin/python3");
        var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import socket,time,sys\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen()\nprint(s.getsockname()[1],flush=True)\ntime.sleep(300)");
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadLine();
        _processes.Add(process);
    }

    public static string NmapXml(string hostname, string service, string product, string version, string extra) =>
        $"""
        <?xml version="1.0"?>
        <nmaprun scanner="nmap" args="nmap --db postgres://al:s3cret@h/db -sV" start="1700000000">
        <host><status state="up"/><address addr="127.0.0.1" addrtype="ipv4"/><hostnames><hostname name="{X(hostname)}"/></hostnames>
        <ports><port protocol="tcp" portid="80"><state state="open" reason="syn-ack"/><service name="{X(service)}" product="{X(product)}" version="{X(version)}" extrainfo="{X(extra)}"/></port></ports></host>
        </nmaprun>
        """;

    private static string X(string s) => System.Security.SecurityElement.Escape(s)!;

    public async ValueTask DisposeAsync()
    {
        _listener?.Stop();
        foreach (var process in _processes)
        {
            try
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            process.Dispose();
        }
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
