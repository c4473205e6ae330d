using Knd.Configuration;

namespace Knd.Control;

/// <summary>Turns control request bodies into <see cref="ISupervisorControl"/> requests, or a one-line 400 reason.</summary>
internal static class ControlRequestParser
{
    private const int MaxNodeIdLength = 256;

    private static readonly string[] MaintenanceFields = ["kind", "minimum_length", "shutdown_at", "cancel"];
    private static readonly string[] SwitchoverFields = ["to"];

    /// <summary><c>{"kind":"shutdown"|"restart", "minimum_length"?, "shutdown_at"?, "cancel"?}</c>.</summary>
    public static MaintenanceRequest? Maintenance(ReadOnlyMemory<byte> body, out string? error)
    {
        if (JsonBody.Parse(body, MaintenanceFields, out error) is not { } json)
        {
            return null;
        }

        var kindText = json.String("kind", ref error);
        var minimumLength = json.Integer("minimum_length", 0, ref error);
        var shutdownAt = json.Integer("shutdown_at", 1, ref error);
        var cancel = json.Boolean("cancel", ref error) ?? false;
        if (error is not null)
        {
            return null;
        }

        if (MaintenanceKinds.Parse(kindText) is not { } kind)
        {
            error = kindText is null
                ? "field \"kind\" is required: \"shutdown\" or \"restart\""
                : $"field \"kind\" must be \"shutdown\" or \"restart\", not {ValueText.Quote(kindText)}";
            return null;
        }

        if (minimumLength is not null && shutdownAt is not null)
        {
            error = "give either minimum_length or shutdown_at, not both";
            return null;
        }

        if (cancel && (minimumLength is not null || shutdownAt is not null))
        {
            error = "cancel takes no minimum_length or shutdown_at";
            return null;
        }

        // 0 means "no minimum" (the largest window), as kuutamod's MINIMUM_LENGTH 0 did.
        return new MaintenanceRequest(kind, minimumLength is 0 ? null : minimumLength, shutdownAt, cancel);
    }

    /// <summary><c>{"to"?: "node id"}</c>; an empty body asks for any ready passive.</summary>
    public static SwitchoverRequest? Switchover(ReadOnlyMemory<byte> body, out string? error)
    {
        if (JsonBody.Parse(body, SwitchoverFields, out error) is not { } json)
        {
            return null;
        }

        var to = json.String("to", ref error);
        if (error is not null)
        {
            return null;
        }

        if (to is not null && (to.Length == 0 || to.Length > MaxNodeIdLength || to.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            error = $"field \"to\" must be a node id (non-empty, no spaces or control characters), not {ValueText.Quote(to)}";
            return null;
        }

        return new SwitchoverRequest(to);
    }

    /// <summary>A request that takes no fields (pause, resume): an empty body or <c>{}</c>. Null when fine.</summary>
    public static string? NoFields(ReadOnlyMemory<byte> body)
    {
        _ = JsonBody.Parse(body, [], out var error);
        return error;
    }
}
