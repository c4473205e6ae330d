namespace Knd.Localnet;

/// <summary>
/// The localnet's coordination service, as its faults need it: dev-consul in process
/// (<see cref="LocalConsul"/>) or three real etcd members behind per-knd proxies
/// (<see cref="LocalEtcd"/>). The fault kinds keep their Consul names; docs/run-localnet.md says
/// what each means on etcd.
/// </summary>
internal abstract class LocalDcs : IAsyncDisposable
{
    /// <summary><c>consul</c> or <c>etcd</c>, as <c>--dcs</c> takes it.</summary>
    public abstract string Kind { get; }

    /// <summary>One line for the live view: what runs and where.</summary>
    public abstract string Describe { get; }

    /// <summary>The <c>knd run</c> options that point <paramref name="nodeId"/>'s knd at this service.</summary>
    public abstract IReadOnlyList<string> RunArguments(string nodeId);

    /// <summary>partition-leader: nothing between this node's knd and the service gets through.</summary>
    public abstract void SetBlackhole(string nodeId, bool enabled);

    /// <summary>consul-slow: every answer to every knd this late (zero ends it).</summary>
    public abstract void SetLatency(TimeSpan latency);

    /// <summary>consul-garbage: spoil answers until <see cref="StopGarbage"/>; returns the note for the trial.</summary>
    public abstract string StartGarbage(TimeSpan duration);

    public abstract void StopGarbage();

    /// <summary>The service has no leader (nothing commits) until <see cref="RestoreLeaderAsync"/>; its data survives.</summary>
    public abstract Task<string> LoseLeaderAsync(CancellationToken cancellationToken);

    public abstract Task RestoreLeaderAsync(CancellationToken cancellationToken);

    /// <summary>The whole service stops: every connection dropped, every session, lease and key lost.</summary>
    public abstract Task StopAsync();

    /// <summary>The service comes back empty on the same addresses, as a cluster that lost its data.</summary>
    public abstract Task StartEmptyAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}
