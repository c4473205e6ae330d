# NixOS module for knd, the failover supervisor for a NEAR validator (a kuutamod successor).
#
#   imports = [ ./nix/module.nix ];
#   services.knd = { enable = true; neardPackage = ...; validatorKeyFile = "/var/lib/secrets/validator_key.json"; ... };
#
# The generated unit matches deploy/systemd/knd.service (same watchdog, kill mode, credentials
# and sandbox); docs/deployment.md explains each setting. Option names follow kuutamod's
# `kuutamo.kuutamod.*` where they mean the same thing; ./kuutamod-compat.nix maps those names.
# CI only parses this file (nix-instantiate --parse): nixpkgs cannot be evaluated there.
{ config, lib, pkgs, ... }:

let
  cfg = config.services.knd;
  inherit (lib) mkOption mkEnableOption mkIf types optional optionalAttrs;

  # "10s" -> 10, anything else (e.g. "1m30s") -> null: the watchdog check below then does not apply.
  wholeSeconds = s:
    let m = builtins.match "([0-9]+)s" s;
    in if m == null then null else lib.toInt (builtins.head m);

  portOf = addr: lib.toInt (lib.last (lib.splitString ":" addr));

  publicAddresses =
    if cfg.publicAddress == null then null
    else if builtins.isList cfg.publicAddress then lib.concatStringsSep "," cfg.publicAddress
    else cfg.publicAddress;

  # Only options that are set become variables: knd's own defaults apply to the rest.
  kndEnvironment = lib.filterAttrs (_: v: v != null) {
    KND_NEARD_HOME = cfg.neardHome;
    KND_NEARD_BIN = "${cfg.neardPackage}/bin/neard";
    KND_NODE_ID = cfg.nodeId;
    KND_ACCOUNT_ID = cfg.accountId;
    KND_CONSUL_URL = cfg.consulUrl;
    KND_CONSUL_TOKEN_FILE = if cfg.consulTokenFile == null then null else "%d/consul-token";
    KND_DCS = cfg.dcs;
    KND_ETCD_ENDPOINTS = if cfg.etcdEndpoints == null then null else lib.concatStringsSep "," cfg.etcdEndpoints;
    KND_ETCD_CACERT = if cfg.etcdCaFile == null then null else "%d/etcd-ca.pem";
    KND_ETCD_CERT = if cfg.etcdCertFile == null then null else "%d/etcd-cert.pem";
    KND_ETCD_KEY = if cfg.etcdKeyFile == null then null else "%d/etcd-key.pem";
    KND_ETCD_USER = cfg.etcdUser;
    KND_ETCD_PASSWORD_FILE = if cfg.etcdPasswordFile == null then null else "%d/etcd-password";
    KND_LOCK_KEY_PREFIX = cfg.lockKeyPrefix;
    KND_SESSION_TTL = cfg.sessionTtl;
    KND_LOCK_DELAY = cfg.lockDelay;
    KND_PROMOTION = cfg.promotion;
    KND_EXPORTER_ADDRESS = cfg.exporterAddress;
    KND_VALIDATOR_NETWORK_ADDR = cfg.validatorNetworkAddr;
    KND_VOTER_NETWORK_ADDR = cfg.voterNetworkAddr;
    KND_VOTER_NODE_KEY = if cfg.voterNodeKeyFile == null then null else "%d/voter_node_key.json";
    KND_PUBLIC_ADDRESS = publicAddresses;
    KND_NEARD_BOOTNODES = cfg.bootNodes;
    KND_LOG_FORMAT = cfg.logFormat;
    KND_PEER_ADDRESS = cfg.peerAddress;
    KND_PEER_ADVERTISE_ADDRESS = cfg.peerAdvertiseAddress;
    KND_CLUSTER_SECRET_FILE = if cfg.clusterSecretFile == null then null else "%d/cluster_secret";
    KND_FAST_FAILOVER = if peerChannel then lib.boolToString cfg.fastFailover else null;
    KND_FAILSAFE = if peerChannel then lib.boolToString cfg.failsafe else null;
    KND_LEADER_SILENCE = if peerChannel && cfg.fastFailover then cfg.leaderSilence else null;
  };

  # The peer channel (docs/peer-channel.md) runs once it has an address and the shared secret.
  peerChannel = cfg.peerAddress != null && cfg.clusterSecretFile != null;
