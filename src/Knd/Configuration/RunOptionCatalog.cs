namespace Knd.Configuration;

/// <summary>Every option of <c>knd run</c> (contract §2 plus knd's own), in <c>--help</c> order.</summary>
internal static class RunOptionCatalog
{
    public static readonly RunOptionSpec Config = new(
        "config", "FILE", "JSON file of option values, keyed by option name without dashes; flags and environment variables override it.", null)
    {
        InConfigFile = false,
    };

    public static readonly RunOptionSpec NodeId = new(
        "node-id", "NAME", "This host's name in the cluster; the Consul session name.", "host name", "KUUTAMO_NODE_ID");

    public static readonly RunOptionSpec AccountId = new(
        "account-id", "ACCOUNT", "NEAR account of the validator; the lock key suffix. Must match the validator key's account_id.", "account_id of the validator key file", "KUUTAMO_ACCOUNT_ID");

    public static readonly RunOptionSpec ConsulUrl = new(
        "consul-url", "URL", "HTTP address of the local Consul agent.", RunOptionDefaults.ConsulUrl, "KUUTAMO_CONSUL_URL");

    public static readonly RunOptionSpec ConsulTokenFile = new(
        "consul-token-file", "FILE", "File holding the Consul ACL token (trailing newline trimmed); re-read on SIGHUP.", null, "KUUTAMO_CONSUL_TOKEN_FILE");

    public static readonly RunOptionSpec Dcs = new(
        "dcs", "consul|etcd", "The coordination service that holds the lock: a Consul agent (--consul-url) or an etcd cluster (--etcd-endpoints).", "consul");

    public static readonly RunOptionSpec EtcdEndpoints = new(
        "etcd-endpoints", "URL,...", "With --dcs etcd: the etcd members' client URLs, all http:// or all https://; repeat the flag or give a comma-separated list.", RunOptionDefaults.EtcdEndpoints)
    {
        IsList = true,
    };

    public static readonly RunOptionSpec EtcdCaCert = new(
        "etcd-cacert", "FILE", "With https:// endpoints: PEM file of the CA that signed the etcd members' certificates (default: the system's trust store).", null);

    public static readonly RunOptionSpec EtcdCert = new(
        "etcd-cert", "FILE", "PEM client certificate for etcd's --client-cert-auth; needs --etcd-key.", null);

    public static readonly RunOptionSpec EtcdKey = new(
        "etcd-key", "FILE", "PEM private key of --etcd-cert (mode 0600). Its content is never printed.", null);

    public static readonly RunOptionSpec EtcdUser = new(
        "etcd-user", "NAME", "etcd user for etcd's authentication; needs --etcd-password-file.", null);

    public static readonly RunOptionSpec EtcdPasswordFile = new(
        "etcd-password-file", "FILE", "File holding the --etcd-user password (trailing newline trimmed); read whenever a token is needed, never printed.", null);

    public static readonly RunOptionSpec LockKeyPrefix = new(
        "lock-key-prefix", "PREFIX", "Key prefix of the leader lock key (Consul KV or etcd); ends with '/'.", RunOptionDefaults.LockKeyPrefix);

    public static readonly RunOptionSpec SessionTtl = new(
        "session-ttl", "DURATION", "Consul session TTL, e.g. 10s; at most 24h. Below 10s needs a lowered session_ttl_min on the Consul servers.", "10s");

    public static readonly RunOptionSpec LockDelay = new(
        "lock-delay", "DURATION", "Consul session LockDelay, 0s to 60s. With --fast-failover it must be at least the fence bound + 0.5s.", "5s; with --fast-failover the fence bound + 0.5s, 6.25s at TTL 10s");

    public static readonly RunOptionSpec ExporterAddress = new(
        "exporter-address", "IP:PORT", "Listen address of the HTTP endpoints (/metrics, /health, /leader, /passive, /status).", RunOptionDefaults.ExporterAddress, "KUUTAMO_EXPORTER_ADDRESS");

    public static readonly RunOptionSpec ControlSocket = new(
        "control-socket", "PATH", "Unix socket for the control CLI (mode 0600).", "<neard-home>/knd.sock", "KUUTAMO_CONTROL_SOCKET");

