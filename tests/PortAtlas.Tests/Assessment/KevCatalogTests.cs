using System.Text;
using PortAtlas.Assessment;

namespace PortAtlas.Tests.Assessment;

public sealed class KevCatalogTests
{
    [Fact]
    public void Default_IsTheEmbeddedCatalog()
    {
        var catalog = KevCatalog.Default;
        Assert.Equal("2026.08.21", catalog.CatalogVersion);
        Assert.Equal(1674, catalog.Entries.Count);
        var entry = catalog.FindCve("CVE-2021-41773")!;
        Assert.Equal("apache:http_server", entry.ProductKey);
        Assert.Equal(new DateOnly(2021, 11, 3), entry.DateAdded);
        Assert.False(string.IsNullOrEmpty(entry.RequiredAction));
    }

    [Theory]
    [InlineData("apache", "http_server", "CVE-2021-41773")]
    [InlineData("microsoft", "internet_information_services", "CVE-2017-7269")]
    [InlineData("exim", "exim", "CVE-2019-10149")]
    [InlineData("exim", "exim", "CVE-2019-16928")]
    [InlineData("php", "php", "CVE-2019-11043")]
    [InlineData("php", "php", "CVE-2024-4577")]
    [InlineData("php", "php", "CVE-2012-1823")]
    [InlineData("elastic", "elasticsearch", "CVE-2015-1427")]
    public void Find_NormalisesKevNames(string vendor, string product, string cve)
    {
        if (KevCatalog.Default.FindCve(cve) is null)
        {
            Assert.Skip($"{cve} is not in this edition of the catalog");
        }
        Assert.Contains(KevCatalog.Default.Find(vendor, product), e => e.CveId == cve);
    }

    [Theory]
    [InlineData("openbsd", "openssh")]
    [InlineData("f5", "nginx")]
    [InlineData("microsoft", "windows")]
    public void Find_ProductsWithoutEntries_FindNothingBroader(string vendor, string product)
    {
        // Windows entries are about the OS, never matched here by a service (general-purpose OS CPEs are not platforms).
        var found = KevCatalog.Default.Find(vendor, product);
        Assert.All(found, e => Assert.Equal($"{vendor}:{product}", e.ProductKey));
        if (vendor != "microsoft")
        {
            Assert.Empty(found);
        }
    }

    [Fact]
    public void Load_ToleratesMissingAndOddFields()
    {
        const string json = """
            {"catalogVersion":"t","vulnerabilities":[
              {"cveID":"CVE-1","vendorProject":"Acme","product":"Widget (AW)","dateAdded":"not a date"},
              {"vendorProject":"Acme","product":"Widget"},
              42,
              {"cveID":"CVE-2","vendorProject":"Acme","product":"Widget","cwes":["CWE-79",7]}]}
            """;
        var catalog = KevCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(2, catalog.Entries.Count);
        Assert.Null(catalog.Entries[0].DateAdded);
        Assert.Equal(["CVE-1", "CVE-2"], catalog.Find("acme", "widget").Select(e => e.CveId));
        Assert.Equal(["CWE-79"], catalog.Entries[1].Cwes);
    }
}
