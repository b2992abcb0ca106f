using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace PortAtlas.Storage;

/// <summary>Where <see cref="NmapXmlImporter"/> puts each host it reads: kept in a list, or spooled to a file for a streamed save.</summary>
internal abstract class HostSink
{
    /// <summary>The scanner named by the document (nmap, masscan, PortAtlas), set before the first host.</summary>
    public string? Scanner { get; set; }

    /// <summary>Distinct hosts so far (a host named twice counts once).</summary>
    public abstract int Count { get; }

    /// <summary>The hosts, for a report held in memory; empty when they were spooled.</summary>
    public abstract IReadOnlyList<HostResult> Hosts { get; }

    /// <summary>Ports per state over every host (their listed and unlisted counts).</summary>
    public abstract Dictionary<string, long> StateCounts { get; }

    /// <summary>Takes a host; a second mention of an address is merged into the first.</summary>
    /// <exception cref="FormatException">More than the hosts allowed.</exception>
    public abstract void Add(HostResult host);

    protected static FormatException TooManyHosts(int max) =>
        new(string.Create(CultureInfo.InvariantCulture, $"more than {max:N0} hosts: split the scan into several files"));
}

/// <summary>The hosts in memory, in first-seen order: what <see cref="NmapXmlImporter.Import(Stream, ImportLimits?)"/> returns.</summary>
internal sealed class ListHostSink(int maxHosts) : HostSink
{
    private readonly List<HostResult> _hosts = [];
    private readonly Dictionary<IPAddress, int> _byAddress = [];

    public override int Count => _hosts.Count;

    public override IReadOnlyList<HostResult> Hosts => _hosts;

    public override Dictionary<string, long> StateCounts
    {
        get
        {
            var counts = new Dictionary<string, long>();
            foreach (var host in _hosts)
            {
                foreach (var (state, count) in host.StateCounts)
                {
                    counts[state] = counts.GetValueOrDefault(state) + count;
                }
            }
            return counts;
        }
    }

    public override void Add(HostResult host)
    {
        if (_byAddress.TryGetValue(host.Address, out var index))
        {
            _hosts[index] = NmapXmlImporter.Merge(_hosts[index], host);
            return;
        }
        if (_hosts.Count >= maxHosts)
        {
            throw TooManyHosts(maxHosts);
        }
        _byAddress[host.Address] = _hosts.Count;
        _hosts.Add(host);
    }
}

