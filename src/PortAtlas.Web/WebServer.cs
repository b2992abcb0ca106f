using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PortAtlas.Storage;

namespace PortAtlas.Web;

/// <summary>
/// <c>ports serve</c>: the scan store as web pages and a JSON API, on Kestrel. Start one with <see cref="StartAsync"/>;
/// stop it by disposing. Pages are rendered on the server (no external asset, a strict Content-Security-Policy), every
/// value from a scan is escaped, and the store is opened read only unless <see cref="ServeOptions.AllowScans"/>.
/// </summary>
public sealed class WebServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IScanStore _store;
    private readonly ScanJobs? _jobs;

    private WebServer(WebApplication app, IScanStore store, ScanJobs? jobs, Uri address)
    {
        _app = app;
        _store = store;
        _jobs = jobs;
        Address = address;
    }

    /// <summary>The address it listens on, such as <c>http://127.0.0.1:8080/</c>.</summary>
    public Uri Address { get; }

    /// <summary>Completes when the server stops (after <see cref="DisposeAsync"/> or on the host's shutdown).</summary>
    public Task Completion => _app.WaitForShutdownAsync();

    /// <summary>
    /// Opens the store and starts listening. A non-loopback <see cref="ServeOptions.Listen"/> without a
    /// <see cref="ServeOptions.Token"/> is refused.
    /// </summary>
    /// <exception cref="ArgumentException">A token is required and none was given.</exception>
    /// <exception cref="IOException">The address cannot be bound (in use, not on this machine).</exception>
    public static async Task<WebServer> StartAsync(ServeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TokenRequired && string.IsNullOrEmpty(options.Token))
        {
            throw new ArgumentException($"listening on {options.Listen} needs a token", nameof(options));
        }
        var store = options.AllowScans ? ScanStore.Open(options.Db) : ScanStore.OpenReadOnly(options.Db);
        try
        {
            // Reach the store now: a bad --db is said once, before anything listens.
            await store.GetSchemaVersionAsync(cancellationToken).ConfigureAwait(false);
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "PortAtlas.Web" });
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Listen(options.Listen);
                kestrel.Limits.MaxRequestBodySize = 64 * 1024;
            });
            var app = builder.Build();
            var jobs = options.AllowScans ? new ScanJobs(store, options.MaxConcurrentScans) : null;
            var security = new Security(options);
            app.Use(security.InvokeAsync);
            new Site(new WebData(store), jobs, options).Map(app);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var port = new Uri(bound).Port;
            security.Bind(port);
            var host = options.Listen.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{options.Listen.Address}]" : options.Listen.Address.ToString();
            return new WebServer(app, store, jobs, new Uri($"http://{host}:{port}/"));
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops listening, stops scans started from the page (they keep their checkpoints), closes the store.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (_jobs is not null)
        {
            await _jobs.DisposeAsync().ConfigureAwait(false);
        }
        await _app.DisposeAsync().ConfigureAwait(false);
        await _store.DisposeAsync().ConfigureAwait(false);
    }
}
