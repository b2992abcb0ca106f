using System.Text.RegularExpressions;

namespace PortAtlas.Tests.Architecture;

/// <summary>
/// Peers write files into their working directory (masscan's paused.conf when interrupted, nmap's resume data): the
/// bench scripts run them from a scratch directory, and none of those files sits in the repository.
/// </summary>
public partial class PeerScratchTests
{
    private static readonly string s_root = FindRepository();

    [Fact]
    public void Repository_HasNoPeerResumeFileAtItsRoot()
    {
        Assert.False(File.Exists(Path.Combine(s_root, "paused.conf")), "masscan's paused.conf is at the repository root");
    }

    [Fact]
    public void BenchScripts_ThatRunPeers_ChangeIntoAScratchDirectory()
    {
        var scripts = Directory.GetFiles(Path.Combine(s_root, "bench"), "*.sh");
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var text = File.ReadAllText(script);
            if (!PeerRun().IsMatch(text))
            {
                continue;
            }
            // A scratch directory made with mktemp, and a cd into it (for the whole script or the peer's subshell).
            var scratch = ScratchVariable().Match(text);
            Assert.True(scratch.Success, $"{Path.GetFileName(script)} runs nmap or masscan without a mktemp scratch directory");
            Assert.Contains($"cd \"${scratch.Groups["name"].Value}\"", text, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"^[^#\n]*\b(nmap|masscan)\s+(\$|-|""\$)", RegexOptions.Multiline)]
    private static partial Regex PeerRun();

    [GeneratedRegex(@"^\s*(?<name>\w+)=\$\(mktemp -d", RegexOptions.Multiline)]
    private static partial Regex ScratchVariable();

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PortAtlas.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("the repository root (PortAtlas.slnx) is not above the test binaries");
    }
}
