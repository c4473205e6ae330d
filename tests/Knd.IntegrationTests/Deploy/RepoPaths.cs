namespace Knd.IntegrationTests.Deploy;

/// <summary>The repository the tests were built from, and its files by extension.</summary>
internal static class RepoPaths
{
    private static readonly HashSet<string> SkippedDirectories =
        new(StringComparer.Ordinal) { ".git", "bin", "obj", "artifacts", "publish", "TestResults", ".localnet", "node_modules" };

    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The directory holding Knd.sln, found by walking up from the test assembly.</summary>
    public static string Root => LazyRoot.Value;

    public static string Combine(params string[] relative) => Path.Combine([Root, .. relative]);

    /// <summary>Every file under the root whose name ends with <paramref name="suffix"/>, skipping build output and VCS folders.</summary>
    public static IReadOnlyList<string> FilesEndingWith(string suffix)
    {
        var found = new List<string>();
        var pending = new Stack<string>();
        pending.Push(Root);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var sub in Directory.EnumerateDirectories(directory))
            {
                if (!SkippedDirectories.Contains(Path.GetFileName(sub)))
                {
                    pending.Push(sub);
                }
            }

            found.AddRange(Directory.EnumerateFiles(directory).Where(f => f.EndsWith(suffix, StringComparison.Ordinal)));
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }

    public static string Relative(string path) => Path.GetRelativePath(Root, path);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Knd.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Knd.sln in {AppContext.BaseDirectory} or any parent directory");
    }
}
