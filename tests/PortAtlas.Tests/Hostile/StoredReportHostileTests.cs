using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Data.Sqlite;
using PortAtlas.Storage;
using PortAtlas.Tests.Reports;

namespace PortAtlas.Tests.Hostile;

/// <summary>
/// Stored reports (format 2) that were edited by hand, cut short or written by another tool: the reader gives a report
/// or one <see cref="FormatException"/> naming what is wrong, in bounded time; the store turns that into one
/// <see cref="ScanStoreException"/> line naming the store and the scan (found by bench/hostile/sweep.py).
/// </summary>
[Trait("Category", "Hostile")]
public sealed class StoredReportHostileTests
{
    private const string Plain = "{\"address\":\"10.0.0.0\",\"state\":\"up\",\"stateCounts\":{\"filtered\":100},\"ports\":[]";
    private const string WithPort = "{\"address\":\"198.18.0.1\",\"state\":\"up\",\"stateCounts\":{\"open\":1},\"ports\":[{\"address\":\"198.18.0.1\",\"port\":22,\"protocol\":\"tcp\",\"state\":\"open\",\"reason\":\"syn-ack\"}]";

    private static string Report(params string[] hosts) => "{\"format\":2,\"hosts\":[" + string.Join(',', hosts) + "]}";

    [Theory]
    // A run stands only for plain hosts: a host with ports, a name or scripts repeated 16 million times is no scan's.
    [InlineData("repeat on a host with ports", WithPort + ",\"repeat\":16000000}", "repeat")]
    [InlineData("repeat on a host with a name", Plain + ",\"hostname\":\"x.test\",\"repeat\":16000000}", "repeat")]
    // Numbers that are not whole 64-bit ones name their field.
    [InlineData("repeat 1.5", Plain + ",\"repeat\":1.5}", "\"repeat\" 1.5")]
    [InlineData("repeat 1e3", Plain + ",\"repeat\":1e3}", "\"repeat\" 1e3")]
    [InlineData("repeat 2^63", Plain + ",\"repeat\":9223372036854775808}", "\"repeat\" 9223372036854775808")]
    [InlineData("a count 1e30", "{\"address\":\"10.0.0.0\",\"state\":\"up\",\"stateCounts\":{\"open\":1e30},\"ports\":[]}", "\"stateCounts\" 1e30")]
    [InlineData("a script element that is not a pair", "{\"address\":\"::1\",\"state\":\"up\",\"ports\":[],\"scripts\":[{\"id\":\"x\",\"output\":\"y\",\"elements\":[[\"k\"]]}]}", "[key, value] pair")]
    [InlineData("a count that is text", "{\"address\":\"10.0.0.0\",\"state\":\"up\",\"stateCounts\":{\"open\":\"x\"},\"ports\":[]}", "count of 'open'")]
    public void Read_RefusesADamagedHost_NamingWhatIsWrong(string name, string host, string named)
    {
        var error = Assert.Throws<FormatException>(() => ScanReportJson.Read(Report(host)));
        Assert.True(error.Message.Contains(named, StringComparison.Ordinal), $"{name}: {error.Message}");
    }

    [Fact]
    public void Read_KeepsARunOfPlainHosts() =>
        Assert.Equal(16_000_001, ScanReportJson.Read(Report(Plain + ",\"repeat\":16000000}")).Hosts.Count);

    /// <summary>Any bytes the report reader is given: a report whose hosts all read, or a FormatException; nothing else, and quickly.</summary>
    [Fact]
    public void Read_OfMutatedReports_GivesAReportOrAFormatException()
    {
        var seeds = new[]
        {
            ScanReportJson.ToUtf8Bytes(ReportFixture.Create()),
            Encoding.UTF8.GetBytes(Report(Plain + ",\"repeat\":3}", WithPort + "}", "{\"address\":\"::1\",\"state\":\"up\",\"ports\":[],\"scripts\":[{\"id\":\"x\",\"output\":\"y\",\"elements\":[[\"k\",\"v\"]]}]}")),
        };
        string[] tokens = ["-1", "1.5", "1e3", "9223372036854775808", "4294967295", "\"x\"", "null", "[]", "{}", "[[\"k\"]]", "[5]", "\"repeat\":", ",\"repeat\":4294967295", "\"::1\"", "\"999.1.1.1\"", "}", "]", "\"", ",", ":", "\u001b[2J", "\0"];
        var mutation = from seed in Gen.Elements(seeds)
                       from at in Gen.Choose(0, 1 << 20)
                       from cut in Gen.Choose(0, 8)
                       from token in Gen.Elements(tokens)
                       select Mutate(seed, at, cut, token);
        Prop.ForAll(mutation.ToArbitrary(), ReadsOrRefuses).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    private static byte[] Mutate(byte[] seed, int at, int cut, string token)
    {
        at %= seed.Length;
        cut = Math.Min(cut, seed.Length - at);
        return [.. seed.AsSpan(0, at), .. Encoding.UTF8.GetBytes(token), .. seed.AsSpan(at + cut)];
    }

    private static bool ReadsOrRefuses(byte[] input)
    {
        try
        {
            var report = ScanReportJson.Read(input);
            // Made when read: the first and last few hosts are enough to make every entry's code run.
            foreach (var host in report.Hosts.Take(64).Concat(report.Hosts.Count > 64 ? [report.Hosts[^1]] : []))
            {
                _ = host.Ports.Count;
            }
            return true;
        }
        catch (FormatException)
        {
            return true;
        }
    }

    [Fact]
    public async Task Store_SaysInOneLineWhichScansReportIsDamaged()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("pa-damaged.");
        try
        {
            var db = Path.Combine(dir.FullName, "h.db");
            await using (var store = ScanStore.Open(db))
            {
                await store.SaveAsync(ReportFixture.Create(), new ScanMetadata { Targets = ["198.18.0.1"] }, ct);
            }
            await using (var connection = new SqliteConnection($"Data Source={db};Pooling=False"))
            {
                await connection.OpenAsync(ct);
                await using var update = connection.CreateCommand();
                update.CommandText = "UPDATE scans SET report_json = '" + Report(Plain + ",\"repeat\":-1}") + "' WHERE id = 1";
                await update.ExecuteNonQueryAsync(ct);
            }
            await using (var store = ScanStore.OpenReadOnly(db))
            {
                var error = await Assert.ThrowsAsync<ScanStoreException>(() => store.GetAsync(1, ct));
                Assert.Contains(db, error.Message, StringComparison.Ordinal);
                Assert.Contains("stored report of scan 1 is damaged: Bad repeat -1", error.Message, StringComparison.Ordinal);
                Assert.DoesNotContain('\n', error.Message);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
