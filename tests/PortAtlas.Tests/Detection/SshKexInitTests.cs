using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using PortAtlas.Detection;

namespace PortAtlas.Tests.Detection;

public class SshKexInitTests
{
    /// <summary>The lab's OpenSSH 9.2p1 (Debian 12): identification line, then its SSH_MSG_KEXINIT packet, as captured.</summary>
    private static byte[] LabCapture => Wire.Fixture("22-kexinit.bin");

    private static byte[] LabPacket => SshKexInit.AfterIdentification(LabCapture).ToArray();

    [Fact]
    public void TryParse_LabOpenSsh_ReadsEveryNameList()
    {
        Assert.True(SshKexInit.TryParse(LabPacket, out var kex));

        Assert.Equal("sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,"
            + "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
            + "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,kex-strict-s-v00@openssh.com", kex.KexAlgorithms);
        Assert.Equal("rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519", kex.ServerHostKeyAlgorithms);
        Assert.Equal("chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com", kex.EncryptionServerToClient);
        Assert.Equal(kex.EncryptionServerToClient, kex.EncryptionClientToServer);
        Assert.Equal("umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
            + "hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1", kex.MacServerToClient);
        Assert.Equal("none,zlib@openssh.com", kex.CompressionServerToClient);
    }

    [Fact]
    public void AfterIdentification_SkipsLinesBeforeTheIdentificationString()
    {
        byte[] capture = [.. "Welcome\r\nSSH-2.0-x\r\n"u8, 1, 2, 3];

        Assert.Equal([1, 2, 3], SshKexInit.AfterIdentification(capture).ToArray());
        Assert.True(SshKexInit.AfterIdentification("SSH-2.0-no line end"u8).IsEmpty);
    }

    [Fact]
    public void TryParse_EveryTruncation_IsFalse()
    {
        var packet = LabPacket;
        for (var length = 0; length < packet.Length; length++)
        {
            Assert.False(SshKexInit.TryParse(packet.AsSpan(0, length), out _), $"length {length}");
            Assert.False(SshKexInit.IsWholePacket(packet.AsSpan(0, length)), $"framing at length {length}");
        }
        Assert.True(SshKexInit.IsWholePacket(packet));
    }

    [Fact]
    public void TryParse_NameListLongerThanThePacket_IsFalse()
    {
        var packet = LabPacket;
        // The first name-list's length field sits after packet_length, padding_length, message number and cookie.
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4 + 1 + 1 + 16), 0xFFFFFFF0);

        Assert.False(SshKexInit.TryParse(packet, out _));
    }

    [Theory]
    [InlineData(0xFFFFFFFFu)]
    [InlineData(35001u)]
    [InlineData(1u)]
    public void TryParse_HostilePacketLength_IsFalseAndFramingStopsAtOnceWhenHuge(uint length)
    {
        var packet = LabPacket;
        BinaryPrimitives.WriteUInt32BigEndian(packet, length);

        Assert.False(SshKexInit.TryParse(packet, out _));
        if (length > SshKexInit.MaxPacketLength)
        {
            Assert.True(SshKexInit.IsWholePacket(packet.AsSpan(0, 4)));
        }
    }

    [Fact]
    public void TryParse_PaddingLongerThanThePacket_IsFalse()
    {
        var packet = LabPacket;
        packet[4] = 0xFF;

        Assert.False(SshKexInit.TryParse(packet, out _));
    }

    [Fact]
    public void TryParse_OtherMessage_IsFalse()
    {
        var packet = LabPacket;
        packet[5] = 21; // SSH_MSG_NEWKEYS

        Assert.False(SshKexInit.TryParse(packet, out _));
    }

    [Fact]
    public void TryParse_ControlCharacterInANameList_IsFalse()
    {
        var packet = LabPacket;
        packet[4 + 1 + 1 + 16 + 4] = (byte)'\n';

        Assert.False(SshKexInit.TryParse(packet, out _));
    }

    [Fact]
    public void TryParse_BuiltPacket_ReadsTheListsInOrder()
    {
        var packet = Build(["kex1,kex2", "ssh-dss", "c2s", "3des-cbc", "m2s", "hmac-md5", "none", "none", "", ""]);

        Assert.True(SshKexInit.TryParse(packet, out var kex));
        Assert.Equal("kex1,kex2", kex.KexAlgorithms);
        Assert.Equal("ssh-dss", kex.ServerHostKeyAlgorithms);
        Assert.Equal("3des-cbc", kex.EncryptionServerToClient);
        Assert.Equal("hmac-md5", kex.MacServerToClient);
    }

    [Fact]
    public void TryParse_RandomBytes_NeverThrows() =>
        Prop.ForAll<byte[]>(bytes =>
        {
            SshKexInit.TryParse(bytes, out _);
            SshKexInit.IsWholePacket(bytes);
            SshKexInit.AfterIdentification(bytes);
            return true;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void TryParse_LabPacketWithOneByteChanged_NeverThrows()
    {
        var original = LabPacket;
        Prop.ForAll(Gen.Choose(0, original.Length - 1).ToArbitrary(), Gen.Choose(0, 255).ToArbitrary(), (at, value) =>
        {
            var packet = (byte[])original.Clone();
            packet[at] = (byte)value;
            SshKexInit.TryParse(packet, out _);
            return true;
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>An SSH_MSG_KEXINIT binary packet (RFC 4253 sections 6 and 7.1) with the given ten name-lists.</summary>
    internal static byte[] Build(string[] lists)
    {
        var payload = new List<byte> { SshKexInit.MessageNumber };
        payload.AddRange(new byte[16]);
        foreach (var list in lists)
        {
            var bytes = Encoding.ASCII.GetBytes(list);
            var length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            payload.AddRange(length);
            payload.AddRange(bytes);
        }
        payload.AddRange(new byte[5]);
        // Padding makes the total a multiple of 8, at least 4 bytes.
        var padding = 8 - ((payload.Count + 5) % 8);
        if (padding < 4)
        {
            padding += 8;
        }
        var packet = new byte[4 + 1 + payload.Count + padding];
        BinaryPrimitives.WriteInt32BigEndian(packet, 1 + payload.Count + padding);
        packet[4] = (byte)padding;
        payload.CopyTo(packet, 5);
        return packet;
    }
}
