using FsCheck;
using FsCheck.Fluent;
using PortAtlas.Registry;

namespace PortAtlas.Tests.Registry;

public sealed class CsvReaderTests
{
    private static List<List<string>> ReadAll(string text)
    {
        var reader = new CsvReader(text);
        var rows = new List<List<string>>();
        var fields = new List<string>();
        while (reader.ReadRecord(fields))
        {
            rows.Add([.. fields]);
        }
        return rows;
    }

    [Fact]
    public void ReadRecord_QuotedCommaQuoteAndNewline_Decode()
    {
        var rows = ReadAll("a,\"b,c\",\"say \"\"hi\"\"\",\"line1\nline2\"\r\nx,y,z,w\r\n");
        Assert.Equal(["a", "b,c", "say \"hi\"", "line1\nline2"], rows[0]);
        Assert.Equal(["x", "y", "z", "w"], rows[1]);
        Assert.Equal(2, rows.Count);
    }

    [Fact]
    public void ReadRecord_EmptyFields_AreKept() => Assert.Equal(["", "", ""], ReadAll(",,\n")[0]);

    [Fact]
    public void ReadRecord_UnterminatedQuote_IsAFormatError() =>
        Assert.Throws<FormatException>(() => ReadAll("a,\"open"));

    [Fact]
    public void ReadRecord_WrittenThenRead_GivesTheSameFields()
    {
        var field = ArbMap.Default.GeneratorFor<string>().Where(s => s is not null && !s.Contains('\r'));
        Prop.ForAll(Gen.Choose(1, 8).SelectMany(n => Gen.ArrayOf(field, n)).ToArbitrary(), fields =>
        {
            var line = string.Join(',', fields.Select(f => "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")) + "\r\n";
            var read = ReadAll(line);
            return read.Count == 1 && read[0].SequenceEqual(fields);
        }).QuickCheckThrowOnFailure();
    }
}
