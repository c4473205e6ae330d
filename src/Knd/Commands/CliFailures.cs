using System.Text.Json;
using Knd.Control;

namespace Knd.Commands;

/// <summary>
/// How a control command fails: one line <c>knd &lt;command&gt;: &lt;reason&gt;</c> on stderr, and with
/// <c>--json</c> also one object <c>{"error":"&lt;reason&gt;","exit_code":N}</c> on stdout, so a
/// script reading stdout always gets JSON (docs/cli.md, "Exit codes").
/// </summary>
internal static class CliFailures
{
    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<CliFailure> FailureInfo = ControlJsonContext.ReadableInfo<CliFailure>();

    public static async Task<int> WriteAsync(string command, string reason, int exitCode, bool json, TextWriter output, TextWriter error)
    {
        var line = reason.ReplaceLineEndings(" ");
        await error.WriteLineAsync($"knd {command}: {line}");
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new CliFailure(line, exitCode), FailureInfo));
        }

        return exitCode;
    }
}
