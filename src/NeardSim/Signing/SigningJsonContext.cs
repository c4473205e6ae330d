using System.Text.Json.Serialization;

namespace NeardSim.Signing;

/// <summary>The fields of a ledger line the index needs.</summary>
internal sealed record LedgerRecord(long Height, string? AccountId);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LedgerRecord))]
internal sealed partial class SigningJsonContext : JsonSerializerContext;