    public static readonly RunOptionSpec NeardBin = new(
        "neard-bin", "PATH", "The neard binary: a path, or a name looked up on PATH. A wrapper script must exec neard.", "neard on PATH");

    public static readonly RunOptionSpec NeardHome = new(
        "neard-home", "DIR", "neard's home directory (config.json, genesis, data). Required.", null, "KUUTAMO_NEARD_HOME");

    public static readonly RunOptionSpec ValidatorKey = new(
        "validator-key", "FILE", "Validator key file (mode 0600).", "$CREDENTIALS_DIRECTORY/validator_key.json", "KUUTAMO_VALIDATOR_KEY");

    public static readonly RunOptionSpec ValidatorNodeKey = new(
        "validator-node-key", "FILE", "Network key shared by all hosts of this validator (mode 0600).", "$CREDENTIALS_DIRECTORY/validator_node_key.json", "KUUTAMO_VALIDATOR_NODE_KEY");

    public static readonly RunOptionSpec VoterNodeKey = new(
        "voter-node-key", "FILE", "This host's own network key, used while passive (mode 0600).", "<neard-home>/voter_node_key.json", "KUUTAMO_VOTER_NODE_KEY");

    public static readonly RunOptionSpec ValidatorNetworkAddr = new(
        "validator-network-addr", "IP:PORT", "neard network.addr while validating.", RunOptionDefaults.ValidatorNetworkAddr, "KUUTAMO_VALIDATOR_NETWORK_ADDR");

    public static readonly RunOptionSpec VoterNetworkAddr = new(
        "voter-network-addr", "IP:PORT", "neard network.addr while passive.", RunOptionDefaults.VoterNetworkAddr, "KUUTAMO_VOTER_NETWORK_ADDR");

    public static readonly RunOptionSpec PublicAddress = new(
        "public-address", "IP", "Public IP of this host, for network.public_addrs while validating; repeat the flag or give a comma-separated list.", null, "KUUTAMO_PUBLIC_ADDRESS")
    {
        IsList = true,
    };

    public static readonly RunOptionSpec NeardBootnodes = new(
        "neard-bootnodes", "LIST", "Boot nodes passed to neard run --boot-nodes (kuutamod's --near-boot-nodes).", null, "KUUTAMO_NEARD_BOOTNODES");

    public static readonly RunOptionSpec Promotion = new(
        "promotion", "restart|hot-swap", "How a new leader starts validating: restart neard with the keys, or place the key and send SIGHUP (nearcore >= 2.0).", "restart");

    public static readonly RunOptionSpec NeardStopTimeout = new(
        "neard-stop-timeout", "DURATION", "Grace between SIGTERM and SIGKILL when stopping neard; must keep the fence bound below --session-ttl.", "min(5s, session-ttl/5); with --fast-failover min(5s, session-ttl/10)");

    public static readonly RunOptionSpec NeardStallTimeout = new(
        "neard-stall-timeout", "DURATION", "A synced neard whose head has not advanced for this long is unhealthy.", "30s");

    public static readonly RunOptionSpec MischanceConfidence = new(
        "mischance-confidence", "N", "Missed duties (blocks, chunks, endorsements) in a row the production watch tolerates before they count as mischance; also how many a fresh promotion may miss before it is judged failed. 1 to 10000.", ProductionRules.DefaultMischanceConfidence.ToString(System.Globalization.CultureInfo.InvariantCulture))
    {
        IsCount = true,
    };

    public static readonly RunOptionSpec MaxMischance = new(
        "max-mischance", "M", "Mischance (missed duties in a row past --mischance-confidence) above which a leader is judged not producing and hands over to a ready passive. 1 to 10000.", ProductionRules.DefaultMaxMischance.ToString(System.Globalization.CultureInfo.InvariantCulture))
    {
        IsCount = true,
    };

    public static readonly RunOptionSpec LogDir = new(
        "log-dir", "DIR", "Existing directory for per-level rolling log files, in addition to stderr.", null);

    public static readonly RunOptionSpec LogFormat = new(
        "log-format", "text|json", "Format of the log lines on stderr and in --log-dir.", "text");

