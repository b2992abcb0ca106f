using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace PortAtlas.Detection.Tls;

/// <summary>Settings of <see cref="TlsScanner"/>.</summary>
public sealed record TlsScanOptions
{
    /// <summary>Name sent as SNI and matched against the certificate; null sends none and matches the address.</summary>
    public string? ServerName { get; init; }
    /// <summary>The plaintext upgrade to run first (smtp, imap, pop3, ftp, ldap, postgresql, mysql, xmpp); null for TLS from the first byte.</summary>
    public string? StartTls { get; init; }
    /// <summary>Enumerate every accepted suite per version (in the server's order) and every group; default false.</summary>
    public bool EnumerateCiphers { get; init; }
    /// <summary>Ask for the HTTP Strict-Transport-Security header (for HTTP services); default false.</summary>
    public bool CheckHsts { get; init; }
    /// <summary>Trust anchors replacing the system store (<c>--ca-file</c>); null uses the system store.</summary>
    public X509Certificate2Collection? TrustAnchors { get; init; }
    /// <summary>Time for one connection and its exchange. Default 3 s.</summary>
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Budget for the whole port; what was learnt when it runs out is the result. Default 20 s.</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>Hellos in flight at once against one port. Default 6; 1 to 32.</summary>
    public int Parallelism { get; init; } = 6;
    /// <summary>Clock for expiry and timeouts.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// Finds what a TLS server accepts by sending ClientHellos of our own (<see cref="TlsHello"/>) and reading the
/// plaintext part of each answer (<see cref="TlsServerFlight"/>): versions SSLv3 to TLS 1.3, weak suite classes,
/// forward secrecy, DH size, fallback protection, renegotiation, compression, OCSP stapling, ALPN, and the chain as
/// sent, validated and matched against the name scanned. Hellos run in parallel within a budget per port.
/// </summary>
public static class TlsScanner
{
    /// <summary>Scans one port; never throws for network trouble (what was learnt is returned).</summary>
    public static async Task<TlsInfo> ScanAsync(IPEndPoint endpoint, TlsScanOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        // The timer runs on the options' clock; the linked source adds the caller's token.
        using var timer = new CancellationTokenSource(options.Budget, options.Time);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        var run = new Run(endpoint, options, budget.Token);
        try
        {
            return await run.ScanAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return run.Partial();
        }
    }

    private sealed class Run(IPEndPoint endpoint, TlsScanOptions options, CancellationToken ct)
    {
        private readonly SemaphoreSlim _gate = new(Math.Clamp(options.Parallelism, 1, 32));
        private readonly List<TlsVersion> _accepted = [];
        private TlsServerFlight? _fullFlight;
        private volatile bool _upgradeRefused;
        private Task<TlsServerFlight?>? _refusal;
        private TlsVersion _fullFlightVersion;

        public TlsInfo Partial() => new() { AcceptedVersions = [.. _accepted.Order().Select(v => v.ToName())] };

