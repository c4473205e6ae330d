using System.Text.Json;
using Knd.Cluster;
using Knd.Consul;

namespace Knd.Supervision;

/// <summary>This host's member record under the cluster prefix, written through a <see cref="MemberPublisher"/>.</summary>
internal sealed partial class ConsulDriver
{
    private readonly MemberPublisher _members;

    /// <summary>
    /// Publishes this host's summary under members/, held with its session so the key unlocks when
    /// the session dies; coalesced and backed off by <see cref="MemberPublisher"/>.
    /// </summary>
    public void PublishMember(string sessionId, MemberInfo info, CancellationToken cancellationToken) =>
        _ = StartPublishMember(sessionId, info, cancellationToken);

    /// <summary><see cref="PublishMember"/>; the task (for tests) ends when the writes this call started are done.</summary>
    internal Task StartPublishMember(string sessionId, MemberInfo info, CancellationToken cancellationToken) =>
        _members.Publish(sessionId, info, cancellationToken);

    private async Task<bool> WriteMemberAsync(string sessionId, MemberInfo info, CancellationToken cancellationToken)
    {
        var value = JsonSerializer.SerializeToUtf8Bytes(info, ClusterJsonContext.Default.MemberInfo);
        var result = await _consul.AcquireAsync(_cluster.Keys.Member(_options.NodeId), value, sessionId, 0, cancellationToken);
        if (!result.TryGetValue(out var acquire, out var error))
        {
            Failed("member publish", error);
            return false;
        }

        if (acquire.Outcome == AcquireOutcome.Acquired)
        {
            Succeeded("member publish");
            return true;
        }

        // The session is gone, or the key is still held or in its lock-delay.
        Failed("member publish", $"the member key could not be taken ({acquire.Outcome})");
        return false;
    }
}
