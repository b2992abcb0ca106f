using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace PortAtlas.Web;

/// <summary>
/// Conditional requests and the page cache. A saved scan never changes, so its pages and its JSON carry an entity tag
/// and a client that has them is answered 304 with no body (RFC 9110 §13.1.2); the rendered pages are kept as UTF-8
/// bytes, a bounded number of them.
/// </summary>
internal sealed partial class Site
{
    private readonly PageCache _pages = new();

    /// <summary>
    /// Sets the entity tag (when the scan can no longer change) and answers 304 when the request's If-None-Match holds it.
    /// "no-cache" makes a browser ask again each time, so the token and the host checks still see every request.
    /// </summary>
    internal static bool NotModified(HttpContext context, string? etag)
    {
        if (etag is null)
        {
            context.Response.Headers.CacheControl = "no-store";
            return false;
        }
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = "private, no-cache";
        foreach (var header in context.Request.Headers.IfNoneMatch)
        {
            if (Matches(header, etag))
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether an If-None-Match value (a list of tags, or *) holds <paramref name="etag"/>; weak comparison, as GET allows.</summary>
    internal static bool Matches(string? ifNoneMatch, string etag)
    {
        if (string.IsNullOrEmpty(ifNoneMatch))
        {
            return false;
        }
        foreach (var part in ifNoneMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var tag = part.StartsWith("W/", StringComparison.Ordinal) ? part[2..] : part;
            if (tag == "*" || tag == etag)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Rendered pages of scans that cannot change, by entity tag and page; dropped all at once when full.</summary>
    private sealed class PageCache
    {
        private const int Capacity = 64;
        private readonly ConcurrentDictionary<(string ETag, int Page), byte[]> _pages = new();

        public byte[]? Get(string etag, int page) => _pages.TryGetValue((etag, page), out var html) ? html : null;

        public void Add(string etag, int page, byte[] html)
        {
            if (_pages.Count >= Capacity)
            {
                _pages.Clear();
            }
            _pages[(etag, page)] = html;
        }
    }
}
