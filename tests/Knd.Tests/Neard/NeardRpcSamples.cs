namespace Knd.Tests.Neard;

/// <summary>nearcore answers, copied from ../reference/neard.md §0-§5 (2.4-era shapes).</summary>
internal static class NeardRpcSamples
{
    public const string Status = """
        {"version":{"version":"2.4.0","build":"2.4.0","rustc_version":"1.82.0"},
         "chain_id":"testnet","protocol_version":73,"latest_protocol_version":73,"rpc_addr":"0.0.0.0:3030",
         "validators":[{"account_id":"kiln.pool.f863973.m0","is_slashed":false},{"account_id":"node2","is_slashed":false}],
         "sync_info":{"latest_block_hash":"EfL8Rc1EH13UxgbJB4skt8xSF8vojNQPcAX1opf6RFab","latest_block_height":187456272,
          "latest_state_root":"3Vpebx4DuKAYmMjL96XMmLqWYUfuS2raZWoAbxFxeqBm","latest_block_time":"2025-02-12T22:10:10.530341781Z",
          "syncing":false,"earliest_block_hash":"uz2gwgYxpx8dHsjgiPQefbwAhWk41CCvEmHU7ktYE2C","earliest_block_height":187251995,
          "earliest_block_time":"2025-02-10T13:54:22.616904144Z","epoch_id":"94jeudySZcxGBSVgKXn3xPT3P5iFF6YcnxC43F15QtkQ",
          "epoch_start_height":187443633},
         "validator_account_id":"mypool.pool.f863973.m0","validator_public_key":"ed25519:6DSjZ8mvsRZDvFqFxo8tCKePG96omXW7eVYVSySmDk8e",
         "node_public_key":"ed25519:DC7DbfZq4dkPqUKaKpWNimgtRBxnD9rja2KcZRs4e3DL","node_key":"ed25519:6DSjZ8mvsRZDvFqFxo8tCKePG96omXW7eVYVSySmDk8e",
         "uptime_sec":6020117,"genesis_hash":"FWJ9kR6KFWoyMoNjpLXXGHeuiy7tEY6GmoFeCA5yuc6b"}
        """;

    public const string StatusPassiveSyncing = """
        {"version":{"version":"2.4.0","build":"2.4.0","rustc_version":"1.82.0"},"chain_id":"localnet",
         "sync_info":{"latest_block_height":12,"latest_block_time":"2025-02-12T22:10:10Z","syncing":true,
          "earliest_block_hash":null,"epoch_id":null},
         "validator_account_id":null,"validator_public_key":null,"node_public_key":"ed25519:Bq8fe1eUgDRexX2CYDMhMMQBiN13j8vTAVFyTNhEfh1W",
         "node_key":null,"uptime_sec":3,"genesis_hash":"FWJ9kR6KFWoyMoNjpLXXGHeuiy7tEY6GmoFeCA5yuc6b"}
        """;

    public const string FinalBlock = """
        {"jsonrpc":"2.0","result":{"author":"node2","header":{"height":187310138,"prev_height":187310137,
         "epoch_id":"HkFsp3sn9K3KDWVoWPCfUSQocgf5bH4icgjHijePc2aX","next_epoch_id":"FQBXgdi9oWKanYBXPP1sNUD93KMquocjT5mVrjQ4PH7E",
         "hash":"6RWmTYhXCzjMjoY3Mz1rfFcnBm8E6XeDDbFEPUA4sv1w","prev_hash":"Wj6B3RTv73EWDNbSammRDeA9315RaPyRrJYmiP4nG4X",
         "timestamp":1739254177539033760,"timestamp_nanosec":"1739254177539033760","last_final_block":"71qgTQCVFfjQkimSdnhxR8iWSP6o9jqumLcZ9k5g25mT",
         "gas_price":"100000000","latest_protocol_version":73},"chunks":[]},"id":"knd"}
        """;

    /// <summary>A block on two shards: shard 0's chunk made at this height, shard 1's missed (an older header carried over).</summary>
    public const string BlockWithChunks = """
        {"jsonrpc":"2.0","result":{"author":"node2","header":{"height":187310140,"prev_height":187310139,
         "timestamp":1739254178739033760,"timestamp_nanosec":"1739254178739033760","latest_protocol_version":73},
         "chunks":[{"chunk_hash":"EBM2qg5cGr47EjMPtH88uvmXHDHqmWPzKaQadbWhdw22","prev_block_hash":"3Ls8ZHEWc2x7TkyDuXXBMuXYd5DT1mdNJgYXwGtQXbDZ",
           "height_created":187310140,"height_included":187310140,"shard_id":0,"gas_used":0,"gas_limit":1000000000000000,
           "signature":"ed25519:4Tmwd1Y4Y3bPNkNgqcm1uX3RfcN5sGtxvvX2uh7bBDWqXBMQKmrxh3vycxn6p1Uu9bhhwaa5mYQfPf6YhmUEv5u"},
          {"chunk_hash":"9P8hGUwd4P3quLCQFpnwHXHiAMj3KzoG9GofqVMTBv2S","prev_block_hash":"5aFqtj9HJ5pVdyR1fhnBZMKfw8DAuxe3cjaWfKp1U7f3",
           "height_created":187310138,"height_included":187310138,"shard_id":1,"gas_used":0,"gas_limit":1000000000000000,
           "signature":"ed25519:2oAR6NmkjVfZK3hsvZRzVrZ7yn6y1fjuxrvztpsdTbEjmnSTRGFPzSQjtWq1LXPahsnCDhTWtBFb5WhYbCGD3ZUS"}]},"id":"knd"}
        """;

