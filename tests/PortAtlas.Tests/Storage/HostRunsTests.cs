using System.Buffers;
using System.Net;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PortAtlas.Model;
using PortAtlas.Storage;

namespace PortAtlas.Tests.Storage;

/// <summary>Runs of plain hosts in the stored report (format 2): a silent /8 fits a store, and every report reads back as it was.</summary>
public sealed class HostRunsTests
{
    private static readonly Dictionary<string, long> s_silent = new(StringComparer.Ordinal) { ["filtered"] = 100 };

    [Fact]
    public void SilentSlash8_IsStoredAsOneEntry_AndReadsBackHostByHost()
    {
        // 16.7 M hosts, each made when read (as the collector's report view makes silent hosts): never all held.
        var report = new ScanReport { Stats = new ScanStats(), Hosts = new MadeHosts(1 << 24, i => Plain(0x7F000000u + (uint)i)) };

        var json = ScanReportJson.ToUtf8Bytes(report);
        var read = ScanReportJson.Read(json);

        Assert.InRange(json.Length, 1, 2048);
        Assert.Equal(1 << 24, read.Hosts.Count);
        foreach (var index in (int[])[0, 1, 255, 65_536, (1 << 24) - 1])
        {
            Assert.Equal(HostJson(report.Hosts[index]), HostJson(read.Hosts[index]));
        }
        Assert.Equal(IPAddress.Parse("127.255.255.255"), read.Hosts[^1].Address);
    }

    [Property(MaxTest = 300)]
    public Property RoundTrip_OfMixedHosts_GivesEveryHostBack() =>
        Prop.ForAll(Gen.ListOf(Piece).ToArbitrary(), pieces =>
        {
            // Hosts in address order: plain ones in runs with gaps, and others between them (a name, a port, IPv6, another count).
            var hosts = new List<HostResult>();
            uint key = 0x7F000000;
            foreach (var (kind, length, gap) in pieces)
            {
                key += (uint)gap;
                for (var i = 0; i < length; i++, key++)
                {
                    hosts.Add(kind switch
                    {
                        0 => Plain(key),
                        1 => Plain(key) with { Hostname = "h" + key },
                        2 => Plain(key) with { StateCounts = new Dictionary<string, long> { ["filtered"] = 99, ["closed"] = 1 } },
                        3 => Plain(key) with { State = "down", StateCounts = new Dictionary<string, long>() },
                        _ => Plain(key) with { Ports = [new PortResult { Address = Address(key), Port = 22, State = PortState.Open, Reason = "syn-ack" }] },
                    });
                }
            }
            hosts.Add(new HostResult { Address = IPAddress.Parse("::1"), StateCounts = s_silent });
            var report = new ScanReport { Stats = new ScanStats(), Hosts = hosts };

            var json = ScanReportJson.ToUtf8Bytes(report);
            var read = ScanReportJson.Read(json);

            var runs = CountRepeats(json);
            return read.Hosts.Count == hosts.Count
                && hosts.Select(HostJson).SequenceEqual(read.Hosts.Select(HostJson))
                && (runs == 0 || read.Hosts is IHostListView)
                // Written again, the read report gives the same bytes.
                && ScanReportJson.ToUtf8Bytes(read).AsSpan().SequenceEqual(json);
        });

    [Fact]
    public void PlainHosts_AtConsecutiveAddresses_AreOneEntry_AndAGapOrAChangeEndsIt()
    {
        var hosts = new List<HostResult> { Plain(0x7F000001), Plain(0x7F000002), Plain(0x7F000003), Plain(0x7F000005), Plain(0x7F000006) with { State = "down" } };

        var json = ScanReportJson.ToUtf8Bytes(new ScanReport { Stats = new ScanStats(), Hosts = hosts });

        using var document = JsonDocument.Parse(json);
        var entries = document.RootElement.GetProperty("hosts").EnumerateArray().ToList();
        Assert.Equal(3, entries.Count);
        Assert.Equal(2, entries[0].GetProperty("repeat").GetInt64());
        Assert.False(entries[1].TryGetProperty("repeat", out _));
        Assert.Equal(2, document.RootElement.GetProperty("format").GetInt32());
    }

    [Fact]
    public void Mapped_RunsStayLazy_AndMapEachHostWhenRead()
    {
        var read = ScanReportJson.Read(ScanReportJson.ToUtf8Bytes(new ScanReport { Stats = new ScanStats(), Hosts = new MadeHosts(1000, i => Plain(0x7F000000u + (uint)i)) }));
        var calls = 0;

        var mapped = HostLists.Select(read.Hosts, h => { calls++; return h with { State = "mapped" }; });

        Assert.Equal(0, calls);
        var last = mapped[999];
        Assert.Equal(1, calls);
        Assert.Equal("mapped", last.State);
        Assert.Equal(IPAddress.Parse("127.0.3.231"), last.Address);
    }

    [Theory]
    [InlineData("{\"hosts\":[{\"address\":\"127.0.0.1\",\"repeat\":-1}]}")]
    [InlineData("{\"hosts\":[{\"address\":\"255.255.255.0\",\"repeat\":256}]}")]
    [InlineData("{\"hosts\":[{\"address\":\"::1\",\"repeat\":1}]}")]
    [InlineData("{\"hosts\":[{\"address\":\"0.0.0.0\",\"repeat\":4294967295}]}")]
    [InlineData("{\"hosts\":[{\"address\":\"127.0.0.1\",\"repeat\":1e40}]}")]
    [InlineData("{\"hosts\":[{\"address\":\"1.0.0.0\",\"repeat\":2000000000},{\"address\":\"200.0.0.0\",\"repeat\":2000000000}]}")]
    public void Read_OfABadRun_IsAFormatException(string json) =>
        Assert.Throws<FormatException>(() => ScanReportJson.Read(json));

    [Fact]
    public void Read_OfFormat1_StillReads()
    {
        var read = ScanReportJson.Read("{\"format\":1,\"hosts\":[{\"address\":\"127.0.0.1\",\"state\":\"up\",\"stateCounts\":{\"filtered\":3},\"ports\":[]}]}");

        Assert.Equal(3, read.Hosts.Single().StateCounts["filtered"]);
    }

    private static Gen<(int Kind, int Length, int Gap)> Piece =>
        from kind in Gen.Choose(0, 4)
        from length in Gen.Choose(1, 40)
        from gap in Gen.Elements(0, 0, 1, 7)
        select (kind, length, gap);

    private static HostResult Plain(uint key) => new() { Address = Address(key), StateReason = "user-set", StateCounts = s_silent };

    private static IPAddress Address(uint key) => new([(byte)(key >> 24), (byte)(key >> 16), (byte)(key >> 8), (byte)key]);

    private static string HostJson(HostResult host)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ScanReportJson.WriteHost(writer, host);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static int CountRepeats(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("hosts").EnumerateArray().Count(h => h.TryGetProperty("repeat", out _));
    }

    /// <summary>Hosts made as they are read.</summary>
    private sealed class MadeHosts(int count, Func<int, HostResult> make) : IReadOnlyList<HostResult>
    {
        public int Count => count;

        public HostResult this[int index] => make(index);

        public IEnumerator<HostResult> GetEnumerator()
        {
            for (var i = 0; i < count; i++)
            {
                yield return make(i);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
