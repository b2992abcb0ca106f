using System.Diagnostics;
using PortAtlas.Cli;
using PortAtlas.Cli.Commands;

namespace PortAtlas.Tests.Cli;

/// <summary>The manual, help examples, --version and shell completion, each taken from the command definitions.</summary>
public sealed class ShellAndManualTests
{
    private static readonly string s_repo = FindRepository();

    [Fact]
    public async Task Manual_CommittedPageIsTheGeneratorsOutput()
    {
        var (code, output, _) = await CliRunner.RunAsync("manpage");
        Assert.Equal(0, code);
        var committed = File.ReadAllText(Path.Combine(s_repo, "docs", "ports.1"));
        // On failure: ports manpage > docs/ports.1
        Assert.Equal(committed, output);
    }

    [Fact]
    public async Task Manual_NamesEveryVisibleCommandAndOption()
    {
        var (_, page, _) = await CliRunner.RunAsync("manpage");
        var root = CliApp.Build(CliContext.ForWriters(TextWriter.Null, TextWriter.Null));
        foreach (var command in root.Subcommands.Where(c => !c.Hidden))
        {
            Assert.Contains($".SS \"{ManualCommand.Escape(command.Name)}", page, StringComparison.Ordinal);
        }
        var scan = root.Subcommands.Single(c => c.Name == "scan");
        foreach (var option in scan.Options.Where(o => !o.Hidden && o.Name != "--help"))
        {
            Assert.Contains($"\\fB{ManualCommand.Escape(option.Name)}\\fR", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Manual_RendersWithMan()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/man"), "man is not installed (apt-get install man-db)");
        var start = new ProcessStartInfo("man", ["-l", Path.Combine(s_repo, "docs", "ports.1")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MANWIDTH"] = "100";
        start.Environment["MANPAGER"] = "cat";
        start.Environment["PAGER"] = "cat";
        using var man = Process.Start(start)!;
        var output = man.StandardOutput.ReadToEnd();
        var error = man.StandardError.ReadToEnd();
        Assert.True(man.WaitForExit(30_000));
        Assert.Equal(0, man.ExitCode);
        Assert.Equal("", error);
        Assert.Contains("ports - look up, scan, detect and assess network ports", output, StringComparison.Ordinal);
        Assert.Contains("-T4 aggressive", output, StringComparison.Ordinal);
        Assert.Contains("ports scan 198.18.0.2 -sV -T4 -oA lab", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("scan")]
    [InlineData("show")]
    [InlineData("vulndb import")]
    public async Task Help_ShowsTheManualsExamples(string command)
    {
        var (code, output, _) = await CliRunner.RunAsync(["help", .. command.Split(' ')]);
        var (helpCode, helpOutput, _) = await CliRunner.RunAsync([.. command.Split(' '), "--help"]);
        Assert.Equal(0, code);
        Assert.Equal(0, helpCode);
        Assert.Equal(helpOutput, output);
        foreach (var (line, what) in ManualCommand.Examples[command])
        {
            Assert.Contains(line, output, StringComparison.Ordinal);
            Assert.Contains(what, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Help_UnknownCommand_ExitsTwo()
    {
        var (code, _, error) = await CliRunner.RunAsync("help", "frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("frobnicate", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_NamesTheDataItCarries()
    {
        var (code, output, _) = await CliRunner.RunAsync("--version");
        Assert.Equal(0, code);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.StartsWith("ports 0.", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("IANA port registry: 14,", StringComparison.Ordinal) && l.Contains("2026-08-17", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("CISA KEV catalog: version 2026.08.21, released 2026-08-21", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("curated ports: ", StringComparison.Ordinal) && int.Parse(l["curated ports: ".Length..].Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) > 100);
        Assert.Contains(lines, l => l.StartsWith("service signatures: ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ports sc", "scan")]
    [InlineData("ports scan 127.0.0.1 --form", "--format")]
    [InlineData("ports scan 127.0.0.1 --format ", "jsonl")]
    [InlineData("ports scan 127.0.0.1 --save ", "xml=")]
    [InlineData("ports scan 127.0.0.1 --timing ", "4")]
    [InlineData("ports scan 127.0.0.1 -p 22,ht", "22,http")]
    [InlineData("ports lookup ldap", "ldaps")]
    [InlineData("ports list --category ", "well-known")]
    [InlineData("ports completion ", "powershell")]
    [InlineData("ports show --f", "--format")]
    public void Candidates_CompleteThePartialWord(string line, string expected)
    {
        var words = line.Split(' ');
        var root = CliApp.Build(CliContext.ForWriters(TextWriter.Null, TextWriter.Null));
        var candidates = CompletionCommand.Candidates(root, words, words.Length - 1).ToList();
        Assert.Contains(expected, candidates);
        Assert.All(candidates, c => Assert.StartsWith(words[^1], c, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ports sc", "scan")]
    [InlineData("ports scan 127.0.0.1 --fo", "--format")]
    [InlineData("ports scan 127.0.0.1 --format x", "xml")]
    [InlineData("ports lookup ldap", "ldaps")]
    [InlineData("ports completion z", "zsh")]
    public void Bash_CompletionFunctionOffersTheCandidates(string line, string expected)
    {
        Assert.SkipUnless(File.Exists("/bin/bash"), "bash is not installed");
        var words = line.Split(' ');
        var replies = Bash(words, words.Length - 1);
        Assert.Contains(expected, replies);
        Assert.All(replies, r => Assert.StartsWith(words[^1], r, StringComparison.Ordinal));
    }

    [Fact]
    public void Bash_CompletesSavedScanIds()
    {
        Assert.SkipUnless(File.Exists("/bin/bash"), "bash is not installed");
        var data = Directory.CreateTempSubdirectory("pa-complete-").FullName;
        try
        {
            // A history with one imported scan: its id is what 'ports show <TAB>' offers.
            var xml = Path.Combine(data, "scan.xml");
            File.WriteAllText(xml, """
                <?xml version="1.0"?>
                <nmaprun scanner="nmap" args="nmap 127.0.0.1" start="1796156139" version="7.94">
                <host><status state="up"/><address addr="127.0.0.1" addrtype="ipv4"/>
                <ports><port protocol="tcp" portid="22"><state state="open" reason="syn-ack"/></port></ports></host>
                <runstats><finished time="1796156140"/></runstats></nmaprun>
                """);
            var import = RunPorts(data, "import", xml);
            Assert.Equal(0, import.ExitCode);
            var replies = Bash(["ports", "show", ""], 2, data);
            Assert.Contains("1", replies);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData("zsh", "compdef _ports ports")]
    [InlineData("fish", "complete -c ports")]
    [InlineData("powershell", "Register-ArgumentCompleter -Native -CommandName ports")]
    public async Task Completion_ScriptsForEveryShell(string shell, string expected)
    {
        var (code, output, _) = await CliRunner.RunAsync("completion", shell);
        Assert.Equal(0, code);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.Contains("ports __complete", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completion_UnknownShell_ExitsTwo()
    {
        var (code, _, error) = await CliRunner.RunAsync("completion", "tcsh");
        Assert.Equal(2, code);
        Assert.Contains("tcsh", error, StringComparison.Ordinal);
    }

    // Runs bash with the completion script sourced and _ports called on the words; returns COMPREPLY.
    private static List<string> Bash(string[] words, int cword, string? dataHome = null)
    {
        var bin = Directory.CreateTempSubdirectory("pa-bin-").FullName;
        try
        {
            // 'ports' on PATH: the CLI built beside these tests.
            File.WriteAllText(Path.Combine(bin, "ports"), $"#!/bin/sh\nexec dotnet \"{Path.Combine(AppContext.BaseDirectory, "ports.dll")}\" \"$@\"\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(bin, "ports"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            var array = string.Join(' ', words.Select(w => $"'{w}'"));
            var script = $"source <(ports completion bash); COMP_WORDS=({array}); COMP_CWORD={cword}; _ports; printf '%s\\n' \"${{COMPREPLY[@]}}\"";
            var start = new ProcessStartInfo("/bin/bash", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}";
            start.Environment["XDG_DATA_HOME"] = dataHome ?? Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            using var bash = Process.Start(start)!;
            var output = bash.StandardOutput.ReadToEnd();
            bash.StandardError.ReadToEnd();
            Assert.True(bash.WaitForExit(60_000));
            return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    private static (int ExitCode, string Output) RunPorts(string dataHome, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ports.dll"), .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["XDG_DATA_HOME"] = dataHome;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000));
        return (process.ExitCode, output);
    }

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
