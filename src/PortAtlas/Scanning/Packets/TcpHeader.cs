using System.Buffers.Binary;

namespace PortAtlas.Scanning.Packets;

/// <summary>TCP control bits (RFC 9293, 3.1; ECE and CWR from RFC 3168).</summary>
[Flags]
internal enum TcpFlags : byte
{
    /// <summary>No bits.</summary>
    None = 0,
    /// <summary>No more data from sender.</summary>
    Fin = 0x01,
    /// <summary>Synchronise sequence numbers.</summary>
    Syn = 0x02,
    /// <summary>Reset the connection.</summary>
    Rst = 0x04,
    /// <summary>Push function.</summary>
    Psh = 0x08,
    /// <summary>Acknowledgment field is significant.</summary>
    Ack = 0x10,
    /// <summary>Urgent pointer is significant.</summary>
    Urg = 0x20,
    /// <summary>ECN echo.</summary>
    Ece = 0x40,
    /// <summary>Congestion window reduced.</summary>
    Cwr = 0x80,
}

/// <summary>A TCP header (RFC 9293, 3.1), options not decoded.</summary>
/// <param name="SourcePort">Source port.</param>
/// <param name="DestinationPort">Destination port.</param>
/// <param name="SequenceNumber">Sequence number.</param>
/// <param name="AcknowledgmentNumber">Acknowledgment number.</param>
/// <param name="HeaderLength">Data offset in bytes, options included.</param>
/// <param name="Flags">Control bits.</param>
/// <param name="Window">Receive window.</param>
/// <param name="Checksum">Checksum as carried.</param>
internal readonly record struct TcpHeader(ushort SourcePort, ushort DestinationPort, uint SequenceNumber, uint AcknowledgmentNumber, int HeaderLength, TcpFlags Flags, ushort Window, ushort Checksum)
{
    /// <summary>Length of a header without options.</summary>
    public const int MinLength = 20;

    /// <summary>Reads a header; false when <paramref name="data"/> is too short or the data offset is invalid.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out TcpHeader header)
    {
        header = default;
        if (data.Length < MinLength)
        {
            return false;
        }
        var headerLength = (data[12] >> 4) * 4;
        if (headerLength < MinLength || headerLength > data.Length)
        {
            return false;
        }
        header = new TcpHeader(
            BinaryPrimitives.ReadUInt16BigEndian(data),
            BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(data[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(data[8..]),
            headerLength, (TcpFlags)data[13],
            BinaryPrimitives.ReadUInt16BigEndian(data[14..]),
            BinaryPrimitives.ReadUInt16BigEndian(data[16..]));
        return true;
    }

    /// <summary>
    /// Reads the ports and sequence number only, as an ICMP error quotes them: RFC 792 promises just the first 8 bytes of
    /// the offending datagram's payload.
    /// </summary>
    public static bool TryParseQuoted(ReadOnlySpan<byte> data, out ushort sourcePort, out ushort destinationPort, out uint sequenceNumber)
    {
        sourcePort = destinationPort = 0;
        sequenceNumber = 0;
        if (data.Length < 8)
        {
            return false;
        }
        sourcePort = BinaryPrimitives.ReadUInt16BigEndian(data);
        destinationPort = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        sequenceNumber = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        return true;
    }

    /// <summary>Writes a header with <paramref name="options"/> (padded to 4 bytes with end-of-list) and a zero checksum; returns its length.</summary>
    public static int Write(Span<byte> destination, ushort sourcePort, ushort destinationPort, uint sequenceNumber, uint acknowledgmentNumber, TcpFlags flags, ushort window, ReadOnlySpan<byte> options = default)
    {
        var length = MinLength + ((options.Length + 3) & ~3);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 60, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, length);
        BinaryPrimitives.WriteUInt16BigEndian(destination, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], acknowledgmentNumber);
        destination[12] = (byte)((length / 4) << 4);
        destination[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], window);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], 0);
        options.CopyTo(destination[MinLength..]);
        destination[(MinLength + options.Length)..length].Clear();
        return length;
    }
}
