using System.Text.Json;
using Knd.Cluster;
using Knd.Consul;

namespace Knd.Supervision;

/// <summary>This host's member record under the cluster prefix.</summary>
internal sealed partial class ConsulDriver
{
    private readonly Lock _memberGate = new();
    private (string SessionId, MemberInfo Info)? _memberWanted;
    private (string SessionId, MemberInfo Info)? _memberPublished;
    private bool _memberInFlight;

    /// <summary>
    /// Publishes this host's summary under members/, held with its session so the key unlocks when
    /// the session dies. Coalesces: at most one write in flight, the latest wish wins.
    /// </summary>
    public void PublishMember(string sessionId, MemberInfo info, CancellationToken cancellationToken)
    {
        lock (_memberGate)
        {
            if (_memberPublished is { } done && done.SessionId == sessionId && SameSummary(done.Info, info))
            {
                return;
            }

            _memberWanted = (sessionId, info);
            if (_memberInFlight)
            {
                return;
            }

            _memberInFlight = true;
        }

        _ = PublishMembersAsync(cancellationToken);
    }

    private static bool SameSummary(MemberInfo a, MemberInfo b) =>
        a.State == b.State && a.Synced == b.Synced && a.Healthy == b.Healthy;

    private async Task PublishMembersAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            (string SessionId, MemberInfo Info) wanted;
            lock (_memberGate)
            {
                if (_memberWanted is not { } next || (_memberPublished is { } done && done.SessionId == next.SessionId && SameSummary(done.Info, next.Info)))
                {
                    _memberInFlight = false;
                    return;
                }

                wanted = next;
            }

            var value = JsonSerializer.SerializeToUtf8Bytes(wanted.Info, ClusterJsonContext.Default.MemberInfo);
            var result = await _consul.AcquireAsync(_cluster.Keys.Member(_options.NodeId), value, wanted.SessionId, 0, cancellationToken);
            lock (_memberGate)
            {
                if (result.IsSuccess && result.Value!.Outcome == AcquireOutcome.Acquired)
                {
                    _memberPublished = wanted;
                }
                else if (_memberWanted == wanted)
                {
                    // The session is gone or Consul is down: try again with the next wish.
                    _memberWanted = null;
                }
            }
        }
    }
}
