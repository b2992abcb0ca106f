using System.Globalization;
using System.Text;

namespace PortAtlas.Web;

/// <summary>Charts as inline SVG, drawn on the server: no script, no external asset, every label escaped.</summary>
internal static class Svg
{
    private const int Width = 640;

    /// <summary>Horizontal bars, one per (label, value), longest value full width; <paramref name="cssClasses"/> colours bars by label.</summary>
    public static string Bars(string title, IReadOnlyList<(string Label, long Value)> bars, Func<string, string>? cssClasses = null)
    {
        const int rowHeight = 22;
        const int labelWidth = 170;
        var height = Math.Max(1, bars.Count) * rowHeight + 30;
        var max = Math.Max(1, bars.Count == 0 ? 1 : bars.Max(b => b.Value));
        var sb = new StringBuilder(256 + bars.Count * 200);
        Open(sb, title, height);
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"16\" class=\"chart-title\">{Html.Escape(title)}</text>");
        if (bars.Count == 0)
        {
            sb.Append("<text x=\"0\" y=\"44\" class=\"chart-empty\">nothing to show</text>");
        }
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value) = bars[i];
            var y = 28 + i * rowHeight;
            var w = (int)Math.Round((Width - labelWidth - 60) * (double)value / max);
            var css = cssClasses?.Invoke(label) ?? "bar";
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 6}\" y=\"{y + 15}\" text-anchor=\"end\">{Html.Escape(Cut(label, 24))}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{y + 3}\" width=\"{Math.Max(1, w)}\" height=\"{rowHeight - 6}\" class=\"{css}\"><title>{Html.Escape(label)}: {value}</title></rect>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + Math.Max(1, w) + 4}\" y=\"{y + 15}\">{value}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>A line over points in the given order (oldest first), with the first and last labels under the axis.</summary>
    public static string Line(string title, IReadOnlyList<(string Label, long Value)> points)
    {
        const int height = 200;
        const int left = 50, right = 20, top = 28, bottom = 30;
        var sb = new StringBuilder(512 + points.Count * 64);
        Open(sb, title, height);
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"16\" class=\"chart-title\">{Html.Escape(title)}</text>");
        if (points.Count == 0)
        {
            sb.Append("<text x=\"0\" y=\"44\" class=\"chart-empty\">nothing to show</text></svg>");
            return sb.ToString();
        }
        var max = Math.Max(1, points.Max(p => p.Value));
        var plotW = Width - left - right;
        var plotH = height - top - bottom;
        double X(int i) => left + (points.Count == 1 ? plotW / 2.0 : plotW * i / (double)(points.Count - 1));
        double Y(long v) => top + plotH - plotH * v / (double)max;
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top + plotH}\" x2=\"{left + plotW}\" y2=\"{top + plotH}\" class=\"axis\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{top + plotH}\" class=\"axis\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{top + 5}\" text-anchor=\"end\">{max}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{top + plotH}\" text-anchor=\"end\">0</text>");
        sb.Append("<polyline class=\"line\" points=\"");
        for (var i = 0; i < points.Count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{X(i):0.#},{Y(points[i].Value):0.#} ");
        }
        sb.Append("\"/>");
        for (var i = 0; i < points.Count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(i):0.#}\" cy=\"{Y(points[i].Value):0.#}\" r=\"3\" class=\"dot\"><title>{Html.Escape(points[i].Label)}: {points[i].Value}</title></circle>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{height - 8}\">{Html.Escape(Cut(points[0].Label, 30))}</text>");
        if (points.Count > 1)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + plotW}\" y=\"{height - 8}\" text-anchor=\"end\">{Html.Escape(Cut(points[^1].Label, 30))}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static void Open(StringBuilder sb, string title, int height) =>
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" role=\"img\" aria-label=\"{Html.Escape(title)}\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">");

    private static string Cut(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
}
