using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PortAtlas.Detection;
using PortAtlas.Scanning;

namespace PortAtlas.Cli.Commands;

/// <summary>Detection settings from the scan's TLS flags (--tls-enum, --sni, --ca-file), checked before any packet.</summary>
internal static class TlsDetectionOptions
{
    public static bool TryCreate(ScanPlanInput input, bool tlsEnum, string? sni, string? caFile, out DetectionOptions options, out string error)
    {
        options = DetectionOptions.Default;
        error = "";
        if ((tlsEnum || sni is not null || caFile is not null) && !input.Detect)
        {
            error = "--tls-enum, --sni and --ca-file need --detect (-sV)";
            return false;
        }
        var serverName = sni;
        if (serverName is not null && (serverName.Length is 0 or > 253 || Uri.CheckHostName(serverName) != UriHostNameType.Dns))
        {
            error = $"bad --sni '{Printable(serverName)}': give a DNS name such as www.example.org";
            return false;
        }
        // One host name scanned: it is the name TLS should present and be checked against, as a browser would.
        if (serverName is null && input.Targets.Count == 1 && Uri.CheckHostName(input.Targets[0]) == UriHostNameType.Dns
            && !input.Targets[0].Contains('/', StringComparison.Ordinal))
        {
            serverName = input.Targets[0];
        }
        X509Certificate2Collection? anchors = null;
        if (caFile is string path)
        {
            try
            {
                anchors = [];
                anchors.ImportFromPemFile(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                error = $"cannot read --ca-file '{Printable(path)}': {(e is CryptographicException ? "not a PEM file of certificates" : e.Message)}";
                return false;
            }
            if (anchors.Count == 0)
            {
                error = $"--ca-file '{Printable(path)}' holds no PEM certificate";
                return false;
            }
        }
        options = DetectionOptions.Default with { EnumerateTls = tlsEnum, ServerName = serverName, TrustAnchors = anchors };
        return true;
    }

    private static string Printable(string text) => PortAtlas.Sanitizing.OutsideText.Printable(text, 80, singleLine: true)!;
}
