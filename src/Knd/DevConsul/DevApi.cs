namespace Knd.DevConsul;

/// <summary>What the endpoints share: the store, the faults, the clock, and the rules for leader-dependent and blocking reads.</summary>
internal sealed class DevApi
{
    private readonly Func<TimeSpan, TimeSpan> _stagger;

    public DevApi(DevConsulOptions options, DevConsulStore store, DevConsulFaults faults, string leaderAddress, ILogger logger)
    {
        Options = options;
        Store = store;
        Faults = faults;
        LeaderAddress = leaderAddress;
        Logger = logger;
        Time = options.TimeProvider;
        _stagger = options.BlockingStagger ?? RandomStagger;
    }

    public DevConsulOptions Options { get; }

    public DevConsulStore Store { get; }

    public DevConsulFaults Faults { get; }

    /// <summary>The <c>/_dev/spoil</c> rules: answers damaged in flight.</summary>
    public AnswerSpoiler Spoiler { get; } = new();

    /// <summary>The server RPC address <c>/v1/status/leader</c> reports.</summary>
    public string LeaderAddress { get; }

    public ILogger Logger { get; }

    public TimeProvider Time { get; }

    public bool AclEnabled => !string.IsNullOrEmpty(Options.AclToken);

    /// <summary>
    /// For writes and default/consistent reads: true when a leader exists, possibly after waiting up
    /// to the no-leader hold for one to appear (Consul's rpc_hold_timeout).
    /// </summary>
    public async Task<bool> WaitForLeaderAsync(CancellationToken cancellationToken)
    {
        if (Store.Leader().HasLeader)
        {
            return true;
        }

        var hold = Faults.NoLeaderHold;
        if (hold > TimeSpan.Zero)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var expired = Task.Delay(hold, Time, cts.Token);
            await Task.WhenAny(Store.LeaderRestored, expired);
            await cts.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }

        return Store.Leader().HasLeader;
    }

    /// <summary>A read needing the leader (not <c>?stale</c>) gets 500 No cluster leader when there is none.</summary>
    public async Task<DevResponse?> RequireLeaderForReadAsync(ReadQuery query, CancellationToken cancellationToken) =>
        query.IsStale || await WaitForLeaderAsync(cancellationToken) ? null : DevResponse.NoClusterLeader();

    /// <summary>
    /// Consul's blocking query (agent/blockingquery): with index 0 answer at once; otherwise answer
    /// when the result's index exceeds the requested one, re-checking whenever something the query
    /// reads changes, or after wait plus a random stagger of up to wait/16, or at once after an index
    /// regression (a snapshot restore abandons the state store). A result still not found after a
    /// change keeps blocking. A consistent read fails if the leader is gone when it re-checks.
    /// </summary>
    public async Task<BlockingResult<T>> BlockAsync<T>(ReadQuery query, WatchKind kind, string key, Func<(T Result, ulong Index, bool Found)> read, CancellationToken cancellationToken)
    {
        if (query.MinIndex == 0)
        {
            var once = read();
            return new BlockingResult<T>(once.Result, once.Index, LostLeader: false);
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var expired = Task.Delay(query.Wait + _stagger(query.Wait), Time, cts.Token);
        var minIndex = query.MinIndex;
        var notFound = false;
        try
        {
            while (true)
            {
                if (query.Consistency == "consistent" && !Store.Leader().HasLeader)
                {
                    return new BlockingResult<T>(default!, 0, LostLeader: true);
                }

                var generation = Store.RestoreGeneration;
                using var watch = Store.Watch(kind, key);
                var current = read();
                if (!current.Found)
                {
                    minIndex = notFound ? current.Index : minIndex;
                    notFound = true;
                }

                if (current.Index > minIndex)
                {
                    return new BlockingResult<T>(current.Result, current.Index, LostLeader: false);
                }

                var fired = await Task.WhenAny(watch.Changed, expired);
                if (fired == expired || Store.RestoreGeneration != generation)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var last = read();
                    return new BlockingResult<T>(last.Result, last.Index, LostLeader: false);
                }
            }
        }
        finally
        {
            await cts.CancelAsync();
        }
    }

    /// <summary>Adds the read headers, with the leader state at the moment of answering.</summary>
    public DevResponse WithMeta(DevResponse response, ulong index, ReadQuery query)
    {
        var (hasLeader, lastContact) = Store.Leader();
        return response.WithQueryMeta(index, hasLeader, lastContact, query.Consistency, AclEnabled);
    }

    private static TimeSpan RandomStagger(TimeSpan wait) =>
#pragma warning disable CA5394 // jitter, not security
        TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * (wait.Ticks / 16)));
#pragma warning restore CA5394
}

/// <summary>The answer of a blocking read; <see cref="LostLeader"/> means a consistent read must fail.</summary>
internal readonly record struct BlockingResult<T>(T Result, ulong Index, bool LostLeader);
