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
    // 128 MiB of bodies: the scan JSON of a /24 × 1000 ports scan with 1% open is 1.8 MiB, its page of 64 hosts 126 KiB.
    private readonly BodyCache _bodies = new(128L << 20);

    /// <summary>Listed ports above which a scan's JSON and exports are written as they are made, never kept whole.</summary>
    internal const int CacheablePorts = 50_000;

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

    /// <summary>
    /// Responses for scans that cannot change (pages, the scan JSON, exports), as UTF-8 bytes by entity tag and kind,
    /// each made once however many clients ask at once. Bounded by total size: when a new body would pass the budget,
    /// everything is dropped (a body is remade on its next request). Scans too large for the budget are not kept at
    /// all: their bodies are written to the response as they are made, every time.
    /// </summary>
    internal sealed class BodyCache
    {
        private readonly ConcurrentDictionary<string, Lazy<byte[]>> _bodies = new(StringComparer.Ordinal);
        private readonly long _budget;
        private long _bytes;

        public BodyCache(long budget) => _budget = budget;

        /// <summary>Bytes kept now.</summary>
        public long Bytes => Interlocked.Read(ref _bytes);

        /// <summary>The body under <paramref name="key"/>, made by <paramref name="make"/> if it is not kept.</summary>
        public byte[] GetOrAdd(string key, Func<byte[]> make)
        {
            var made = false;
            var lazy = _bodies.GetOrAdd(key, _ => new Lazy<byte[]>(() =>
            {
                made = true;
                return make();
            }));
            byte[] body;
            try
            {
                body = lazy.Value;
            }
            catch
            {
                _bodies.TryRemove(new KeyValuePair<string, Lazy<byte[]>>(key, lazy));
                throw;
            }
            if (made && Interlocked.Add(ref _bytes, body.Length) > _budget)
            {
                _bodies.Clear();
                Interlocked.Exchange(ref _bytes, 0);
            }
            return body;
        }
    }
}
