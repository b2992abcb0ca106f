using System.Buffers.Binary;

namespace PortAtlas.Scanning.Packets;

/// <summary>
/// The first 8 bytes of an ICMP (RFC 792) or ICMPv6 (RFC 4443, 2.1) message: type, code, checksum and the 4 bytes whose
/// meaning depends on the type (identifier and sequence number of an echo, unused in destination unreachable).
/// </summary>
/// <param name="Type">Message type.</param>
/// <param name="Code">Message code.</param>
/// <param name="Checksum">Checksum as carried.</param>
/// <param name="RestOfHeader">The type-specific 32 bits.</param>
internal readonly record struct IcmpHeader(byte Type, byte Code, ushort Checksum, uint RestOfHeader)
{
    /// <summary>Length of the header.</summary>
    public const int Length = 8;

    /// <summary>ICMP echo reply (RFC 792).</summary>
    public const byte V4EchoReply = 0;
    /// <summary>ICMP destination unreachable (RFC 792).</summary>
    public const byte V4DestinationUnreachable = 3;
    /// <summary>ICMP echo request (RFC 792).</summary>
    public const byte V4EchoRequest = 8;
    /// <summary>ICMP time exceeded (RFC 792).</summary>
    public const byte V4TimeExceeded = 11;
    /// <summary>ICMP timestamp request (RFC 792).</summary>
    public const byte V4Timestamp = 13;
    /// <summary>ICMP timestamp reply (RFC 792).</summary>
    public const byte V4TimestampReply = 14;
    /// <summary>ICMPv6 destination unreachable (RFC 4443, 3.1).</summary>
    public const byte V6DestinationUnreachable = 1;
    /// <summary>ICMPv6 parameter problem (RFC 4443, 3.4); code 1, unrecognised next header, is IPv6's protocol unreachable.</summary>
    public const byte V6ParameterProblem = 4;
    /// <summary>ICMPv6 time exceeded (RFC 4443, 3.3).</summary>
    public const byte V6TimeExceeded = 3;
    /// <summary>ICMPv6 echo request (RFC 4443, 4.1).</summary>
    public const byte V6EchoRequest = 128;
    /// <summary>ICMPv6 echo reply (RFC 4443, 4.2).</summary>
    public const byte V6EchoReply = 129;

    /// <summary>Identifier of an echo or timestamp message.</summary>
    public ushort Identifier => (ushort)(RestOfHeader >> 16);

    /// <summary>Sequence number of an echo or timestamp message.</summary>
    public ushort SequenceNumber => (ushort)RestOfHeader;

    /// <summary>Reads the header; false when <paramref name="data"/> is shorter than 8 bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out IcmpHeader header)
    {
        header = default;
        if (data.Length < Length)
        {
            return false;
        }
        header = new IcmpHeader(data[0], data[1], BinaryPrimitives.ReadUInt16BigEndian(data[2..]), BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
        return true;
    }

    /// <summary>Writes an ICMP header with a zero checksum; returns 8.</summary>
    public static int Write(Span<byte> destination, byte type, byte code, ushort identifier, ushort sequenceNumber)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length);
        destination[0] = type;
        destination[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], identifier);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], sequenceNumber);
        return Length;
    }
}
