using System.Globalization;
using System.Text;
using PortAtlas.Sanitizing;

namespace PortAtlas.Web;

/// <summary>
/// Builds server-rendered HTML. Every value goes through <see cref="Text"/> or <see cref="Attr"/>: terminal escape
/// sequences and other unsafe characters become visible escapes (<c>\x1b</c>), markup characters become entities.
/// Only literals of this project go through <see cref="Raw"/>.
/// </summary>
internal sealed class Html
{
    private readonly StringBuilder _sb;

    public Html(int capacity = 8192) => _sb = new StringBuilder(capacity);

    /// <summary>A literal of this project's own; never a value from a scan, a request or the store.</summary>
    public Html Raw(string markup)
    {
        _sb.Append(markup);
        return this;
    }

    /// <summary>A value as text content.</summary>
    public Html Text(string? value)
    {
        AppendEscaped(_sb, value);
        return this;
    }

    /// <summary>A number as text.</summary>
    public Html Num(long value)
    {
        _sb.Append(value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>A value inside a double-quoted attribute (same escaping as text: quotes become entities).</summary>
    public Html Attr(string? value) => Text(value);

    /// <summary>An element with text content: <c>&lt;tag&gt;value&lt;/tag&gt;</c>.</summary>
    public Html El(string tag, string? value, string? cssClass = null)
    {
        _sb.Append('<').Append(tag);
        if (cssClass is not null)
        {
            _sb.Append(" class=\"").Append(cssClass).Append('"');
        }
        _sb.Append('>');
        AppendEscaped(_sb, value);
        _sb.Append("</").Append(tag).Append('>');
        return this;
    }

    /// <summary>A link: <paramref name="href"/> is built by this project from escaped path segments; the text is escaped.</summary>
    public Html Link(string href, string? text)
    {
        _sb.Append("<a href=\"");
        AppendEscaped(_sb, href);
        _sb.Append("\">");
        AppendEscaped(_sb, text);
        _sb.Append("</a>");
        return this;
    }

    public override string ToString() => _sb.ToString();

    /// <summary>A value made printable (<see cref="OutsideText.Printable"/>), then escaped for HTML text and quoted attributes.</summary>
    public static string Escape(string? value)
    {
        var sb = new StringBuilder();
        AppendEscaped(sb, value);
        return sb.ToString();
    }

    private static void AppendEscaped(StringBuilder sb, string? value)
    {
        var text = OutsideText.Printable(value);
        if (string.IsNullOrEmpty(text))
        {
            return;
        }
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default: sb.Append(c); break;
            }
        }
    }

    /// <summary>A path segment or query value for a URL this project builds.</summary>
    public static string Url(string value) => Uri.EscapeDataString(value);
}
