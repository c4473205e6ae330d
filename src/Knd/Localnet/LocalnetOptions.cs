namespace Knd.Localnet;

/// <summary>What <c>knd localnet</c> was asked to run (already validated by the command).</summary>
internal sealed record LocalnetOptions
{
    /// <summary>The validator account every host serves; its keys are shared by all hosts.</summary>
    public const string Account = "validator.localnet";

    public const string ChainId = "knd-localnet";

    public static readonly TimeSpan BlockInterval = TimeSpan.FromMilliseconds(500);

    public const int DutyPercent = 33;

    public const long DutySeed = 7;

    /// <summary>10 minutes of 500 ms blocks: maintenance windows run to the end of an epoch, so it must not be short.</summary>
    public const long EpochLength = 1200;

    public int Nodes { get; init; } = 3;

    /// <summary><c>consul</c> (an in-process dev-consul) or <c>etcd</c> (three real etcd members).</summary>
    public string Dcs { get; init; } = "consul";

    public bool OnEtcd => Dcs == "etcd";

    /// <summary>Kept on exit when given; otherwise a temp directory that is removed.</summary>
    public string? Dir { get; init; }

    public TimeSpan SessionTtl { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan LockDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>restart</c> or <c>hot-swap</c>.</summary>
    public string Promotion { get; init; } = "hot-swap";

    /// <summary><c>WATCHDOG_USEC</c>; null derives it from the TTL (<see cref="LocalnetTimings.DefaultWatchdog"/>).</summary>
    public TimeSpan? Watchdog { get; init; }

    /// <summary>The neard binary; null finds neard-sim next to knd or on PATH.</summary>
    public string? NeardBin { get; init; }

    /// <summary>Live mode: SIGKILL the leader's host after this long.</summary>
    public TimeSpan? KillLeaderAfter { get; init; }

    /// <summary>Benchmark mode when set: trials per fault kind.</summary>
    public int? Trials { get; init; }

    public IReadOnlyList<FaultKind> Faults { get; init; } = [];

    public string? JsonPath { get; init; }

    /// <summary>Every knd runs <c>--fast-failover</c> (with the peer channel and a shared cluster secret).</summary>
    public bool FastFailover { get; init; }

    /// <summary>Every knd runs <c>--failsafe</c> (with the peer channel and a shared cluster secret).</summary>
    public bool Failsafe { get; init; }

    /// <summary>Every knd's <c>--leader-silence</c> (with <see cref="FastFailover"/>); null keeps knd's default.</summary>
    public TimeSpan? LeaderSilence { get; init; }

    /// <summary>The account is a chunk-only producer in the sims' genesis (chunks, no blocks).</summary>
    public bool ChunkOnly { get; init; }

    /// <summary>What the account produces, as <c>knd localnet</c> shows it.</summary>
    public string Producer => ChunkOnly ? "chunk-only producer" : "block producer";

    /// <summary>Whether the knd daemons run the peer channel at all.</summary>
    public bool PeerChannel => FastFailover || Failsafe;

    /// <summary>consul-down, consul-leader-down and consul-down-kill-leader: how long Consul stays out.</summary>
    public TimeSpan ConsulOutage { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The modes as <c>knd localnet</c> shows them.</summary>
    public string Modes => (FastFailover, Failsafe) switch
    {
        (true, true) => "fast failover + failsafe",
        (true, false) => "fast failover",
        (false, true) => "failsafe",
        _ => "off (no peer channel)",
    };

    public bool IsBenchmark => Trials is not null;
}
