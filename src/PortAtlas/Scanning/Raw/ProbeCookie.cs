using System.Numerics;
using System.Security.Cryptography;
using System.Buffers.Binary;

namespace PortAtlas.Scanning.Raw;

/// <summary>
/// The keyed hash that makes the raw engine stateless: SipHash-2-4 (Aumasson and Bernstein, 2012) with a per-scan random
/// 128-bit key over a probe's addresses, ports and protocol. The value goes into the probe (TCP sequence number, SCTP
/// initiate tag, ICMP identifier and sequence, UDP source port bits) and comes back in the answer, so an answer is
/// validated by recomputing it, with no table of outstanding probes (as masscan does), and forged or stale answers
/// fail. SipHash is a PRF: without the key, the values cannot be predicted.
/// </summary>
internal sealed class ProbeCookie
{
    private readonly ulong _k0;
    private readonly ulong _k1;

    public ProbeCookie(ulong? seed = null)
    {
        if (seed is { } s)
        {
            _k0 = s ^ 0x736f6d6570736575UL;
            _k1 = BitOperations.RotateLeft(s, 32) ^ 0x646f72616e646f6dUL;
        }
        else
        {
            Span<byte> key = stackalloc byte[16];
            RandomNumberGenerator.Fill(key);
            _k0 = BinaryPrimitives.ReadUInt64LittleEndian(key);
            _k1 = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]);
        }
    }

    /// <summary>The 32-bit cookie of a probe from <paramref name="source"/>:<paramref name="sourcePort"/> to <paramref name="destination"/>:<paramref name="destinationPort"/>.</summary>
    public uint Compute(UInt128 source, UInt128 destination, ushort sourcePort, ushort destinationPort, byte protocol)
    {
        var ports = ((ulong)sourcePort << 48) | ((ulong)destinationPort << 32) | ((ulong)protocol << 8);
        var h = Hash((ulong)source, (ulong)(source >> 64), (ulong)destination, (ulong)(destination >> 64), ports);
        return (uint)(h ^ (h >> 32));
    }

    // SipHash-2-4 over five 64-bit message words and a final length word.
    private ulong Hash(ulong m0, ulong m1, ulong m2, ulong m3, ulong m4)
    {
        var v0 = _k0 ^ 0x736f6d6570736575UL;
        var v1 = _k1 ^ 0x646f72616e646f6dUL;
        var v2 = _k0 ^ 0x6c7967656e657261UL;
        var v3 = _k1 ^ 0x7465646279746573UL;
        Compress(ref v0, ref v1, ref v2, ref v3, m0);
        Compress(ref v0, ref v1, ref v2, ref v3, m1);
        Compress(ref v0, ref v1, ref v2, ref v3, m2);
        Compress(ref v0, ref v1, ref v2, ref v3, m3);
        Compress(ref v0, ref v1, ref v2, ref v3, m4);
        Compress(ref v0, ref v1, ref v2, ref v3, 40UL << 56);
        v2 ^= 0xff;
        for (var i = 0; i < 4; i++)
        {
            Round(ref v0, ref v1, ref v2, ref v3);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static void Compress(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3, ulong m)
    {
        v3 ^= m;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= m;
    }

    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }
}