/// <summary>
/// Hosts written one at a time, as the store's JSON, to a temporary file that is deleted when closed, so that an import
/// holds one host in memory rather than the whole report. Findings are computed per host as it arrives. Keeps per host
/// only its place in the file; the totals the store's summary needs are tallied on the way.
/// </summary>
internal sealed class SpoolingHostSink : HostSink, IDisposable
{
    /// <summary>How many addresses are kept for the stored target list when the command line names none.</summary>
    private readonly int _maxHosts;
    private readonly Assessment.Assessor? _assessor;
    private readonly FileStream _stream;
    private readonly SafeFileHandle _file;
    private readonly List<(long Offset, int Length)> _entries = [];
    private readonly Dictionary<IPAddress, int> _index = [];
    private readonly Dictionary<string, long> _counts = [];
    private readonly List<string> _firstAddresses = [];
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 16);
    private readonly Utf8JsonWriter _writer;
    private byte[] _readBuffer = new byte[1 << 16];
    private long _end;

    /// <param name="maxHosts">The most distinct hosts.</param>
    /// <param name="assessor">Computes each host's findings as it arrives; null to store none.</param>
    public SpoolingHostSink(int maxHosts, Assessment.Assessor? assessor)
    {
        _maxHosts = maxHosts;
        _assessor = assessor;
        var path = Path.Combine(Path.GetTempPath(), $"portatlas-import-{Guid.NewGuid():N}.spool");
        // Private (0600), and deleted when closed.
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        _stream = new FileStream(path, options);
        _file = _stream.SafeFileHandle;
        _writer = new Utf8JsonWriter(_buffer);
    }

    public override int Count => _entries.Count;

    public override IReadOnlyList<HostResult> Hosts => [];

    public override Dictionary<string, long> StateCounts => _counts;

    /// <summary>Hosts whose state is up.</summary>
    public long Up { get; private set; }

    /// <summary>Open ports by the hosts' state counts (what the store's summary shows).</summary>
    public long OpenCount { get; private set; }

    /// <summary>Open ports listed in the hosts.</summary>
    public long OpenListed { get; private set; }

    /// <summary>Findings over every port.</summary>
    public long Findings { get; private set; }

    /// <summary>The first addresses seen, at most <see cref="ImportedScans.MaxListedTargets"/>.</summary>
    public IReadOnlyList<string> FirstAddresses => _firstAddresses;

    /// <summary>The bytes of every host's JSON with a comma between each: the inside of the report's "hosts" array.</summary>
    public long JsonLength => _entries.Sum(e => (long)e.Length) + Math.Max(0, _entries.Count - 1);

    public override void Add(HostResult host)
    {
        if (_assessor is not null)
        {
            host = ImportedScans.AssessHost(host, _assessor, $"import:{Scanner ?? "nmap"}");
        }
        if (_index.TryGetValue(host.Address, out var index))
        {
            var earlier = ReadAt(index);
            Tally(earlier, -1);
            host = NmapXmlImporter.Merge(earlier, host);
            _entries[index] = Append(host);
        }
        else
        {
            if (_entries.Count >= _maxHosts)
            {
                throw TooManyHosts(_maxHosts);
            }
            _index[host.Address] = _entries.Count;
            _entries.Add(Append(host));
            if (_firstAddresses.Count < ImportedScans.MaxListedTargets)
            {
                _firstAddresses.Add(host.Address.ToString());
            }
        }
        Tally(host, 1);
    }

    /// <summary>
    /// Each host in first-seen order with its JSON; the bytes are valid until the next item (one buffer is reused).
    /// </summary>
    public IEnumerable<(HostResult Host, ReadOnlyMemory<byte> Json)> ReadAll()
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            var json = ReadBytes(i);
            yield return (Parse(json.Span), json);
        }
    }

    private (long Offset, int Length) Append(HostResult host)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        ScanReportJson.WriteHost(_writer, host);
        _writer.Flush();
        var offset = _end;
        RandomAccess.Write(_file, _buffer.WrittenSpan, offset);
        _end += _buffer.WrittenCount;
        return (offset, _buffer.WrittenCount);
    }

    private ReadOnlyMemory<byte> ReadBytes(int index)
    {
        var (offset, length) = _entries[index];
        if (_readBuffer.Length < length)
        {
            _readBuffer = new byte[Math.Max(length, _readBuffer.Length * 2)];
        }
        var read = 0;
        while (read < length)
        {
            var n = RandomAccess.Read(_file, _readBuffer.AsSpan(read, length - read), offset + read);
            if (n <= 0)
            {
                throw new IOException("the import's temporary file ended early");
            }
            read += n;
        }
        return _readBuffer.AsMemory(0, length);
    }

    private HostResult ReadAt(int index) => Parse(ReadBytes(index).Span);

    private static HostResult Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        using var document = JsonDocument.ParseValue(ref reader);
        return ScanReportJson.ReadHost(document.RootElement);
    }

    private void Tally(HostResult host, int sign)
    {
        foreach (var (state, count) in host.StateCounts)
        {
            var total = _counts.GetValueOrDefault(state) + (sign * count);
            if (total == 0)
            {
                _counts.Remove(state);
            }
            else
            {
                _counts[state] = total;
            }
        }
        if (host.State == "up")
        {
            Up += sign;
        }
        var listedOpen = 0L;
        var findings = 0L;
        foreach (var port in host.Ports)
        {
            findings += port.Findings.Count;
            if (port.State == PortState.Open)
            {
                listedOpen++;
            }
        }
        OpenListed += sign * listedOpen;
        OpenCount += sign * (host.StateCounts.TryGetValue("open", out var open) ? open : listedOpen);
        Findings += sign * findings;
    }

    public void Dispose()
    {
        _writer.Dispose();
        _stream.Dispose();
    }
}
