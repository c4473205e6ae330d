using System.Text.Json;
using Knd.Consul;

namespace Knd.Cluster;

/// <summary>Turns the KV entries under the cluster prefix into a <see cref="ClusterObservation"/>. Bad values are skipped, never fatal.</summary>
internal static class ClusterReader
{
    public static ClusterObservation Read(ClusterKeys keys, KvListResult list)
    {
        var paused = false;
        SwitchoverRecord? switchover = null;
        ulong switchoverIndex = 0;
        var members = new List<Member>();
        foreach (var entry in list.Entries)
        {
            if (entry.Key == keys.Pause)
            {
                paused = Parse(entry.Value, ClusterJsonContext.Default.PauseRecord)?.Paused ?? false;
            }
            else if (entry.Key == keys.Switchover)
            {
                switchover = Parse(entry.Value, ClusterJsonContext.Default.SwitchoverRecord);
                switchoverIndex = entry.ModifyIndex;
            }
            else if (entry.Key.StartsWith(keys.MembersPrefix, StringComparison.Ordinal)
                && Parse(entry.Value, ClusterJsonContext.Default.MemberInfo) is { } info)
            {
                members.Add(new Member(info, entry.Session is not null));
            }
        }

        return new ClusterObservation(paused, switchover, switchoverIndex, members, list.Index);
    }

    private static T? Parse<T>(byte[] value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        if (value.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(value, type);
        }
        catch (JsonException)
        {
            // Written by hand or by another tool: ignore it rather than act on a guess.
            return null;
        }
    }
}
