using PortAtlas.Assessment;
using PortAtlas.Scanning;

namespace PortAtlas.Detection;

/// <summary>
/// The facts for assessment (<see cref="ServiceFacts"/>): read from the answer that identified the service, or
/// asked for in one short exchange on the same connection once the service is known. A fact is set only from an
/// answer that proves it; a key left unset means "not checked".
/// </summary>
internal sealed partial class DetectionSession
{
    private const int FactAnswerBytes = 16 * 1024;

    private readonly Dictionary<string, string> _facts = new(StringComparer.OrdinalIgnoreCase);
    private bool _dialogDone;

    private IReadOnlyDictionary<string, string> FactsSnapshot(string? operatingSystem, TlsInfo? tls)
    {
        if (!string.IsNullOrEmpty(operatingSystem))
        {
            _facts.TryAdd(ServiceFacts.OperatingSystem, operatingSystem);
        }
        if (tls?.Protocol is { Length: > 0 } protocol)
        {
            // Only the negotiated version: see docs/assessment.md on why versions are not offered one by one.
            _facts.TryAdd(ServiceFacts.TlsVersions, protocol);
        }
        return _facts.Count == 0 ? ServiceFacts.Empty : ServiceFacts.Create([.. _facts]);
    }

    /// <summary>Facts that the identifying answer itself proves: HTTP challenges, Elasticsearch and Redis access.</summary>
    private void FactsFromAnswer(string probe, SignatureMatch match, ReadOnlySpan<byte> answer)
    {
        if (match.Service == "http" && FactParsers.HttpStatus(answer) is var status and > 0)
        {
            if (FactParsers.TryParseHttpChallenge(answer, out var scheme, out var realm))
            {
                _facts[ServiceFacts.HttpAuth] = scheme;
                if (realm is not null)
                {
                    _facts[ServiceFacts.HttpRealm] = realm;
                }
            }
            if (match.Product is { } product && (product.Contains("Elasticsearch", StringComparison.OrdinalIgnoreCase) || product.Contains("OpenSearch", StringComparison.OrdinalIgnoreCase)))
            {
                // GET / answered with the cluster's name and version needs no credentials; 401 means they are required.
                if (status is >= 200 and < 300 && match.Version is not null)
                {
                    _facts[ServiceFacts.Auth] = "none";
                }
                else if (status == 401)
                {
                    _facts[ServiceFacts.Auth] = "required";
                }
            }
        }
        else if (probe == "redis" && match.Service == "redis" && FactParsers.RedisAuth(answer) is { } redis)
        {
            _facts[ServiceFacts.Auth] = redis;
        }
    }