    public static readonly RunOptionSpec PeerAddress = new(
        "peer-address", "IP:PORT", "Listen address of the peer channel between the knd daemons of this validator (docs/peer-channel.md); needs --cluster-secret-file. Port 0 picks a free port.", null);

    public static readonly RunOptionSpec PeerAdvertiseAddress = new(
        "peer-advertise-address", "IP:PORT", "Where the other knd daemons reach this one's peer channel; published in its members/ record. Needed when --peer-address listens on 0.0.0.0 or [::].", "--peer-address");

    public static readonly RunOptionSpec ClusterSecretFile = new(
        "cluster-secret-file", "FILE", "File holding the secret shared by every knd of this validator (mode 0600, at least 32 bytes, e.g. openssl rand -hex 32); authenticates the peer channel; re-read on SIGHUP.", null);

    public static readonly RunOptionSpec FastFailover = new(
        "fast-failover", "[true|false]", "Passives destroy the session of a leader silent on the peer channel for --leader-silence, so a dead leader is replaced in about one TTL instead of two. Tightens the fence; needs --peer-address.", "false")
    {
        IsFlag = true,
    };

    public static readonly RunOptionSpec LeaderSilence = new(
        "leader-silence", "DURATION", "With --fast-failover: how long a leader may send no heartbeat (or report no renewal) before a passive destroys its session; 1s to below --session-ttl.", "2s");

    public static readonly RunOptionSpec Failsafe = new(
        "failsafe", "[true|false]", "A leader that loses Consul keeps signing while every member promises over the peer channel not to take the lock (members promise only when they cannot reach Consul either). Needs --peer-address.", "false")
    {
        IsFlag = true,
    };

    public static readonly RunOptionSpec NoFailover = new(
        "no-failover", "[true|false]", "This host never takes the lock on its own (a dead leader is replaced by another host); a planned knd switchover --to it still may. Published in its members/ record.", "false")
    {
        IsFlag = true,
    };

    public static readonly RunOptionSpec Priority = new(
        "priority", "N", "When several passives are ready for a free lock, the highest priority takes it (ties: the higher head); the others wait for it a bounded time. -1000 to 1000.", "0")
    {
        IsCount = true,
    };

    public static readonly RunOptionSpec OnRoleChange = new(
        "on-role-change", "COMMAND", "Run through /bin/sh -c, in the background and one at a time, after every role change, with KND_ROLE (leader, passive, stopped), KND_OLD_ROLE, KND_REASON, KND_NODE_ID, KND_ACCOUNT_ID in its environment; never delays the fence or the stop.", null);

    public static readonly RunOptionSpec PrePromote = new(
        "pre-promote", "COMMAND", "Run through /bin/sh -c after this node won the lock and before neard gets the validator key (an external fence: a firewall rule, a STONITH call); any exit but 0, or --hook-timeout, vetoes the promotion and gives the lock back.", null);

    public static readonly RunOptionSpec HookTimeout = new(
        "hook-timeout", "DURATION", "Bound of one hook run, 1ms to 10m; a hook still running then is killed with its process group (for --pre-promote: a veto). Adds to the failover time with --pre-promote.", "30s");

    public static IReadOnlyList<RunOptionSpec> All { get; } =
    [
        Config, NodeId, AccountId, ConsulUrl, ConsulTokenFile, Dcs, EtcdEndpoints, EtcdCaCert, EtcdCert, EtcdKey,
        EtcdUser, EtcdPasswordFile, LockKeyPrefix, SessionTtl, LockDelay,
        ExporterAddress, ControlSocket, NeardBin, NeardHome, ValidatorKey, ValidatorNodeKey, VoterNodeKey,
        ValidatorNetworkAddr, VoterNetworkAddr, PublicAddress, NeardBootnodes, Promotion,
        NeardStopTimeout, NeardStallTimeout, MischanceConfidence, MaxMischance, LogDir, LogFormat,
        PeerAddress, PeerAdvertiseAddress, ClusterSecretFile, FastFailover, LeaderSilence, Failsafe,
        NoFailover, Priority,
        OnRoleChange, PrePromote, HookTimeout,
    ];

    public static RunOptionSpec? Find(string name) => All.FirstOrDefault(s => s.Name == name);
}
