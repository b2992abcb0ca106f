using System.Net;
using PortAtlas.Registry;
using PortAtlas.Scanning;

namespace PortAtlas.Detection;

/// <summary>
/// Detection on one TCP port: connect, wait for a banner, then probe by port hint and usefulness, TLS included,
/// until a hard match or the port's budget runs out. One instance per port; not thread-safe.
/// </summary>
internal sealed partial class DetectionSession
{
    private static readonly TimeSpan s_minShortWait = TimeSpan.FromMilliseconds(150);

    private readonly IPEndPoint _endpoint;
    private readonly DetectionOptions _options;
    private readonly TimeProvider _time;
    private readonly SignatureDatabase _signatures;
    private readonly string? _hint;
    private readonly ProbePlan _plan;

    private bool _connected;
    private TimeSpan _rtt;
    private int _probesSent;
    private ServiceInfo? _soft;
    private TlsInfo? _tls;
    private byte[]? _firstAnswer;
    private string? _startTls;
    private bool _hungUp;
    private ServiceInfo? _generic;
    private readonly List<(string Probe, byte[] Head)> _answers = [];

    public DetectionSession(IPEndPoint endpoint, DetectionOptions options, TimeProvider time, SignatureDatabase signatures, PortRegistry registry)
    {
        _endpoint = endpoint;
        _options = options;
        _time = time;
        _signatures = signatures;
        var name = registry.Explain(endpoint.Port, Transport.Tcp)?.Name;
        _hint = string.IsNullOrEmpty(name) ? null : name;
        _plan = ServiceProbes.PlanFor(_hint);
    }

    /// <summary>The registry name of the port, the hint the plan was chosen by.</summary>
    public string? Hint => _hint;

