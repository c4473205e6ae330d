using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Knd.Configuration;

namespace Knd.Control;

/// <summary>
/// A control request body: a flat JSON object of known fields, bound by <see cref="ControlBody"/>
/// (the records' <c>BindAsync</c>) with the strict <see cref="ControlRequestJsonContext"/>.
/// </summary>
internal interface IControlBody<TSelf>
    where TSelf : class, IControlBody<TSelf>
{
    static abstract JsonTypeInfo<TSelf> JsonType { get; }

    /// <summary>The known fields, in order, with what each must be: the words of the one-line errors.</summary>
    static abstract IReadOnlyList<ControlField> Fields { get; }

    /// <summary>What an empty body means.</summary>
    static abstract TSelf Empty { get; }

    /// <summary>The rules beyond the types (ranges, combinations): a one-line reason, or null when the body is fine.</summary>
    string? Check();
}

/// <summary>A field of a request body and what its value must be ("a whole number of at least 0").</summary>
internal sealed record ControlField(string Name, string Expected);

/// <summary>
/// <c>POST /maintenance</c>: <c>{"kind":"shutdown"|"restart","minimum_length"?,"shutdown_at"?,"cancel"?}</c>;
/// also what <c>knd maintenance-shutdown|restart</c> sends.
/// </summary>
internal sealed record MaintenanceBody(string? Kind, long? MinimumLength, long? ShutdownAt, bool? Cancel) : IControlBody<MaintenanceBody>
{
    public static JsonTypeInfo<MaintenanceBody> JsonType => ControlRequestJsonContext.Default.MaintenanceBody;

    public static IReadOnlyList<ControlField> Fields { get; } =
    [
        new("kind", "\"shutdown\" or \"restart\""),
        new("minimum_length", "a whole number of at least 0"),
        new("shutdown_at", "a whole number of at least 1"),
        new("cancel", "true or false"),
    ];

    public static MaintenanceBody Empty { get; } = new(null, null, null, null);

    public static MaintenanceBody From(MaintenanceRequest request) =>
        new(MaintenanceKinds.ToWire(request.Kind), request.MinimumLength, request.ShutdownAt, request.Cancel);

    public static ValueTask<MaintenanceBody?> BindAsync(HttpContext context) => ControlBody.ReadAsync<MaintenanceBody>(context);

    public string? Check()
    {
        if (MaintenanceKinds.Parse(Kind) is null)
        {
            return Kind is null
                ? "field \"kind\" is required: \"shutdown\" or \"restart\""
                : $"field \"kind\" must be \"shutdown\" or \"restart\", not {ValueText.Quote(Kind)}";
        }

        return MaintenanceRules.Check(MinimumLength, "minimum_length", ShutdownAt, "shutdown_at", Cancel ?? false);
    }

    /// <summary>The request; call only after <see cref="Check"/> passed. A length of 0 means the largest window, as kuutamod's did.</summary>
    public MaintenanceRequest ToRequest() =>
        new(MaintenanceKinds.Parse(Kind) ?? MaintenanceKind.Shutdown, MinimumLength is 0 ? null : MinimumLength, ShutdownAt, Cancel ?? false);
}

/// <summary>
/// <c>POST /switchover</c>: <c>{"to"?: "node id", "dry_run"?: bool}</c>; empty or <c>{}</c> asks for
/// any ready passive. With <c>dry_run</c> nothing is written: the answer says what would happen.
/// </summary>
internal sealed record SwitchoverBody(string? To, bool? DryRun = null) : IControlBody<SwitchoverBody>
{
    private const int MaxNodeIdLength = 256;

    public static JsonTypeInfo<SwitchoverBody> JsonType => ControlRequestJsonContext.Default.SwitchoverBody;

    public static IReadOnlyList<ControlField> Fields { get; } = [new("to", "a node id (a string)"), new("dry_run", "true or false")];

    public static SwitchoverBody Empty { get; } = new((string?)null);

    public static ValueTask<SwitchoverBody?> BindAsync(HttpContext context) => ControlBody.ReadAsync<SwitchoverBody>(context);

    public string? Check() =>
        To is not null && (To.Length == 0 || To.Length > MaxNodeIdLength || To.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            ? $"field \"to\" must be a node id (non-empty, no spaces or control characters), not {ValueText.Quote(To)}"
            : null;
}

/// <summary><c>POST /members/remove</c>: <c>{"node_id": "node id"}</c>, required.</summary>
internal sealed record RemoveMemberBody([property: System.Text.Json.Serialization.JsonPropertyName("node_id")] string? NodeId) : IControlBody<RemoveMemberBody>
{
    private const int MaxNodeIdLength = 256;

    public static JsonTypeInfo<RemoveMemberBody> JsonType => ControlRequestJsonContext.Default.RemoveMemberBody;

    public static IReadOnlyList<ControlField> Fields { get; } = [new("node_id", "a node id (a string)")];

    public static RemoveMemberBody Empty { get; } = new((string?)null);

    public static ValueTask<RemoveMemberBody?> BindAsync(HttpContext context) => ControlBody.ReadAsync<RemoveMemberBody>(context);

    public string? Check() =>
        NodeId is null ? "field \"node_id\" is required"
        : NodeId.Length == 0 || NodeId.Length > MaxNodeIdLength || NodeId.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            ? $"field \"node_id\" must be a node id (non-empty, no spaces or control characters), not {ValueText.Quote(NodeId)}"
            : null;
}

/// <summary><c>POST /pause</c>, <c>POST /resume</c>: an empty body or <c>{}</c>.</summary>
internal sealed record NoFieldsBody : IControlBody<NoFieldsBody>
{
    public static JsonTypeInfo<NoFieldsBody> JsonType => ControlRequestJsonContext.Default.NoFieldsBody;

    public static IReadOnlyList<ControlField> Fields { get; } = [];

    public static NoFieldsBody Empty { get; } = new();

    public static ValueTask<NoFieldsBody?> BindAsync(HttpContext context) => ControlBody.ReadAsync<NoFieldsBody>(context);

    public string? Check() => null;
}

/// <summary>The rules every maintenance request shares, with the field names of the route it came on.</summary>
internal static class MaintenanceRules
{
    public static string? Check(long? length, string lengthName, long? height, string heightName, bool cancel)
    {
        if (length is < 0)
        {
            return $"field \"{lengthName}\" must be a whole number of at least 0, not {length}";
        }

        if (height is < 1)
        {
            return $"field \"{heightName}\" must be a whole number of at least 1, not {height}";
        }

        if (length is not null && height is not null)
        {
            return $"give either {lengthName} or {heightName}, not both";
        }

        return cancel && (length is not null || height is not null) ? $"cancel takes no {lengthName} or {heightName}" : null;
    }
}

/// <summary>
/// The request bodies, read strictly: an unknown or repeated field is an error, never ignored (a
/// typo such as <c>shutdown_At</c> must not schedule a maintenance at some other height).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false,
    MaxDepth = 8)]
[JsonSerializable(typeof(MaintenanceBody))]
[JsonSerializable(typeof(SwitchoverBody))]
[JsonSerializable(typeof(NoFieldsBody))]
[JsonSerializable(typeof(RemoveMemberBody))]
[JsonSerializable(typeof(KuutamodMaintenanceBody))]
[JsonSerializable(typeof(KuutamodScheduleRestartBody))]
internal sealed partial class ControlRequestJsonContext : JsonSerializerContext;
