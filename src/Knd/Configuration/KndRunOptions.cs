using System.Net;
using Knd.Logging;

namespace Knd.Configuration;

/// <summary>
/// The validated settings of <c>knd run</c> (contract §2). Built once at start by
/// the run-options parser; every value here has already passed validation.
/// </summary>
internal sealed class KndRunOptions
{
    public required string NodeId { get; init; }

    public required string AccountId { get; init; }

    public required Uri ConsulUrl { get; init; }

    public string? ConsulTokenFile { get; init; }

    /// <summary>Which coordination service holds the lock.</summary>
    public LockServiceKind Dcs { get; init; } = LockServiceKind.Consul;

    /// <summary>With <see cref="LockServiceKind.Etcd"/>: the members' client URLs (scheme://host:port).</summary>
    public IReadOnlyList<Uri> EtcdEndpoints { get; init; } = [];

    public string? EtcdCaFile { get; init; }

    public string? EtcdCertFile { get; init; }

    public string? EtcdKeyFile { get; init; }

    public string? EtcdUser { get; init; }

    public string? EtcdPasswordFile { get; init; }

    public required string LockKeyPrefix { get; init; }

    /// <summary>Host and port for the HTTP endpoints. Port 0 lets the kernel pick one (tests).</summary>
    public required IPEndPoint ExporterAddress { get; init; }

    public required string ControlSocket { get; init; }

    /// <summary>The node binary: an absolute path, or a name resolved on PATH at start.</summary>
    public required string NeardBin { get; init; }

    public required string NeardHome { get; init; }

    public required string ValidatorKey { get; init; }

    public required string ValidatorNodeKey { get; init; }

    public required string VoterNodeKey { get; init; }

    public required IPEndPoint ValidatorNetworkAddr { get; init; }

    public required IPEndPoint VoterNetworkAddr { get; init; }

    public required IReadOnlyList<IPAddress> PublicAddresses { get; init; }

    public string? NeardBootnodes { get; init; }

    public required PromotionMode Promotion { get; init; }

    public string? LogDir { get; init; }

    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>The production watch's tolerance (<c>--mischance-confidence</c>, <c>--max-mischance</c>).</summary>
    public ProductionRules Production { get; init; } = new();
    /// <summary>The peer channel's listen address (<c>--peer-address</c>), or null when this knd runs none. Port 0: the kernel picks one.</summary>
    public IPEndPoint? PeerAddress { get; init; }

    /// <summary>Where the other hosts reach this peer channel, or null for the address it is bound to.</summary>
    public IPEndPoint? PeerAdvertiseAddress { get; init; }

    /// <summary>The cluster secret's file (the secret itself is read by the daemon, never kept here).</summary>
    public string? ClusterSecretFile { get; init; }

    /// <summary>Fast failover and the failsafe, with their timings.</summary>
    public PeerRules Peers { get; init; } = new();

    /// <summary>This host's failover tags (<c>--no-failover</c>, <c>--priority</c>).</summary>
    public MemberTags Tags { get; init; } = new();

    /// <summary>The operator hooks (<c>--on-role-change</c>, <c>--pre-promote</c>, <c>--hook-timeout</c>).</summary>
    public HookSettings Hooks { get; init; } = new(null, null, RunOptionsParser.DefaultHookTimeout);

    /// <summary>Notes about accepted but risky values, already printed on stderr at start; for the daemon's log.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The key this validator's leader holds (Consul KV or etcd).</summary>
    public string LockKey => LockKeyPrefix + AccountId;
}

/// <summary>The coordination service that holds the lock (<c>--dcs</c>).</summary>
internal enum LockServiceKind
{
    Consul,
    Etcd,
}
