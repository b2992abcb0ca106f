using System.Buffers;

namespace PortAtlas.Storage;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that hands every advanced span to <paramref name="sink"/> at once and reuses one
/// buffer, so that a large JSON document written through a <see cref="System.Text.Json.Utf8JsonWriter"/> is never held
/// whole: measured (a counting sink) or copied into place (a blob) as it is made.
/// </summary>
internal sealed class ForwardingBufferWriter(Action<ReadOnlySpan<byte>> sink) : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[16 * 1024];

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length);
        sink(_buffer.AsSpan(0, count));
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Grow(sizeHint);
        return _buffer;
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Grow(sizeHint);
        return _buffer;
    }

    private void Grow(int sizeHint)
    {
        if (sizeHint > _buffer.Length)
        {
            _buffer = new byte[Math.Max(sizeHint, _buffer.Length * 2)];
        }
    }
}
