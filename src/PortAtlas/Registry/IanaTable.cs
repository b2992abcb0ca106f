namespace PortAtlas.Registry;

/// <summary>
/// The IANA CSV kept as UTF-8 bytes, its records located by the <see cref="RegistryIndex"/>: a row becomes a
/// <see cref="PortEntry"/> only when asked for, so a look-up by number never pays for the 14,000 rows it does not print.
/// </summary>
internal sealed class IanaTable(ReadOnlyMemory<byte> data, RegistryIndex index)
{
    /// <summary>True when record <paramref name="row"/> names a service (reserved and unassigned rows do not).</summary>
    public bool HasName(int row) => data.Span[index.Start[row]] != (byte)',';

    /// <summary>The service name of record <paramref name="row"/> (its first field).</summary>
    public string NameOf(int row)
    {
        var record = Record(row);
        var comma = record.IndexOf((byte)',');
        return comma == 0 ? "" : System.Text.Encoding.UTF8.GetString(record[..comma]);
    }

    /// <summary>Decodes record <paramref name="row"/> into an entry.</summary>
    public PortEntry Materialize(int row)
    {
        var reader = new CsvReader(System.Text.Encoding.UTF8.GetString(Record(row)));
        var fields = new List<string>(12);
        reader.ReadRecord(fields);
        if (fields.Count != 12)
        {
            throw new FormatException($"IANA record {row + 1} has {fields.Count} fields, not 12");
        }
        return RegistryData.IanaEntry(fields, index.First[row], index.Last[row], index.Transport[row]);
    }

    private ReadOnlySpan<byte> Record(int row) => data.Span[index.Start[row]..index.End[row]];
}