        public async Task<TlsInfo> ScanAsync()
        {
            // How this server says no: a hello offering only a GREASE suite (RFC 8701), which no server may choose. Some
            // (Dovecot) hang up without an alert; knowing it keeps the enumeration from reading every such hang-up as a
            // pick the server could not complete.
            _refusal = HelloAsync(new TlsHelloSpec { Version = TlsVersion.Tls12, CipherSuites = [0x0A0A], ServerName = options.ServerName }, full: false);

            // 1. Versions, each offered alone with every suite it can carry.
            var versionTasks = TlsVersionNames.All.Select(v => (v, HelloAsync(new TlsHelloSpec { Version = v, CipherSuites = Codes(TlsCipherSuite.For(v)), ServerName = options.ServerName, KeyShares = [0x001D, 0x0017] }, full: v != TlsVersion.Tls13))).ToList();
            foreach (var (version, task) in versionTasks)
            {
                var flight = await task.ConfigureAwait(false);
                if (flight is { HasServerHello: true } && (flight.Version == version || (version == TlsVersion.Tls13 && flight.HelloRetry && flight.Version == TlsVersion.Tls13)))
                {
                    _accepted.Add(version);
                    if (version != TlsVersion.Tls13 && version >= _fullFlightVersion && flight.Certificates.Count > 0)
                    {
                        _fullFlight = flight;
                        _fullFlightVersion = version;
                    }
                }
            }
            if (_accepted.Count == 0)
            {
                return new TlsInfo();
            }
            var legacy = _accepted.Where(v => v != TlsVersion.Tls13).ToList();
            var top = legacy.Count > 0 ? legacy.Max() : (TlsVersion?)null;

            // 3 first. The full enumeration is the long pole (chains of hellos): its chains start now, and the single
            // hellos of step 2 fill the gaps beside them under the same bound.
            var versions = _accepted.Order().ToList();
            var enumerations = options.EnumerateCiphers ? versions.Select(EnumerateAsync).ToList() : [];
            var groupTask = options.EnumerateCiphers ? GroupsAsync(versions) : Task.FromResult(new List<string>());

            // 2. Weak classes per legacy version, forward secrecy, DH size, compression, fallback, ALPN: all at once.
            var weakTasks = new List<(TlsVersion Version, Task<TlsServerFlight?> Task)>();
            foreach (var version in legacy)
            {
                foreach (var group in WeakClasses(version))
                {
                    weakTasks.Add((version, HelloAsync(new TlsHelloSpec { Version = version, CipherSuites = group, ServerName = options.ServerName }, full: false)));
                }
            }
            Task<TlsServerFlight?>? fsTask = null, dheTask = null, compressionTask = null, fallbackTask = null;
            if (top is TlsVersion t)
            {
                fsTask = HelloAsync(new TlsHelloSpec { Version = t, CipherSuites = Codes(TlsCipherSuite.For(t).Where(s => s.HasForwardSecrecy && !s.IsAnonymous)), ServerName = options.ServerName }, full: false);
                dheTask = HelloAsync(new TlsHelloSpec { Version = t, CipherSuites = Codes(TlsCipherSuite.For(t).Where(s => s.IsDhe && !s.IsAnonymous)), ServerName = options.ServerName }, full: true);
                compressionTask = HelloAsync(new TlsHelloSpec { Version = t, CipherSuites = Codes(TlsCipherSuite.For(t)), ServerName = options.ServerName, OfferCompression = true }, full: false);
            }
            if (versions.Count >= 2)
            {
                // Offer the second-best version with the fallback signal: a protected server refuses it (RFC 7507 section 3).
                var lower = versions[^2];
                fallbackTask = HelloAsync(new TlsHelloSpec { Version = lower, CipherSuites = Codes(TlsCipherSuite.For(lower)), ServerName = options.ServerName, FallbackScsv = true }, full: false);
            }
            var alpnTasks = top is TlsVersion a
                ? new[] { "h2", "http/1.1" }.Select(p => (p, HelloAsync(new TlsHelloSpec { Version = a, CipherSuites = Codes(TlsCipherSuite.For(a)), ServerName = options.ServerName, Alpn = [p] }, full: false))).ToList()
                : [];

            var weak = new List<string>();
            foreach (var (version, task) in weakTasks)
            {
                if (await task.ConfigureAwait(false) is { HasServerHello: true } f && f.Version == version)
                {
                    weak.Add(version.ToName() + " " + TlsCipherSuite.ForCode(f.CipherSuite).Name);
                }
            }
            bool? forwardSecrecy = _accepted.Contains(TlsVersion.Tls13) ? true : null;
            if (fsTask is not null)
            {
                forwardSecrecy = (forwardSecrecy ?? false) || (await fsTask.ConfigureAwait(false) is { HasServerHello: true } fs && TlsCipherSuite.ForCode(fs.CipherSuite).HasForwardSecrecy);
            }
            int? dhBits = dheTask is null ? null : (await dheTask.ConfigureAwait(false))?.DhBits;
            bool? compression = compressionTask is null ? null : (await compressionTask.ConfigureAwait(false)) is { HasServerHello: true } c ? c.Compression != 0 : null;
            bool? fallback = null;
            if (fallbackTask is not null && await fallbackTask.ConfigureAwait(false) is { } fb)
            {
                fallback = fb.Alert is { Description: 86 } ? true : fb.HasServerHello ? false : null;
            }
            var alpn = new List<string>();
            foreach (var (protocol, task) in alpnTasks)
            {
                if (await task.ConfigureAwait(false) is { Alpn: string chosen } && chosen == protocol)
                {
                    alpn.Add(protocol);
                }
            }

            // 3. Full enumeration on request.
            var lists = new List<TlsCipherList>();
            var groups = new List<string>();
            foreach (var e in enumerations)
            {
                if (await e.ConfigureAwait(false) is { } list)
                {
                    lists.Add(list);
                }
            }
            groups.AddRange(await groupTask.ConfigureAwait(false));

            // 4. The chain: from the plaintext Certificate message, or through SslStream when only TLS 1.3 is spoken.
            var certificates = _fullFlight?.Certificates.Select(d => X509CertificateLoader.LoadCertificate(d)).ToList() ?? [];
            bool? hsts = null;
            if (certificates.Count == 0 || options.CheckHsts)
            {
                var (sent, header) = await SslStreamAsync(certificates.Count == 0).ConfigureAwait(false);
                if (certificates.Count == 0)
                {
                    certificates = sent;
                }
                else
                {
                    sent.ForEach(c => c.Dispose());
                }
                hsts = header;
            }
            try
            {
                var now = options.Time.GetUtcNow();
                var info = certificates.Count > 0 ? TlsInspector.Describe(certificates[0], now) : new TlsInfo();
                var (trusted, problem) = certificates.Count > 0 ? Validate(certificates, now) : (null, null);
                return info with
                {
                    Protocol = info.Protocol ?? versions[^1].ToName(),
                    AcceptedVersions = [.. versions.Select(v => v.ToName())],
                    CipherSuites = lists,
                    WeakSuites = weak,
                    Groups = groups,
                    ForwardSecrecy = forwardSecrecy,
                    DhBits = dhBits,
                    FallbackScsv = fallback,
                    SecureRenegotiation = _fullFlight?.SecureRenegotiation,
                    Compression = compression,
                    OcspStapling = _fullFlight?.OcspStapled,
                    AlpnProtocols = alpn,
                    Chain = [.. certificates.Select((c, i) => Summary(i == 0 ? info : TlsInspector.Describe(c, now)))],
                    ServerName = options.ServerName,
                    Trusted = trusted,
                    TrustProblem = problem,
                    NameMatches = certificates.Count > 0 ? NameMatches(certificates[0]) : null,
                    CertificateTransparency = certificates.Count > 0 ? HasScts(certificates[0]) || _fullFlight?.SctExtension == true : null,
                    Hsts = hsts,
                };
            }
            finally
            {
                certificates.ForEach(c => c.Dispose());
            }
        }

