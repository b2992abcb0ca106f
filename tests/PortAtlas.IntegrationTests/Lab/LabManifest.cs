using System.Globalization;
using System.Net;

namespace PortAtlas.IntegrationTests.Lab;

/// <summary>One row of tests/lab/manifest.tsv: the ground truth of what the lab runs.</summary>
internal sealed record LabService(IPAddress Address, string Protocol, int Port, string State, string Service, string Product, string Version, string Notes);

/// <summary>
/// The lab as tests/lab/up.sh left it. Tests call <see cref="Require"/>: it skips them with the reason when the lab
/// is not up, or fails them when PORTATLAS_LAB_REQUIRED is set (CI), so a broken lab cannot pass as skipped.
/// </summary>
internal static class LabManifest
{
    public static readonly IPAddress Host = IPAddress.Parse("198.18.0.2");

    private static readonly Lazy<(IReadOnlyList<LabService>? Services, string? Missing, bool Impaired)> s_state = new(Load);

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "PortAtlas.slnx")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The manifest's rows; skips or fails the test when the lab is not up.</summary>
    public static IReadOnlyList<LabService> Require()
    {
        var (services, missing, _) = s_state.Value;
        if (services is null)
        {
            var message = $"lab not up: {missing} (run 'sudo tests/lab/up.sh' as root)";
            if (Environment.GetEnvironmentVariable("PORTATLAS_LAB_REQUIRED") is { Length: > 0 })
            {
                Assert.Fail(message);
            }
            Assert.Skip(message);
        }
        return services;
    }

    /// <summary>Requires the lab brought up with delay and loss (tests/run.sh does so for the "Lab=impaired" tests).</summary>
    public static IReadOnlyList<LabService> RequireImpaired()
    {
        if (Environment.GetEnvironmentVariable("PORTATLAS_LAB_IMPAIRED") is not { Length: > 0 })
        {
            Assert.Skip("impaired lab tests run only when tests/run.sh brings the lab up with --delay and --loss");
        }
        var services = Require();
        if (!s_state.Value.Impaired)
        {
            Assert.Fail("PORTATLAS_LAB_IMPAIRED is set but the manifest records no impairment");
        }
        return services;
    }

    private static (IReadOnlyList<LabService>?, string?, bool) Load()
    {
        if (!Directory.Exists("/run/netns") || !File.Exists("/run/netns/pa-lab"))
        {
            return (null, "network namespace pa-lab does not exist", false);
        }
        var path = Path.Combine(RepositoryRoot, "tests", "lab", "manifest.tsv");
        if (!File.Exists(path))
        {
            return (null, $"{path} is missing", false);
        }
        var services = new List<LabService>();
        var impaired = false;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith('#'))
            {
                impaired |= line.Contains("Impairment", StringComparison.Ordinal) && line.Contains("delay=", StringComparison.Ordinal);
                continue;
            }
            var f = line.Split('\t');
            if (f.Length < 8 || f[0] == "address")
            {
                continue;
            }
            services.Add(new LabService(IPAddress.Parse(f[0]), f[1], int.Parse(f[2], CultureInfo.InvariantCulture), f[3], f[4], f[5], f[6], f[7]));
        }
        return (services, null, impaired);
    }
}
