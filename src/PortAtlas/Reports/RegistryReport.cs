using System.Text;
using System.Text.Json;
using PortAtlas.Registry;

namespace PortAtlas.Reports;

/// <summary>Writes registry entries as JSON (the machine contract's look-up shape) or CSV.</summary>
public static class RegistryReport
{
    private static readonly JsonWriterOptions s_jsonOptions = new()
    {
        Indented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// A JSON array: each entry with port, endPort, protocol, name, description, category, source, and where known
    /// title, notes, risk, products, hardening, exposure and IANA's assignee, contact, dates, reference and notes.
    /// </summary>
    public static void WriteJson(Stream output, IEnumerable<PortEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        using var json = new Utf8JsonWriter(output, s_jsonOptions);
        json.WriteStartArray();
        foreach (var e in entries)
        {
            json.WriteStartObject();
            WriteNumberOrNull(json, "port", e.Port);
            WriteNumberOrNull(json, "endPort", e.EndPort ?? e.Port);
            WriteStringOrNull(json, "protocol", e.Protocol?.ToName());
            json.WriteString("name", e.Name);
            json.WriteString("description", e.Description);
            WriteStringOrNull(json, "category", e.Category?.ToName());
            json.WriteString("source", e.Source.ToName());
            WriteOptional(json, "title", e.Title);
            WriteOptional(json, "notes", e.Notes);
            WriteOptional(json, "risk", e.Risk?.ToName());
            WriteOptional(json, "products", e.Products);
            WriteOptional(json, "hardening", e.Hardening);
            if (e.Exposure is int exposure)
            {
                json.WriteNumber("exposure", exposure);
            }
            WriteOptional(json, "assignee", e.Assignee);
            WriteOptional(json, "contact", e.Contact);
            WriteOptional(json, "registrationDate", e.RegistrationDate);
            WriteOptional(json, "modificationDate", e.ModificationDate);
            WriteOptional(json, "reference", e.Reference);
            WriteOptional(json, "serviceCode", e.ServiceCode);
            WriteOptional(json, "unauthorizedUseReported", e.UnauthorizedUseReported);
            WriteOptional(json, "assignmentNotes", e.AssignmentNotes);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    /// <summary>CSV with a header row; RFC 4180 quoting.</summary>
    public static void WriteCsv(TextWriter output, IEnumerable<PortEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(entries);
        output.Write("port,end_port,protocol,name,description,category,source,title,risk,notes,products,hardening\n");
        var line = new StringBuilder();
        foreach (var e in entries)
        {
            line.Clear();
            AppendCsv(line, e.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(',');
            AppendCsv(line, (e.EndPort ?? e.Port)?.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(',');
            AppendCsv(line, e.Protocol?.ToName()).Append(',');
            AppendCsv(line, e.Name).Append(',');
            AppendCsv(line, e.Description).Append(',');
            AppendCsv(line, e.Category?.ToName()).Append(',');
            AppendCsv(line, e.Source.ToName()).Append(',');
            AppendCsv(line, e.Title).Append(',');
            AppendCsv(line, e.Risk?.ToName()).Append(',');
            AppendCsv(line, e.Notes).Append(',');
            AppendCsv(line, e.Products).Append(',');
            AppendCsv(line, e.Hardening).Append('\n');
            output.Write(line);
        }
        output.Flush();
    }

    /// <summary>
    /// Appends a field, quoted when it holds a comma, quote or line break; control characters escaped and a leading
    /// apostrophe before a would-be spreadsheet formula (<see cref="Sanitizing.OutsideText.CsvCell"/>).
    /// </summary>
    public static StringBuilder AppendCsv(StringBuilder line, string? field)
    {
        ArgumentNullException.ThrowIfNull(line);
        field = Sanitizing.OutsideText.CsvCell(field);
        if (string.IsNullOrEmpty(field))
        {
            return line;
        }
        if (field.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            return line.Append(field);
        }
        return line.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, int? value)
    {
        if (value is int v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
