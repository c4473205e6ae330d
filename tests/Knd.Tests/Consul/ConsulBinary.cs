namespace Knd.Tests.Consul;

/// <summary>Finds a real <c>consul</c> executable on PATH, if any.</summary>
public static class ConsulBinary
{
    private static readonly Lazy<string?> Found = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, "consul"))
            .FirstOrDefault(File.Exists));

    public static string? Path => Found.Value;
}
