using System.Text.Json.Serialization;

namespace Knd.Control;

/// <summary>Every error answer of the control socket: <c>{"error": "one line"}</c>.</summary>
internal sealed record ControlError(string Error);

/// <summary>The answer of <c>POST /pause</c> and <c>POST /resume</c>.</summary>
internal sealed record PauseState(bool Paused);

/// <summary>The body of <c>POST /maintenance</c> as the CLI sends it.</summary>
internal sealed record MaintenanceRequestView(string Kind, long? MinimumLength, long? ShutdownAt, bool Cancel)
{
    public static MaintenanceRequestView From(MaintenanceRequest request) =>
        new(MaintenanceKinds.ToWire(request.Kind), request.MinimumLength, request.ShutdownAt, request.Cancel);
}

/// <summary>The body of <c>POST /switchover</c> as the CLI sends it.</summary>
internal sealed record SwitchoverRequestView(string? To);

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

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ControlError))]
[JsonSerializable(typeof(PauseState))]
[JsonSerializable(typeof(MaintenanceRequestView))]
[JsonSerializable(typeof(SwitchoverRequestView))]
[JsonSerializable(typeof(MaintenanceStatusView))]
[JsonSerializable(typeof(SwitchoverStatus))]
[JsonSerializable(typeof(ActiveValidatorInfo))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
