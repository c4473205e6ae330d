using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Knd.Cluster;

namespace Knd.Etcd;

/// <summary>
/// The cluster keys on etcd as a <see cref="ClusterObservation"/>, like <see cref="ClusterReader"/> does
/// for Consul. A member record lives with its host's lease, so every record present is alive: a dead
/// host's record is gone rather than unlocked. Bad values are skipped, never fatal.
/// </summary>
internal static class EtcdClusterReader
{
    public static ClusterObservation Read(ClusterKeys keys, IEnumerable<EtcdKv> entries, long revision)
    {
        var paused = false;
        SwitchoverRecord? switchover = null;
        ulong switchoverIndex = 0;
        var members = new List<Member>();
        foreach (var entry in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (entry.Key == keys.Pause)
            {
                paused = Parse(entry.Value, ClusterJsonContext.Default.PauseRecord)?.Paused ?? false;
            }
            else if (entry.Key == keys.Switchover)
            {
                switchover = Parse(entry.Value, ClusterJsonContext.Default.SwitchoverRecord);
                switchoverIndex = (ulong)entry.ModRevision;
            }
            else if (entry.Key.StartsWith(keys.MembersPrefix, StringComparison.Ordinal)
                && Parse(entry.Value, ClusterJsonContext.Default.MemberInfo) is { } info)
            {
                members.Add(new Member(info, entry.LeaseId != 0));
            }
        }

        return new ClusterObservation(paused, switchover, switchoverIndex, members, (ulong)Math.Max(revision, 0));
    }

    private static T? Parse<T>(byte[] value, JsonTypeInfo<T> type)
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
