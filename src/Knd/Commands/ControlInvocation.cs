using Knd.Control;

namespace Knd.Commands;

/// <summary>One run of a control command: its client, output streams, flags and helpers for the exit codes.</summary>
internal sealed class ControlInvocation
{
    public ControlInvocation(string name, ControlClient client, bool json, TextWriter output, TextWriter error, ControlCliSettings settings, CancellationToken cancellationToken)
    {
        Name = name;
        Client = client;
        Json = json;
        Output = output;
        Error = error;
        Settings = settings;
        CancellationToken = cancellationToken;
    }

    public string Name { get; }

    public ControlClient Client { get; }

    /// <summary><c>--json</c>: print the daemon's JSON as it came, nothing else on stdout.</summary>
    public bool Json { get; }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public ControlCliSettings Settings { get; }

    public CancellationToken CancellationToken { get; }

    public Task<ControlCall> GetAsync(string route) => Client.GetAsync(route, CancellationToken);

    public Task<ControlCall> PostAsync(string route, byte[]? body = null) => Client.PostAsync(route, body, CancellationToken);

    /// <summary>Exit code 1 (or <paramref name="exitCode"/>) with one line on stderr, and with <c>--json</c> the failure as JSON on stdout.</summary>
    public Task<int> FailAsync(string message, int exitCode = ExitCodes.Failed) => CliFailures.WriteAsync(Name, message, exitCode, Json, Output, Error);

    /// <summary>Progress of <c>--wait</c>, on stderr so that stdout stays the answer.</summary>
    public Task NoteAsync(string message) => Error.WriteLineAsync($"knd {Name}: {message}");

    public async Task<int> PrintJsonAsync(ControlCall call)
    {
        await Output.WriteLineAsync(call.Json);
        return ExitCodes.Ok;
    }

    /// <summary>Waits one poll interval (false when cancelled, e.g. by Ctrl-C).</summary>
    public async Task<bool> PauseAsync()
    {
        try
        {
            await Task.Delay(Settings.PollInterval, Settings.Time, CancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
