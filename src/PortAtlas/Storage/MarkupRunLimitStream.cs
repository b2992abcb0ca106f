namespace PortAtlas.Storage;

/// <summary>
/// A read-only stream over markup that fails with <see cref="InvalidDataException"/> when more than a given number of
/// bytes pass without a '&lt;' or '&gt;': one tag (with its attributes) or one text node longer than that. The XML
/// reader materialises attributes whole, so this is what bounds its memory on a hostile file. It also refuses an XML
/// declaration with a byte past ASCII (the XML grammar allows none there): .NET's reader re-decodes the declaration when
/// it switches encoding and fails on such a byte with an ArgumentOutOfRangeException instead of an XmlException.
/// </summary>
internal sealed class MarkupRunLimitStream(Stream inner, int maxRun) : Stream
{
    private long _run;

    // The document's first bytes until it is known whether it opens with an XML declaration; then the declaration's state.
    private readonly byte[] _head = new byte[8];
    private int _headLength;
    private Declaration _declaration;

    private enum Declaration
    {
        Unknown,
        Inside,
        Done,
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Check(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Check(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Check(ReadOnlySpan<byte> data)
    {
        if (_declaration != Declaration.Done)
        {
            CheckDeclaration(data);
        }
        while (!data.IsEmpty)
        {
            var mark = data.IndexOfAny((byte)'<', (byte)'>');
            if (mark < 0)
            {
                _run += data.Length;
                break;
            }
            _run += mark;
            if (_run > maxRun)
            {
                break;
            }
            _run = 0;
            data = data[(mark + 1)..];
        }
        if (_run > maxRun)
        {
            throw new InvalidDataException($"a tag or text longer than {maxRun >> 20} MiB: not Nmap XML as nmap writes it");
        }
    }

    private void CheckDeclaration(ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            if (_declaration == Declaration.Unknown)
            {
                _head[_headLength++] = b;
                _declaration = Opening(_head.AsSpan(0, _headLength), "<?xml"u8) is var plain && plain != Declaration.Done
                    ? plain
                    : Opening(_head.AsSpan(0, _headLength), [0xEF, 0xBB, 0xBF, .. "<?xml"u8]);
                if (_declaration == Declaration.Unknown)
                {
                    continue;
                }
            }
            if (_declaration == Declaration.Done)
            {
                return;
            }
            if (b == (byte)'>')
            {
                _declaration = Declaration.Done;
                return;
            }
            if (b >= 0x80)
            {
                throw new InvalidDataException($"the XML declaration holds the byte 0x{b:X2}, which is not ASCII: not well-formed XML");
            }
        }
    }

    // Whether the first bytes open with the declaration, cannot, or cannot tell yet.
    private static Declaration Opening(ReadOnlySpan<byte> head, ReadOnlySpan<byte> opening) =>
        head.Length >= opening.Length ? (head.StartsWith(opening) ? Declaration.Inside : Declaration.Done)
        : opening.StartsWith(head) ? Declaration.Unknown : Declaration.Done;

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
