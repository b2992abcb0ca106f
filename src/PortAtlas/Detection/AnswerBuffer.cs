using System.Buffers;

namespace PortAtlas.Detection;

/// <summary>One answer's bytes in a pooled buffer of fixed capacity; bytes past the capacity are dropped and counted.</summary>
internal sealed class AnswerBuffer : IDisposable
{
    private byte[]? _buffer;
    private int _length;

    public AnswerBuffer(int capacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Length => _length;

    /// <summary>Bytes received beyond <see cref="Capacity"/> and dropped.</summary>
    public long Dropped { get; private set; }

    public bool IsFull => _length >= Capacity;

    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, _length);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(AnswerBuffer));

    public void Append(ReadOnlySpan<byte> bytes)
    {
        var room = Capacity - _length;
        var take = Math.Min(room, bytes.Length);
        bytes[..take].CopyTo(Buffer.AsSpan(_length));
        _length += take;
        Dropped += bytes.Length - take;
    }

    public void Clear()
    {
        _length = 0;
        Dropped = 0;
    }

    public byte[] ToArray() => Span.ToArray();

    public void Dispose()
    {
        if (_buffer is byte[] b)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}
