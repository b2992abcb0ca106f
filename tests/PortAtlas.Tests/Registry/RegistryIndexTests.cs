using PortAtlas.Registry;

namespace PortAtlas.Tests.Registry;

/// <summary>The index written at build time is the one the library computes from the data files it ships.</summary>
public sealed class RegistryIndexTests
{
    private static ReadOnlyMemory<byte> Resource(string name) => RegistryData.ReadResourceBytes(name)!.Value;

    [Fact]
    public void EmbeddedIndex_IsTheIndexOfTheEmbeddedDataFiles()
    {
        var built = RegistryIndex.Build(Resource(RegistryData.IanaResource).Span, Resource(RegistryData.CuratedResource).Span);
        Assert.True(Resource(RegistryData.IndexResource).Span.SequenceEqual(built));
    }

    [Fact]
    public void Open_AnIndexOfAnotherVersionOrByteOrder_IndexesTheFilesInstead()
    {
        var iana = Resource(RegistryData.IanaResource).Span;
        var curated = Resource(RegistryData.CuratedResource).Span;
        var stale = RegistryIndex.Build(iana, curated);
        stale[4]++; // the version
        var index = RegistryIndex.Open(stale, iana, curated);
        var embedded = RegistryIndex.Open(Resource(RegistryData.IndexResource), iana, curated);
        Assert.Equal(embedded.Count, index.Count);
        Assert.True(embedded.RowsAt(443).SequenceEqual(index.RowsAt(443)));
    }

    [Fact]
    public void EveryRow_OfTheEmbeddedRegistry_DecodesToTheRowsItsIndexNames()
    {
        // Each row decodes on its own from the place the index gives: the port range and transport agree.
        var registry = PortRegistry.LoadEmbedded();
        var entries = registry.Entries;
        var index = RegistryIndex.Open(Resource(RegistryData.IndexResource), default, default);
        Assert.Equal(index.Count, entries.Count);
        for (var row = 0; row < entries.Count; row++)
        {
            Assert.Equal(index.First[row] < 0 ? null : index.First[row], entries[row].Port);
            Assert.Equal(index.Transport[row] < 0 ? null : (Transport)index.Transport[row], entries[row].Protocol);
            Assert.Equal(index.IsIana[row], entries[row].Source == EntrySource.Iana);
        }
    }

    [Fact]
    public void Registry_FromEntries_IndexesThemByPort_CuratedFirst()
    {
        var iana = new PortEntry { Port = 80, EndPort = 81, Protocol = Transport.Tcp, Name = "http", Source = EntrySource.Iana };
        var curated = new PortEntry { Port = 81, EndPort = 81, Protocol = Transport.Tcp, Name = "alt", Source = EntrySource.Curated };
        var registry = new PortRegistry([iana, curated]);
        Assert.Equal([iana], registry.AtPort(80).ToArray());
        Assert.Equal([curated, iana], registry.AtPort(81).ToArray());
        Assert.True(registry.AtPort(82).IsEmpty);
    }
}