        // One hello per weakness class, so each accepted weak suite is named with its class.
        private static IEnumerable<ushort[]> WeakClasses(TlsVersion version)
        {
            var suites = TlsCipherSuite.For(version);
            yield return Codes(suites.Where(s => s.IsNull));
            yield return Codes(suites.Where(s => s.IsExport));
            yield return Codes(suites.Where(s => s.IsAnonymous && !s.IsNull && !s.IsExport));
            yield return Codes(suites.Where(s => s.IsRc4 && !s.IsAnonymous && !s.IsExport));
            yield return Codes(suites.Where(s => s.IsDes && !s.IsAnonymous && !s.IsExport));
        }

        /// <summary>
        /// Every suite the server accepts with <paramref name="version"/>. The whole list offered forwards and backwards
        /// (two hellos side by side) tells whose order the server follows. A server that follows ours is enumerated in
        /// chunks, the chunks in parallel, and reported in our order; a server with its own order is enumerated in one
        /// chain (offer the rest, take its pick out), which yields that order as it goes.
        /// </summary>
        private async Task<TlsCipherList?> EnumerateAsync(TlsVersion version)
        {
            var all = Codes(TlsCipherSuite.For(version)).ToList();
            var forwardTask = HelloAsync(EnumSpec(version, all), full: false);
            var backwardTask = HelloAsync(EnumSpec(version, [.. Enumerable.Reverse(all)]), full: false);
            var forward = await forwardTask.ConfigureAwait(false);
            var backward = await backwardTask.ConfigureAwait(false);
            if (forward is { HasServerHello: false, Alert: not null } && backward is { HasServerHello: false, Alert: not null })
            {
                return null; // refused everything with this version
            }
            bool? serverOrder = forward is { HasServerHello: true } && forward.Version == version && backward is { HasServerHello: true } && backward.Version == version
                ? forward.CipherSuite == backward.CipherSuite
                : null;
            var found = new List<ushort>();
            if (serverOrder == false)
            {
                var size = Math.Max(8, (all.Count + options.Parallelism - 1) / Math.Max(1, options.Parallelism));
                var chunks = all.Chunk(size).Select(c => (Remaining: c.ToList(), Found: new List<ushort>())).ToList();
                await Task.WhenAll(chunks.Select(c => CollectAsync(version, c.Remaining, c.Found, depth: 0))).ConfigureAwait(false);
                found.AddRange(chunks.SelectMany(c => c.Found).OrderBy(all.IndexOf));
            }
            else
            {
                var remaining = all;
                if (serverOrder == true && remaining.Remove(forward!.CipherSuite))
                {
                    found.Add(forward.CipherSuite); // the first pick is already known
                }
                await CollectAsync(version, remaining, found, depth: 0).ConfigureAwait(false);
            }
            if (found.Count == 0)
            {
                return null;
            }
            if (found.Count < 2)
            {
                serverOrder = null;
            }
            else if (serverOrder is null)
            {
                // Offer the server's first two choices the other way round: a server that keeps its choice has its own order.
                var flight = await HelloAsync(EnumSpec(version, [found[1], found[0]]), full: false).ConfigureAwait(false);
                serverOrder = flight is { HasServerHello: true } ? flight.CipherSuite == found[0] : null;
            }
            return new TlsCipherList { Version = version.ToName(), ServerOrder = serverOrder, Suites = [.. found.Select(c => TlsCipherSuite.ForCode(c).Name)] };
        }