    /// <summary><c>chunk</c> by block and shard (nearcore's ChunkView, trimmed of transactions and receipts).</summary>
    public const string Chunk = """
        {"jsonrpc":"2.0","result":{"author":"chunky.pool.near","header":{"balance_burnt":"0",
         "chunk_hash":"EBM2qg5cGr47EjMPtH88uvmXHDHqmWPzKaQadbWhdw22","encoded_length":8,"gas_limit":1000000000000000,"gas_used":0,
         "height_created":187310140,"height_included":187310140,"prev_block_hash":"3Ls8ZHEWc2x7TkyDuXXBMuXYd5DT1mdNJgYXwGtQXbDZ",
         "shard_id":0,"signature":"ed25519:4Tmwd1Y4Y3bPNkNgqcm1uX3RfcN5sGtxvvX2uh7bBDWqXBMQKmrxh3vycxn6p1Uu9bhhwaa5mYQfPf6YhmUEv5u",
         "validator_proposals":[],"validator_reward":"0"},"receipts":[],"transactions":[]},"id":"knd"}
        """;

    public const string UnknownChunk = """
        {"jsonrpc":"2.0","error":{"name":"HANDLER_ERROR","cause":{"name":"UNKNOWN_CHUNK","info":{"chunk_hash":"EBM2qg5cGr47EjMPtH88uvmXHDHqmWPzKaQadbWhdw22"}},
         "code":-32000,"message":"Server error","data":"Chunk Missing (unavailable on the node): EBM2qg5cGr47EjMPtH88uvmXHDHqmWPzKaQadbWhdw22"},"id":"knd"}
        """;

    public const string Validators = """
        {"jsonrpc":"2.0","result":{
         "current_validators":[{"account_id":"kiln.pool.f863973.m0","public_key":"ed25519:Bq8fe1eUgDRexX2CYDMhMMQBiN13j8vTAVFyTNhEfh1W",
          "is_slashed":false,"stake":"92891729926051855086331836750992","shards":[0],"num_produced_blocks":2622,"num_expected_blocks":2622,
          "num_produced_chunks":9288,"num_expected_chunks":9298,"num_produced_chunks_per_shard":[9288],"num_expected_chunks_per_shard":[9298],
          "num_produced_endorsements":51000,"num_expected_endorsements":51020,"num_produced_endorsements_per_shard":[51000],
          "num_expected_endorsements_per_shard":[51020],"shards_endorsed":[0]},
          {"account_id":"mypool.pool.f863973.m0","public_key":"ed25519:6DSjZ8mvsRZDvFqFxo8tCKePG96omXW7eVYVSySmDk8e",
          "is_slashed":false,"stake":"1000","shards":[0],"num_produced_blocks":10,"num_expected_blocks":12,
          "num_produced_chunks":40,"num_expected_chunks":41}],
         "next_validators":[{"account_id":"kiln.pool.f863973.m0","public_key":"ed25519:Bq8fe1eUgDRexX2CYDMhMMQBiN13j8vTAVFyTNhEfh1W","stake":"92921980033422214461941381687070","shards":[0]}],
         "current_fishermen":[],"next_fishermen":[],
         "current_proposals":[{"validator_stake_struct_version":"V1","account_id":"01node.pool.f863973.m0","public_key":"ed25519:3iNqnvBgxJPXCxu6hNdvJso1PEAc1miAD35KQMBCA3aL","stake":"14508308808748255650142126217547"}],
         "prev_epoch_kickout":[{"account_id":"x.pool.f863973.m0","reason":{"NotEnoughBlocks":{"produced":317,"expected":421}}}],
         "epoch_start_height":187443633,"epoch_height":3358},"id":"knd"}
        """;

    public const string WindowsTuples = """{"jsonrpc":"2.0","result":[[1028,1031],[1034,1038]],"id":"knd"}""";

    public const string WindowsObjects = """{"jsonrpc":"2.0","result":[{"start":1028,"end":1031},{"start":1034,"end":1038}],"id":"knd"}""";

    public const string MethodNotFound = """
        {"jsonrpc":"2.0","error":{"name":"REQUEST_VALIDATION_ERROR","cause":{"name":"METHOD_NOT_FOUND","info":{"method_name":"EXPERIMENTAL_maintenance_windows"}},"code":-32601,"message":"Method not found","data":"EXPERIMENTAL_maintenance_windows"},"id":"knd"}
        """;

    public const string UnknownEpoch = """
        {"jsonrpc":"2.0","error":{"name":"HANDLER_ERROR","cause":{"name":"UNKNOWN_EPOCH"},"code":-32000,"message":"Server error","data":"Unknown Epoch"},"id":"knd"}
        """;

    /// <summary>nearcore's answer for a height without a block (neard.md §3 errors).</summary>
    public const string UnknownBlock = """
        {"jsonrpc":"2.0","error":{"name":"HANDLER_ERROR","cause":{"name":"UNKNOWN_BLOCK","info":{}},"code":-32000,"message":"Server error","data":"DB Not Found Error: BLOCK HEIGHT: 187310139"},"id":"knd"}
        """;

    public const string Metrics = """
        # HELP near_config_reloads_total Number of times the configs were reloaded during the current run of the process
        # TYPE near_config_reloads_total counter
        near_config_reloads_total 3
        # HELP near_config_mutable_field Timestamp and value of a mutable config field
        # TYPE near_config_mutable_field gauge
        near_config_mutable_field{field_name="expected_shutdown",timestamp="1739254100",value="None"} 0
        near_config_mutable_field{field_name="expected_shutdown",timestamp="1739254177",value="Some(187456300)"} 1
        near_config_mutable_field{field_name="validator_signer",timestamp="1739254100",value="Some(mypool)"} 1
        # TYPE near_block_expected_shutdown gauge
        near_block_expected_shutdown 187456300
        near_block_height_head 187456272
        near_is_validator 1

        """;
}
