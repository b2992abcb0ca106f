namespace PortAtlas.Cli.Commands;

/// <summary>Formats a command can print.</summary>
public enum OutputFormat
{
    /// <summary>A table for people.</summary>
    Table,
    /// <summary>JSON as the machine contract describes.</summary>
    Json,
    /// <summary>One JSON object a line.</summary>
    Jsonl,
    /// <summary>CSV with a header row.</summary>
    Csv,
    /// <summary>Nmap XML.</summary>
    Xml,
    /// <summary>Nmap's grepable format.</summary>
    Grep,
}