        private TlsHelloSpec EnumSpec(TlsVersion version, List<ushort> suites) =>
            new() { Version = version, CipherSuites = suites, ServerName = options.ServerName, KeyShares = [0x001D, 0x0017] };

        /// <summary>
        /// Offers <paramref name="remaining"/> and takes the server's pick out until it refuses. A server that hangs up
        /// without an alert usually chose a suite it cannot complete (DHE without parameters, a key it lacks): the list
        /// is then split in halves, each enumerated alone, which isolates the suite that breaks it.
        /// </summary>
        private async Task CollectAsync(TlsVersion version, List<ushort> remaining, List<ushort> found, int depth)
        {
            while (remaining.Count > 0 && !ct.IsCancellationRequested)
            {
                var spec = new TlsHelloSpec { Version = version, CipherSuites = remaining, ServerName = options.ServerName, KeyShares = [0x001D, 0x0017] };
                var flight = await HelloAsync(spec, full: false).ConfigureAwait(false);
                if (flight is { HasServerHello: true } && flight.Version == version && remaining.Remove(flight.CipherSuite))
                {
                    found.Add(flight.CipherSuite);
                    continue;
                }
                if (flight is { Alert: not null } || flight?.HasServerHello == true || remaining.Count == 1 || depth >= 12)
                {
                    return; // refused: nothing left that the server accepts with this version
                }
                // DHE is the usual cause: a server whose DHE pick ends in silence cannot complete DHE at all, so the
                // DHE suites are tried together once and the rest goes on; anything else is halved.
                var dhe = remaining.Where(c => TlsCipherSuite.ForCode(c).IsDhe).ToList();
                if (dhe.Count > 0 && dhe.Count < remaining.Count)
                {
                    await CollectAsync(version, [.. remaining.Except(dhe)], found, depth + 1).ConfigureAwait(false);
                    await CollectAsync(version, dhe, found, depth: 12).ConfigureAwait(false);
                    return;
                }
                if (await RefusesThisWayAsync(flight).ConfigureAwait(false))
                {
                    return; // the server refuses every hello like this: halving would only hear the same refusal ~2n times
                }
                var half = remaining.Count / 2;
                await CollectAsync(version, remaining[..half], found, depth + 1).ConfigureAwait(false);
                await CollectAsync(version, remaining[half..], found, depth + 1).ConfigureAwait(false);
                return;
            }
        }

        /// <summary>True when <paramref name="flight"/> (no ServerHello, no alert) looks like the server's plain refusal.</summary>
        private async Task<bool> RefusesThisWayAsync(TlsServerFlight? flight)
        {
            var refusal = _refusal is null ? null : await _refusal.ConfigureAwait(false);
            return refusal is { HasServerHello: false, Alert: null } ? flight is not null : refusal is null && flight is null;
        }

