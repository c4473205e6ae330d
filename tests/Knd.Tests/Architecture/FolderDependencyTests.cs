using System.Text.RegularExpressions;

namespace Knd.Tests.Architecture;

/// <summary>
/// Keeps the folders of src/Knd depending only downward, as docs/architecture.md draws them: a
/// folder may name another folder's namespace only if the map below allows it. A new folder, or a
/// new arrow, is a decision to make here and in the doc, not an accident.
/// </summary>
public sealed partial class FolderDependencyTests
{
    // Read as "folder -> what it may use". Bottom first.
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Interop"] = [],
        ["Logging"] = [],
        ["Configuration"] = ["Logging"],
        ["Consul"] = ["Logging"],
        ["Neard"] = ["Interop", "Logging"],
        ["DevConsul"] = ["Consul", "Logging"],
        ["Cluster"] = ["Consul", "Configuration", "Logging"],
        ["Production"] = ["Cluster", "Neard", "Logging"],
        ["Hooks"] = ["Configuration", "Interop", "Logging", "Neard"],
        ["Supervision"] = ["Cluster", "Configuration", "Consul", "Hooks", "Interop", "Logging", "Neard", "Production"],
        ["Peers"] = ["Cluster", "Configuration", "Consul", "Supervision", "Logging"],
        ["Etcd"] = ["Cluster", "Configuration", "Supervision", "Logging"],
        ["Http"] = ["Supervision", "Production", "Neard", "Cluster", "Configuration", "Logging"],
        ["Metrics"] = ["Supervision", "Production", "Peers", "Logging"],
        ["Systemd"] = ["Supervision", "Interop", "Logging"],
        ["Control"] = ["Configuration", "Http", "Supervision", "Cluster", "Logging"],
        ["Switchover"] = ["Cluster", "Configuration", "Consul", "Neard", "Supervision", "Logging"],
        ["Maintenance"] = ["Control", "Cluster", "Configuration", "Consul", "Neard", "Supervision", "Logging"],
        ["Localnet"] = ["Configuration", "DevConsul", "Http", "Interop", "Neard", "Switchover", "Systemd", "Consul", "Logging"],
        ["Hosting"] = ["Cluster", "Configuration", "Consul", "Control", "Etcd", "Hooks", "Http", "Interop", "Logging", "Maintenance", "Metrics", "Neard", "Peers", "Production", "Supervision", "Switchover", "Systemd"],
        ["Commands"] = ["Configuration", "Consul", "Control", "DevConsul", "Hosting", "Http", "Localnet", "Logging", "Interop"],
        ["root"] = ["Commands", "Logging"],
    };

    [Fact]
    public void EveryFolder_DependsOnlyOnWhatTheMapAllows()
    {
        var source = Path.Combine(RepositoryRoot(), "src", "Knd");
        var folders = Directory.GetDirectories(source).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).ToHashSet(StringComparer.Ordinal);
        var violations = new List<string>();
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            var folder = relative.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) ? relative[..relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal)] : "root";
            if (!Allowed.TryGetValue(folder, out var allowed))
            {
                violations.Add($"{relative}: folder {folder} is not in the dependency map (add it here and in docs/architecture.md)");
                continue;
            }

            var used = NamespaceUse().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value)
                .Where(n => n != folder && folders.Contains(n)).Distinct(StringComparer.Ordinal);
            violations.AddRange(used.Where(n => !allowed.Contains(n, StringComparer.Ordinal)).Select(n => $"{relative}: {folder} -> {n} is not allowed"));
        }

        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void TheMap_HasNoCycle()
    {
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);

        bool Cyclic(string folder)
        {
            if (done.Contains(folder))
            {
                return false;
            }

            if (!visiting.Add(folder))
            {
                return true;
            }

            var cyclic = Allowed.GetValueOrDefault(folder, []).Any(Cyclic);
            visiting.Remove(folder);
            done.Add(folder);
            return cyclic;
        }

        Assert.DoesNotContain(Allowed.Keys, Cyclic);
    }

    [Fact]
    public void TheDoc_DrawsEveryArrowOfTheMap()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "architecture.md"));
        var missing = Allowed.SelectMany(e => e.Value.Select(to => $"{e.Key} --> {to}")).Where(arrow => !doc.Contains(arrow, StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "docs/architecture.md lacks: " + string.Join(", ", missing));
    }

    [GeneratedRegex(@"\bKnd\.([A-Z][A-Za-z]+)\b")]
    private static partial Regex NamespaceUse();

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
