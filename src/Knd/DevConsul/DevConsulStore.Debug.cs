using Knd.Consul;

namespace Knd.DevConsul;

internal sealed partial class DevConsulStore
{
    /// <summary>A consistent copy of everything, for <c>GET /_dev/state</c> and tests.</summary>
    public DevStateWire Snapshot(DevConsulFaults faults, AnswerSpoiler? spoiler = null)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            return new DevStateWire
            {
                RaftIndex = _raftIndex,
                KvsIndex = _kvsIndex,
                SessionsIndex = _sessionsIndex,
                HasLeader = _hasLeader,
                LatencyMs = (long)faults.Latency.TotalMilliseconds,
                NoLeaderHoldMs = (long)faults.NoLeaderHold.TotalMilliseconds,
                Blackholed = faults.BlackholedNodes,
                SpoilRules = spoiler?.Snapshot() ?? [],
                SpoiledTotal = spoiler?.SpoiledTotal ?? 0,
                Sessions = _sessions.Values
                    .OrderBy(s => s.CreateIndex)
                    .Select(s => new DevSessionStateWire
                    {
                        Session = ToWire(s),
                        ExpiresInMs = s.ExpiresAt is { } at ? (long)(at - now).TotalMilliseconds : null,
                    })
                    .ToList(),
                Keys = _kv.Values.Select(ToWire).ToList(),
                LockDelays = _lockDelays
                    .Where(d => d.Value > now)
                    .ToDictionary(d => d.Key, d => (long)(d.Value - now).TotalMilliseconds, StringComparer.Ordinal),
            };
        }
    }

    public static KvEntryWire ToWire(StoredKey entry) => new()
    {
        LockIndex = entry.LockIndex,
        Key = entry.Key,
        Flags = entry.Flags,
        Value = entry.Value.Length == 0 ? null : entry.Value,
        Session = entry.Session,
        CreateIndex = entry.CreateIndex,
        ModifyIndex = entry.ModifyIndex,
    };
}
