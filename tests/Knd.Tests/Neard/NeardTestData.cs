namespace Knd.Tests.Neard;

/// <summary>Key files and config in nearcore's shapes (../reference/neard.md §5, §7). No real keys.</summary>
internal static class NeardTestData
{
    public const string ValidatorSecret = "ed25519:3D4YudUahN1nawWogh8pAKSj92sUNMdbZGjn7kERKzYoTy8tnFQuwoGUC51DowKqorvkr2pytJSnwuSbsNVfqygr";
    public const string ValidatorPublic = "ed25519:6DSjZ8mvsRZDvFqFxo8tCKePG96omXW7eVYVSySmDk8e";
    public const string ValidatorNodePublic = "ed25519:DC7DbfZq4dkPqUKaKpWNimgtRBxnD9rja2KcZRs4e3DL";
    public const string ValidatorNodeSecret = "ed25519:5ZNo2mH3vP8kLbRq9WtXyZa1Bc2De3Fg4Hi5Jk6Lm7No8Pq9Rs1Tu2Vw3Xy4Za5Bc6De7Fg8Hi9Jk1Lm2No3Pq4R";
    public const string VoterNodePublic = "ed25519:Bq8fe1eUgDRexX2CYDMhMMQBiN13j8vTAVFyTNhEfh1W";
    public const string VoterNodeSecret = "ed25519:2YzW9aBcDeFgHiJkLmNoPqRsTuVwXyZa1b2C3d4E5f6G7h8I9j1K2l3M4n5O6p7Q8r9S1t2U3v4W5x6Y7z8A9b1C2d";

    public static string ValidatorKey => Key("mypool.pool.f863973.m0", ValidatorPublic, ValidatorSecret);

    public static string ValidatorNodeKey => Key("node", ValidatorNodePublic, ValidatorNodeSecret);

    public static string VoterNodeKey => Key("node", VoterNodePublic, VoterNodeSecret);

    /// <summary>A config.json with fields knd does not know, in an order that must survive.</summary>
    public const string Config = """
        {
          "genesis_file": "genesis.json",
          "rpc": {
            "addr": "0.0.0.0:3031",
            "prometheus_addr": null,
            "cors_allowed_origins": ["*"]
          },
          "network": {
            "addr": "0.0.0.0:24567",
            "boot_nodes": "ed25519:86EtEy7epneKyrcJwSWP7zsisTkfDRH5CFVszt4qiQYw@35.195.32.249:24567",
            "whitelist_nodes": "",
            "public_addrs": ["ed25519:Old@1.2.3.4:24567"],
            "max_num_peers": 40
          },
          "consensus": {"min_num_peers": 3, "block_production_tracking_delay": {"secs": 0, "nanos": 100000000}},
          "tracked_shards": [],
          "store": {"path": null, "load_mem_tries_for_tracked_shards": true},
          "gas_limit": 1000000000000000
        }
        """;

    public static string Key(string accountId, string publicKey, string secretKey) =>
        $$"""{"account_id":"{{accountId}}","public_key":"{{publicKey}}","secret_key":"{{secretKey}}"}""";
}
