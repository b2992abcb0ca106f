using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace PortAtlas.Web;

/// <summary>
/// What every request passes before a page or the API sees it: security headers (a strict Content-Security-Policy:
/// only this server's own style sheet and script), a Host check against DNS rebinding, the access token when one is
/// required, and CSRF protection (a per-browser cookie that every form and every POST must repeat, plus an Origin check).
/// </summary>
internal sealed class Security
{
    /// <summary>The cookie that carries the access token once a browser presented it.</summary>
    public const string TokenCookie = "pa_token";
    /// <summary>The per-browser CSRF secret; forms repeat it in the <see cref="CsrfField"/> field.</summary>
    public const string CsrfCookie = "pa_csrf";
    /// <summary>The form field (or the X-CSRF-Token header) that must equal the CSRF cookie on every POST.</summary>
    public const string CsrfField = "csrf";

    /// <summary>Only this server's own style sheet and script; no inline script, no framing, forms post back here only.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private readonly byte[]? _token;
    private readonly HashSet<string>? _hosts;

    private readonly IPAddress _address;
    private volatile bool _bound;

    public Security(ServeOptions options)
    {
        _token = options.TokenRequired ? Encoding.UTF8.GetBytes(options.Token ?? throw new ArgumentException("a token is required to listen on a non-loopback address", nameof(options))) : null;
        _address = options.Listen.Address;
        if (!_address.Equals(IPAddress.Any) && !_address.Equals(IPAddress.IPv6Any))
        {
            _hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        }
    }

    /// <summary>The port Kestrel bound (known only after it started, for port 0): the Host header must name it.</summary>
    public void Bind(int port)
    {
        if (_hosts is not null)
        {
            // A page of another site that resolves its own name to this address (DNS rebinding) sends its own Host: refused.
            var literal = _address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{_address}]" : _address.ToString();
            _hosts.Add($"{literal}:{port}");
            if (IPAddress.IsLoopback(_address))
            {
                _hosts.Add($"localhost:{port}");
            }
            if (port == 80)
            {
                _hosts.Add(literal);
            }
        }
        _bound = true;
    }

    /// <summary>The CSRF secret of this request's browser (set as a cookie when it had none).</summary>
    public static string CsrfToken(HttpContext context) => context.Items[CsrfCookie] as string ?? "";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var response = context.Response;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        // Not no-referrer: with it Chromium sends "Origin: null" on the page's own form posts, and the Origin check refuses them.
        response.Headers["Referrer-Policy"] = "same-origin";
        response.Headers["Cross-Origin-Opener-Policy"] = "same-origin";
        response.Headers["Cross-Origin-Resource-Policy"] = "same-origin";
        response.Headers.CacheControl = "no-store";

        if (!_bound)
        {
            await Refuse(context, StatusCodes.Status503ServiceUnavailable, "starting up").ConfigureAwait(false);
            return;
        }
        if (_hosts is not null && !_hosts.Contains(context.Request.Host.Value ?? ""))
        {
            await Refuse(context, StatusCodes.Status421MisdirectedRequest, "unknown Host header: open this server by the address it listens on").ConfigureAwait(false);
            return;
        }

        var byHeader = false;
        if (_token is not null)
        {
            var request = context.Request;
            if (request.Query.TryGetValue("token", out var fromQuery) && Matches(fromQuery.ToString()))
            {
                // The link printed at start-up: keep the token in a cookie and drop it from the address bar (and history).
                SetCookie(context, TokenCookie, fromQuery.ToString());
                if (HttpMethods.IsGet(request.Method))
                {
                    var rest = string.Join('&', request.Query.Where(q => q.Key != "token").Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}"));
                    response.Redirect(request.PathBase + request.Path + (rest.Length > 0 ? "?" + rest : ""));
                    return;
                }
            }
            else if (request.Headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal) && Matches(auth[7..].Trim()))
            {
                byHeader = true;
            }
            else if (!(request.Cookies.TryGetValue(TokenCookie, out var cookie) && Matches(cookie)))
            {
                response.Headers.WWWAuthenticate = "Bearer";
                await Refuse(context, StatusCodes.Status401Unauthorized, "this server asks for its access token: open the link 'ports serve' printed, or send 'Authorization: Bearer TOKEN'").ConfigureAwait(false);
                return;
            }
        }

        if (!context.Request.Cookies.TryGetValue(CsrfCookie, out var csrf) || csrf.Length < 32)
        {
            csrf = NewSecret();
            SetCookie(context, CsrfCookie, csrf);
        }
        context.Items[CsrfCookie] = csrf;

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !byHeader)
        {
            // A browser adds cookies to a cross-site POST by itself; it cannot add the secret to the form or header.
            if (!await CsrfMatchesAsync(context, csrf).ConfigureAwait(false))
            {
                await Refuse(context, StatusCodes.Status403Forbidden, "this form is stale or came from another site (CSRF check failed): reload the page and try again").ConfigureAwait(false);
                return;
            }
        }
        await next(context).ConfigureAwait(false);
    }

    /// <summary>A new random secret: 32 bytes, base64url.</summary>
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private bool Matches(string? presented) =>
        presented is not null && _token is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token);

    private static async Task<bool> CsrfMatchesAsync(HttpContext context, string expected)
    {
        var request = context.Request;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        string presented = request.Headers["X-CSRF-Token"].ToString();
        if (presented.Length == 0 && request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            presented = form[CsrfField].ToString();
        }
        return presented.Length > 0
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
    }

    private static void SetCookie(HttpContext context, string name, string value) =>
        context.Response.Cookies.Append(name, value, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", Secure = context.Request.IsHttps });

    private static async Task Refuse(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted).ConfigureAwait(false);
    }
}