        private async Task<List<string>> GroupsAsync(List<TlsVersion> versions)
        {
            var accepted = new List<string>();
            var tls13 = versions.Contains(TlsVersion.Tls13);
            if (!tls13 && !versions.Contains(TlsVersion.Tls12))
            {
                return accepted;
            }
            var tasks = TlsGroups.All
                .Where(g => tls13 || g.Code < 0x0100 && g.Code != 0x11EC)
                .Select(g => (g.Name, g.Code, Task: tls13
                    // An empty key_share list makes the server name its group in a HelloRetryRequest (RFC 8446 section 4.1.4).
                    ? HelloAsync(new TlsHelloSpec { Version = TlsVersion.Tls13, CipherSuites = Codes(TlsCipherSuite.For(TlsVersion.Tls13)), ServerName = options.ServerName, Groups = [g.Code], KeyShares = [] }, full: false)
                    : HelloAsync(new TlsHelloSpec { Version = TlsVersion.Tls12, CipherSuites = Codes(TlsCipherSuite.For(TlsVersion.Tls12).Where(s => s.Name.StartsWith("TLS_ECDHE_", StringComparison.Ordinal))), ServerName = options.ServerName, Groups = [g.Code] }, full: true)))
                .ToList();
            foreach (var (name, code, task) in tasks)
            {
                var flight = await task.ConfigureAwait(false);
                if (flight is { HasServerHello: true } && (flight.Group == code || (!tls13 && flight.Group is null && flight.HasServerHello)))
                {
                    accepted.Add(name);
                }
            }
            return accepted;
        }

        /// <summary>One connection, one hello, the plaintext answer; null when the connection or upgrade failed.</summary>
        private async Task<TlsServerFlight?> HelloAsync(TlsHelloSpec spec, bool full)
        {
            if (spec.CipherSuites.Count == 0 || _upgradeRefused)
            {
                return null; // nothing to offer, or the server said no to STARTTLS: it will say no again
            }
            await _gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                using var timer = new CancellationTokenSource(options.HelloTimeout, options.Time);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
                var started = options.Time.GetTimestamp();
                using var stream = await ConnectAsync(timeout.Token).ConfigureAwait(false);
                if (stream is null)
                {
                    return null;
                }
                // A server that answers does so within a few round trips of its connect (and of the upgrade, if any):
                // waiting the whole hello timeout for one that stays silent would spend the port's budget on silence.
                var setup = options.Time.GetElapsedTime(started);
                timer.CancelAfter(TimeSpan.FromTicks(Math.Clamp((setup * 10).Ticks + TimeSpan.FromMilliseconds(700).Ticks, TimeSpan.FromSeconds(1).Ticks, options.HelloTimeout.Ticks)));
                await stream.WriteAsync(TlsHello.Build(spec), timeout.Token).ConfigureAwait(false);
                var flight = new TlsServerFlight();
                var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(32 * 1024);
                try
                {
                    var filled = 0;
                    while (!flight.Complete)
                    {
                        if (filled == buffer.Length)
                        {
                            break; // one record never exceeds 18 KiB; a full buffer means garbage
                        }
                        var n = await stream.ReadAsync(buffer.AsMemory(filled), timeout.Token).ConfigureAwait(false);
                        if (n == 0)
                        {
                            break;
                        }
                        filled += n;
                        var used = flight.Feed(buffer.AsSpan(0, filled));
                        buffer.AsSpan(used, filled - used).CopyTo(buffer);
                        filled -= used;
                        if (!full && flight.HasServerHello)
                        {
                            break;
                        }
                    }
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    // A reset or silence ends the answer: what was read stands.
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                }
                return flight;
            }
            catch (Exception e) when (e is IOException or SocketException || e is OperationCanceledException && !ct.IsCancellationRequested)
            {
                return null;
            }
            finally
            {
                _gate.Release();
            }
        }

