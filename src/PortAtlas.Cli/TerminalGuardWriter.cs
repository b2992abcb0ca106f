using System.Text;
using PortAtlas.Sanitizing;

namespace PortAtlas.Cli;

/// <summary>
/// The last gate before stdout and stderr: every character <see cref="OutsideText.IsUnsafe(char)"/> reports is written
/// as an escape (<c>\x1b</c>), whatever path the text took, so no banner, certificate subject, process name or file
/// line can drive the terminal. A carriage return directly before a line feed passes (CSV's CRLF). When
/// <see cref="AllowStyling"/> is set, the console library's own colour and cursor sequences (CSI with digits and
/// semicolons ending in m, A-H, J or K, and the cursor show/hide ?25h/?25l) pass too; every other sequence is escaped.
/// </summary>
internal sealed class TerminalGuardWriter : TextWriter
{
    private const int MaxSequence = 32;
    private readonly TextWriter _inner;
    private readonly StringBuilder _pending = new();
    private bool _pendingCr;

    public TerminalGuardWriter(TextWriter inner, bool allowStyling)
    {
        _inner = inner;
        AllowStyling = allowStyling;
    }

    /// <summary>Whether the console's own styling sequences pass.</summary>
    public bool AllowStyling { get; }

    public override Encoding Encoding => _inner.Encoding;

    public override IFormatProvider FormatProvider => _inner.FormatProvider;

    public override void Write(char value)
    {
        if (_pending.Length > 0)
        {
            _pending.Append(value);
            ContinueSequence();
            return;
        }
        if (_pendingCr)
        {
            _pendingCr = false;
            if (value == '\n')
            {
                _inner.Write("\r\n");
                return;
            }
            _inner.Write("\\x0d");
        }
        if (value == '\r')
        {
            _pendingCr = true;
            return;
        }
        if (value == '\x1b' && AllowStyling)
        {
            _pending.Append(value);
            return;
        }
        if (OutsideText.IsUnsafe(value))
        {
            _inner.Write(value <= '\xff' ? $"\\x{(int)value:x2}" : $"\\u{(int)value:x4}");
            return;
        }
        _inner.Write(value);
    }

    public override void Write(string? value)
    {
        if (value is null)
        {
            return;
        }
        if (_pending.Length == 0 && !_pendingCr && !OutsideText.NeedsEscaping(value) && value.IndexOf('\r', StringComparison.Ordinal) < 0)
        {
            _inner.Write(value);
            return;
        }
        foreach (var c in value)
        {
            Write(c);
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Write(ReadOnlySpan<char> buffer) => Write(buffer.ToString());

    public override void WriteLine(string? value)
    {
        Write(value);
        Write(CoreNewLine);
    }

    public override void Flush()
    {
        // A CR left pending at a flush may still be followed by LF in the next write: it stays pending.
        _inner.Flush();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            FlushPending();
            if (_pendingCr)
            {
                _pendingCr = false;
                _inner.Write("\\x0d");
            }
            _inner.Flush();
        }
        base.Dispose(disposing);
    }

    private void ContinueSequence()
    {
        // _pending starts with ESC. Accept ESC [ [?0-9;]* final, with final in the allowed set.
        var s = _pending;
        if (s.Length == 2)
        {
            if (s[1] != '[')
            {
                FlushPending();
            }
            return;
        }
        var last = s[^1];
        if (last is (>= '0' and <= '9') or ';' or '?')
        {
            if (s.Length > MaxSequence)
            {
                FlushPending();
            }
            return;
        }
        var body = s.ToString(2, s.Length - 3);
        var allowed = last is 'm' or (>= 'A' and <= 'H') or 'J' or 'K'
            ? !body.Contains('?', StringComparison.Ordinal)
            : last is 'h' or 'l' && body == "?25";
        if (allowed)
        {
            _inner.Write(s.ToString());
            s.Clear();
        }
        else
        {
            FlushPending();
        }
    }

    // Writes a pending sequence that turned out not to be the console's own, escaped.
    private void FlushPending()
    {
        var text = _pending.ToString();
        _pending.Clear();
        foreach (var c in text)
        {
            _inner.Write(OutsideText.IsUnsafe(c) ? (c <= '\xff' ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}") : c.ToString());
        }
    }
}
