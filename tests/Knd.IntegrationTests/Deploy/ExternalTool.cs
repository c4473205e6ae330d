using System.Diagnostics;

namespace Knd.IntegrationTests.Deploy;

/// <summary>What a finished tool run printed.</summary>
internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => (Stdout + "\n" + Stderr).Trim();

    public string Describe(string what) => $"{what} exited with {ExitCode}:\n{Output}";
}

/// <summary>
/// A program from a Debian package that ./test.sh (the README's test command) installs. A missing tool fails the test
/// with the package to install: these checks must never silently not run.
/// </summary>
internal sealed class ExternalTool
{
    private ExternalTool(string path)
    {
        Path = path;
    }

    public string Path { get; }

    /// <summary>Finds <paramref name="name"/> on PATH, or fails the test naming <paramref name="debianPackage"/>.</summary>
    public static ExternalTool Require(string name, string debianPackage)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return new ExternalTool(candidate);
            }
        }

        Assert.Fail($"{name} is not on PATH: install the Debian package '{debianPackage}' (apt-get install {debianPackage}); ./test.sh does this");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>A program at a known path (e.g. one a test just built).</summary>
    public static ExternalTool At(string path) => new(path);

    /// <summary>Runs the tool to completion (a null <paramref name="environment"/> value removes that variable); kills it and fails the test after <paramref name="timeout"/>.</summary>
    public async Task<ToolResult> RunAsync(IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepoPaths.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Path}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"{System.IO.Path.GetFileName(Path)} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds:0} s:\n{await stdout}\n{await stderr}");
        }

        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }
}
