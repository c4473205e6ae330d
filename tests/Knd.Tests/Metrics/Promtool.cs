using System.Diagnostics;

namespace Knd.Tests.Metrics;

/// <summary>Runs <c>promtool check metrics</c> (Debian package <c>prometheus</c>) on an exposition.</summary>
internal static class Promtool
{
    public const string MissingMessage =
        "promtool was not found (looked on PATH and at /usr/bin/promtool). It comes with Debian's 'prometheus' package: " +
        "apt-get install prometheus. CI installs it; this test must not be skipped.";

    public static string? Find() => Locate("promtool");

    /// <summary>A program on PATH or in /usr/bin, or null.</summary>
    public static string? Locate(string name)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin");
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    public static Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition, CancellationToken cancellationToken) =>
        RunAsync(["check", "metrics"], exposition, cancellationToken);

    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, string? input, CancellationToken cancellationToken)
    {
        var promtool = Find();
        Assert.True(promtool is not null, MissingMessage);
        var info = new ProcessStartInfo(promtool!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardInput.WriteAsync((input ?? string.Empty).AsMemory(), cancellationToken);
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
