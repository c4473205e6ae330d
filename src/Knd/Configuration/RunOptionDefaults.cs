namespace Knd.Configuration;

/// <summary>The defaults and Consul's bounds for the options of <c>knd run</c> (contract §2).</summary>
internal static class RunOptionDefaults
{
    /// <summary>Consul session TTL; see docs/failover-algorithm.md for why 10 s (Consul's default session_ttl_min).</summary>
    public static readonly TimeSpan DefaultSessionTtl = TimeSpan.FromSeconds(10);

    /// <summary>Consul session LockDelay; see docs/failover-algorithm.md for why 5 s.</summary>
    public static readonly TimeSpan DefaultLockDelay = TimeSpan.FromSeconds(5);

    /// <summary>A synced neard whose head has not moved for this long is unhealthy: many missed blocks, not one slow one.</summary>
    public static readonly TimeSpan DefaultNeardStallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Consul's default <c>session_ttl_min</c>: a lower TTL works only where the servers lowered it.</summary>
    public static readonly TimeSpan ConsulDefaultSessionTtlMin = TimeSpan.FromSeconds(10);

    /// <summary>Consul's <c>structs.SessionTTLMax</c>.</summary>
    public static readonly TimeSpan ConsulMaxSessionTtl = TimeSpan.FromHours(24);

    /// <summary>Consul's <c>structs.MaxLockDelay</c>: a longer delay is silently capped, so refuse it.</summary>
    public static readonly TimeSpan ConsulMaxLockDelay = TimeSpan.FromSeconds(60);

    public const string ConsulUrl = "http://127.0.0.1:8500";

    /// <summary>etcd's own default client URL.</summary>
    public const string EtcdEndpoints = "http://127.0.0.1:2379";
    public const string LockKeyPrefix = "kuutamod-leader/";
    public const string ExporterAddress = "127.0.0.1:2233";
    public const string NeardBin = "neard";
    public const string ValidatorNetworkAddr = "0.0.0.0:24567";
    public const string VoterNetworkAddr = "0.0.0.0:24568";
    public const string ControlSocketFileName = "knd.sock";
    public const string ValidatorKeyFileName = "validator_key.json";
    public const string ValidatorNodeKeyFileName = "validator_node_key.json";
    public const string VoterNodeKeyFileName = "voter_node_key.json";

    /// <summary>systemd's <c>LoadCredential=</c> directory, where the key files default to.</summary>
    public const string CredentialsDirectoryVariable = "CREDENTIALS_DIRECTORY";
}