    /// <summary>
    /// The service, or null when the port could not be connected to. A port that answered but matched nothing
    /// gets its registry name (Method "registry") and the evidence seen.
    /// </summary>
    public async Task<ServiceInfo?> RunAsync(CancellationToken cancellationToken)
    {
        using var budget = new CancellationTokenSource(_options.PortTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        using var answer = new AnswerBuffer(_options.MaxResponseBytes);
        try
        {
            if (await ProbeAsync(answer, linked.Token).ConfigureAwait(false) is ServiceInfo found)
            {
                return found;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The port's budget ran out: the best guess so far is the result.
        }
        return Fallback();
    }

    private TimeSpan IdleGap => Max(_options.IdleGap, _rtt * 2);

    private async Task<ServiceInfo?> ProbeAsync(AnswerBuffer answer, CancellationToken ct)
    {
        var connection = await ConnectAsync(ct).ConfigureAwait(false);
        if (connection is null)
        {
            return null;
        }
        _rtt = connection.ConnectTime;
        try
        {
            // Known talkers get the full wait; client-first services a few round trips; the rest (unknown ports) a
            // second or ten round trips, since services that speak first do so as soon as they accept.
            var bannerWait = _plan.ClientFirst ? Clamp((_rtt * 4) + TimeSpan.FromMilliseconds(100), s_minShortWait, _options.ShortBannerWait)
                : _plan.ServerFirst ? _options.BannerWait
                : Min(_options.BannerWait, Max(TimeSpan.FromSeconds(1), _rtt * 10));
            var bannerEnd = await connection.ReadAnswerAsync(answer, bannerWait, IdleGap, _options.ProbeTimeout, Framings.Banner, ct).ConfigureAwait(false);
            _hungUp |= bannerEnd == ReadEnd.Closed && answer.Length == 0;
            var triedTls = false;
            if (answer.Length > 0)
            {
                if (answer.Span[0] == 0xFF)
                {
                    await NegotiateTelnetAsync(connection, answer, ct).ConfigureAwait(false);
                }
                if (await ConcludeAsync(ServiceProbes.Banner, answer, connection, tls: null, ct).ConfigureAwait(false) is ServiceInfo info)
                {
                    return info;
                }
                await connection.DisposeAsync().ConfigureAwait(false);
                connection = null;
            }
            else if (_plan.TlsFirst && _options.InspectTls)
            {
                triedTls = true;
                _probesSent++;
                var (up, info) = await TlsAsync(connection, answer, ct).ConfigureAwait(false);
                connection = null;
                if (up || info is not null)
                {
                    return info;
                }
            }

            // A soft match narrows probing to the service it named; otherwise the hinted probes, then the general ones.
            var queue = new Queue<string>((_soft is not null ? Narrowed() : _plan.Probes.Concat(ServiceProbes.General)).Distinct(StringComparer.Ordinal));
            var tried = new HashSet<string>(StringComparer.Ordinal);
            while (queue.TryDequeue(out var name) && _probesSent < _options.MaxProbes)
            {
                if (!tried.Add(name) || (name == ServiceProbes.Tls && (triedTls || !_options.InspectTls)))
                {
                    continue;
                }
                var hinted = _plan.Probes.Contains(name);
                var hadSoft = _soft is not null;
                ServiceInfo? info;
                if (CanRunInParallel(name, hinted) && _options.ParallelProbes > 1)
                {
                    // Unhinted single-message probes go a few at a time, each on its own connection.
                    var batch = new List<string>(_options.ParallelProbes) { name };
                    while (batch.Count < _options.ParallelProbes && _probesSent + batch.Count < _options.MaxProbes
                        && queue.TryPeek(out var next) && CanRunInParallel(next, _plan.Probes.Contains(next)))
                    {
                        queue.Dequeue();
                        if (tried.Add(next))
                        {
                            batch.Add(next);
                        }
                    }
                    if (connection is not null)
                    {
                        await connection.DisposeAsync().ConfigureAwait(false);
                        connection = null;
                    }
                    _probesSent += batch.Count;
                    info = await ProbeInParallelAsync(batch, ct).ConfigureAwait(false);
                    if (info is not null)
                    {
                        return info;
                    }
                    if (!hadSoft && _soft is not null)
                    {
                        queue = new Queue<string>(Narrowed());
                    }
                    continue;
                }
                _probesSent++;
                connection ??= await ConnectAsync(ct).ConfigureAwait(false);
                if (connection is null)
                {
                    break;
                }
                if (name == ServiceProbes.Tls)
                {
                    triedTls = true;
                    (var up, info) = await TlsAsync(connection, answer, ct).ConfigureAwait(false);
                    connection = null;
                    if (up)
                    {
                        return info;
                    }
                }
                else if (name == ServiceProbes.Postgres)
                {
                    info = await PostgresAsync(connection, answer, hinted, ct).ConfigureAwait(false);
                    connection = null;
                }
                else
                {
                    info = await SendProbeAsync(name, connection, answer, tls: null, hinted, ct).ConfigureAwait(false);
                }
                if (info is not null)
                {
                    return info;
                }
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    connection = null;
                }
                if (!hadSoft && _soft is not null)
                {
                    queue = new Queue<string>(Narrowed());
                }
            }
            return null;
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>After a soft match: the hinted probes and the one probe that can confirm the soft match's service.</summary>
    private IEnumerable<string> Narrowed() =>
        ServiceProbes.ProbeFor(_soft!.Name) is string confirm ? _plan.Probes.Append(confirm) : _plan.Probes;

    private bool CanRunInParallel(string name, bool hinted) =>
        !hinted && _soft is null && !ServiceProbes.IsDialog(name) && ServiceProbes.Get(name) is not null;

    /// <summary>
    /// Sends each probe on a connection of its own, all at once, then matches the answers in the batch's order
    /// (the order of usefulness), so the result does not depend on which answer came first.
    /// </summary>
    private async Task<ServiceInfo?> ProbeInParallelAsync(List<string> batch, CancellationToken ct)
    {
        var fetches = new Task<ParallelAnswer>[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            fetches[i] = FetchAsync(batch[i], ct);
        }
        ParallelAnswer[] answers;
        try
        {
            answers = await Task.WhenAll(fetches).ConfigureAwait(false);
        }
        catch
        {
            // Cancelled (budget or caller): release what the others opened, then let the cancellation through.
            foreach (var fetch in fetches)
            {
                if (fetch.IsCompletedSuccessfully)
                {
                    await (await fetch.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
                }
            }
            throw;
        }
        try
        {
            foreach (var a in answers)
            {
                _connected |= a.Connection is not null || a.HungUp;
                _hungUp |= a.HungUp;
            }
            foreach (var a in answers)
            {
                if (a.Answer is { Length: > 0 } && await ConcludeAsync(a.Name, a.Answer, a.Connection, null, ct, a.Sent).ConfigureAwait(false) is ServiceInfo info)
                {
                    return info;
                }
            }
            return null;
        }
        finally
        {
            foreach (var a in answers)
            {
                await a.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<ParallelAnswer> FetchAsync(string name, CancellationToken ct)
    {
        var probe = ServiceProbes.Get(name)!;
        var (connection, hungUp) = await ProbeConnection.ConnectAsync(_endpoint, _options.ConnectTimeout, _time, ct).ConfigureAwait(false);
        var result = new ParallelAnswer(name, connection, hungUp, null, null);
        if (connection is null)
        {
            return result;
        }
        var answer = new AnswerBuffer(_options.MaxResponseBytes);
        result = result with { Answer = answer };
        try
        {
            var sent = probe.Payload(_endpoint);
            result = result with { Sent = sent };
            if (await connection.SendAsync(sent, ct).ConfigureAwait(false))
            {
                await connection.ReadAnswerAsync(answer, ProbeWait(false), IdleGap, _options.ProbeTimeout, probe.Framing, ct).ConfigureAwait(false);
            }
            return result;
        }
        catch
        {
            await result.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>One probe's connection and answer from a parallel batch; disposing releases both.</summary>
    private sealed record ParallelAnswer(string Name, ProbeConnection? Connection, bool HungUp, AnswerBuffer? Answer, byte[]? Sent) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Answer?.Dispose();
            if (Connection is not null)
            {
                await Connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// First-byte wait for a probe: the full <see cref="DetectionOptions.ProbeTimeout"/> for probes the port's hint
    /// asked for; for the general ones, which mostly meet a service that will not answer them, a few round trips
    /// (at least 1 s).
    /// </summary>
    private TimeSpan ProbeWait(bool hinted) =>
        hinted ? _options.ProbeTimeout : Min(_options.ProbeTimeout, Max(TimeSpan.FromSeconds(1), _rtt * 8));

    private async Task<ProbeConnection?> ConnectAsync(CancellationToken ct)
    {
        var (connection, hungUp) = await ProbeConnection.ConnectAsync(_endpoint, _options.ConnectTimeout, _time, ct).ConfigureAwait(false);
        _connected |= connection is not null || hungUp;
        _hungUp |= hungUp;
        return connection;
    }

    /// <summary>Sends one probe and matches the answer; the connection stays open for a STARTTLS check.</summary>
    private async Task<ServiceInfo?> SendProbeAsync(string name, ProbeConnection connection, AnswerBuffer answer, TlsInfo? tls, bool hinted, CancellationToken ct)
    {
        var probe = ServiceProbes.Get(name);
        if (probe is null)
        {
            return null;
        }
        answer.Clear();
        var sent = probe.Payload(_endpoint);
        if (!await connection.SendAsync(sent, ct).ConfigureAwait(false))
        {
            return null;
        }
        await connection.ReadAnswerAsync(answer, ProbeWait(hinted), probe.Patient ? _options.ProbeTimeout : IdleGap, Patient(probe), probe.Framing, ct).ConfigureAwait(false);
        return await ConcludeAsync(name, answer, connection, tls, ct, sent).ConfigureAwait(false);
    }

    /// <summary>Longest read of one answer: twice the probe timeout for a patient probe, else the probe timeout.</summary>
    private TimeSpan Patient(ServiceProbe probe) => probe.Patient ? _options.ProbeTimeout * 2 : _options.ProbeTimeout;

    /// <summary>
    /// Handshakes TLS on a fresh connection (consumed), then probes inside. Up is true when the handshake succeeded;
    /// the info is then the best identification, at least the TLS facts.
    /// </summary>
    private async Task<(bool Up, ServiceInfo? Info)> TlsAsync(ProbeConnection connection, AnswerBuffer answer, CancellationToken ct)
    {
        var inner = ServiceProbes.InnerFor(_plan);
        var offerHttp = inner.Probes.Contains("http-get");
        try
        {
            answer.Clear();
            // A TLS port answers a ClientHello within a round trip or two; a plain service often waits for a line
            // end that never comes, so an unhinted attempt gets a shorter wait.
            var handshakeWait = _plan.TlsFirst ? _options.TlsHandshakeTimeout : Min(_options.TlsHandshakeTimeout, Max(TimeSpan.FromSeconds(1.5), _rtt * 8));
            var (ok, early) = await connection.StartTlsAsync(TlsInspector.ClientOptions(null, offerHttp), handshakeWait, answer, ct).ConfigureAwait(false);
            if (!ok)
            {
                // A service that spoke late (after the banner wait) is still identified by what it said.
                return (false, early > 0 ? await ConcludeAsync(ServiceProbes.Banner, answer, null, null, ct).ConfigureAwait(false) : null);
            }
            _tls = TlsInspector.Describe(connection.Tls!, _time.GetUtcNow());

            var wait = inner.ClientFirst ? Clamp((_rtt * 4) + TimeSpan.FromMilliseconds(100), s_minShortWait, _options.ShortBannerWait) : Min(_options.BannerWait, TimeSpan.FromSeconds(1));
            answer.Clear();
            await connection.ReadAnswerAsync(answer, wait, IdleGap, _options.ProbeTimeout, Framings.Banner, ct).ConfigureAwait(false);
            if (answer.Length > 0)
            {
                return (true, await ConcludeAsync(ServiceProbes.Banner, answer, connection, _tls, ct).ConfigureAwait(false) ?? Fallback());
            }
            var probes = inner.Probes.Count > 0 ? inner.Probes : ["http-get"];
            var first = true;
            foreach (var name in probes)
            {
                if (!first)
                {
                    if (_probesSent >= _options.MaxProbes)
                    {
                        break;
                    }
                    await connection.DisposeAsync().ConfigureAwait(false);
                    connection = (await ConnectAsync(ct).ConfigureAwait(false))!;
                    if (connection is null || !(await connection.StartTlsAsync(TlsInspector.ClientOptions(null, offerHttp), _options.TlsHandshakeTimeout, answer, ct).ConfigureAwait(false)).Ok)
                    {
                        break;
                    }
                }
                first = false;
                _probesSent++;
                if (await SendProbeAsync(name, connection, answer, _tls, hinted: true, ct).ConfigureAwait(false) is ServiceInfo info)
                {
                    return (true, info);
                }
            }
            return (true, Fallback());
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// PostgreSQL: SSLRequest ('S' = TLS offered, 'N' = not), then a StartupMessage for protocol 4.0 that every
    /// server refuses with an ErrorResponse (on the same connection after 'N', on a new one after 'S').
    /// </summary>
    private async Task<ServiceInfo?> PostgresAsync(ProbeConnection connection, AnswerBuffer answer, bool hinted, CancellationToken ct)
    {
        try
        {
            answer.Clear();
            if (!await connection.SendAsync(ServiceProbes.PostgresSslRequestBytes(), ct).ConfigureAwait(false))
            {
                return null;
            }
            await connection.ReadAnswerAsync(answer, ProbeWait(hinted), IdleGap, _options.ProbeTimeout, Framings.OneByte, ct).ConfigureAwait(false);
            if (answer.Length != 1 || answer.Span[0] is not ((byte)'S' or (byte)'N'))
            {
                return await ConcludeAsync(ServiceProbes.PostgresSslRequest, answer, connection, null, ct).ConfigureAwait(false);
            }
            // SSLRequest is PostgreSQL's STARTTLS (protocol section 55.2.10): 'S' offers TLS, 'N' declines.
            _facts[ServiceFacts.StartTls] = answer.Span[0] == (byte)'S' ? "yes" : "no";
            if (answer.Span[0] == (byte)'S')
            {
                _startTls = "SSLRequest";
                await connection.DisposeAsync().ConfigureAwait(false);
                connection = (await ConnectAsync(ct).ConfigureAwait(false))!;
                if (connection is null)
                {
                    return null;
                }
            }
            var sslAnswer = answer.ToArray();
            answer.Clear();
            if (await connection.SendAsync(ServiceProbes.PostgresStartupBytes(), ct).ConfigureAwait(false))
            {
                await connection.ReadAnswerAsync(answer, _options.ProbeTimeout, IdleGap, _options.ProbeTimeout, Framings.Postgres, ct).ConfigureAwait(false);
                if (await ConcludeAsync(ServiceProbes.PostgresStartup, answer, null, null, ct).ConfigureAwait(false) is ServiceInfo info)
                {
                    return info;
                }
            }
            answer.Clear();
            answer.Append(sslAnswer);
            return await ConcludeAsync(ServiceProbes.PostgresSslRequest, answer, null, null, ct).ConfigureAwait(false);
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Refuses every telnet option for a few rounds so the server sends its login text; appends what comes.</summary>
    private async Task NegotiateTelnetAsync(ProbeConnection connection, AnswerBuffer answer, CancellationToken ct)
    {
        var reply = new byte[256];
        var seen = 0;
        for (var round = 0; round < 4 && !answer.IsFull; round++)
        {
            var count = TelnetNegotiation.WriteRefusals(answer.Span[seen..], reply);
            seen = answer.Length;
            if (count > 0 && !await connection.SendAsync(reply.AsMemory(0, count), ct).ConfigureAwait(false))
            {
                return;
            }
            var end = await connection.ReadAnswerAsync(answer, Min(_options.BannerWait, TimeSpan.FromSeconds(1)), IdleGap, _options.ProbeTimeout, static a => TelnetNegotiation.EndsWithPrompt(a), ct).ConfigureAwait(false);
            if (end is ReadEnd.Closed or ReadEnd.Full || answer.Length == seen || TelnetNegotiation.EndsWithPrompt(answer.Span))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Matches an answer. A hard match becomes the result (after a STARTTLS check on the open connection);
    /// a soft match is kept as the fallback; no match keeps the first answer as evidence.
    /// </summary>
    private async Task<ServiceInfo?> ConcludeAsync(string probe, AnswerBuffer answer, ProbeConnection? connection, TlsInfo? tls, CancellationToken ct, byte[]? sent = null)
    {
        if (answer.Length == 0)
        {
            return null;
        }
        _firstAnswer ??= answer.ToArray();
        Remember(probe, answer.Span);
        if (sent is not null && IsEcho(sent, answer.Span))
        {
            // A service that returns what it is sent (RFC 862) would otherwise be named after the probe it echoed.
            return new ServiceInfo
            {
                Name = "echo",
                Method = tls is null ? "probe" : "tls",
                Confidence = 8,
                ExtraInfo = "returns what it is sent",
                Evidence = Evidence.Escape(answer.Span, _options.MaxEvidenceLength),
                Tls = tls,
            };
        }
        var match = Match(probe, answer.Span);
        if (match is null || (match.Kind == MatchKind.Soft && match.Product is null))
        {
            if (Recognise(probe, match, answer.Span, tls) is ServiceInfo generic)
            {
                if (generic.Version is not null && match is not null)
                {
                    // The service is proven by a soft signature and the greeting named product and version: done.
                    return generic;
                }
                _generic ??= generic;
            }
        }
        if (match is null)
        {
            return null;
        }
        if (tls is null && connection is { Closed: false } && _options.CheckStartTls && _startTls is null)
        {
            _startTls = await CheckStartTlsAsync(match.Service, answer, connection, ct).ConfigureAwait(false);
        }
        if (_options.GatherFacts)
        {
            FactsFromAnswer(probe, match, answer.Span);
            if (tls is null && connection is not null)
            {
                await FactsFromDialogAsync(probe, match, answer, connection, ct).ConfigureAwait(false);
            }
        }
        var info = Build(match, answer.Span, probe, tls);
        if (match.Kind == MatchKind.Hard)
        {
            return info;
        }
        _soft ??= info;
        return null;
    }

    /// <summary>
    /// True when the answer is the probe sent back (whole, or its first part when the service echoes as it reads).
    /// Short answers are not judged: two bytes may agree by chance.
    /// </summary>
    internal static bool IsEcho(ReadOnlySpan<byte> sent, ReadOnlySpan<byte> answer) =>
        sent.Length >= 3 && answer.Length >= Math.Min(sent.Length, 8)
        && (answer.Length <= sent.Length ? sent.StartsWith(answer) : answer.StartsWith(sent));

    /// <summary>Keeps the head of each distinct answer, for the evidence of a port nothing identified.</summary>
    private void Remember(string probe, ReadOnlySpan<byte> answer)
    {
        const int head = 64;
        var part = answer[..Math.Min(answer.Length, head)];
        if (_answers.Count >= 6)
        {
            return;
        }
        foreach (var (_, seen) in _answers)
        {
            if (part.SequenceEqual(seen))
            {
                return;
            }
        }
        _answers.Add((probe, part.ToArray()));
    }

    /// <summary>A generic recogniser's reading of an answer no signature named a product from, or null.</summary>
    private ServiceInfo? Recognise(string probe, SignatureMatch? match, ReadOnlySpan<byte> answer, TlsInfo? tls)
    {
        if (GreetingRecogniser.Recognise(answer) is not { } found)
        {
            return null;
        }
        var service = match?.Service ?? found.Service ?? _hint ?? "unknown";
        return new ServiceInfo
        {
            Name = tls is null ? service : ServiceProbes.TlsName(service),
            Product = found.Product,
            Version = found.Version,
            ExtraInfo = match?.ExtraInfo,
            Method = tls is not null ? "tls" : probe == ServiceProbes.Banner ? "banner" : "probe",
            // The service from a signature or the answer's own shape, product and version from a generic shape.
            Confidence = match is not null || found.Service is not null ? (found.Version is null ? 6 : 7) : 5,
            Evidence = Evidence.Escape(answer, _options.MaxEvidenceLength),
            Tls = tls,
        };
    }

    private SignatureMatch? Match(string probe, ReadOnlySpan<byte> answer)
    {
        var own = _signatures.Match(probe, answer);
        if (own is { Kind: MatchKind.Hard } || probe == ServiceProbes.Banner)
        {
            return own;
        }
        // Services that speak first answer any probe with their banner.
        var banner = _signatures.Match(ServiceProbes.Banner, answer);
        return banner is { Kind: MatchKind.Hard } ? banner : own ?? banner;
    }

    private async Task<string?> CheckStartTlsAsync(string service, AnswerBuffer answer, ProbeConnection connection, CancellationToken ct)
    {
        if (StartTlsCheck.For(service) is not var (command, framing, offered, name))
        {
            return null;
        }
        if (StartTlsCheck.OfferedInGreeting(service, System.Text.Encoding.Latin1.GetString(answer.Span)))
        {
            _facts[ServiceFacts.StartTls] = "yes";
            return name;
        }
        using var reply = new AnswerBuffer(4096);
        if (!await connection.SendAsync(command, ct).ConfigureAwait(false))
        {
            return null;
        }
        await connection.ReadAnswerAsync(reply, _options.ProbeTimeout, IdleGap, _options.ProbeTimeout, framing, ct).ConfigureAwait(false);
        try
        {
            var text = System.Text.Encoding.Latin1.GetString(reply.Span);
            if (offered.IsMatch(text))
            {
                _facts[ServiceFacts.StartTls] = "yes";
                return name;
            }
            // "no" only from a capability list that was answered and lacks the upgrade; an error means "not checked".
            if (StartTlsCheck.IsCapabilityList(service, reply.Span))
            {
                _facts[ServiceFacts.StartTls] = "no";
            }
            return null;
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return null;
        }
    }

    private ServiceInfo Build(SignatureMatch match, ReadOnlySpan<byte> answer, string probe, TlsInfo? tls)
    {
        var extra = match.ExtraInfo;
        var version = match.Version;
        if (version is null && probe == "tds" && TdsVersion(answer) is string tds)
        {
            version = tds;
        }
        if (match.Service is "http" or "http-proxy" or "ipp" or "rtsp" or "sip")
        {
            var parts = HttpFacts.Describe(answer, match.Product).ToList();
            if (extra is not null)
            {
                parts.Insert(0, extra);
            }
            extra = parts.Count > 0 ? string.Join("; ", parts) : null;
        }
        var start = Math.Clamp(match.Span.Start.Value, 0, answer.Length);
        return new ServiceInfo
        {
            Name = tls is null ? ServiceProbes.InRoleOf(match.Service, _hint) : ServiceProbes.TlsName(match.Service),
            Product = match.Product,
            Version = version,
            ExtraInfo = extra,
            Cpe = match.Cpe,
            OperatingSystem = match.OperatingSystem,
            DeviceType = match.DeviceType,
            Method = tls is not null ? "tls" : probe == ServiceProbes.Banner ? "banner" : "probe",
            Confidence = match.Kind == MatchKind.Soft ? 5 : match.Product is null ? 8 : 10,
            Evidence = Evidence.Escape(answer[start..], _options.MaxEvidenceLength),
            Tls = tls,
            StartTls = _startTls,
            Facts = FactsSnapshot(match.OperatingSystem, tls),
        };
    }

    /// <summary>
    /// The version in a TDS PRELOGIN answer ([MS-TDS] 2.2.6.5): the VERSION option's major, minor and big-endian
    /// build number, as SQL Server writes its version (15.0.2000).
    /// </summary>
    internal static string? TdsVersion(ReadOnlySpan<byte> answer)
    {
        if (answer.Length < 9)
        {
            return null;
        }
        var payload = answer[8..];
        for (var i = 0; i + 5 <= payload.Length && payload[i] != 0xFF; i += 5)
        {
            if (payload[i] != 0x00)
            {
                continue;
            }
            int offset = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(payload[(i + 1)..]);
            int length = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(payload[(i + 3)..]);
            if (length < 4 || offset + 4 > payload.Length)
            {
                return null;
            }
            var build = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(payload[(offset + 2)..]);
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{payload[offset]}.{payload[offset + 1]}.{build}");
        }
        return null;
    }

    /// <summary>The best guess when nothing matched hard: a soft match, the TLS facts, or the registry's name.</summary>
    private ServiceInfo? Fallback()
    {
        if (!_connected)
        {
            return null;
        }
        if (_soft is not null)
        {
            var soft = _generic is { Product: not null } g && string.Equals(g.Name, _soft.Name, StringComparison.Ordinal)
                ? _soft with { Product = g.Product, Version = g.Version, Confidence = g.Confidence }
                : _soft;
            return soft with { StartTls = _soft.StartTls ?? _startTls, Facts = FactsSnapshot(_soft.OperatingSystem, _soft.Tls) };
        }
        if (_generic is not null)
        {
            return _generic with { StartTls = _startTls, Facts = FactsSnapshot(null, _generic.Tls) };
        }
        var evidence = AnswersEvidence();
        if (_hungUp && _firstAnswer is null && _tls is null)
        {
            // Accepted, then closed without a byte before anything was sent (a TCP wrapper, an allow-list): nmap's "tcpwrapped".
            return new ServiceInfo { Name = "tcpwrapped", Method = "banner", Confidence = 8, ExtraInfo = "closed by the service before any data" };
        }
        if (_tls is not null)
        {
            return new ServiceInfo { Name = _plan.TlsFirst && _hint is not null ? _hint : "ssl", Method = "tls", Confidence = _plan.TlsFirst && _hint is not null ? 4 : 8, Tls = _tls, Evidence = evidence, Facts = FactsSnapshot(null, _tls) };
        }
        return new ServiceInfo { Name = _hint ?? "unknown", Method = "registry", Confidence = _hint is null ? 0 : 3, Evidence = evidence, StartTls = _startTls, Facts = FactsSnapshot(null, null) };
    }

    /// <summary>
    /// The first bytes of each distinct answer, escaped: the first as is, the others after the probe's name
    /// ("... | http-get: HTTP/1.1 400"), within <see cref="DetectionOptions.MaxEvidenceLength"/>.
    /// </summary>
    private string? AnswersEvidence()
    {
        if (_answers.Count == 0)
        {
            return _firstAnswer is null ? null : Evidence.Escape(_firstAnswer, _options.MaxEvidenceLength);
        }
        if (_answers.Count == 1)
        {
            return Evidence.Escape(_firstAnswer ?? _answers[0].Head, _options.MaxEvidenceLength);
        }
        var max = _options.MaxEvidenceLength;
        var each = Math.Max(16, max / _answers.Count);
        var sb = new System.Text.StringBuilder(max);
        for (var i = 0; i < _answers.Count; i++)
        {
            var (probe, head) = _answers[i];
            var part = i == 0 ? Evidence.Escape(head, each) : $" | {probe}: {Evidence.Escape(head, each)}";
            if (sb.Length + part.Length > max)
            {
                break;
            }
            sb.Append(part);
        }
        return sb.Length == 0 ? Evidence.Escape(_answers[0].Head, max) : sb.ToString();
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
