using System.CommandLine;
using Knd.Commands;

namespace Knd.IntegrationTests.Control;

/// <summary>Runs a control command in-process with captured output, against a test server's socket.</summary>
internal static class CliRun
{
    public static ControlCliSettings Settings { get; } = new()
    {
        Environment = _ => null,
        PollInterval = TimeSpan.FromMilliseconds(50),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    public static async Task<(int Code, string Output, string Error)> RunAsync(Command command, string socket, params string[] args)
    {
        var root = new RootCommand { command };
        var output = new StringWriter();
        var error = new StringWriter();
        var parse = root.Parse([command.Name, .. args, "--control-socket", socket]);
        Assert.Empty(parse.Errors);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var code = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, deadline.Token);
        return (code, output.ToString(), error.ToString());
    }
}
