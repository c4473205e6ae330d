using System.Text.Json;
using System.Text.Json.Nodes;

namespace Knd.Neard;

/// <summary>
/// Makes a standby track the shards of the validator it may become by hot swap, so that the
/// swapped-in key signs at its next duty instead of reporting "Node has not caught up yet" while
/// it fetches state it never had (nearcore #12030; NEAR's failover guide, Option 2). neard reads
/// tracking only at start, so this must be in config.json before the standby's neard starts.
/// <para>
/// Two forms exist and newer nearcore refuses a config.json that mixes them ("cannot be both
/// set"), while nearcore up to 2.5 ignores the newer key as an unrecognised field. knd therefore
/// writes the form the operator's config.json already uses: the deprecated
/// <c>tracked_shadow_validator</c> (with <c>tracked_shards</c> empty, since a non-empty list means
/// all shards and wins) when the file has any of the deprecated keys, otherwise
/// <c>tracked_shards_config: {"ShadowValidator": "&lt;account&gt;"}</c>. Tracking all shards
/// already covers the validator and is kept.
/// </para>
/// </summary>
internal static class ShadowTracking
{
    private static readonly string[] DeprecatedKeys = ["tracked_shards", "tracked_shadow_validator", "tracked_accounts", "tracked_shard_schedule"];

    /// <summary>Edits <paramref name="config"/> in place; returns what it tracks now, for the log.</summary>
    public static string Apply(JsonObject config, string accountId, string path)
    {
        var tracking = config.ContainsKey("tracked_shards_config") || !DeprecatedKeys.Any(config.ContainsKey)
            ? ApplyCurrentForm(config, accountId)
            : ApplyDeprecatedForm(config, accountId);
        NeardConfigFile.GetOrAddObject(config, "store", path)["load_mem_tries_for_tracked_shards"] = true;
        return tracking + ", store.load_mem_tries_for_tracked_shards true";
    }

    private static string ApplyCurrentForm(JsonObject config, string accountId)
    {
        if (config["tracked_shards_config"] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() == "AllShards")
        {
            return "tracked_shards_config \"AllShards\" kept (covers the validator's shards)";
        }

        config["tracked_shards_config"] = new JsonObject { ["ShadowValidator"] = accountId };
        return $"tracked_shards_config {{\"ShadowValidator\": \"{accountId}\"}}";
    }

    private static string ApplyDeprecatedForm(JsonObject config, string accountId)
    {
        // nearcore's order: a non-empty tracked_shards (all shards), then a schedule, then the shadow validator.
        if (config["tracked_shards"] is JsonArray { Count: > 0 })
        {
            return "tracked_shards non-empty kept (all shards; covers the validator's shards)";
        }

        config["tracked_shards"] = new JsonArray();
        config.Remove("tracked_shard_schedule");
        config["tracked_shadow_validator"] = accountId;
        return $"tracked_shadow_validator \"{accountId}\" (the deprecated form this config.json uses)";
    }
}
