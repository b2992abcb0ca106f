namespace PortAtlas.Storage;

/// <summary>
/// A read-only stream over markup that fails with <see cref="InvalidDataException"/> when more than a given number of
/// bytes pass without a '&lt;' or '&gt;': one tag (with its attributes) or one text node longer than that. The XML
/// reader materialises attributes whole, so this is what bounds its memory on a hostile file.
/// </summary>
internal sealed class MarkupRunLimitStream(Stream inner, int maxRun) : Stream
{
    private long _run;

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

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
