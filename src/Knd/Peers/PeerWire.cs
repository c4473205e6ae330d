using System.Text.Json.Serialization;

namespace Knd.Peers;

/// <summary>The peer channel's routes and headers (docs/peer-channel.md is the reference).</summary>
internal static class PeerWire
{
    public const string HeartbeatPath = "/v1/peer/heartbeat";
    public const string PromisePath = "/v1/peer/promise";

    public const string FromHeader = "Knd-Peer-From";
    public const string ToHeader = "Knd-Peer-To";
    public const string TimestampHeader = "Knd-Peer-Timestamp";
    public const string NonceHeader = "Knd-Peer-Nonce";
    public const string SignatureHeader = "Knd-Peer-Signature";

    /// <summary>A request body larger than this is refused unread: every real one is a few dozen bytes.</summary>
    public const int MaxBodyBytes = 4096;
}

/// <summary>The leader's heartbeat: its session, the age of its last successful renewal, and the fence arithmetic that makes destroying it safe.</summary>
internal sealed record HeartbeatRequest(
    [property: JsonPropertyName("session_id")] string SessionId,
    [property: JsonPropertyName("renew_age_ms")] long RenewAgeMs,
    [property: JsonPropertyName("lock_delay_ms")] long LockDelayMs,
    [property: JsonPropertyName("fence_bound_ms")] long FenceBoundMs);

/// <summary>What a member answers a heartbeat: that it read it.</summary>
internal sealed record HeartbeatAnswer([property: JsonPropertyName("ok")] bool Ok);

/// <summary>A leader asks for a promise not to take the lock for <see cref="DurationMs"/> from when the member receives this.</summary>
internal sealed record PromiseRequest(
    [property: JsonPropertyName("session_id")] string SessionId,
    [property: JsonPropertyName("duration_ms")] long DurationMs);

/// <summary>A member's answer: granted for <see cref="DurationMs"/>, or refused with a reason.</summary>
internal sealed record PromiseAnswer(
    [property: JsonPropertyName("granted")] bool Granted,
    [property: JsonPropertyName("duration_ms")] long DurationMs,
    [property: JsonPropertyName("reason")] string? Reason);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HeartbeatAnswer))]
[JsonSerializable(typeof(PromiseRequest))]
[JsonSerializable(typeof(PromiseAnswer))]
internal sealed partial class PeerJsonContext : JsonSerializerContext;
