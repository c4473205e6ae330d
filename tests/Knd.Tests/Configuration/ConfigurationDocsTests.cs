using Knd.Configuration;

namespace Knd.Tests.Configuration;

public sealed class ConfigurationDocsTests
{
    public static TheoryData<string> Options => [.. RunOptionCatalog.All.Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(Options))]
    public void ConfigurationMd_DocumentsOptionAndItsVariables(string name)
    {
        var spec = RunOptionCatalog.Find(name)!;
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "configuration.md"));

        Assert.Contains($"| `{spec.Flag} ", docs, StringComparison.Ordinal);
        Assert.Contains($"`{spec.EnvName}`", docs, StringComparison.Ordinal);
        if (spec.KuutamoAlias is not null)
        {
            Assert.Contains($"`{spec.KuutamoAlias}`", docs, StringComparison.Ordinal);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Knd.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Knd.sln not found above " + AppContext.BaseDirectory);
    }
}
