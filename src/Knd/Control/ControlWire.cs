using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Knd.Control;

/// <summary>
/// Every error answer of the control socket: an RFC 9457 problem document
/// (<c>application/problem+json</c>) whose <see cref="Detail"/> is one line saying why. On
/// kuutamod's routes it also carries <see cref="Message"/>, the same line: kuutamoctl reads
/// kuutamod's <c>{"status", "message"}</c> and ignores the rest.
/// </summary>
internal sealed record ControlProblem(
    string Type,
    string Title,
    int Status,
    string Detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null);

/// <summary>
/// An error answer as the CLI reads it: a problem's <c>detail</c>; <c>error</c> from a knd
/// before problem documents (a host mid-upgrade); or kuutamod's <c>message</c>.
/// </summary>
internal sealed record ControlErrorView(string? Detail, string? Error, string? Message)
{
    public string? Reason => Detail ?? Error ?? Message;
}

/// <summary>What a control command prints on stdout with <c>--json</c> when it fails: <c>{"error":"one line","exit_code":N}</c>.</summary>
internal sealed record CliFailure(string Error, int ExitCode);

/// <summary>The answer of <c>POST /pause</c> and <c>POST /resume</c>.</summary>
internal sealed record PauseState(bool Paused);

/// <summary>What is scheduled, on the wire: <see cref="Kind"/> is "shutdown", "restart" or null.</summary>
internal sealed record MaintenanceStatusView(string? Kind, long? ShutdownAt, long? CurrentHeight, long? WindowStart, long? WindowEnd, string Message)
{
    public static MaintenanceStatusView From(MaintenanceStatus status) => new(
        status.Kind is { } kind ? MaintenanceKinds.ToWire(kind) : null,
        status.ShutdownAt,
        status.CurrentHeight,
        status.WindowStart,
        status.WindowEnd,
        status.Message);
}

/// <summary>The wire names of <see cref="MaintenanceKind"/>.</summary>
internal static class MaintenanceKinds
{
    public const string Shutdown = "shutdown";
    public const string Restart = "restart";

    public static string ToWire(MaintenanceKind kind) => kind == MaintenanceKind.Restart ? Restart : Shutdown;

    public static MaintenanceKind? Parse(string? text) => text switch
    {
        Shutdown => MaintenanceKind.Shutdown,
        Restart => MaintenanceKind.Restart,
        _ => null,
    };
}

/// <summary><c>POST /members/remove</c>'s answer: the node whose record was deleted.</summary>
internal sealed record RemovedMember(string Removed);

/// <summary>The answers of the control socket (and what the CLI reads of them): lenient about fields it does not know.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ControlProblem))]
[JsonSerializable(typeof(ControlErrorView))]
[JsonSerializable(typeof(CliFailure))]
[JsonSerializable(typeof(PauseState))]
[JsonSerializable(typeof(MaintenanceStatusView))]
[JsonSerializable(typeof(SwitchoverStatus))]
[JsonSerializable(typeof(ActiveValidatorInfo))]
[JsonSerializable(typeof(KuutamodReply))]
[JsonSerializable(typeof(KuutamodActiveValidator))]
[JsonSerializable(typeof(MemberListView))]
[JsonSerializable(typeof(RemovedMember))]
internal sealed partial class ControlJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The same contracts, writing quotes and apostrophes as themselves instead of <c>\u0022</c>:
    /// error lines quote values, and they are read by people and shells, never put into HTML.
    /// </summary>
    public static JsonTypeInfo<T> ReadableInfo<T>() =>
        (JsonTypeInfo<T>)new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }.GetTypeInfo(typeof(T));
}
