using PortAtlas.Targets;

namespace PortAtlas.Tests.Targets;

public sealed class TargetSpecFileTests
{
    [Fact]
    public void Read_SplitsOnWhitespaceAndCommas_SkippingCommentsAndBlankLines()
    {
        const string Text = "# lab hosts\n198.18.0.1 198.18.0.2,198.18.0.3\n\n   \n198.18.0.0/30, lab.test # inline comment\n";

        var specs = TargetSpecFile.Read(new StringReader(Text), "hosts.txt");

        Assert.Equal(
            [new("198.18.0.1", "hosts.txt:2"), new("198.18.0.2", "hosts.txt:2"), new("198.18.0.3", "hosts.txt:2"),
             new("198.18.0.0/30", "hosts.txt:5"), new TargetSpec("lab.test", "hosts.txt:5")],
            specs);
    }

    [Fact]
    public void Read_OctetRangeWithCommas_StaysOneSpec()
    {
        var specs = TargetSpecFile.Read(new StringReader("198.18.0,2.1-5\n"), "f");

        Assert.Equal([new TargetSpec("198.18.0,2.1-5", "f:1")], specs);
    }

    [Fact]
    public async Task Read_BadSpec_ParsesToAnErrorNamingFileLineAndToken()
    {
        var specs = TargetSpecFile.Read(new StringReader("198.18.0.1\n\n198.18.0.1,198.18.0.300\n"), "targets.txt");

        var result = TargetSpecParser.Parse(specs.Select(s => s.Text));
        var withOrigin = await TargetSpecParser.ParseAsync(specs, null, TestContext.Current.CancellationToken);

        Assert.Equal("198.18.0.300", result.Token);
        Assert.Equal("targets.txt:3: bad target '198.18.0.300': octet '300' out of range (0-255)", withOrigin.Error);
    }

    [Fact]
    public async Task ReadAsync_File_ReadsEverySpec()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "198.18.0.1\n# nothing\n2001:db8::1\n", TestContext.Current.CancellationToken);

            var result = await TargetSpecFile.ReadAsync(path, TestContext.Current.CancellationToken);

            Assert.True(result.Success, result.Error);
            Assert.Equal(["198.18.0.1", "2001:db8::1"], result.Specs.Select(s => s.Text));
            Assert.Equal($"{path}:3", result.Specs[1].Origin);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task ReadAsync_MissingFile_ReportsThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"portatlas-missing-{Guid.NewGuid():N}.txt");

        var result = await TargetSpecFile.ReadAsync(path, TestContext.Current.CancellationToken);

        Assert.False(result.Success);
        Assert.StartsWith($"cannot read '{path}'", result.Error, StringComparison.Ordinal);
    }
}
