using System.Text.Json.Serialization;

namespace Knd.Consul;

/// <summary>Source-generated JSON for the Consul client (no reflection, trimming-safe).</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(SessionCreateWire))]
[JsonSerializable(typeof(SessionCreatedWire))]
[JsonSerializable(typeof(List<SessionWire>))]
[JsonSerializable(typeof(List<KvEntryWire>))]
[JsonSerializable(typeof(AgentSelfWire))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
internal sealed partial class ConsulJsonContext : JsonSerializerContext;
