using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Knd.Control;

/// <summary>kuutamod's answer to its maintenance and health routes (its <c>ApiResponse</c>): <c>{"status": 200, "message": "..."}</c>.</summary>
internal sealed record KuutamodReply(int Status, string Message);

/// <summary>
/// <c>GET /active_validator</c> on a socket with kuutamod's name: knd's fields, plus kuutamod's
/// <c>Name</c> (the holder's node id, kuutamod's session name) and <c>Node</c> (the Consul node of
/// the holder's session), which kuutamoctl reads.
/// </summary>
internal sealed record KuutamodActiveValidator(
    string NodeId,
    string SessionId,
    DateTimeOffset? Since,
    [property: JsonPropertyName("Name")] string Name,
    [property: JsonPropertyName("Node")] string Node)
{
    public static KuutamodActiveValidator From(ActiveValidatorInfo info) =>
        new(info.NodeId, info.SessionId, info.Since, info.NodeId, info.ConsulNode ?? info.NodeId);
}

/// <summary>The metadata of kuutamod's routes: their errors carry kuutamod's <c>message</c> too.</summary>
internal sealed class KuutamodRoute
{
    public static readonly KuutamodRoute Instance = new();

    /// <summary>Whether a kuutamod client may be asking: a kuutamod route, or any request on a socket with kuutamod's name.</summary>
    public static bool Of(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<KuutamodRoute>() is not null || context.Features.Get<ControlConnection>() is { IsKuutamod: true };
}

/// <summary>
/// kuutamod's <c>POST /maintenance_shutdown</c> and <c>POST /maintenance_restart</c>, as kuutamoctl
/// sends it: <c>{"minimum_length": u64|null, "cancel": bool, "shutdown_at": u64|null}</c>.
/// </summary>
internal sealed record KuutamodMaintenanceBody(long? MinimumLength, bool? Cancel, long? ShutdownAt) : IControlBody<KuutamodMaintenanceBody>
{
    public static JsonTypeInfo<KuutamodMaintenanceBody> JsonType => ControlRequestJsonContext.Default.KuutamodMaintenanceBody;

    public static IReadOnlyList<ControlField> Fields { get; } =
    [
        new("minimum_length", "a whole number of at least 0"),
        new("cancel", "true or false"),
        new("shutdown_at", "a whole number of at least 1"),
    ];

    public static KuutamodMaintenanceBody Empty { get; } = new(null, null, null);

    public static ValueTask<KuutamodMaintenanceBody?> BindAsync(HttpContext context) => ControlBody.ReadAsync<KuutamodMaintenanceBody>(context);

    public string? Check() => MaintenanceRules.Check(MinimumLength, "minimum_length", ShutdownAt, "shutdown_at", Cancel ?? false);

    /// <summary>A length of 0 means the largest window (kuutamod meant that; it picked the shortest).</summary>
    public MaintenanceRequest ToRequest(MaintenanceKind kind) => new(kind, MinimumLength is 0 ? null : MinimumLength, ShutdownAt, Cancel ?? false);
}

/// <summary>
/// kneard's <c>POST /schedule_restart</c>, as kneard-ctl sends it:
/// <c>{"minimum_length": u64|null, "cancel": bool, "schedule_at": u64|null}</c>.
/// </summary>
internal sealed record KuutamodScheduleRestartBody(long? MinimumLength, bool? Cancel, long? ScheduleAt) : IControlBody<KuutamodScheduleRestartBody>
{
    public static JsonTypeInfo<KuutamodScheduleRestartBody> JsonType => ControlRequestJsonContext.Default.KuutamodScheduleRestartBody;

    public static IReadOnlyList<ControlField> Fields { get; } =
    [
        new("minimum_length", "a whole number of at least 0"),
        new("cancel", "true or false"),
        new("schedule_at", "a whole number of at least 1"),
    ];

    public static KuutamodScheduleRestartBody Empty { get; } = new(null, null, null);

    public static ValueTask<KuutamodScheduleRestartBody?> BindAsync(HttpContext context) => ControlBody.ReadAsync<KuutamodScheduleRestartBody>(context);

    public string? Check() => MaintenanceRules.Check(MinimumLength, "minimum_length", ScheduleAt, "schedule_at", Cancel ?? false);

    public MaintenanceRequest ToRequest() => new(MaintenanceKind.Restart, MinimumLength is 0 ? null : MinimumLength, ScheduleAt, Cancel ?? false);
}
