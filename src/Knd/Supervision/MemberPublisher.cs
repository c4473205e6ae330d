using Knd.Cluster;

namespace Knd.Supervision;

/// <summary>
/// Publishes this host's member record for a lock-service driver (Consul or etcd), held with its
/// session so the record goes when the session does. Coalesces: at most one write in flight, the
/// latest wish wins, a record that says what the last written one said is not written again; after
/// a failed write the next waits (<see cref="FailoverTimings.MemberRetryMin"/>, doubling up to <see cref="FailoverTimings.MemberRetryMax"/>).
/// </summary>
internal sealed class MemberPublisher
{
    private readonly MonotonicClock _clock;
    private readonly FailoverTimings _timings;
    private readonly Func<string, MemberInfo, CancellationToken, Task<bool>> _write;
    private readonly Action<Exception> _crashed;
    private readonly Action<SupervisorEvent>? _post;
    private readonly Lock _gate = new();
    private (string SessionId, MemberInfo Info)? _wanted;
    private (string SessionId, MemberInfo Info)? _published;
    private bool _inFlight;
    private TimeSpan _retryAt;
    private TimeSpan _backoff;
    private TimeSpan _publishedAt;
    private bool _rosterReported;
    private NodeList? _reportedRoster;

    /// <param name="clock">Paces the retries.</param>
    /// <param name="timings">The retry pauses and the height refresh (<see cref="FailoverTimings.MemberRetryMin"/> ...).</param>
    /// <param name="write">Writes the record with the session; true when written (it logs its own outcome).</param>
    /// <param name="crashed">Reports an exception the write let through (a bug): the publisher backs off and goes on.</param>
    /// <param name="post">
    /// Told (<see cref="FailsafeRosterPublishedEvent"/>) when a written record's failsafe member list
    /// differs from the last one written, and after the first write: the failsafe covers a leader only
    /// once its record shows the list.
    /// </param>
    public MemberPublisher(MonotonicClock clock, FailoverTimings timings, Func<string, MemberInfo, CancellationToken, Task<bool>> write, Action<Exception> crashed, Action<SupervisorEvent>? post = null)
    {
        _post = post;
        _clock = clock;
        _timings = timings;
        _backoff = timings.MemberRetryMin;
        _write = write;
        _crashed = crashed;
    }

    /// <summary>Asks for the record; the task (for tests) ends when the writes this call started are done.</summary>
    public Task Publish(string sessionId, MemberInfo info, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (AlreadySays(sessionId, info))
            {
                return Task.CompletedTask;
            }

            _wanted = (sessionId, info);
            if (_inFlight || _clock.Now < _retryAt)
            {
                return Task.CompletedTask;
            }

            _inFlight = true;
        }

        return PublishAllAsync(cancellationToken);
    }

    /// <summary>
    /// What the record is for. The head height, the renewal time and the count of a production
    /// verdict's misses change by the block or the renewal; they are refreshed every
    /// <see cref="FailoverTimings.MemberHeightRefresh"/>, not written on every change.
    /// </summary>
    internal static bool SameSummary(MemberInfo a, MemberInfo b) => Summary(a) == Summary(b);

    private static MemberInfo Summary(MemberInfo info) =>
        info with { Height = null, RenewedAt = null, Production = MemberProduction.Kind(info.Production) };

    /// <summary>Called under the gate: the written record says this already, its changing fields fresh enough.</summary>
    private bool AlreadySays(string sessionId, MemberInfo info) =>
        _published is { } done
        && done.SessionId == sessionId
        && SameSummary(done.Info, info)
        && (done.Info == info || _clock.Now - _publishedAt < _timings.MemberHeightRefresh);

    private async Task PublishAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await PublishNextAsync(cancellationToken))
            {
            }
        }
        catch (Exception e)
        {
            if (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                _crashed(e);
            }

            bool rosterUnknown;
            lock (_gate)
            {
                // The write may have landed or not: as after a failed write that would change the list.
                rosterUnknown = _rosterReported;
                _rosterReported = false;
                _published = null;
                _inFlight = false;
                BackOff();
            }

            if (rosterUnknown)
            {
                _post?.Invoke(new FailsafeRosterPublishedEvent(string.Empty, null));
            }
        }
    }

    /// <summary>Writes the latest wish once; returns whether to go on (a newer wish arrived meanwhile).</summary>
    private async Task<bool> PublishNextAsync(CancellationToken cancellationToken)
    {
        (string SessionId, MemberInfo Info) wanted;
        lock (_gate)
        {
            if (_wanted is not { } next || AlreadySays(next.SessionId, next.Info))
            {
                _inFlight = false;
                return false;
            }

            wanted = next;
        }

        var written = await _write(wanted.SessionId, wanted.Info, cancellationToken);
        bool reportRoster;
        lock (_gate)
        {
            if (written)
            {
                _published = wanted;
                _publishedAt = _clock.Now;
                _backoff = _timings.MemberRetryMin;
                reportRoster = !_rosterReported || !Equals(_reportedRoster, wanted.Info.FailsafeMembers);
                _rosterReported = true;
                _reportedRoster = wanted.Info.FailsafeMembers;
            }
            else
            {
                reportRoster = false;
            }
        }

        if (written)
        {
            if (reportRoster)
            {
                _post?.Invoke(new FailsafeRosterPublishedEvent(wanted.SessionId, wanted.Info.FailsafeMembers?.Items));
            }

            return true;
        }

        bool rosterUnknown;
        lock (_gate)
        {
            // A write that failed may still have landed: when it would have changed the list, the record
            // may now show either one, so the list counts as unknown (null) until a write lands again,
            // and the next wish is written even if it says what the last landed one said.
            rosterUnknown = _rosterReported && !Equals(_reportedRoster, wanted.Info.FailsafeMembers);
            if (rosterUnknown)
            {
                _rosterReported = false;
                _published = null;
            }

            // Keep the wish: the next call after the pause tries again with whatever is latest.
            _inFlight = false;
            BackOff();
        }

        if (rosterUnknown)
        {
            _post?.Invoke(new FailsafeRosterPublishedEvent(wanted.SessionId, null));
        }

        return false;
    }

    private void BackOff()
    {
        _retryAt = _clock.Now + _backoff;
        _backoff = _backoff * 2 > _timings.MemberRetryMax ? _timings.MemberRetryMax : _backoff * 2;
    }
}
