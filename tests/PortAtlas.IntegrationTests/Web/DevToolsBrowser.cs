using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PortAtlas.IntegrationTests.Web;

/// <summary>
/// Headless Chromium driven over the DevTools protocol (a WebSocket of JSON commands), with a client of our own: navigate,
/// evaluate script in the page, take screenshots. Every network feature that would reach past loopback is off, and a
/// proxy on a closed loopback port catches any request that is not to loopback.
/// </summary>
internal sealed class DevToolsBrowser : IAsyncDisposable
{
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private int _nextId;

    private DevToolsBrowser(Process process, string profile, ClientWebSocket socket)
    {
        _process = process;
        _profile = profile;
        _socket = socket;
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Messages the page logged (console and browser log: CSP violations land here).</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    public static string? Find() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    public static async Task<DevToolsBrowser> LaunchAsync(string executable, CancellationToken cancellationToken)
    {
        var profile = Directory.CreateTempSubdirectory("portatlas-cdp-").FullName;
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
            "--disable-extensions", "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--metrics-recording-only",
            "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication",
            // Anything not to loopback goes to a proxy on a closed loopback port and fails; no name is ever resolved.
            "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1;127.0.0.2",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE 127.0.0.2",
            "--hide-scrollbars", "--window-size=1280,900", "--remote-debugging-port=0", $"--user-data-dir={profile}", "about:blank",
        })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            // Chromium writes the port it picked (and the browser's WebSocket path) to this file.
            var portFile = Path.Combine(profile, "DevToolsActivePort");
            var deadline = Stopwatch.StartNew();
            while (!File.Exists(portFile) || (await File.ReadAllLinesAsync(portFile, cancellationToken)).Length < 2)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(30) || process.HasExited)
                {
                    throw new InvalidOperationException("chromium did not open its DevTools port");
                }
                await Task.Delay(50, cancellationToken);
            }
            var port = int.Parse((await File.ReadAllLinesAsync(portFile, cancellationToken))[0], System.Globalization.CultureInfo.InvariantCulture);
            using var http = new HttpClient(new HttpClientHandler { UseProxy = false });
            string? pageUrl = null;
            for (var i = 0; i < 100 && pageUrl is null; i++)
            {
                var targets = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{port}/json/list", cancellationToken);
                pageUrl = targets.EnumerateArray().Where(t => t.GetProperty("type").GetString() == "page")
                    .Select(t => t.GetProperty("webSocketDebuggerUrl").GetString()).FirstOrDefault();
                if (pageUrl is null)
                {
                    await Task.Delay(50, cancellationToken);
                }
            }
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(pageUrl ?? throw new InvalidOperationException("chromium has no page")), cancellationToken);
            var browser = new DevToolsBrowser(process, profile, socket);
            await browser.SendAsync("Page.enable");
            await browser.SendAsync("Runtime.enable");
            await browser.SendAsync("Log.enable");
            return browser;
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    public async Task<JsonElement> SendAsync(string method, JsonObject? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
        var result = await reply.Task.WaitAsync(s_commandTimeout);
        if (result.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"{method}: {error}");
        }
        return result.GetProperty("result");
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page (awaiting a promise) and returns its value.</summary>
    public async Task<JsonElement> EvalAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result.TryGetProperty("exceptionDetails", out var exception))
        {
            throw new InvalidOperationException($"script failed: {exception}");
        }
        return result.GetProperty("result").TryGetProperty("value", out var value) ? value.Clone() : default;
    }

    public async Task<string> TextAsync() => (await EvalAsync("document.body ? document.body.innerText : ''")).GetString() ?? "";

    public async Task NavigateAsync(string url)
    {
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        await WaitForAsync($"location.href === {JsonSerializer.Serialize(url)} && document.readyState === 'complete'", TimeSpan.FromSeconds(20));
    }

    /// <summary>Clicks the first element matching <paramref name="selector"/> and waits for the next page at a path starting with <paramref name="pathPrefix"/>.</summary>
    public async Task ClickAndWaitAsync(string selector, string pathPrefix)
    {
        await EvalAsync($"document.querySelector({JsonSerializer.Serialize(selector)}).click(), true");
        await WaitForAsync($"location.pathname.startsWith({JsonSerializer.Serialize(pathPrefix)}) && document.readyState === 'complete'", TimeSpan.FromSeconds(20));
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it is true; fails after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(string condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await EvalAsync($"!!({condition})")).ValueKind == JsonValueKind.True)
                {
                    return;
                }
            }
            catch (InvalidOperationException) when (clock.Elapsed < timeout)
            {
                // The page was being replaced while the script ran.
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds} s for: {condition}; page text: {await TextAsync()}");
            }
            await Task.Delay(100);
        }
    }

    public async Task<byte[]> ScreenshotAsync()
    {
        var height = (await EvalAsync("Math.min(3000, Math.max(900, document.documentElement.scrollHeight))")).GetInt32();
        await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = 1280, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false });
        var shot = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        await SendAsync("Emulation.clearDeviceMetricsOverride");
        return Convert.FromBase64String(shot.GetProperty("data").GetString()!);
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }
                using var json = JsonDocument.Parse(message.ToArray());
                message.SetLength(0);
                var root = json.RootElement;
                if (root.TryGetProperty("id", out var id) && _pending.TryRemove(id.GetInt32(), out var reply))
                {
                    reply.TrySetResult(root.Clone());
                }
                else if (root.TryGetProperty("method", out var method) && method.GetString() is "Log.entryAdded" or "Runtime.consoleAPICalled" or "Runtime.exceptionThrown")
                {
                    Log.Enqueue(root.GetProperty("params").ToString());
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
        foreach (var reply in _pending.Values)
        {
            reply.TrySetException(new InvalidOperationException("the browser went away"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }
        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
