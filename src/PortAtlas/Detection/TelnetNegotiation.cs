namespace PortAtlas.Detection;

/// <summary>Telnet option negotiation (RFC 854, RFC 855): the scanner refuses every option so the server gets to its login text.</summary>
internal static class TelnetNegotiation
{
    private const byte Iac = 0xFF;
    private const byte Will = 0xFB;
    private const byte Wont = 0xFC;
    private const byte Do = 0xFD;
    private const byte Dont = 0xFE;
    private const byte Sb = 0xFA;
    private const byte Se = 0xF0;

    /// <summary>
    /// Writes a refusal for each negotiation in <paramref name="data"/> (DO → WONT, WILL → DONT) into
    /// <paramref name="destination"/>; returns the bytes written. Stops early when the destination is full;
    /// incomplete commands at the end are ignored.
    /// </summary>
    public static int WriteRefusals(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var written = 0;
        var i = 0;
        while (i < data.Length)
        {
            if (data[i] != Iac || i + 1 >= data.Length)
            {
                i++;
                continue;
            }
            var command = data[i + 1];
            if (command is Do or Will)
            {
                if (i + 2 >= data.Length || written + 3 > destination.Length)
                {
                    break;
                }
                destination[written] = Iac;
                destination[written + 1] = command == Do ? Wont : Dont;
                destination[written + 2] = data[i + 2];
                written += 3;
                i += 3;
            }
            else if (command is Wont or Dont)
            {
                i += 3;
            }
            else if (command == Sb)
            {
                // Subnegotiation runs to IAC SE.
                var end = data[(i + 2)..].IndexOf([Iac, Se]);
                i = end < 0 ? data.Length : i + 2 + end + 2;
            }
            else
            {
                i += 2;
            }
        }
        return written;
    }

    /// <summary>True when the text after the negotiation ends like a prompt ("login: ", "Password:", "> ", "# ").</summary>
    public static bool EndsWithPrompt(ReadOnlySpan<byte> answer)
    {
        var text = answer.TrimEnd((byte)' ');
        return !text.IsEmpty && text.Length < answer.Length + 1 && text[^1] is (byte)':' or (byte)'>' or (byte)'#' or (byte)'$' && answer[^1] == (byte)' ';
    }
}
