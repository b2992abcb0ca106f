using Spectre.Console;

namespace PortAtlas.Cli.Rendering;

/// <summary>
/// Text for the terminal built from pieces, each with its style, never parsed as markup. Spectre's markup turns
/// <c>:name:</c> into an emoji even in escaped text, so a banner saying <c>:skull:</c> would print a skull; pieces print
/// as given. Parsing no markup also keeps the look-up's table cheaper.
/// </summary>
internal static class Styled
{
    public static readonly Style Bold = new(decoration: Decoration.Bold);
    public static readonly Style Italic = new(decoration: Decoration.Italic);
    public static readonly Style Grey = new(Color.Grey);
    public static readonly Style Yellow = new(Color.Yellow);
    public static readonly Style Green = new(Color.Green);
    public static readonly Style Red = new(Color.Red);
    public static readonly Style BoldGreen = new(Color.Green, decoration: Decoration.Bold);
    public static readonly Style BoldRed = new(Color.Red, decoration: Decoration.Bold);
    public static readonly Style Alarm = new(Color.White, Color.Red, Decoration.Bold);

    /// <summary>One piece: <paramref name="text"/> printed as given, in <paramref name="style"/>.</summary>
    public static Paragraph Text(string? text, Style? style = null) => new Paragraph().Add(text, style);

    /// <inheritdoc cref="Text(string?, Style?)"/>
    public static Paragraph Text((string? Text, Style? Style) piece) => Text(piece.Text, piece.Style);

    /// <summary>Appends a piece unless it is empty (an empty piece would still make a segment).</summary>
    public static Paragraph Add(this Paragraph paragraph, string? text, Style? style = null) =>
        string.IsNullOrEmpty(text) ? paragraph : paragraph.Append(text, style);

    /// <inheritdoc cref="Add(Paragraph, string?, Style?)"/>
    public static Paragraph Add(this Paragraph paragraph, (string? Text, Style? Style) piece) => paragraph.Add(piece.Text, piece.Style);

    /// <summary>Writes <paramref name="line"/> and ends the line.</summary>
    public static void WriteLine(this IAnsiConsole console, Paragraph line) => console.Write(line.Append(Environment.NewLine));

    /// <summary>A bold column header.</summary>
    public static TableColumn Column(string header) => new(Text(header, Bold));
}
