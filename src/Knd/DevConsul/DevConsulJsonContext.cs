using System.Text.Json.Serialization;
using Knd.Consul;

namespace Knd.DevConsul;

/// <summary>JSON of the Consul API surface (Consul's own PascalCase names).</summary>
[JsonSerializable(typeof(SessionCreatedWire))]
[JsonSerializable(typeof(List<SessionWire>))]
[JsonSerializable(typeof(List<KvEntryWire>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(DevAgentSelfWire))]
[JsonSerializable(typeof(DevStateWire))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
internal sealed partial class DevConsulJsonContext : JsonSerializerContext;

/// <summary>JSON of the <c>/_dev/</c> fault endpoints (camelCase, read case-insensitively).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(NoLeaderFaultWire))]
[JsonSerializable(typeof(LatencyFaultWire))]
[JsonSerializable(typeof(BlackholeFaultWire))]
[JsonSerializable(typeof(IndexRegressionFaultWire))]
[JsonSerializable(typeof(SpoilFaultWire))]
internal sealed partial class DevFaultJsonContext : JsonSerializerContext;
