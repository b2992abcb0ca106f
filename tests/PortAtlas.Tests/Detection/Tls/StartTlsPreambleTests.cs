using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PortAtlas.Detection.Tls;

namespace PortAtlas.Tests.Detection.Tls;

/// <summary>
/// Each STARTTLS preamble against a loopback server that speaks the protocol's plaintext part as its RFC describes and
/// then hands the connection to a real TLS server (SslStream): the scan sees the certificate behind the upgrade.
/// </summary>
public sealed class StartTlsPreambleTests
{
    public static TheoryData<string> Protocols => ["smtp", "imap", "pop3", "ftp", "ldap", "postgresql", "mysql", "xmpp"];

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task ScanAsync_AfterTheUpgrade_ReadsVersionsAndTheCertificate(string protocol)
    {
        var ct = TestContext.Current.CancellationToken;
        using var certificate = TestCertificates.SelfSignedRsa("starttls.portatlas.test", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(60));
        await using var server = new UpgradingServer(protocol, certificate, ct);

        var info = await TlsScanner.ScanAsync(server.Endpoint, new TlsScanOptions { StartTls = protocol, HelloTimeout = TimeSpan.FromSeconds(5) }, ct);

        Assert.Contains("TLSv1.2", info.AcceptedVersions);
        Assert.StartsWith("CN=starttls.portatlas.test", info.Subject, StringComparison.Ordinal);
        Assert.True(server.Upgrades > 0);
    }

    [Fact]
    public async Task ScanAsync_ServerRefusesTheUpgrade_AcceptsNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var certificate = TestCertificates.SelfSignedRsa("starttls.portatlas.test", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(60));
        await using var server = new UpgradingServer("smtp-refuse", certificate, ct);

        var info = await TlsScanner.ScanAsync(server.Endpoint, new TlsScanOptions { StartTls = "smtp", HelloTimeout = TimeSpan.FromSeconds(3) }, ct);

        Assert.Empty(info.AcceptedVersions);
        Assert.Equal(0, server.Upgrades);
    }

    /// <summary>A loopback server: the protocol's plaintext preamble, then TLS with the given certificate.</summary>
    private sealed class UpgradingServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop;
        private readonly Task _loop;
        private int _upgrades;

        public UpgradingServer(string protocol, X509Certificate2 certificate, CancellationToken ct)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _listener.Start();
            Endpoint = (IPEndPoint)_listener.LocalEndpoint;
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = Task.Run(() => ServeAsync(client, protocol, certificate), _stop.Token);
                }
            }, _stop.Token);
        }

        public IPEndPoint Endpoint { get; }

        public int Upgrades => Volatile.Read(ref _upgrades);

        private async Task ServeAsync(TcpClient client, string protocol, X509Certificate2 certificate)
        {
            using (client)
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    timeout.CancelAfter(TimeSpan.FromSeconds(10));
                    var ct = timeout.Token;
                    var stream = client.GetStream();
                    if (!await PreambleAsync(protocol, stream, ct))
                    {
                        return;
                    }
                    Interlocked.Increment(ref _upgrades);
                    using var tls = new SslStream(stream);
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, ct);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
                {
                    // A scanner hangs up after the ServerHello: expected.
                }
            }
        }

        private static async Task<bool> PreambleAsync(string protocol, NetworkStream stream, CancellationToken ct)
        {
            var lines = new StreamReader(stream, Encoding.Latin1, false, 1024, leaveOpen: true);
            async Task Say(string text) => await stream.WriteAsync(Encoding.Latin1.GetBytes(text), ct);
            switch (protocol)
            {
                case "smtp":
                case "smtp-refuse":
                    await Say("220-mail.portatlas.test ESMTP\r\n220 ready\r\n");
                    if (await lines.ReadLineAsync(ct) is not { } ehlo || !ehlo.StartsWith("EHLO", StringComparison.Ordinal))
                    {
                        return false;
                    }
                    await Say(protocol == "smtp" ? "250-mail.portatlas.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n" : "250-mail.portatlas.test\r\n250 PIPELINING\r\n");
                    var command = await lines.ReadLineAsync(ct);
                    if (protocol == "smtp-refuse" || command != "STARTTLS")
                    {
                        await Say("502 5.5.1 not implemented\r\n");
                        return false;
                    }
                    await Say("220 2.0.0 Ready to start TLS\r\n");
                    return true;
                case "imap":
                    await Say("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
                    var tag = (await lines.ReadLineAsync(ct))?.Split(' ')[0];
                    await Say($"{tag} OK Begin TLS negotiation now\r\n");
                    return true;
                case "pop3":
                    await Say("+OK POP3 ready\r\n");
                    await lines.ReadLineAsync(ct);
                    await Say("+OK Begin TLS\r\n");
                    return true;
                case "ftp":
                    await Say("220 FTP ready\r\n");
                    await lines.ReadLineAsync(ct);
                    await Say("234 AUTH TLS OK.\r\n");
                    return true;
                case "ldap":
                {
                    var request = new byte[64];
                    var n = await stream.ReadAsync(request, ct);
                    if (n < 10 || request[5] != 0x77)
                    {
                        return false;
                    }
                    // ExtendedResponse, messageID 1, resultCode success, empty matchedDN and diagnosticMessage (RFC 4511 section 4.12).
                    await stream.WriteAsync(new byte[] { 0x30, 0x0C, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0A, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00 }, ct);
                    return true;
                }
                case "postgresql":
                {
                    var request = new byte[8];
                    await stream.ReadExactlyAsync(request, ct);
                    await stream.WriteAsync("S"u8.ToArray(), ct);
                    return true;
                }
                case "mysql":
                {
                    // HandshakeV10 with CLIENT_SSL (0x0800) among the lower capability flags.
                    byte[] payload = [10, .. "10.11.0-MariaDB"u8, 0, 1, 0, 0, 0, .. "abcdefgh"u8, 0, 0x00, 0xF8, 33, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
                    await stream.WriteAsync((byte[])[(byte)payload.Length, 0, 0, 0, .. payload], ct);
                    var ssl = new byte[36];
                    await stream.ReadExactlyAsync(ssl, ct);
                    return (ssl[5] & 0x08) != 0;
                }
                case "xmpp":
                {
                    var buffer = new byte[2048];
                    await stream.ReadAtLeastAsync(buffer, 10, throwOnEndOfStream: false, ct);
                    await Say("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='1' version='1.0'>"
                        + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>");
                    await stream.ReadAtLeastAsync(buffer, 10, throwOnEndOfStream: false, ct);
                    await Say("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
                    return true;
                }
                default:
                    return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _loop;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // stopped
            }
            _stop.Dispose();
        }
    }
}
