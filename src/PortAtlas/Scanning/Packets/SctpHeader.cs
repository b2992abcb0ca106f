using System.Buffers.Binary;

namespace PortAtlas.Scanning.Packets;

/// <summary>SCTP chunk types used by scanning (RFC 9260, 3.2).</summary>
internal enum SctpChunkType : byte
{
    /// <summary>Payload data.</summary>
    Data = 0,
    /// <summary>Initiation.</summary>
    Init = 1,
    /// <summary>Initiation acknowledgement.</summary>
    InitAck = 2,
    /// <summary>Selective acknowledgement.</summary>
    Sack = 3,
    /// <summary>Abort.</summary>
    Abort = 6,
    /// <summary>Shutdown.</summary>
    Shutdown = 7,
    /// <summary>Operation error.</summary>
    Error = 9,
    /// <summary>State cookie.</summary>
    CookieEcho = 10,
    /// <summary>Cookie acknowledgement.</summary>
    CookieAck = 11,
    /// <summary>Shutdown complete.</summary>
    ShutdownComplete = 14,
}

/// <summary>
/// An SCTP common header and its first chunk's header (RFC 9260, 3.1 and 3.2), and for INIT and INIT ACK the initiate
/// tag (3.3.2, 3.3.3). A scanner only ever needs the first chunk: INIT, INIT ACK and ABORT travel alone or first.
/// </summary>
/// <param name="SourcePort">Source port.</param>
/// <param name="DestinationPort">Destination port.</param>
/// <param name="VerificationTag">Verification tag.</param>
/// <param name="Checksum">CRC32c as carried (least significant byte first on the wire).</param>
/// <param name="ChunkType">Type of the first chunk.</param>
/// <param name="ChunkFlags">Flags of the first chunk (ABORT's T bit is 0x01).</param>
/// <param name="ChunkLength">Length of the first chunk, its header included.</param>
/// <param name="InitiateTag">The initiate tag of an INIT or INIT ACK chunk; 0 for other chunks.</param>
internal readonly record struct SctpHeader(ushort SourcePort, ushort DestinationPort, uint VerificationTag, uint Checksum, SctpChunkType ChunkType, byte ChunkFlags, ushort ChunkLength, uint InitiateTag)
{
    /// <summary>Length of the common header.</summary>
    public const int Length = 12;

    /// <summary>Length of an INIT chunk without parameters.</summary>
    public const int InitChunkLength = 20;

    /// <summary>Reads the common header and the first chunk's header; false when truncated or a chunk length is below 4.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out SctpHeader header)
    {
        header = default;
        if (data.Length < Length + 4)
        {
            return false;
        }
        var chunkLength = BinaryPrimitives.ReadUInt16BigEndian(data[14..]);
        if (chunkLength < 4)
        {
            return false;
        }
        var type = (SctpChunkType)data[12];
        uint initiateTag = 0;
        if (type is SctpChunkType.Init or SctpChunkType.InitAck)
        {
            if (data.Length < Length + InitChunkLength || chunkLength < InitChunkLength)
            {
                return false;
            }
            initiateTag = BinaryPrimitives.ReadUInt32BigEndian(data[16..]);
        }
        header = new SctpHeader(
            BinaryPrimitives.ReadUInt16BigEndian(data),
            BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(data[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(data[8..]),
            type, data[13], chunkLength, initiateTag);
        return true;
    }

    /// <summary>Reads the ports and verification tag only, as an ICMP error quotes them (8 bytes).</summary>
    public static bool TryParseQuoted(ReadOnlySpan<byte> data, out ushort sourcePort, out ushort destinationPort, out uint verificationTag)
    {
        sourcePort = destinationPort = 0;
        verificationTag = 0;
        if (data.Length < 8)
        {
            return false;
        }
        sourcePort = BinaryPrimitives.ReadUInt16BigEndian(data);
        destinationPort = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        verificationTag = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        return true;
    }

    /// <summary>
    /// Writes an SCTP packet holding one INIT chunk without parameters (RFC 9260, 3.3.2), checksum included; returns 32.
    /// The verification tag of a packet carrying INIT is 0 (8.5.1).
    /// </summary>
    /// <param name="destination">At least 32 bytes.</param>
    /// <param name="sourcePort">Source port.</param>
    /// <param name="destinationPort">Destination port.</param>
    /// <param name="initiateTag">Initiate tag, non-zero; the peer's INIT ACK and ABORT carry it back as their verification tag.</param>
    /// <param name="initialTsn">Initial TSN.</param>
    public static int WriteInit(Span<byte> destination, ushort sourcePort, ushort destinationPort, uint initiateTag, uint initialTsn)
    {
        const int total = Length + InitChunkLength;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, total);
        ArgumentOutOfRangeException.ThrowIfZero(initiateTag);
        BinaryPrimitives.WriteUInt16BigEndian(destination, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], 0);
        destination[12] = (byte)SctpChunkType.Init;
        destination[13] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], InitChunkLength);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], initiateTag);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], 65535);
        BinaryPrimitives.WriteUInt16BigEndian(destination[24..], 10);
        BinaryPrimitives.WriteUInt16BigEndian(destination[26..], 2048);
        BinaryPrimitives.WriteUInt32BigEndian(destination[28..], initialTsn);
        Crc32C.WriteSctpChecksum(destination[..total]);
        return total;
    }

    /// <summary>Writes an SCTP packet holding one ABORT chunk with the T bit clear, checksum included; returns 16.</summary>
    public static int WriteAbort(Span<byte> destination, ushort sourcePort, ushort destinationPort, uint verificationTag)
    {
        const int total = Length + 4;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, total);
        BinaryPrimitives.WriteUInt16BigEndian(destination, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], verificationTag);
        destination[12] = (byte)SctpChunkType.Abort;
        destination[13] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], 4);
        Crc32C.WriteSctpChecksum(destination[..total]);
        return total;
    }
}
