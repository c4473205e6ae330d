using System.Text.Json.Serialization;

namespace NeardSim.Rpc;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusView))]
[JsonSerializable(typeof(BlockView))]
[JsonSerializable(typeof(ChunkView))]
[JsonSerializable(typeof(EpochValidatorInfoView))]
[JsonSerializable(typeof(long[][]))]
[JsonSerializable(typeof(WindowObjectView[]))]
internal sealed partial class RpcJsonContext : JsonSerializerContext;
