namespace PortAtlas.Registry;

/// <summary>
/// A reader for RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks;
/// records end in CRLF or LF. Also reads tab-separated text without quoting (<see cref="ReadTsvRecord"/>).
/// </summary>
internal ref struct CsvReader
{
    private readonly ReadOnlySpan<char> _text;
    private int _position;

    public CsvReader(ReadOnlySpan<char> text)
    {
        _text = text;
        _position = 0;
    }

    public readonly bool AtEnd => _position >= _text.Length;

    /// <summary>Reads one record into <paramref name="fields"/>; false at the end of the text.</summary>
    /// <exception cref="FormatException">An unterminated quoted field.</exception>
    public bool ReadRecord(List<string> fields)
    {
        fields.Clear();
        if (AtEnd)
        {
            return false;
        }
        var builder = new System.Text.StringBuilder();
        while (true)
        {
            if (_position < _text.Length && _text[_position] == '"')
            {
                _position++;
                builder.Clear();
                while (true)
                {
                    var rest = _text[_position..];
                    var quote = rest.IndexOf('"');
                    if (quote < 0)
                    {
                        throw new FormatException($"unterminated quoted field at offset {_position}");
                    }
                    builder.Append(rest[..quote]);
                    _position += quote + 1;
                    if (_position < _text.Length && _text[_position] == '"')
                    {
                        builder.Append('"');
                        _position++;
                        continue;
                    }
                    break;
                }
                fields.Add(builder.ToString());
                // Anything between the closing quote and the separator is kept, as lenient readers do.
                var tail = ReadUntilSeparator();
                if (tail.Length > 0)
                {
                    fields[^1] += tail.ToString();
                }
            }
            else
            {
                fields.Add(ReadUntilSeparator().ToString());
            }

            if (_position >= _text.Length)
            {
                return true;
            }
            var separator = _text[_position];
            if (separator == ',')
            {
                _position++;
                continue;
            }
            // End of record: CRLF or LF.
            _position += separator == '\r' && _position + 1 < _text.Length && _text[_position + 1] == '\n' ? 2 : 1;
            return true;
        }
    }

    private ReadOnlySpan<char> ReadUntilSeparator()
    {
        var rest = _text[_position..];
        var end = rest.IndexOfAny(',', '\r', '\n');
        if (end < 0)
        {
            end = rest.Length;
        }
        _position += end;
        return rest[..end];
    }

    /// <summary>Reads one tab-separated line, skipping blank lines and lines that start with '#'.</summary>
    public bool ReadTsvRecord(List<string> fields)
    {
        fields.Clear();
        while (!AtEnd)
        {
            var rest = _text[_position..];
            var end = rest.IndexOf('\n');
            var line = end < 0 ? rest : rest[..end];
            _position += end < 0 ? rest.Length : end + 1;
            line = line.TrimEnd('\r');
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }
            foreach (var range in line.Split('\t'))
            {
                fields.Add(line[range].Trim().ToString());
            }
            return true;
        }
        return false;
    }
}
