using System.Net;
using System.Net.Sockets;

namespace PortAtlas.IntegrationTests.Detection;

/// <summary>One row of tests/lab/manifest.tsv.</summary>
internal sealed record LabRow(IPAddress Address, string Protocol, int Port, string State, string Service, string Product, string Version, string Notes);

/// <summary>Finds the lab's manifest and tells whether the lab answers; tests skip (or fail when PORTATLAS_LAB_REQUIRED=1) otherwise.</summary>
internal static class LabManifest
{
    public static readonly IPAddress LabHost = IPAddress.Parse("198.18.0.2");

    /// <summary>PORTATLAS_LAB_MANIFEST, else tests/lab/manifest.tsv in a parent of the test binaries.</summary>
    public static string? FindPath()
    {
        if (Environment.GetEnvironmentVariable("PORTATLAS_LAB_MANIFEST") is { Length: > 0 } path)
        {
            return File.Exists(path) ? path : null;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "lab", "manifest.tsv");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    public static IReadOnlyList<LabRow> Read(string path)
    {
        var rows = new List<LabRow>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#' || line.StartsWith("address\t", StringComparison.Ordinal))
            {
                continue;
            }
            var c = line.Split('\t');
            if (c.Length >= 8 && IPAddress.TryParse(c[0], out var address) && int.TryParse(c[2], out var port))
            {
                rows.Add(new LabRow(address, c[1], port, c[3], c[4], c[5], c[6], c[7]));
            }
        }
        return rows;
    }

    /// <summary>The open TCP rows of the lab host, or a skip (a failure when the lab is required) with the reason.</summary>
    public static async Task<IReadOnlyList<LabRow>> OpenTcpRowsOrSkipAsync(CancellationToken cancellationToken)
    {
        var path = FindPath();
        if (path is null)
        {
            SkipOrFail("no tests/lab/manifest.tsv (set PORTATLAS_LAB_MANIFEST, or run tests/lab/up.sh)");
        }
        var rows = Read(path!).Where(r => r.Address.Equals(LabHost) && r.Protocol == "tcp" && r.State == "open").ToList();
        if (rows.Count == 0)
        {
            SkipOrFail($"{path} lists no open TCP port of {LabHost}");
        }
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(LabHost, rows[0].Port), timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            SkipOrFail($"{LabHost}:{rows[0].Port} does not answer ({e.Message})");
        }
        return rows;
    }

    private static void SkipOrFail(string reason)
    {
        if (Environment.GetEnvironmentVariable("PORTATLAS_LAB_REQUIRED") == "1")
        {
            Assert.Fail("lab required (PORTATLAS_LAB_REQUIRED=1) but not up: " + reason);
        }
        Assert.Skip("lab not up: " + reason);
    }
}
