namespace PortAtlas.Assessment;

/// <summary>
/// A product as CPE names it: vendor and product in CPE's lowercase form with '_' for spaces
/// (<c>apache</c>, <c>http_server</c>), and the version detected, if any.
/// </summary>
/// <param name="Vendor">CPE vendor, such as <c>openbsd</c>.</param>
/// <param name="Product">CPE product, such as <c>openssh</c>.</param>
/// <param name="Version">The version detection reported, or null.</param>
public readonly record struct ProductId(string Vendor, string Product, string? Version)
{
    /// <summary>"vendor:product".</summary>
    public string Key => Vendor + ":" + Product;
}
