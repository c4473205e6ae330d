using System.Text;
using Knd.Tests.Infrastructure;

namespace Knd.Tests.Metrics;

public sealed class MetricsDocsTests
{
    public static TheoryData<string, string> Families()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, type) in ContractFamilies.All)
        {
            data.Add(name, type);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void DocsMetricsMd_ListsEveryFamily_WithItsType(string name, string type)
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "metrics.md"));

        Assert.Contains($"| `{name}", docs, StringComparison.Ordinal);
        var row = docs.Split('\n').First(l => l.StartsWith($"| `{name}", StringComparison.Ordinal));
        Assert.Contains($"| {type} |", row, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task DocsMetricsMd_RecordingRulesAndPromQlExamples_PassPromtoolCheckRules()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "metrics.md"));
        var rules = Blocks(docs, "yaml").Single();
        var examples = Blocks(docs, "promql").SelectMany(b => b.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.True(examples.Count >= 10, $"only {examples.Count} PromQL examples found");
        var generated = new StringBuilder("groups:\n  - name: docs-examples\n    rules:\n");
        for (var i = 0; i < examples.Count; i++)
        {
            generated.Append(System.Globalization.CultureInfo.InvariantCulture, $"      - record: docs_example_{i}\n        expr: |\n          {examples[i]}\n");
        }

        using var directory = new Neard.TempDirectory();
        await File.WriteAllTextAsync(directory.File("compat.yml"), rules);
        await File.WriteAllTextAsync(directory.File("examples.yml"), generated.ToString());
        using var deadline = Deadline.After(TimeSpan.FromSeconds(50));

        var (exitCode, output) = await Promtool.RunAsync(["check", "rules", directory.File("compat.yml"), directory.File("examples.yml")], null, deadline.Token);

        Assert.True(exitCode == 0, $"promtool check rules failed ({exitCode}):\n{output}\n--- examples ---\n{generated}");
    }

    private static IEnumerable<string> Blocks(string markdown, string language)
    {
        var fence = "```" + language + "\n";
        for (var start = markdown.IndexOf(fence, StringComparison.Ordinal); start >= 0; start = markdown.IndexOf(fence, start, StringComparison.Ordinal))
        {
            start += fence.Length;
            var end = markdown.IndexOf("```", start, StringComparison.Ordinal);
            yield return markdown[start..end];
            start = end;
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
