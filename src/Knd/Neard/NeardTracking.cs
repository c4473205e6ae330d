using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Knd.Neard;

/// <summary>
/// The shard tracking of neard's config.json as knd last wrote or read it before a start, for
/// <c>knd status</c> (<c>tracking</c>, docs/cli.md): the current form (<c>tracked_shards_config</c>),
/// the deprecated one (<c>tracked_shadow_validator</c>, <c>tracked_shards</c>) and
/// <c>store.load_mem_tries_for_tracked_shards</c>, each null when config.json does not set it.
/// <see cref="WrittenByKnd"/>: knd wrote the shadow tracking (<c>--promotion hot-swap</c>,
/// <see cref="ShadowTracking"/>); otherwise it is the operator's and knd only read it.
/// </summary>
internal sealed record NeardTracking(
    JsonElement? TrackedShardsConfig,
    string? TrackedShadowValidator,
    JsonElement? TrackedShards,
    bool? LoadMemTriesForTrackedShards,
    bool WrittenByKnd)
{
    public static NeardTracking From(JsonObject config, bool writtenByKnd) => new(
        Element(config["tracked_shards_config"]),
        config["tracked_shadow_validator"] is JsonValue shadow && shadow.TryGetValue<string>(out var account) ? account : null,
        Element(config["tracked_shards"]),
        config["store"] is JsonObject store && store["load_mem_tries_for_tracked_shards"] is JsonValue load && load.TryGetValue<bool>(out var value) ? value : null,
        writtenByKnd);

    /// <summary>One line for <c>knd status</c>: the keys that are set, and whose they are.</summary>
    public string Describe()
    {
        var set = new List<string>();
        if (TrackedShardsConfig is { } config)
        {
            set.Add("tracked_shards_config " + config.GetRawText());
        }

        if (TrackedShadowValidator is { } shadow)
        {
            set.Add("tracked_shadow_validator " + JsonValue.Create(shadow).ToJsonString());
        }

        if (TrackedShards is { } shards)
        {
            set.Add("tracked_shards " + shards.GetRawText());
        }

        if (LoadMemTriesForTrackedShards is { } load)
        {
            set.Add("load_mem_tries_for_tracked_shards " + (load ? "true" : "false"));
        }

        var what = set.Count == 0 ? "nothing set (neard's defaults)" : string.Join(", ", set);
        return string.Create(CultureInfo.InvariantCulture, $"{what} ({(WrittenByKnd ? "written by knd for --promotion hot-swap" : "the operator's; knd writes none with --promotion restart")})");
    }

    private static JsonElement? Element(JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(node.ToJsonString());
        return document.RootElement.Clone();
    }
}
