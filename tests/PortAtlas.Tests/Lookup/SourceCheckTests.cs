extern alias front;

using SourceCheck = front::PortAtlas.Lookup.SourceCheck;

namespace PortAtlas.Tests.Lookup;

/// <summary>The launcher's staleness check as the front runs it: any listed source newer than the stamp, or gone.</summary>
public sealed class SourceCheckTests : IDisposable
{
    private static readonly DateTime Built = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly string _root = Directory.CreateTempSubdirectory("pa-source-check-").FullName;

    public SourceCheckTests()
    {
        Directory.CreateDirectory(Path.Join(_root, ".build"));
        Directory.CreateDirectory(Path.Join(_root, "src", "Lib"));
        File.WriteAllText(Path.Join(_root, "src", "Lib", "A.cs"), "class A;");
        File.WriteAllText(Path.Join(_root, "global.json"), "{}");
        File.WriteAllLines(Path.Join(_root, ".build", "sources"), ["src", "src/Lib", "src/Lib/A.cs", "global.json"]);
        File.WriteAllText(Path.Join(_root, ".build", "stamp"), "1764590400123\n");
        foreach (var path in new[] { "src/Lib/A.cs", "global.json", "src/Lib", "src" })
        {
            File.SetLastWriteTimeUtc(Path.Join(_root, path), Built.AddMinutes(-5));
        }
        File.SetLastWriteTimeUtc(Path.Join(_root, ".build", "stamp"), Built);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void NothingNewer_IsCurrent() => Assert.Null(SourceCheck.FindStale(_root));

    [Fact]
    public void AnEditedFile_IsStale_AndNamesTheStamp()
    {
        File.SetLastWriteTimeUtc(Path.Join(_root, "src", "Lib", "A.cs"), Built.AddMilliseconds(1));
        Assert.Equal("1764590400123", SourceCheck.FindStale(_root));
    }

    [Fact]
    public void AFileAddedToAFolder_IsStale()
    {
        // Adding, removing or renaming a file changes its folder's time.
        File.WriteAllText(Path.Join(_root, "src", "Lib", "B.cs"), "class B;");
        Assert.NotNull(SourceCheck.FindStale(_root));
    }

    [Fact]
    public void ARemovedFile_IsStale_WhateverItsFolderSays()
    {
        File.Delete(Path.Join(_root, "src", "Lib", "A.cs"));
        File.SetLastWriteTimeUtc(Path.Join(_root, "src", "Lib"), Built.AddMinutes(-5));
        Assert.NotNull(SourceCheck.FindStale(_root));
    }

    [Fact]
    public void AnEmptyStamp_IsStale_AndNeverNamedEmpty()
    {
        // An empty name would read as "not stale" to the launcher, which would start the front again: a loop.
        File.WriteAllText(Path.Join(_root, ".build", "stamp"), "");
        File.SetLastWriteTimeUtc(Path.Join(_root, ".build", "stamp"), Built);
        File.SetLastWriteTimeUtc(Path.Join(_root, "global.json"), Built.AddSeconds(1));
        Assert.Equal("-", SourceCheck.FindStale(_root));
    }

    [Fact]
    public void NoStampOrNoList_IsStale()
    {
        File.Delete(Path.Join(_root, ".build", "sources"));
        Assert.Equal("-", SourceCheck.FindStale(_root));
        File.Delete(Path.Join(_root, ".build", "stamp"));
        Assert.Equal("-", SourceCheck.FindStale(_root));
    }
}
