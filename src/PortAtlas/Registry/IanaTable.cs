namespace PortAtlas.Registry;

/// <summary>
/// The IANA CSV kept as UTF-8 bytes with an index of its records: where each starts, its port range and transport.
/// Building the index reads each record once without creating strings, so a look-up by number never pays for
/// the 14,000 rows it does not print; a row becomes a <see cref="PortEntry"/> only when asked for.
/// </summary>
internal sealed class IanaTable
{
    private readonly ReadOnlyMemory<byte> _data;
    private readonly int[] _start;
    private readonly int[] _end;

    private IanaTable(ReadOnlyMemory<byte> data, int count, int[] start, int[] end, int[] first, int[] last, sbyte[] transport)
    {
        _data = data;
        Count = count;
        _start = start;
        _end = end;
        First = first;
        Last = last;
        Transport = transport;
    }

    /// <summary>Number of records (the header excluded).</summary>
    public int Count { get; }
    /// <summary>First port of each record, -1 when it has none (the arrays may be longer than <see cref="Count"/>).</summary>
    public int[] First { get; }
    /// <summary>Last port of each record, -1 when it has none.</summary>
    public int[] Last { get; }
    /// <summary>Transport of each record as a <see cref="Transport"/> value, -1 when it names none.</summary>
    public sbyte[] Transport { get; }

    /// <summary>Indexes IANA's CSV (12 fields; quoted fields may hold commas, doubled quotes and bare LFs).</summary>
    /// <exception cref="FormatException">A record whose port or transport is malformed, or an unterminated quote.</exception>
    public static IanaTable Index(ReadOnlyMemory<byte> data)
    {
        var span = data.Span;
        // Line breaks bound the record count from above (quoted fields may hold more): the arrays are sized once and
        // never copied, which matters to a look-up that builds them on every start (issue 16).
        var capacity = span.Count((byte)'\n') + 1;
        var start = GC.AllocateUninitializedArray<int>(capacity);
        var end = GC.AllocateUninitializedArray<int>(capacity);
        var first = GC.AllocateUninitializedArray<int>(capacity);
        var last = GC.AllocateUninitializedArray<int>(capacity);
        var transport = GC.AllocateUninitializedArray<sbyte>(capacity);
        var count = 0;
        Span<char> chars = stackalloc char[16];
        var position = SkipRecord(span, 0); // header
        while (position < span.Length)
        {
            var recordStart = position;
            var recordEnd = SkipRecord(span, position);
            position = recordEnd;
            var record = span[recordStart..recordEnd].TrimEnd("\r\n"u8);
            if (record.IsEmpty)
            {
                continue;
            }
            // Name, port and transport are never quoted in IANA's rendering.
            var comma1 = record.IndexOf((byte)',');
            var rest = record[(comma1 + 1)..];
            var comma2 = rest.IndexOf((byte)',');
            var portField = rest[..comma2];
            rest = rest[(comma2 + 1)..];
            var comma3 = rest.IndexOf((byte)',');
            var transportField = comma3 < 0 ? rest : rest[..comma3];
            if (comma1 < 0 || comma2 < 0)
            {
                throw new FormatException($"IANA record {count + 1} is not a CSV record");
            }
            int f = -1, l = -1;
            if (!portField.IsEmpty)
            {
                if (portField.Length > chars.Length)
                {
                    throw new FormatException($"IANA record {count + 1} has a bad port");
                }
                for (var i = 0; i < portField.Length; i++)
                {
                    chars[i] = (char)portField[i];
                }
                if (!PortRange.TryParse(chars[..portField.Length], out var range))
                {
                    throw new FormatException($"IANA record {count + 1} has a bad port '{chars[..portField.Length]}'");
                }
                f = range.First;
                l = range.Last;
            }
            sbyte t = -1;
            if (!transportField.IsEmpty)
            {
                t = transportField.SequenceEqual("tcp"u8) ? (sbyte)PortAtlas.Model.Transport.Tcp
                    : transportField.SequenceEqual("udp"u8) ? (sbyte)PortAtlas.Model.Transport.Udp
                    : transportField.SequenceEqual("sctp"u8) ? (sbyte)PortAtlas.Model.Transport.Sctp
                    : transportField.SequenceEqual("dccp"u8) ? (sbyte)PortAtlas.Model.Transport.Dccp
                    : throw new FormatException($"IANA record {count + 1} has a bad transport");
            }
            start[count] = recordStart;
            end[count] = recordStart + record.Length;
            first[count] = f;
            last[count] = l;
            transport[count] = t;
            count++;
        }
        return new IanaTable(data, count, start, end, first, last, transport);
    }

    /// <summary>The offset just past the record that starts at <paramref name="position"/>, its line break included.</summary>
    private static int SkipRecord(ReadOnlySpan<byte> data, int position)
    {
        var quoted = false;
        while (position < data.Length)
        {
            var rest = data[position..];
            var next = quoted ? rest.IndexOf((byte)'"') : rest.IndexOfAny((byte)'"', (byte)'\n');
            if (next < 0)
            {
                if (quoted)
                {
                    throw new FormatException($"unterminated quoted field at offset {position}");
                }
                return data.Length;
            }
            position += next + 1;
            if (rest[next] == (byte)'"')
            {
                // A doubled quote inside a quoted field toggles twice: no special case needed.
                quoted = !quoted;
            }
            else
            {
                return position;
            }
        }
        return position;
    }

    /// <summary>True when record <paramref name="index"/> names a service (reserved and unassigned rows do not).</summary>
    public bool HasName(int index) => _data.Span[_start[index]] != (byte)',';

    /// <summary>The service name of record <paramref name="index"/> (its first field).</summary>
    public string NameOf(int index)
    {
        var record = _data.Span[_start[index].._end[index]];
        var comma = record.IndexOf((byte)',');
        return comma == 0 ? "" : System.Text.Encoding.UTF8.GetString(record[..comma]);
    }

    /// <summary>Decodes record <paramref name="index"/> into an entry.</summary>
    public PortEntry Materialize(int index)
    {
        var text = System.Text.Encoding.UTF8.GetString(_data.Span[_start[index].._end[index]]);
        var reader = new CsvReader(text);
        var fields = new List<string>(12);
        reader.ReadRecord(fields);
        if (fields.Count != 12)
        {
            throw new FormatException($"IANA record {index + 1} has {fields.Count} fields, not 12");
        }
        return RegistryData.IanaEntry(fields, First[index], Last[index], Transport[index]);
    }
}