in
{
  options.services.knd = {
    enable = mkEnableOption "knd, the active-passive failover supervisor for a NEAR validator (it runs neard)";

    package = mkOption {
      type = types.package;
      default = pkgs.callPackage ./package.nix { };
      defaultText = lib.literalExpression "pkgs.callPackage ./nix/package.nix { }";
      description = "The knd package.";
    };

    neardPackage = mkOption {
      type = types.package;
      description = "The neard package knd runs (its bin/neard). kuutamod took it from kuutamo.neard.package.";
    };

    validatorKeyFile = mkOption {
      type = types.path;
      description = ''
        The validator key (NEAR key file JSON), as an absolute path on the host, e.g.
        "/var/lib/secrets/validator_key.json". Passed as a systemd credential; never put it in the
        Nix store (give a string, not a path literal).
      '';
    };

    validatorNodeKeyFile = mkOption {
      type = types.path;
      description = "The network key shared by every host of this validator; absolute path on the host, as validatorKeyFile.";
    };

    voterNodeKeyFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      description = ''
        This host's own network key, used while passive. null: <neardHome>/voter_node_key.json,
        which this module creates on first start from the node_key.json of `neard init`.
      '';
    };

    nodeId = mkOption {
      type = types.str;
      default = config.networking.hostName;
      defaultText = lib.literalExpression "config.networking.hostName";
      description = "This host's name in the cluster (the Consul session name).";
    };

    accountId = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "The validator's NEAR account (lock key suffix). null: the account_id of the validator key file.";
    };

    consulUrl = mkOption {
      type = types.str;
      default = "http://127.0.0.1:8500";
      description = "The local Consul agent.";
    };

    consulTokenFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      description = "File with the Consul ACL token (absolute path on the host); re-read on `systemctl reload knd`.";
    };

    dcs = mkOption {
      type = types.enum [ "consul" "etcd" ];
      default = "consul";
      description = "The coordination service that holds the lock: the local Consul agent, or an etcd cluster (the etcd* options).";
    };

    etcdEndpoints = mkOption {
      type = types.nullOr (types.listOf types.str);
      default = null;
      example = [ "https://10.0.0.1:2379" "https://10.0.0.2:2379" "https://10.0.0.3:2379" ];
      description = "With dcs = etcd: every etcd member's client URL (knd's default: http://127.0.0.1:2379).";
    };

    etcdCaFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      description = "PEM CA of the etcd members' certificates (https endpoints); passed as a systemd credential.";
    };

    etcdCertFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      description = "PEM client certificate for etcd's --client-cert-auth; needs etcdKeyFile.";
    };

    etcdKeyFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      description = "PEM key of etcdCertFile (absolute path on the host, root-only is fine); passed as a systemd credential, never in the store.";
    };

    etcdUser = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "etcd user for etcd's authentication; needs etcdPasswordFile.";
    };

    etcdPasswordFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      description = "File with the etcdUser password (absolute path on the host); passed as a systemd credential, never in the store.";
    };

    lockKeyPrefix = mkOption {
      type = types.str;
      default = "kuutamod-leader/";
      description = "Key prefix of the leader lock (Consul KV or etcd); kuutamod's, so a cluster can move one host at a time.";
    };

    sessionTtl = mkOption {
      type = types.str;
      default = "10s";
      description = "Consul session TTL (docs/failover-algorithm.md). TTL/2 + 0.25s + 1.5 x watchdogSec must stay below it.";
    };

    lockDelay = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "5s";
      description = "Consul session LockDelay, 0s to 60s; null for knd's default: 5s, or with fastFailover the fence bound + 0.5s (6.25s at TTL 10s), the least fast failover allows (knd exits 78 naming --lock-delay below that).";
    };

    watchdogSec = mkOption {
      type = types.str;
      default = "2s";
      description = "systemd WatchdogSec: a frozen knd and its neard are killed after this long; see sessionTtl.";
    };

    promotion = mkOption {
      type = types.enum [ "restart" "hot-swap" ];
      default = "restart";
      description = "How a new leader starts validating: restart neard with the keys, or hot-swap the key (nearcore >= 2.0).";
    };

    exporterAddress = mkOption {
      type = types.str;
      default = "127.0.0.1:2233";
      description = "IP:port of /metrics, /health, /leader, /passive and /status.";
    };

    neardHome = mkOption {
      type = types.str;
      default = "/var/lib/neard";
      description = "neard's home; must contain config.json (run `neard init` or install a config first).";
    };

    validatorNetworkAddr = mkOption {
      type = types.str;
      default = "0.0.0.0:24567";
      description = "neard network.addr while validating.";
    };

    voterNetworkAddr = mkOption {
      type = types.str;
      default = "0.0.0.0:24568";
      description = "neard network.addr while passive.";
    };

    publicAddress = mkOption {
      type = types.nullOr (types.either types.str (types.listOf types.str));
      default = null;
      example = [ "203.0.113.7" ];
      description = "This host's public IP(s), for network.public_addrs while validating.";
    };

    bootNodes = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "Passed to `neard run --boot-nodes`.";
    };

    openFirewall = mkOption {
      type = types.bool;
      default = true;
      description = "Open neard's validator and voter ports (TCP 24567 and 24568 by default).";
    };

    logFormat = mkOption {
      type = types.enum [ "text" "json" ];
      default = "text";
      description = "Format of knd's log lines.";
    };

    peerAddress = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "10.0.0.7:2234";
      description = "Listen address (IP:PORT) of the peer channel between the knd daemons of this validator (docs/peer-channel.md). With clusterSecretFile it turns on the channel, and with it fastFailover and failsafe.";
    };

    peerAdvertiseAddress = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "Where the other hosts reach this peer channel, when it differs from peerAddress (needed for 0.0.0.0).";
    };

    clusterSecretFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      example = "/var/lib/secrets/knd-cluster-secret";
      description = "The secret every knd of this validator shares (at least 32 bytes: openssl rand -hex 32), outside the Nix store; passed as a systemd credential, never as an argument.";
    };

    fastFailover = mkOption {
      type = types.bool;
      default = true;
      description = "With the peer channel: passives destroy the session of a silent leader, so a dead leader is replaced in about one TTL. Needs lockDelay >= the fence bound + 0.5s; leave lockDelay null for knd's default (6.25s at TTL 10s).";
    };

    leaderSilence = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "1s";
      description = "With fastFailover: how long the leader may send no heartbeat (or report no renewal beyond its renew interval) before a passive destroys its session; null keeps knd's 2s. 1s replaces a leader cut off from Consul a second sooner (docs/benchmarks.md) but costs the lock on a single renewal answered later than 1s.";
    };

    failsafe = mkOption {
      type = types.bool;
      default = true;
      description = "With the peer channel: the leader keeps signing through a Consul outage while every member promises not to take the lock.";
    };

    peerOpenFirewall = mkOption {
      type = types.bool;
      default = false;
      description = "Open the peer channel's port to everyone. Prefer a rule that admits only the other hosts of this validator.";
    };

    environment = mkOption {
      type = types.attrsOf types.str;
      default = { };
      example = { KND_NEARD_STALL_TIMEOUT = "60s"; };
      description = "More KND_* variables (docs/configuration.md); they override the options above.";
    };

    extraArgs = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Extra arguments to `knd run`.";
    };
  };

  config = mkIf cfg.enable {
    assertions = [
      {
        assertion =
          let ttl = wholeSeconds cfg.sessionTtl; w = wholeSeconds cfg.watchdogSec;
          in ttl == null || w == null || 1500 * w + 250 + 500 * ttl < 1000 * ttl;
        message = "services.knd: sessionTtl/2 + 0.25s + 1.5 x watchdogSec must be below sessionTtl, or a frozen leader's neard could outlive its lock (docs/failover-algorithm.md).";
      }
      {
        assertion = cfg.clusterSecretFile == null || !(lib.hasPrefix builtins.storeDir (toString cfg.clusterSecretFile));
        message = "services.knd.clusterSecretFile is in the world-readable Nix store; give the path of a file outside it.";
      }
      {
        assertion = (cfg.peerAddress == null) == (cfg.clusterSecretFile == null);
        message = "services.knd: peerAddress and clusterSecretFile go together (the peer channel needs both).";
      }
      {
        assertion = !(lib.hasPrefix builtins.storeDir (toString cfg.validatorKeyFile));
        message = "services.knd.validatorKeyFile is in the world-readable Nix store; give the path of a file outside it.";
      }
    ];

    users.users.neard = {
      isSystemUser = true;
      group = "neard";
      description = "neard and knd";
    };
    users.groups.neard = { };

    networking.firewall.allowedTCPPorts = (lib.optionals cfg.openFirewall [
      (portOf cfg.validatorNetworkAddr)
      (portOf cfg.voterNetworkAddr)
    ]) ++ lib.optional (cfg.peerOpenFirewall && cfg.peerAddress != null) (portOf cfg.peerAddress);

    systemd.services.knd = {
      description = "knd failover supervisor for a NEAR validator (runs neard)";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [ "network-online.target" "consul.service" "etcd.service" ];
      # setsid and setpriv (util-linux) start neard in its own process group, with a parent-death signal.
      path = [ pkgs.util-linux ];
      environment = kndEnvironment // cfg.environment;
      startLimitIntervalSec = 0;

      # kuutamod did the same on first boot: the key of `neard init` becomes this host's voter key.
      preStart = lib.optionalString (cfg.voterNodeKeyFile == null) ''
        if [ ! -e "${cfg.neardHome}/voter_node_key.json" ] && [ -e "${cfg.neardHome}/node_key.json" ]; then
          cp "${cfg.neardHome}/node_key.json" "${cfg.neardHome}/voter_node_key.json"
          chmod 600 "${cfg.neardHome}/voter_node_key.json"
        fi
      '';

      serviceConfig = {
        Type = "notify";
        NotifyAccess = "main";
        ExecStart = "${cfg.package}/bin/knd run ${lib.escapeShellArgs cfg.extraArgs}";
        ExecReload = "${pkgs.util-linux}/bin/kill -HUP $MAINPID";
        Restart = "always";
        RestartSec = "1s";
        WatchdogSec = cfg.watchdogSec;
        TimeoutStartSec = "60s";
        TimeoutStopSec = "30s";
        KillMode = "control-group";
        OOMPolicy = "continue";

        User = "neard";
        Group = "neard";
        StateDirectory = "neard";
        StateDirectoryMode = "0700";
        WorkingDirectory = cfg.neardHome;
        UMask = "0077";

        LoadCredential = [
          "validator_key.json:${toString cfg.validatorKeyFile}"
          "validator_node_key.json:${toString cfg.validatorNodeKeyFile}"
        ]
        ++ optional (cfg.consulTokenFile != null) "consul-token:${toString cfg.consulTokenFile}"
        ++ optional (cfg.etcdCaFile != null) "etcd-ca.pem:${toString cfg.etcdCaFile}"
        ++ optional (cfg.etcdCertFile != null) "etcd-cert.pem:${toString cfg.etcdCertFile}"
        ++ optional (cfg.etcdKeyFile != null) "etcd-key.pem:${toString cfg.etcdKeyFile}"
        ++ optional (cfg.etcdPasswordFile != null) "etcd-password:${toString cfg.etcdPasswordFile}"
        ++ optional (cfg.voterNodeKeyFile != null) "voter_node_key.json:${toString cfg.voterNodeKeyFile}"
        ++ optional (cfg.clusterSecretFile != null) "cluster_secret:${toString cfg.clusterSecretFile}";

        LimitNOFILE = 1048576;

        # The sandbox of deploy/systemd/knd.service; see docs/deployment.md for each choice.
        NoNewPrivileges = true;
        CapabilityBoundingSet = "";
        AmbientCapabilities = "";
        ProtectSystem = "strict";
        ReadWritePaths = [ cfg.neardHome ];
        ProtectHome = true;
        PrivateTmp = true;
        PrivateDevices = true;
        PrivateUsers = true;
        PrivateIPC = true;
        PrivateMounts = true;
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectKernelLogs = true;
        ProtectControlGroups = true;
        ProtectClock = true;
        ProtectHostname = true;
        ProtectProc = "invisible";
        RestrictAddressFamilies = [ "AF_UNIX" "AF_INET" "AF_INET6" ];
        RestrictNamespaces = true;
        RestrictRealtime = true;
        RestrictSUIDSGID = true;
        RemoveIPC = true;
        LockPersonality = true;
        KeyringMode = "private";
        DevicePolicy = "closed";
        # No MemoryDenyWriteExecute: neard compiles contracts' WebAssembly at run time, and the Nix
        # package's knd (framework-dependent) JIT-compiles.
        SystemCallArchitectures = "native";
        # setpriv always calls capset(2), which @privileged contains.
        SystemCallFilter = [ "@system-service" "~@privileged" "capset" ];
        SystemCallErrorNumber = "EPERM";
      };
    };
  };
}
