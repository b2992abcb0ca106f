using Microsoft.VisualBasic.FileIO;
using PortAtlas.Registry;

namespace PortAtlas.Tests.Registry;

public sealed class PortRegistryTests
{
    private static readonly PortRegistry s_registry = PortRegistry.Default;

    // An independent reader (the framework's TextFieldParser) counts the shipped CSV, so a bug in our reader shows.
    private static Dictionary<string, int> CountSourceRowsByTransport(out int total)
    {
        var csv = RegistryDataAccess.IanaText();
        using var parser = new TextFieldParser(new StringReader(csv)) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        parser.ReadFields();
        var counts = new Dictionary<string, int>();
        total = 0;
        while (!parser.EndOfData)
        {
            var fields = parser.ReadFields()!;
            Assert.Equal(12, fields.Length);
            total++;
            counts[fields[2]] = counts.GetValueOrDefault(fields[2]) + 1;
        }
        return counts;
    }

    [Fact]
    public void IanaRows_PerTransport_EqualTheSourceFile()
    {
        var expected = CountSourceRowsByTransport(out var total);
        Assert.True(total > 14000, $"the source holds {total} rows");
        foreach (var transport in new[] { Transport.Tcp, Transport.Udp, Transport.Sctp, Transport.Dccp })
        {
            Assert.Equal(expected[transport.ToName()], s_registry.CountIana(transport));
        }
        Assert.Equal(total, s_registry.Entries.Count(e => e.Source == EntrySource.Iana));
        Assert.Equal(expected[""], s_registry.Entries.Count(e => e.Source == EntrySource.Iana && e.Protocol is null));
    }

    [Fact]
    public void IanaRows_KeepNamedServicesWithoutAPort()
    {
        var entries = s_registry.ByName("dhanda-g").ToArray();
        Assert.Contains(entries, e => e.Port is null && e.Protocol == Transport.Sctp && e.Source == EntrySource.Iana);
    }

    [Fact]
    public void IanaRows_QuotedFieldsWithLineBreaksAndCommas_Decode()
    {
        // The source quotes some descriptions and notes that span lines or hold commas.
        var multiLine = s_registry.Entries.Where(e => e.Source == EntrySource.Iana
            && ((e.AssignmentNotes?.Contains('\n') ?? false) || e.Description.Contains('\n'))).ToList();
        Assert.NotEmpty(multiLine);
        Assert.Contains(s_registry.Entries, e => e.Source == EntrySource.Iana && e.Description.Contains(','));
        Assert.DoesNotContain(s_registry.Entries, e => e.Name.Contains('"') || e.Description.StartsWith('"'));
    }

    [Fact]
    public void IanaRows_KeepAssigneeDatesAndReference()
    {
        var https = s_registry.AtPort(443).ToArray().First(e => e.Source == EntrySource.Iana && e.Protocol == Transport.Tcp);
        Assert.Equal("https", https.Name);
        Assert.Equal("[IESG]", https.Assignee);
        Assert.Contains("RFC9110", https.Reference, StringComparison.Ordinal);
    }

    [Fact]
    public void AllFourTransports_ArePresent()
    {
        Assert.Contains(s_registry.AtPort(443).ToArray(), e => e.Protocol == Transport.Sctp);
        Assert.True(s_registry.CountIana(Transport.Dccp) > 0);
    }

    [Theory]
    [InlineData(6665)]
    [InlineData(6667)]
    [InlineData(6669)]
    public void Ranges_AnswerForEveryPortInside(int port)
    {
        Assert.Contains(s_registry.AtPort(port).ToArray(), e => e.Name == "ircu" && e.Port == 6665 && e.EndPort == 6669);
    }

    [Fact]
    public void Ranges_DoNotAnswerOutside()
    {
        Assert.DoesNotContain(s_registry.AtPort(6664).ToArray(), e => e.Name == "ircu");
        Assert.DoesNotContain(s_registry.AtPort(6670).ToArray(), e => e.Name == "ircu");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public void AtPort_OutsideTheNumberSpace_IsEmpty(int port) => Assert.True(s_registry.AtPort(port).IsEmpty);

    [Fact]
    public void ByName_IsCaseInsensitive()
    {
        Assert.Equal(s_registry.ByName("LDAPS").Length, s_registry.ByName("ldaps").Length);
        Assert.Contains(s_registry.ByName("Ldaps").ToArray(), e => e.Port == 636);
    }

    [Fact]
    public void Explain_PrefersANamedAssignmentForTheTransport()
    {
        var entry = s_registry.Explain(22, Transport.Tcp);
        Assert.NotNull(entry);
        Assert.Equal("ssh", entry.Name);
        Assert.Equal(Transport.Tcp, entry.Protocol);
    }

    [Fact]
    public void Lookup_ByNumberAndProtocol_ReturnsOnlyThatProtocol()
    {
        Assert.True(PortQuery.TryParse("22/udp", out var query, out _));
        var found = s_registry.Lookup(query);
        Assert.NotEmpty(found);
        Assert.All(found, e => Assert.Equal(Transport.Udp, e.Protocol));
    }

    [Fact]
    public void TopPorts_AreDistinctAndStartWithTheMostExposed()
    {
        var top = s_registry.TopPorts(Transport.Tcp, 1000);
        Assert.Equal(1000, top.Count);
        Assert.Equal(top.Count, top.Distinct().Count());
        Assert.Contains(80, top.Take(10));
        Assert.Contains(443, top.Take(10));
        Assert.Contains(22, top.Take(10));
    }

    [Fact]
    public void TopPorts_DefaultThousand_NeverIncludeThisMachinesForeignListener()
    {
        // The README's main command scans 127.0.0.1 with the default ranking; the machines PortAtlas is built on
        // have a listener that is not ours on tcp/2024, which nothing we run may touch.
        Assert.DoesNotContain(2024, s_registry.TopPorts(Transport.Tcp, 1000));
    }

    [Fact]
    public void Search_ExactNameRanksFirst()
    {
        var found = s_registry.Search("ldaps");
        Assert.Equal("ldaps", found[0].Name);
    }

    [Fact]
    public void Search_EveryWordMustMatch()
    {
        var found = s_registry.Search("remote desktop");
        Assert.NotEmpty(found);
        Assert.All(found, e =>
        {
            var text = $"{e.Name} {e.Title} {e.Description} {e.Notes} {e.Products}";
            Assert.Contains("remote", text, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("desktop", text, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Fact]
    public void List_ByCategoryAndProtocol_Filters()
    {
        var wellKnownSctp = s_registry.List(category: PortCategory.WellKnown, transport: Transport.Sctp).ToList();
        Assert.NotEmpty(wellKnownSctp);
        Assert.All(wellKnownSctp, e =>
        {
            Assert.Equal(Transport.Sctp, e.Protocol);
            Assert.InRange(e.Port!.Value, 0, 1023);
        });
    }
}

internal static class RegistryDataAccess
{
    public static string IanaText() => PortAtlas.Registry.RegistryData.ReadResource(PortAtlas.Registry.RegistryData.IanaResource)!;
}
