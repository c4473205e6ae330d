using System.Text.Json;

namespace NeardSim.Home;

/// <summary>
/// What config.json says this node tracks: newer nearcore's <c>tracked_shards_config</c>
/// (<c>"AllShards"</c>, <c>{"ShadowValidator":"A"}</c>, ...) or the older <c>tracked_shards</c> (a
/// non-empty list meant all shards) and <c>tracked_shadow_validator</c>. A node that tracks the
/// shards of an account can sign for it at once after a hot swap; any other must catch up first.
/// </summary>
internal sealed record TrackedShards(bool AllShards, string? ShadowValidator)
{
    public static readonly TrackedShards None = new(false, null);

    /// <summary>True when the node already has the state to validate for <paramref name="accountId"/>.</summary>
    public bool Covers(string accountId) => AllShards || ShadowValidator == accountId;

    private static readonly string[] DeprecatedKeys = ["tracked_shards", "tracked_shadow_validator", "tracked_accounts", "tracked_shard_schedule"];

    /// <summary>
    /// <paramref name="legacyOnly"/> (<c>sim.legacy_tracking_only</c>) reads as nearcore up to 2.5
    /// did: <c>tracked_shards_config</c> is an unrecognised field, ignored. Otherwise, as newer
    /// nearcore, a file with both forms is refused.
    /// </summary>
    public static TrackedShards Read(JsonObjectReader root, bool legacyOnly = false)
    {
        if (!legacyOnly && root.Element("tracked_shards_config") is { } config)
        {
            if (DeprecatedKeys.FirstOrDefault(k => root.Element(k) is not null) is { } both)
            {
                throw root.Error(both, "and tracked_shards_config cannot be both set (nearcore's config validation)");
            }

            return config.ValueKind switch
            {
                JsonValueKind.String => new TrackedShards(config.GetString() == "AllShards", null),
                JsonValueKind.Object when config.TryGetProperty("ShadowValidator", out var shadow) =>
                    shadow.ValueKind == JsonValueKind.String
                        ? new TrackedShards(false, shadow.GetString())
                        : throw root.Error("tracked_shards_config", "ShadowValidator must be an account id string"),
                JsonValueKind.Object => None,
                _ => throw root.Error("tracked_shards_config", "must be a string or an object"),
            };
        }

        var all = root.Array("tracked_shards").Count > 0;
        return new TrackedShards(all, root.String("tracked_shadow_validator"));
    }
}
