using System.Text.Json;
using Knd.Cluster;
using Knd.Consul;

namespace Knd.Supervision;

/// <summary>This host's member record under the cluster prefix.</summary>
internal sealed partial class ConsulDriver
{
    /// <summary>First pause after a failed member write: a blip costs half a second of a stale record.</summary>
    internal static readonly TimeSpan MemberRetryMin = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Longest pause between member writes while they fail. The record only informs <c>knd status</c>
    /// and the choice of a switchover target, never the lock, so a recovered Consul may wait this long
    /// for it; without a pause a failing write was retried on every loop event (about 30 a second).
    /// </summary>
    internal static readonly TimeSpan MemberRetryMax = TimeSpan.FromSeconds(10);

    private readonly Lock _memberGate = new();
    private (string SessionId, MemberInfo Info)? _memberWanted;
    private (string SessionId, MemberInfo Info)? _memberPublished;
    private bool _memberInFlight;
    private TimeSpan _memberRetryAt;
    private TimeSpan _memberBackoff = MemberRetryMin;

    /// <summary>
    /// Publishes this host's summary under members/, held with its session so the key unlocks when
    /// the session dies. Coalesces: at most one write in flight, the latest wish wins; after a failed
    /// write the next waits (<see cref="MemberRetryMin"/>, doubling up to <see cref="MemberRetryMax"/>).
    /// </summary>
    public void PublishMember(string sessionId, MemberInfo info, CancellationToken cancellationToken) =>
        _ = StartPublishMember(sessionId, info, cancellationToken);

    /// <summary><see cref="PublishMember"/>; the task (for tests) ends when the writes this call started are done.</summary>
    internal Task StartPublishMember(string sessionId, MemberInfo info, CancellationToken cancellationToken)
    {
        lock (_memberGate)
        {
            if (_memberPublished is { } done && done.SessionId == sessionId && SameSummary(done.Info, info))
            {
                return Task.CompletedTask;
            }

            _memberWanted = (sessionId, info);
            if (_memberInFlight || _clock.Now < _memberRetryAt)
            {
                return Task.CompletedTask;
            }

            _memberInFlight = true;
        }

        return PublishMembersAsync(cancellationToken);
    }

    private static bool SameSummary(MemberInfo a, MemberInfo b) =>
        a.State == b.State && a.Synced == b.Synced && a.Healthy == b.Healthy && a.HeldOff == b.HeldOff && a.PeerAddress == b.PeerAddress;

    private async Task PublishMembersAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await PublishNextMemberAsync(cancellationToken))
            {
            }
        }
        catch (Exception e)
        {
            if (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                Crashed("member publish", e);
            }

            lock (_memberGate)
            {
                _memberInFlight = false;
                BackOffMember();
            }
        }
    }

    /// <summary>Writes the latest wish once; returns whether to go on (a newer wish arrived meanwhile).</summary>
    private async Task<bool> PublishNextMemberAsync(CancellationToken cancellationToken)
    {
        (string SessionId, MemberInfo Info) wanted;
        lock (_memberGate)
        {
            if (_memberWanted is not { } next || (_memberPublished is { } done && done.SessionId == next.SessionId && SameSummary(done.Info, next.Info)))
            {
                _memberInFlight = false;
                return false;
            }

            wanted = next;
        }

        var value = JsonSerializer.SerializeToUtf8Bytes(wanted.Info, ClusterJsonContext.Default.MemberInfo);
        var result = await _consul.AcquireAsync(_cluster.Keys.Member(_options.NodeId), value, wanted.SessionId, 0, cancellationToken);
        var published = result.IsSuccess && result.Value!.Outcome == AcquireOutcome.Acquired;
        if (published)
        {
            Succeeded("member publish");
        }
        else
        {
            // Consul is down, the session is gone, or the key is still held or in its lock-delay.
            Failed("member publish", result.Error?.ToString() ?? $"the member key could not be taken ({result.Value!.Outcome})");
        }

        lock (_memberGate)
        {
            if (published)
            {
                _memberPublished = wanted;
                _memberBackoff = MemberRetryMin;
                return true;
            }

            // Keep the wish: the next loop event after the pause tries again with whatever is latest.
            _memberInFlight = false;
            BackOffMember();
            return false;
        }
    }

    /// <summary>Called under <see cref="_memberGate"/>.</summary>
    private void BackOffMember()
    {
        _memberRetryAt = _clock.Now + _memberBackoff;
        _memberBackoff = _memberBackoff * 2 > MemberRetryMax ? MemberRetryMax : _memberBackoff * 2;
    }
}
