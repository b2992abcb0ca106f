using PortAtlas.Assessment;
using PortAtlas.Scanning;

namespace PortAtlas.Tests.Assessment;

public sealed class ProductNamesTests
{
    [Theory]
    [InlineData("cpe:/a:openbsd:openssh:9.2p1", 'a', "openbsd", "openssh", "9.2p1")]
    [InlineData("cpe:/a:f5:nginx", 'a', "f5", "nginx", null)]
    [InlineData("cpe:/o:linux:linux_kernel", 'o', "linux", "linux_kernel", null)]
    [InlineData("cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*", 'a', "openbsd", "openssh", "9.2p1")]
    [InlineData("cpe:2.3:a:redis:redis:7.0.15:*:*:*:*:*:*:*", 'a', "redis", "redis", "7.0.15")]
    [InlineData("cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*", 'a', "apache", "http_server", null)]
    [InlineData("cpe:2.3:a:vendor\\:x:prod:1.0:*:*:*:*:*:*:*", 'a', "vendor:x", "prod", "1.0")]
    [InlineData("CPE:/A:Microsoft:Internet_Information_Services:10.0", 'a', "microsoft", "internet_information_services", "10.0")]
    public void TryParseCpe_ReadsBothForms(string cpe, char part, string vendor, string product, string? version)
    {
        Assert.True(ProductNames.TryParseCpe(cpe, out var p, out var v, out var pr, out var ver));
        Assert.Equal((part, vendor, product, version), (p, v, pr, ver));
    }

    [Theory]
    [InlineData("")]
    [InlineData("cpe:/")]
    [InlineData("cpe:/a")]
    [InlineData("cpe:/a::")]
    [InlineData("cpe:/x:a:b")]
    [InlineData("cpe:2.3:a:*:*:*")]
    [InlineData("openssh 9.2")]
    public void TryParseCpe_Malformed_IsFalse(string cpe) => Assert.False(ProductNames.TryParseCpe(cpe, out _, out _, out _, out _));

    [Theory]
    [InlineData("Internet Information Services (IIS)", "internet information services")]
    [InlineData("http_server", "http server")]
    [InlineData("  Exim  Internet-Mailer ", "exim internet mailer")]
    [InlineData("Confluence Server/Data Center", "confluence server data center")]
    public void Normalize_GivesLowercaseWords(string text, string expected) => Assert.Equal(expected, ProductNames.Normalize(text));

    [Fact]
    public void Identify_PrefersApplicationCpes_AndCanonicalisesVendors()
    {
        var service = new ServiceInfo { Name = "http", Product = "nginx", Version = "1.18.0", Cpe = ["cpe:/o:linux:linux_kernel", "cpe:/a:igor_sysoev:nginx:1.18.0"] };
        Assert.Equal([new ProductId("f5", "nginx", "1.18.0")], ProductNames.Identify(service));
    }

    [Theory]
    [InlineData("OpenSSH", "openbsd:openssh")]
    [InlineData("Apache httpd", "apache:http_server")]
    [InlineData("Microsoft IIS httpd", "microsoft:internet_information_services")]
    [InlineData("Exim smtpd", "exim:exim")]
    [InlineData("Redis key-value store", "redis:redis")]
    [InlineData("nginx", "f5:nginx")]
    public void Identify_ProductNameWithoutCpe_UsesTheAliasTable(string product, string key)
    {
        var id = Assert.Single(ProductNames.Identify(new ServiceInfo { Name = "x", Product = product, Version = "1.0" }));
        Assert.Equal(key, id.Key);
        Assert.Equal("1.0", id.Version);
    }

    [Fact]
    public void Identify_UnknownProduct_IsEmpty() =>
        Assert.Empty(ProductNames.Identify(new ServiceInfo { Name = "x", Product = "Acme Turbo Server" }));

    [Fact]
    public void Equivalents_IncludeOtherCpeSpellings() =>
        Assert.Equal(["f5:nginx", "nginx:nginx", "igor_sysoev:nginx"], ProductNames.Equivalents("nginx:nginx"));
}