    /// <summary>
    /// One exchange after identification on the open plain connection, by service: SSH KEXINIT, FTP anonymous login,
    /// memcached stats, MongoDB listDatabases, VNC security types. Each is bounded by the probe timeout.
    /// </summary>
    private async Task FactsFromDialogAsync(string probe, SignatureMatch match, AnswerBuffer answer, ProbeConnection connection, CancellationToken ct)
    {
        if (!_options.GatherFacts || connection.Closed || _dialogDone)
        {
            return;
        }
        _dialogDone = true;
        switch (match.Service)
        {
            case "ssh" when probe == ServiceProbes.Banner:
                await SshKexInitAsync(answer, connection, ct).ConfigureAwait(false);
                break;
            case "ftp":
                await FtpAnonymousAsync(connection, ct).ConfigureAwait(false);
                break;
            case "memcache" when probe == "memcached":
                await MemcachedStatsAsync(connection, ct).ConfigureAwait(false);
                break;
            case "mongodb" when probe == "mongodb":
                await MongoListDatabasesAsync(connection, ct).ConfigureAwait(false);
                break;
            case "vnc" when probe == ServiceProbes.Banner:
                await VncSecurityAsync(answer, connection, ct).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// Sends our identification string and reads the server's SSH_MSG_KEXINIT (RFC 4253 sections 4.2 and 7.1),
    /// which the server sends before any key is agreed, in clear. Then the connection is closed by the caller.
    /// </summary>
    private async Task SshKexInitAsync(AnswerBuffer banner, ProbeConnection connection, CancellationToken ct)
    {
        using var packet = new AnswerBuffer(SshKexInit.MaxPacketLength + 4);
        // The server may have sent its KEXINIT right behind the identification line.
        packet.Append(SshKexInit.AfterIdentification(banner.Span));
        if (!await connection.SendAsync(SshKexInit.ClientIdentification.ToArray(), ct).ConfigureAwait(false))
        {
            return;
        }
        if (!SshKexInit.IsWholePacket(packet.Span))
        {
            await connection.ReadAnswerAsync(packet, _options.ProbeTimeout, IdleGap, _options.ProbeTimeout, static a => SshKexInit.IsWholePacket(a), ct).ConfigureAwait(false);
        }
        if (SshKexInit.TryParse(packet.Span, out var kex))
        {
            _facts[ServiceFacts.SshKex] = kex.KexAlgorithms;
            _facts[ServiceFacts.SshHostKey] = kex.ServerHostKeyAlgorithms;
            _facts[ServiceFacts.SshCiphers] = kex.EncryptionServerToClient;
            _facts[ServiceFacts.SshMacs] = kex.MacServerToClient;
        }
    }

    /// <summary>
    /// One anonymous login, as nmap's ftp-anon does: USER anonymous, PASS portatlas@ (RFC 1635); 230 is "yes",
    /// 530 "no"; then QUIT.
    /// </summary>
    private async Task FtpAnonymousAsync(ProbeConnection connection, CancellationToken ct)
    {
        using var reply = new AnswerBuffer(4096);
        var code = await FtpCommandAsync("USER anonymous\r\n"u8.ToArray(), reply, connection, ct).ConfigureAwait(false);
        if (code == 331)
        {
            code = await FtpCommandAsync("PASS portatlas@\r\n"u8.ToArray(), reply, connection, ct).ConfigureAwait(false);
        }
        if (code == 230)
        {
            _facts[ServiceFacts.Anonymous] = "yes";
        }
        else if (code == 530)
        {
            _facts[ServiceFacts.Anonymous] = "no";
        }
        if (code > 0)
        {
            await connection.SendAsync("QUIT\r\n"u8.ToArray(), ct).ConfigureAwait(false);
        }
    }

    private async Task<int> FtpCommandAsync(byte[] command, AnswerBuffer reply, ProbeConnection connection, CancellationToken ct)
    {
        reply.Clear();
        if (!await connection.SendAsync(command, ct).ConfigureAwait(false))
        {
            return -1;
        }
        await connection.ReadAnswerAsync(reply, _options.ProbeTimeout, IdleGap, _options.ProbeTimeout, Framings.Banner, ct).ConfigureAwait(false);
        return FactParsers.FtpReplyCode(reply.Span);
    }

    /// <summary>memcached protocol.txt "stats": STAT lines mean no authentication; with SASL the text protocol errors.</summary>
    private async Task MemcachedStatsAsync(ProbeConnection connection, CancellationToken ct)
    {
        using var reply = new AnswerBuffer(FactAnswerBytes);
        if (!await connection.SendAsync("stats\r\n"u8.ToArray(), ct).ConfigureAwait(false))
        {
            return;
        }
        await connection.ReadAnswerAsync(reply, _options.ProbeTimeout, IdleGap, _options.ProbeTimeout,
            static a => a.EndsWith("END\r\n"u8) || (!a.StartsWith("STAT "u8) && a.IndexOf((byte)'\n') >= 0), ct).ConfigureAwait(false);
        if (FactParsers.MemcachedStatsAuth(reply.Span) is { } auth)
        {
            _facts[ServiceFacts.Auth] = auth;
        }
    }

    /// <summary>
    /// listDatabases needs the listDatabases privilege when authorization is on: an answer with ok 1 proves access
    /// without credentials (buildinfo does not: it is allowed before authentication).
    /// </summary>
    private async Task MongoListDatabasesAsync(ProbeConnection connection, CancellationToken ct)
    {
        using var reply = new AnswerBuffer(FactAnswerBytes);
        if (!await connection.SendAsync(FactParsers.MongoListDatabases(), ct).ConfigureAwait(false))
        {
            return;
        }
        await connection.ReadAnswerAsync(reply, _options.ProbeTimeout, IdleGap, _options.ProbeTimeout, Framings.MongoDb, ct).ConfigureAwait(false);
        if (FactParsers.MongoListDatabasesAuth(reply.Span) is { } auth)
        {
            _facts[ServiceFacts.Auth] = auth;
        }
    }

    /// <summary>Answers the RFB ProtocolVersion and reads the security types offered (RFC 6143 sections 7.1.1 and 7.1.2).</summary>
    private async Task VncSecurityAsync(AnswerBuffer banner, ProbeConnection connection, CancellationToken ct)
    {
        if (FactParsers.RfbClientVersion(banner.Span, out var listOfTypes) is not { } version)
        {
            return;
        }
        using var reply = new AnswerBuffer(1024);
        if (!await connection.SendAsync(version, ct).ConfigureAwait(false))
        {
            return;
        }
        await connection.ReadAnswerAsync(reply, _options.ProbeTimeout, IdleGap, _options.ProbeTimeout, a => FactParsers.IsWholeRfbSecurity(a, listOfTypes), ct).ConfigureAwait(false);
        if (FactParsers.TryParseRfbSecurity(reply.Span, listOfTypes, out var types))
        {
            _facts[ServiceFacts.VncSecurity] = string.Join(',', types);
            if (types.Contains("none"))
            {
                _facts[ServiceFacts.Auth] = "none";
            }
        }
    }
}
