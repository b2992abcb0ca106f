using System.Runtime.CompilerServices;

namespace PortAtlas.Tests.Reports;

/// <summary>
/// Compares output with a file under Reports/Expected/ (copied beside the tests). With PORTATLAS_UPDATE_EXPECTED=1
/// the source file is rewritten from the actual output instead: review the diff before committing it.
/// </summary>
internal static class ExpectedOutput
{
    public static void AssertMatches(string actual, string fileName, [CallerFilePath] string callerPath = "")
    {
        if (Environment.GetEnvironmentVariable("PORTATLAS_UPDATE_EXPECTED") == "1")
        {
            var source = Path.Combine(Path.GetDirectoryName(callerPath)!, "Expected", fileName);
            File.WriteAllText(source, actual);
            return;
        }
        var path = Path.Combine(AppContext.BaseDirectory, "Reports", "Expected", fileName);
        Assert.True(File.Exists(path), $"expected-output file {path} is missing; run with PORTATLAS_UPDATE_EXPECTED=1 to create it");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