        private async Task<NetworkStream?> ConnectAsync(CancellationToken token)
        {
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint, token).ConfigureAwait(false);
                var stream = new NetworkStream(socket, ownsSocket: true);
                if (options.StartTls is string protocol
                    && !await StartTlsPreamble.RunAsync(protocol, stream, options.ServerName, endpoint.Address.ToString(), token).ConfigureAwait(false))
                {
                    _upgradeRefused = true;
                    await stream.DisposeAsync().ConfigureAwait(false);
                    return null;
                }
                return stream;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        // TLS 1.3 hides the certificate: a real handshake through SslStream fetches it (and an HTTP answer for HSTS).
        private async Task<(List<X509Certificate2> Certificates, bool? Hsts)> SslStreamAsync(bool wantCertificates)
        {
            var certificates = new List<X509Certificate2>();
            bool? hsts = null;
            await _gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                using var timer = new CancellationTokenSource(options.HelloTimeout * 2, options.Time);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
                using var stream = await ConnectAsync(timeout.Token).ConfigureAwait(false);
                if (stream is null)
                {
                    return (certificates, null);
                }
                var sslOptions = new SslClientAuthenticationOptions
                {
                    TargetHost = options.ServerName is { } sni && !IPAddress.TryParse(sni, out _) ? sni : "",
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    ApplicationProtocols = options.CheckHsts ? [SslApplicationProtocol.Http11] : null,
                    RemoteCertificateValidationCallback = (_, leaf, chain, _) =>
                    {
                        if (wantCertificates && leaf is not null)
                        {
                            certificates.Add(X509CertificateLoader.LoadCertificate(leaf.GetRawCertData()));
                            foreach (var extra in chain?.ChainPolicy.ExtraStore ?? [])
                            {
                                if (!extra.RawDataMemory.Span.SequenceEqual(leaf.GetRawCertData()))
                                {
                                    certificates.Add(X509CertificateLoader.LoadCertificate(extra.RawData));
                                }
                            }
                        }
                        return true;
                    },
                };
                using var tls = new SslStream(stream);
                await tls.AuthenticateAsClientAsync(sslOptions, timeout.Token).ConfigureAwait(false);
                if (options.CheckHsts)
                {
                    // The answer's head is all we need: give it one hello's time, not the handshake's double.
                    timer.CancelAfter(options.HelloTimeout);
                    var host = options.ServerName ?? (endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString());
                    await tls.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: PortAtlas\r\nAccept: */*\r\nConnection: close\r\n\r\n"), timeout.Token).ConfigureAwait(false);
                    var head = new byte[16 * 1024];
                    var filled = 0;
                    while (filled < head.Length)
                    {
                        var n = await tls.ReadAsync(head.AsMemory(filled), timeout.Token).ConfigureAwait(false);
                        if (n == 0)
                        {
                            break;
                        }
                        filled += n;
                        if (head.AsSpan(0, filled).IndexOf("\r\n\r\n"u8) >= 0)
                        {
                            break;
                        }
                    }
                    var text = System.Text.Encoding.Latin1.GetString(head, 0, filled);
                    if (text.StartsWith("HTTP/", StringComparison.Ordinal))
                    {
                        hsts = text.Contains("\nstrict-transport-security:", StringComparison.OrdinalIgnoreCase);
                    }
                }
            }
            catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException || e is OperationCanceledException && !ct.IsCancellationRequested)
            {
                // What was captured before the failure stands.
            }
            finally
            {
                _gate.Release();
            }
            return (certificates, hsts);
        }

        private (bool? Trusted, string? Problem) Validate(List<X509Certificate2> certificates, DateTimeOffset now)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            chain.ChainPolicy.DisableCertificateDownloads = true; // no packets beyond the target
            chain.ChainPolicy.ExtraStore.AddRange(certificates.Skip(1).ToArray());
            if (options.TrustAnchors is { Count: > 0 } anchors)
            {
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
            }
            try
            {
                if (chain.Build(certificates[0]))
                {
                    return (true, null);
                }
                var problems = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct().Select(Describe);
                return (false, string.Join("; ", problems));
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                return (false, e.Message);
            }
        }

        private static string Describe(X509ChainStatusFlags flag) => flag switch
        {
            X509ChainStatusFlags.UntrustedRoot => "self-signed or unknown root",
            X509ChainStatusFlags.PartialChain => "issuer not found (incomplete chain)",
            X509ChainStatusFlags.NotTimeValid => "outside its validity period",
            X509ChainStatusFlags.NotSignatureValid => "bad signature",
            X509ChainStatusFlags.Revoked => "revoked",
            _ => flag.ToString(),
        };

        private bool NameMatches(X509Certificate2 leaf)
        {
            var name = options.ServerName ?? endpoint.Address.ToString();
            try
            {
                return leaf.MatchesHostname(name);
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        // Embedded SCT list, OID 1.3.6.1.4.1.11129.2.4.2 (RFC 6962 section 3.3).
        private static bool HasScts(X509Certificate2 leaf) =>
            leaf.Extensions.Any(e => e.Oid?.Value == "1.3.6.1.4.1.11129.2.4.2");

        // The leaf is described once, for TlsInfo itself; the chain reuses that description.
        private static TlsCertificate Summary(TlsInfo info) =>
            new TlsCertificate
            {
                Subject = info.Subject,
                Issuer = info.Issuer,
                NotAfter = info.NotAfter,
                KeyType = info.KeyType,
                KeyBits = info.KeyBits,
                SignatureAlgorithm = info.SignatureAlgorithm,
                Sha256 = info.CertificateSha256,
            };
    }

    private static ushort[] Codes(IEnumerable<TlsCipherSuite> suites) => [.. suites.Select(s => s.Code)];
}
